// The branch-free fast paths of the periphery (crossbar/src/adc.cpp convert_ideal,
// crossbar/src/dac.cpp dac_scaled_levels) against what they replace. References: the
// ADC code is the number of thresholds <= the normalised input, counted directly from
// the thresholds (adc.hpp), and the ADC's threshold-table search (taken when codes are
// requested); the fused DAC scaling equals dividing first and then Dac::convert (the
// two passes it fuses). Inputs sit on, and one float ulp either side of, every threshold
// and every DAC rounding boundary, where a shortcut would go wrong first.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/adc.hpp>
#include <xbarsim/crossbar/dac.hpp>

#include "../../crossbar/src/dac_levels.hpp"

using namespace xbarsim;

TEST_CASE("ideal ADC fast path: codes equal the count of thresholds <= input", "[crossbar][adc]") {
  for (const int bits : {1, 4, 8, 9}) {
    AdcParams p;
    p.bits = bits;
    Adc adc(p, 3, 1);
    adc.set_ranges(arma::vec{12.0, 1.0, 0.37});
    const int n = adc.num_codes();
    for (std::size_t j = 0; j < 3; ++j) {
      INFO("bits " << bits << " column " << j);
      const std::vector<double> t = adc.thresholds(j);
      std::vector<float> in;
      for (const double tk : t) {
        const float f = static_cast<float>(tk);
        in.insert(in.end(), {f, std::nextafter(f, -1e9f), std::nextafter(f, 1e9f)});
      }
      const float r = static_cast<float>(adc.ranges()(j));
      in.insert(in.end(), {-2 * r, 2 * r, 0.0f, r, -r});
      arma::fmat y(in.size(), 3, arma::fill::zeros), out, searched;
      y.col(j) = arma::fvec(in);
      adc.convert(y, out, 0, StreamId{});
      // Asking for the codes takes the threshold-table search: the second reference.
      arma::imat codes;
      adc.convert(y, searched, 0, StreamId{}, &codes);
      // The normalised thresholds (range 1), against which the ADC compares x / R.
      Adc unit(p, 3, 1);
      unit.set_ranges(arma::vec{1.0, 1.0, 1.0});
      const std::vector<double> t_norm = unit.thresholds(j);
      for (std::size_t b = 0; b < in.size(); ++b) {
        const double v = static_cast<double>(in[b]) * (1.0 / adc.ranges()(j));
        int count = 0;
        for (const double tk : t_norm) count += tk <= v ? 1 : 0;
        REQUIRE(count < n);
        INFO("input " << in[b] << " count " << count);
        CHECK(out(b, j) == static_cast<float>(adc.value(count, j)));
        CHECK(out(b, j) == searched(b, j));
        CHECK(codes(b, j) == count);
      }
    }
  }
}

TEST_CASE("ideal ADC fast path reports NaN", "[crossbar][adc]") {
  Adc adc(AdcParams{}, 1, 1);
  arma::fmat y(5, 1, arma::fill::zeros), out;
  y(3, 0) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_AS(adc.convert(y, out, 0, StreamId{}), NumericalError);
}

TEST_CASE("fused DAC scaling: levels equal Dac::convert of x / s", "[crossbar][dac]") {
  for (const int bits : {2, 7, 8}) {
    DacParams p;
    p.bits = bits;
    const Dac dac(p);
    REQUIRE(detail::has_plain_levels(dac));
    std::vector<float> x, s;
    for (int k = -dac.max_code() - 2; k <= dac.max_code() + 2; ++k) {
      // Rounding boundaries (k + 1/2) LSB, scaled by s = 3: x / s lands on them.
      const float edge = static_cast<float>((k + 0.5) * dac.lsb() * 3.0);
      for (const float v : {edge, std::nextafter(edge, -1e9f), std::nextafter(edge, 1e9f)}) {
        x.push_back(v);
        s.push_back(3.0f);
      }
    }
    x.push_back(0.25f);
    s.push_back(1e-30f);  // far beyond the clip range
    std::vector<float> out(x.size());
    CHECK(detail::dac_scaled_levels(dac, x.data(), s.data(), out.data(), x.size()));
    arma::fmat scaled(x.size(), 1), ref;
    for (std::size_t k = 0; k < x.size(); ++k) scaled(k, 0) = x[k] / s[k];
    dac.convert(scaled, ref, 0, StreamId{});
    for (std::size_t k = 0; k < x.size(); ++k) {
      INFO("bits " << bits << " x " << x[k] << " s " << s[k]);
      CHECK(out[k] == ref(k, 0));
    }
    // Away from the float-rounding ties at the boundaries, also the definition itself.
    CHECK(out.back() == static_cast<float>(dac.level(dac.max_code())));
    const float nan = std::numeric_limits<float>::quiet_NaN();
    float o = 0.0f;
    const float one = 1.0f;
    CHECK_FALSE(detail::dac_scaled_levels(dac, &nan, &one, &o, 1));
  }
  DacParams inl;
  inl.inl_lsb = 0.5;
  CHECK_FALSE(detail::has_plain_levels(Dac(inl)));
}

// Column ADC model (crossbar/adc.hpp) against closed forms: CrossSim QuantizerADC level
// convention (crosssim_memtorch.md 1.2), DNL/INL/noise statistics, range calibration,
// and cost figures from device_physics.md 7.1 (Walden FOM, NeuroSim SAR latency,
// ISAAC/Saberi 32 nm SAR table).
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/adc.hpp>

using namespace xbarsim;

namespace {
arma::mat ramp(std::size_t n, double lo, double hi, std::size_t cols = 1) {
  arma::mat y(n, cols);
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i < n; ++i) y(i, j) = lo + (hi - lo) * i / (n - 1.0);
  return y;
}
}  // namespace

TEST_CASE("ideal ADC: thresholds at -R + (k + 0.5) LSB, staircase, clipping", "[crossbar][adc]") {
  AdcParams p;
  p.bits = 5;
  p.range = 2.0;
  Adc adc(p, 1, 1);
  const int n = 32;  // 2^bits codes
  REQUIRE(adc.num_codes() == n);
  const double lsb = 4.0 / (n - 1);  // closed form 2R / (2^bits - 1)
  CHECK(adc.lsb(0) == Approx(lsb).epsilon(1e-15));
  const auto t = adc.thresholds(0);
  REQUIRE(t.size() == static_cast<std::size_t>(n - 1));
  for (int k = 0; k < n - 1; ++k) CHECK(t[k] == Approx(-2.0 + (k + 0.5) * lsb).margin(1e-13));
  CHECK(t[n / 2 - 1] == Approx(0.0).margin(1e-13));  // mid-rise: 0 is a code boundary

  const arma::mat y = ramp(100001, -3.0, 3.0);
  arma::mat out;
  arma::imat codes;
  adc.convert(y, out, 1, {}, &codes);
  CHECK(codes.min() == 0);
  CHECK(codes.max() == n - 1);
  CHECK(arma::unique(codes).eval().n_elem == static_cast<arma::uword>(n));  // every code reached
  for (std::size_t i = 0; i < y.n_elem; ++i) {
    if (std::abs(y(i)) <= 2.0)
      CHECK(std::abs(out(i) - y(i)) <= 0.5 * lsb + 1e-12);  // staircase error <= LSB/2
    else
      CHECK(out(i) == Approx(y(i) > 0 ? 2.0 : -2.0).epsilon(1e-14));  // saturation
    if (i > 0) CHECK(codes(i) >= codes(i - 1));                       // monotone transfer curve
  }
  // The float path gives the same codes as the double path.
  arma::fmat outf;
  arma::imat codesf, codesd;
  const arma::fmat yf = arma::conv_to<arma::fmat>::from(ramp(97, -3.0, 3.0));
  adc.convert(yf, outf, 1, {}, &codesf);
  adc.convert(arma::conv_to<arma::mat>::from(yf), out, 1, {}, &codesd);
  CHECK(arma::all(arma::vectorise(codesf == codesd)));
}

TEST_CASE("ADC DNL: code-width std equals dnl_sigma_lsb, monotone", "[crossbar][adc]") {
  AdcParams p;
  p.bits = 8;
  p.dnl_sigma_lsb = 0.3;
  const std::size_t cols = 64;
  Adc adc(p, cols, 2024);  // 64 ADC instances (columns_per_adc = 1)
  REQUIRE(adc.num_adcs() == cols);
  double s = 0.0, s2 = 0.0;
  std::size_t m = 0;
  bool differ = false;
  for (std::size_t j = 0; j < cols; ++j) {
    const auto t = adc.thresholds(j);
    const double lsb = adc.lsb(j);
    // Endpoint fit: first and last thresholds stay ideal.
    CHECK(t.front() == Approx(-p.range + 0.5 * lsb).margin(1e-12));
    CHECK(t.back() == Approx(p.range - 0.5 * lsb).margin(1e-12));
    for (std::size_t k = 1; k < t.size(); ++k) {
      const double dnl = (t[k] - t[k - 1]) / lsb - 1.0;
      REQUIRE(t[k] >= t[k - 1]);  // monotone
      s += dnl;
      s2 += dnl * dnl;
      ++m;
    }
    if (j > 0 && adc.thresholds(j)[100] != adc.thresholds(0)[100]) differ = true;
  }
  const double mean = s / m, sd = std::sqrt(s2 / m - mean * mean);
  // m = 64 * 254 = 16256 widths: the sample std of N(0, 0.3) has relative standard
  // error 1/sqrt(2m) = 0.55%; rescaling to the endpoints changes it by O(1/sqrt(254)).
  // 3% tolerance.
  CHECK(sd == Approx(0.3).epsilon(0.03));
  CHECK(std::abs(mean) < 1e-12);  // widths sum to N - 2 LSB exactly (endpoint fit)
  CHECK(differ);                  // independent instances

  // Same seed -> same pattern; mux groups share one instance.
  Adc again(p, cols, 2024);
  CHECK(again.thresholds(17) == adc.thresholds(17));
  p.columns_per_adc = 8;
  Adc muxed(p, cols, 2024);
  CHECK(muxed.num_adcs() == 8u);
  CHECK(muxed.thresholds(8) == muxed.thresholds(15));
  CHECK(muxed.thresholds(8) != muxed.thresholds(16));
}

TEST_CASE("ADC INL bow peak equals inl_lsb", "[crossbar][adc]") {
  AdcParams p;
  p.bits = 8;
  p.inl_lsb = 2.0;
  p.range = 1.0;
  Adc adc(p, 1, 3);
  const auto t = adc.thresholds(0);
  const double lsb = adc.lsb(0);
  double peak = 0.0;
  std::size_t arg = 0;
  for (std::size_t k = 0; k < t.size(); ++k) {
    const double inl = (t[k] - (-1.0 + (k + 0.5) * lsb)) / lsb;
    if (inl > peak) peak = inl, arg = k;
  }
  // Closed form: inl_lsb * (1 - u^2) peaks at u = 0, which is threshold 127 exactly.
  CHECK(peak == Approx(2.0).epsilon(1e-10));
  CHECK(arg == 127u);
  CHECK((t.front() - (-1.0 + 0.5 * lsb)) / lsb == Approx(2.0 * (1 - std::pow(1 - 0.5 * lsb, 2))).margin(1e-10));
  for (std::size_t k = 1; k < t.size(); ++k) CHECK(t[k] >= t[k - 1]);
}

TEST_CASE("ADC input-referred noise sigma in LSB", "[crossbar][adc]") {
  AdcParams p;
  p.bits = 6;
  p.range = 1.0;
  p.noise_lsb = 2.0;
  Adc adc(p, 4, 5);
  // Constant input inside the range, far from clipping: with sigma = 2 LSB the code
  // noise is the input noise plus uniform quantisation noise (LSB^2/12; Widrow), so
  // std(out)^2 = (2^2 + 1/12) LSB^2 for a random-phase input.
  arma::mat y(20000, 4);
  for (std::size_t j = 0; j < 4; ++j) y.col(j).fill(0.1 + 0.013 * j);
  arma::mat a, b, c;
  adc.convert(y, a, 9, {0, 1, 0});
  adc.convert(y, b, 9, {0, 1, 0});
  adc.convert(y, c, 9, {0, 2, 0});
  const double lsb = adc.lsb(0);
  for (std::size_t j = 0; j < 4; ++j) {
    const double sd = arma::stddev(a.col(j)) / lsb;
    // n = 20000: relative standard error of the std 0.5%; 3% tolerance.
    CHECK(sd == Approx(std::sqrt(4.0 + 1.0 / 12.0)).epsilon(0.03));
    CHECK(std::abs(arma::mean(a.col(j)) - y(0, j)) / lsb < 0.1);  // dithered: unbiased
  }
  CHECK(arma::approx_equal(a, b, "absdiff", 0.0));  // same seed and stream
  CHECK(arma::accu(a != c) > 1000u);                // different stream
}

TEST_CASE("ADC per-column and percentile calibration", "[crossbar][adc]") {
  AdcParams p;
  p.range_mode = "per-column";
  Adc adc(p, 3, 1);
  arma::mat cal = {{0.5, -3.0, 0.0}, {-0.7, 2.0, 0.0}, {0.1, 1.0, 0.0}};
  adc.calibrate(cal);
  // Range = max |y| per column; an all-zero column keeps the fixed range.
  CHECK(adc.ranges()(0) == 0.7);
  CHECK(adc.ranges()(1) == 3.0);
  CHECK(adc.ranges()(2) == p.range);
  arma::mat out;
  adc.convert(cal, out, 1, {});
  CHECK(out(1, 0) == Approx(-0.7).epsilon(1e-14));  // extremes map to the end levels
  CHECK(out(0, 1) == Approx(-3.0).epsilon(1e-14));

  AdcParams q;
  q.range_mode = "percentile";
  q.range_percentile = 99.9;
  Adc pa(q, 2, 1);
  // |y| = 1..2000: numpy percentile (linear) at 99.9: pos = 0.999 * 1999 = 1997.001,
  // value 1998 + 0.001 * 1 = 1998.001.
  arma::mat y(1000, 2);
  for (std::size_t e = 0; e < y.n_elem; ++e) y(e) = (e % 2 ? -1.0 : 1.0) * (e + 1.0);
  pa.calibrate(y);
  CHECK(pa.ranges()(0) == Approx(1998.001).epsilon(1e-12));
  CHECK(pa.ranges()(1) == Approx(1998.001).epsilon(1e-12));

  CHECK_THROWS_AS(adc.calibrate(arma::mat(4, 2, arma::fill::ones)), ConfigError);
  CHECK_THROWS_AS(adc.convert(arma::mat(4, 2, arma::fill::ones), out, 1, {}), ConfigError);
}

TEST_CASE("ADC cost: NeuroSim latency, Walden energy, ISAAC table", "[crossbar][adc]") {
  AdcParams p;  // SAR, 8 bits, 1 GHz
  Adc adc(p, 128, 1);
  AdcCost c = adc.cost();
  // NeuroSim SarADC.cpp: (log2(levels) + 1) x 1 ns.
  CHECK(c.cycles_per_conversion == 9.0);
  CHECK(c.latency_per_conversion_s == Approx(9e-9).epsilon(1e-14));
  // Walden: 34 fJ (Murmann SAR median) * 2^8 for an ideal ADC (ENOB = bits).
  CHECK(c.enob == 8.0);
  CHECK(c.energy_per_conversion_J == Approx(34e-15 * 256).epsilon(1e-14));
  // ISAAC / Saberi 32 nm SAR at 8 bits: 1.67 pJ and 1200 um^2 (device_physics.md 7.1).
  CHECK(c.area_per_adc_m2 == Approx(1200e-12).epsilon(1e-12));
  CHECK(c.num_adcs == 128u);
  p.energy_model = "isaac-table";
  c = Adc(p, 128, 1).cost();
  CHECK(c.energy_per_conversion_J == Approx(1.67e-12).epsilon(1e-12));
  CHECK(isaac_sar_energy_J(4) == Approx(0.79e-12).epsilon(1e-12));
  CHECK(isaac_sar_area_m2(10) == Approx(3002e-12).epsilon(1e-12));
  // Between table points: geometric mean of 1.67 and 1.97 pJ at 8.5 bits.
  CHECK(isaac_sar_energy_J(8.5) == Approx(std::sqrt(1.67 * 1.97) * 1e-12).epsilon(1e-12));

  // Mux: 8 columns per ADC -> 16 ADCs and 8 conversions per read.
  p = AdcParams{};
  p.columns_per_adc = 8;
  c = Adc(p, 128, 1).cost();
  CHECK(c.num_adcs == 16u);
  CHECK(c.read_latency_s == Approx(8 * 9e-9).epsilon(1e-14));

  p = AdcParams{};
  p.type = "flash";
  p.bits = 6;
  c = Adc(p, 1, 1).cost();
  CHECK(c.cycles_per_conversion == 1.0);
  CHECK(c.energy_per_conversion_J == Approx(119e-15 * 64).epsilon(1e-14));  // Murmann flash median
  p.type = "ramp";
  p.clock_Hz = 2e9;
  c = Adc(p, 1, 1).cost();
  CHECK(c.latency_per_conversion_s == Approx(64 / 2e9).epsilon(1e-14));  // 2^bits cycles

  // Noise lowers ENOB: bits - 0.5 log2(1 + 12 sigma^2); sigma = 0.5 LSB -> 8 - 1 = 7.
  p = AdcParams{};
  p.noise_lsb = 0.5;
  CHECK(Adc(p, 1, 1).cost().enob == Approx(7.0).epsilon(1e-14));

  p = AdcParams{};
  p.type = "flash";
  p.energy_model = "isaac-table";
  CHECK_THROWS_AS(Adc(p, 1, 1), ConfigError);
}

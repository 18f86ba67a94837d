// Input DAC model (crossbar/dac.hpp) against closed forms: the aihwkit level definition
// (step = res * 2 * inp_bound, res = 1/(2^bits - 2); aihwkit.md 1.6), exact binary
// shift-add of bit planes, the cubic INL bow and Gaussian noise statistics.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/dac.hpp>

using namespace xbarsim;

namespace {
arma::fmat ramp_inputs(std::size_t n, double lo, double hi) {
  arma::fmat x(1, n);
  for (std::size_t i = 0; i < n; ++i) x(0, i) = static_cast<float>(lo + (hi - lo) * i / (n - 1.0));
  return x;
}
}  // namespace

TEST_CASE("ideal DAC levels are k * LSB with 2^bits - 1 levels", "[crossbar][dac]") {
  // aihwkit default: 7 bits, inp_bound 1 -> step 2/126 = 1/63, 127 levels in [-1, 1].
  Dac dac(DacParams{});
  CHECK(dac.lsb() == Approx(1.0 / 63.0).epsilon(1e-15));
  CHECK(dac.num_levels() == 127);
  CHECK(dac.level(dac.max_code()) == Approx(1.0).epsilon(1e-14));
  for (int k = -dac.max_code(); k <= dac.max_code(); ++k) CHECK(dac.level(k) == k * dac.lsb());

  // A fine ramp over more than the range hits every level exactly once in the set of
  // outputs, and nothing else: 2^bits - 1 distinct values.
  const arma::fmat x = ramp_inputs(20001, -1.5, 1.5);
  arma::mat out;
  dac.convert(arma::conv_to<arma::mat>::from(x), out, 1, {});
  std::set<double> distinct(out.begin(), out.end());
  CHECK(distinct.size() == 127u);
  // Rounding error at most LSB/2 inside the range; clipping to +-inp_bound outside.
  for (std::size_t i = 0; i < x.n_elem; ++i) {
    const double xi = x(i);
    if (std::abs(xi) <= 1.0)
      CHECK(std::abs(out(i) - xi) <= 0.5 * dac.lsb() + 1e-7);
    else
      CHECK(out(i) == Approx(xi > 0 ? 1.0 : -1.0).epsilon(1e-14));
  }
}

TEST_CASE("DAC resolution and range scale as documented", "[crossbar][dac]") {
  for (int bits : {2, 4, 8, 12}) {
    DacParams p;
    p.bits = bits;
    p.inp_bound = 0.3;
    Dac dac(p);
    // Closed form: LSB = 2 * 0.3 / (2^bits - 2), max code 2^(bits-1) - 1.
    CHECK(dac.lsb() == Approx(0.6 / (std::exp2(bits) - 2)).epsilon(1e-14));
    CHECK(dac.max_code() == (1 << (bits - 1)) - 1);
    CHECK(dac.level(dac.max_code()) == Approx(0.3).epsilon(1e-13));
  }
  DacParams bad;
  bad.mode = "pwm";
  CHECK_THROWS_AS(Dac(bad), ConfigError);
  bad = DacParams{};
  bad.bits = 1;
  CHECK_THROWS_AS(Dac(bad), ConfigError);
}

TEST_CASE("bit-serial planes reconstruct the quantised input with shift-add", "[crossbar][dac]") {
  DacParams p;
  p.bits = 8;
  p.mode = "bit-serial";
  Dac dac(p);
  const arma::fmat x = ramp_inputs(4001, -1.2, 1.2);
  const DacBitPlanes bp = dac.bit_planes(x, 7, {});
  REQUIRE(bp.planes.size() == 7u);  // sign-magnitude: bits - 1 magnitude planes
  const arma::imat k = dac.codes(x);
  for (std::size_t b = 0; b < bp.planes.size(); ++b) {
    // Binary weight 2^b LSB (shift-add).
    CHECK(bp.weights[b] == Approx(std::exp2(b) * dac.lsb()).epsilon(1e-15));
    for (float v : bp.planes[b]) CHECK((v == 0.0f || v == 1.0f || v == -1.0f));
  }
  for (std::size_t e = 0; e < x.n_elem; ++e) {
    double sum = 0.0;
    for (std::size_t b = 0; b < bp.planes.size(); ++b) sum += bp.weights[b] * bp.planes[b](e);
    // Exact: sum of powers of two times LSB equals k * LSB (within double rounding).
    CHECK(sum == Approx(k(e) * dac.lsb()).margin(1e-12));
  }
  // convert() in bit-serial mode returns the shift-add value code * LSB.
  arma::fmat rec;
  dac.convert(x, rec, 7, {});
  for (std::size_t e = 0; e < x.n_elem; ++e) CHECK(rec(e) == Approx(k(e) * dac.lsb()).margin(1e-6));
}

TEST_CASE("DAC INL is the documented cubic bow with peak inl_lsb", "[crossbar][dac]") {
  DacParams p;
  p.bits = 10;
  p.inl_lsb = 1.5;
  Dac dac(p);
  double peak = 0.0;
  for (int k = -dac.max_code(); k <= dac.max_code(); ++k) {
    const double inl = (dac.level(k) - k * dac.lsb()) / dac.lsb();
    peak = std::max(peak, std::abs(inl));
  }
  // Closed form: max of (3 sqrt 3 / 2) u (1 - u^2) on [-1, 1] is 1 at u = 1/sqrt(3);
  // with 511 codes the nearest code is within 1/511 of the peak, so within 1e-4 LSB.
  CHECK(peak == Approx(1.5).margin(1e-4));
  CHECK(dac.level(0) == 0.0);                                              // odd bow
  CHECK(dac.level(dac.max_code()) == Approx(p.inp_bound).epsilon(1e-13));  // endpoint fit
  // Position of the peak: code nearest kmax / sqrt(3).
  const int kp = static_cast<int>(std::lround(dac.max_code() / std::sqrt(3.0)));
  CHECK(dac.inl_lsb_at(kp) == Approx(1.5).margin(1e-4));
  CHECK(dac.inl_lsb_at(-kp) == Approx(-1.5).margin(1e-4));
}

TEST_CASE("DAC noise has sigma noise_lsb * LSB and is keyed by seed and stream", "[crossbar][dac]") {
  DacParams p;
  p.noise_lsb = 0.7;
  Dac dac(p);
  // 200 x 250 copies of the input 0.25; level(code(0.25)) is the ideal mean.
  arma::fmat x(200, 250);
  x.fill(0.25f);
  arma::fmat a, b, c;
  dac.convert(x, a, 42, {1, 2, 3});
  dac.convert(x, b, 42, {1, 2, 3});
  dac.convert(x, c, 42, {1, 2, 4});
  const double mean0 = dac.level(dac.code(0.25));
  const arma::vec d = arma::conv_to<arma::vec>::from(arma::vectorise(a)) - mean0;
  // Sample std of n = 50000 normals has relative standard error 1/sqrt(2n) = 0.32%;
  // 2% is > 6 standard errors.
  CHECK(arma::stddev(d) / dac.lsb() == Approx(0.7).epsilon(0.02));
  CHECK(std::abs(arma::mean(d)) / dac.lsb() < 0.7 * 5 / std::sqrt(50000.0));
  CHECK(arma::approx_equal(a, b, "absdiff", 0.0f));  // same seed and stream -> identical
  CHECK(arma::abs(a - c).max() > 0.1f * dac.lsb());  // different stream -> different
}

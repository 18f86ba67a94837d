// SoftBounds (aihwkit SoftBoundsDevice = LinearStep with gamma 1 and device bounds).
#include <catch2/catch.hpp>
#include <xbarsim/devices/registry.hpp>

#include "rpu_test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::rpu_test;

TEST_CASE("a soft-bounds step is alpha (1 - w/b) for each device", "[devices][rpu]") {
  // Reference: device_physics.md 5.3 / aihwkit LinearStepRPUDevice update_once_mult with
  // slope = -scale/b: dw+ = alpha+ (1 - w/b_max), dw- = -alpha- (1 - w/b_min), with each
  // device's own alpha (scale_up/down) and bounds (d2d on, c2c off).
  RpuStepParams p = quiet("soft-bounds");
  p.dw_min_dtod = 0.3;
  p.up_down = 0.1;
  p.up_down_dtod = 0.05;
  p.w_max_dtod = 0.2;
  p.w_min_dtod = 0.2;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(64, 16, 21, 0);
  arma::fmat& w = field(m, s, "w");
  const arma::fmat su = field(m, s, "scale_up"), sd = field(m, s, "scale_down");
  const arma::fmat bx = field(m, s, "w_max_bound"), bn = field(m, s, "w_min_bound");
  // Weights spread over each device's window.
  for (arma::uword i = 0; i < w.n_elem; ++i) w(i) = bn(i) + (bx(i) - bn(i)) * (0.05f + 0.9f * (i % 97) / 96.0f);
  const arma::fmat w0 = w;
  pulse_all(m, s, +1);
  for (arma::uword i = 0; i < w.n_elem; ++i)
    CHECK(w(i) - w0(i) == Approx(su(i) * (1.0 - double(w0(i)) / bx(i))).margin(2e-7));
  w = w0;
  pulse_all(m, s, -1);
  for (arma::uword i = 0; i < w.n_elem; ++i)
    CHECK(w(i) - w0(i) == Approx(-sd(i) * (1.0 - double(w0(i)) / bn(i))).margin(2e-7));
}

TEST_CASE("alternating pulses settle at the soft-bounds symmetry point", "[devices][rpu]") {
  // References: aihwkit SoftBoundsReferenceDevice docstring: the symmetry point, where up
  // and down steps are equal, is w* = (alpha+ - alpha-)/(alpha+/b_max - alpha-/b_min).
  // The noise-free up/down sequence ends in a 2-cycle: with c = alpha+ alpha- /
  // (alpha- - alpha+ b_min/b_max), the weight after each down step is
  // w_b = (w* - c)/(1 - c/b_max) (fixed point of the linear up-then-down map), and
  // the cycle's midpoint lies within one step of w*.
  RpuStepParams p = quiet("soft-bounds");
  p.dw_min = 0.004;
  p.up_down = 0.3;  // strongly asymmetric: w* well away from 0
  p.up_down_dtod = 0.05;
  p.dw_min_dtod = 0.2;
  p.w_max_dtod = 0.1;
  p.w_min_dtod = 0.1;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(32, 4, 5, 0);
  for (int k = 0; k < 4000; ++k) {  // contraction per pair >= 1 - 0.0045 here: < 1e-7 left
    pulse_all(m, s, +1);
    pulse_all(m, s, -1);
  }
  const arma::fmat wb = field(m, s, "w");
  pulse_all(m, s, +1);
  const arma::fmat wa = field(m, s, "w");
  const arma::fmat su = field(m, s, "scale_up"), sd = field(m, s, "scale_down");
  const arma::fmat bx = field(m, s, "w_max_bound"), bn = field(m, s, "w_min_bound");
  for (arma::uword i = 0; i < wb.n_elem; ++i) {
    const double a = su(i), b = sd(i), B = bx(i), Bm = bn(i);
    const double ws = (a - b) / (a / B - b / Bm);
    const double c = a * b / (b - a * Bm / B);
    // Float rounding (half an ulp of w, 1.5e-8, per step) shifts the fixed point of the
    // map by up to that error over the contraction rate a/B - b/Bm per pair.
    CHECK(wb(i) == Approx((ws - c) / (1.0 - c / B)).margin(1e-7 / (a / B - b / Bm)));
    CHECK(std::abs(0.5 * (wa(i) + wb(i)) - ws) < 0.5 * std::max(a, b));
    CHECK(ws > 0.02);  // the test would be weak at w* = 0
  }
  // The up-down protocol reports the same closed-form symmetry point.
  CurveRequest r;
  r.protocol = "up-down";
  r.devices = 8;
  r.pulses = 1500;
  ParamValues v = {{"step", std::string("soft-bounds")}, {"dw_min", 0.004}, {"up_down", 0.3}, {"dw_min_std", 0.0}};
  const Curve curve = characterise(rpu_step_family(), v, r);
  const auto& weight = curve.find("weight")->values;
  const auto& sym = curve.find("symmetry_point")->values;
  const std::size_t len = 2 * 1500 + 1;
  for (std::size_t d = 0; d < 8; ++d) {
    const double mid = 0.5 * (weight[d * len + len - 1] + weight[d * len + len - 2]);
    CHECK(std::abs(mid - sym[d]) < 0.004 * 1.5);
  }
}

TEST_CASE("a soft-bounds up ramp approaches b_max geometrically", "[devices][rpu]") {
  // Reference: iterating w <- w + alpha (1 - w/b) gives b - w_n = (b - w_0)(1 - alpha/b)^n,
  // the discrete form of aihwkit SoftBoundsPmaxDevice's w(p) = B (1 - exp(-alpha p)) + r_min.
  const RpuStepModel m(quiet("soft-bounds"));
  DeviceState s = m.create_state(3, 2, 1, 0);
  for (int n = 0; n < 800; ++n) pulse_all(m, s, +1);
  const double expected = 0.6 - 1.2 * std::pow(1.0 - 0.001 / 0.6, 800);
  CHECK(field(m, s, "w").max() == Approx(expected).margin(2e-5));
  CHECK(field(m, s, "w").min() == Approx(expected).margin(2e-5));
}

TEST_CASE("soft-bounds noise is multiplicative by default and additive on request", "[devices][rpu]") {
  // Reference: aihwkit update_once_mult: dw = alpha (1 - w/b)(1 + sigma xi); update_once_add:
  // dw = alpha (1 - w/b) + alpha sigma xi. At w = b_max/2 the mean step is alpha/2; its
  // std is alpha sigma / 2 (multiplicative) or alpha sigma (additive). 102400 devices.
  for (bool mult : {true, false}) {
    RpuStepParams p = quiet("soft-bounds");
    p.dw_min_std = 0.4;
    p.mult_noise = mult;
    const RpuStepModel m(p);
    DeviceState s = m.create_state(320, 320, 13, 0);
    field(m, s, "w").fill(0.3f);
    pulse_all(m, s, +1);
    const Moments d = moments(field(m, s, "w") - 0.3f);
    INFO("mult_noise = " << mult);
    CHECK(d.mean == Approx(0.0005).epsilon(0.01));
    CHECK(d.std == Approx(mult ? 0.0005 * 0.4 : 0.001 * 0.4).epsilon(0.02));
  }
}

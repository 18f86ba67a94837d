// Single-step closed forms of the LinearStep, ExpStep, PowStep and PiecewiseStep rules.
#include <catch2/catch.hpp>

#include "rpu_test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::rpu_test;

namespace {
// Sets every device to weights spread over [lo, hi] (one value per row), applies one
// pulse of `sign` and returns (w before, change).
std::pair<arma::fmat, arma::fmat> one_step(const RpuStepModel& m, DeviceState& s, float lo, float hi, int sign) {
  arma::fmat& w = field(m, s, "w");
  for (arma::uword i = 0; i < w.n_rows; ++i) w.row(i).fill(lo + (hi - lo) * i / (w.n_rows - 1.0f));
  const arma::fmat w0 = w;
  pulse_all(m, s, sign);
  return {w0, w - w0};
}
}  // namespace

TEST_CASE("LinearStep steps fall linearly with w", "[devices][rpu]") {
  // Reference: aihwkit LinearStepRPUDevice with mean_bound_reference: slope_up =
  // -gamma_up dw_min / w_max, slope_down = -gamma_down dw_min / w_min, and update_once:
  // up dw = dw_min (1 - gamma_up w / w_max), down dw = -dw_min (1 - gamma_down w / w_min).
  RpuStepParams p = quiet("linear");
  p.gamma_up = 0.3;
  p.gamma_down = 0.5;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(41, 2, 1, 0);
  auto [w0, up] = one_step(m, s, -0.55f, 0.55f, +1);
  for (arma::uword i = 0; i < w0.n_elem; ++i) CHECK(up(i) == Approx(0.001 * (1.0 - 0.3 * w0(i) / 0.6)).margin(1e-7));
  auto [w1, down] = one_step(m, s, -0.55f, 0.55f, -1);
  for (arma::uword i = 0; i < w1.n_elem; ++i)
    CHECK(down(i) == Approx(-0.001 * (1.0 - 0.5 * w1(i) / -0.6)).margin(1e-7));
}

TEST_CASE("LinearStep noise: multiplicative scales with the step, additive does not", "[devices][rpu]") {
  // Reference: aihwkit update_once_mult dw = (slope w + scale)(1 + sigma xi), update_once_add
  // dw = slope w + scale (1 + sigma xi). At w = 0.4, gamma_up = 0.3, w_max = 0.6 the mean
  // step is 0.8 dw_min; its std is 0.8 dw_min sigma (mult) or dw_min sigma (add).
  for (bool mult : {true, false}) {
    RpuStepParams p = quiet("linear");
    p.gamma_up = 0.3;
    p.dw_min_std = 0.5;
    p.mult_noise = mult;
    const RpuStepModel m(p);
    DeviceState s = m.create_state(320, 320, 17, 0);
    field(m, s, "w").fill(0.4f);
    pulse_all(m, s, +1);
    const Moments d = moments(field(m, s, "w") - 0.4f);
    INFO("mult_noise = " << mult);
    CHECK(d.mean == Approx(0.0008).epsilon(0.01));
    CHECK(d.std == Approx(mult ? 0.0008 * 0.5 : 0.001 * 0.5).epsilon(0.02));
  }
}

TEST_CASE("ExpStep steps follow max(1 - A exp(+-gamma z), 0)", "[devices][rpu]") {
  // Reference: aihwkit ExpStepRPUDevice update_once: z = 2 a w/(b_max - b_min) + b,
  // up dw = max(1 - A_up exp(gamma_up z), 0) scale_up,
  // down dw = -max(1 - A_down exp(-gamma_down z), 0) scale_down,
  // for the ExpStepDevice defaults and the ReRamESPresetDevice fit (whose up_down = 0.259359
  // gives scale_down = (1 - 0.259359) dw_min by PulsedRPUDevice::populate).
  struct Case {
    const char* name;
    double A_up, A_down, g_up, g_down, a, b, dw, up_down, w_lim;
  };
  for (const Case& c : {Case{"defaults", 0.00081, 0.36833, 12.44625, 12.78785, 0.244, 0.2425, 0.001, 0.0, 0.6},
                        Case{"ReRamES", -1.18445, -0.081404, 5.0, 5.0, -0.5, -0.5, 0.00135, 0.259359, 1.0}}) {
    RpuStepParams p = quiet("exp");
    p.exp_A_up = c.A_up;
    p.exp_A_down = c.A_down;
    p.exp_gamma_up = c.g_up;
    p.exp_gamma_down = c.g_down;
    p.exp_a = c.a;
    p.exp_b = c.b;
    p.dw_min = c.dw;
    p.up_down = c.up_down;
    p.w_max = c.w_lim;
    p.w_min = -c.w_lim;
    const RpuStepModel m(p);
    DeviceState s = m.create_state(61, 1, 1, 0);
    const float lim = static_cast<float>(0.95 * c.w_lim);
    auto [w0, up] = one_step(m, s, -lim, lim, +1);
    auto [w1, down] = one_step(m, s, -lim, lim, -1);
    const double s_up = c.dw * (1.0 + std::min(c.up_down, 0.0)), s_down = c.dw * (1.0 - std::max(c.up_down, 0.0));
    INFO(c.name);
    for (arma::uword i = 0; i < w0.n_elem; ++i) {
      const double z = 2.0 * c.a * w0(i) / (2.0 * c.w_lim) + c.b;
      CHECK(up(i) == Approx(std::max(1.0 - c.A_up * std::exp(c.g_up * z), 0.0) * s_up).margin(2e-7));
      CHECK(down(i) == Approx(-std::max(1.0 - c.A_down * std::exp(-c.g_down * z), 0.0) * s_down).margin(2e-7));
    }
    CHECK(up.max() > 0.0f);  // the formula is exercised, not only its zero branch
    CHECK(down.min() < 0.0f);
  }
}

TEST_CASE("ExpStep complex noise has std sigma (|dw| + add + slope |w|)", "[devices][rpu]") {
  // Reference: aihwkit update_once_complex_noise: w += dw + dw_min_std (|dw| + dw_min_std_add +
  // dw_min_std_slope |w|) xi (the PCMPresetDevice form: 0.6, 0.042, 0.108). At w = 0.3
  // with A_up = 0: dw = dw_min, so std = 0.6 (0.01 + 0.042 + 0.108 * 0.3) = 0.05064 with
  // dw_min = 0.01. 102400 devices; wide bounds so no clipping.
  RpuStepParams p = quiet("exp");
  p.exp_A_up = 0.0;
  p.dw_min = 0.01;
  p.dw_min_std = 0.6;
  p.dw_min_std_add = 0.042;
  p.dw_min_std_slope = 0.108;
  p.w_max = 5.0;
  p.w_min = -5.0;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(320, 320, 4, 0);
  field(m, s, "w").fill(0.3f);
  pulse_all(m, s, +1);
  const Moments d = moments(field(m, s, "w") - 0.3f);
  CHECK(d.mean == Approx(0.01).margin(0.0008));  // s.e. 1.6e-4
  CHECK(d.std == Approx(0.6 * (0.01 + 0.042 + 0.108 * 0.3)).epsilon(0.02));
}

TEST_CASE("PowStep steps scale with a power of the distance to the bound", "[devices][rpu]") {
  // Reference: aihwkit PowStepRPUDevice update_once: up dw = scale_up ((b_max - w)/range)^gamma_up,
  // down dw = -scale_down ((w - b_min)/range)^gamma_down, with gamma_up = pow_gamma and
  // gamma_down = (1 - pow_up_down) pow_gamma for pow_up_down > 0 (populate).
  RpuStepParams p = quiet("pow");
  p.pow_gamma = 2.5;
  p.pow_up_down = 0.2;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(41, 1, 1, 0);
  auto [w0, up] = one_step(m, s, -0.55f, 0.55f, +1);
  auto [w1, down] = one_step(m, s, -0.55f, 0.55f, -1);
  for (arma::uword i = 0; i < w0.n_elem; ++i) {
    CHECK(up(i) == Approx(0.001 * std::pow((0.6 - w0(i)) / 1.2, 2.5)).margin(1e-7));
    CHECK(down(i) == Approx(-0.001 * std::pow((w1(i) + 0.6) / 1.2, 2.0)).margin(1e-7));
  }
}

TEST_CASE("PiecewiseStep interpolates its node vectors over the device range", "[devices][rpu]") {
  // Reference: aihwkit PiecewiseStepRPUDevice update_once and the PiecewiseStepDevice
  // docstring example piecewise_up = [1.5, 1, 1.5]: nodes at b_min, the middle and b_max,
  // linear in between, step = dw_min x interpolated node value.
  RpuStepParams p = quiet("piecewise");
  p.piecewise_nodes = 3;
  p.piecewise_up_0 = 1.5;
  p.piecewise_up_1 = 1.0;
  p.piecewise_up_2 = 1.5;
  p.piecewise_down_0 = 1.0;
  p.piecewise_down_1 = 2.0;
  p.piecewise_down_2 = 3.0;
  p.piecewise_up_3 = 100.0;  // beyond piecewise_nodes: ignored
  const RpuStepModel m(p);
  DeviceState s = m.create_state(4, 1, 1, 0);
  arma::fmat& w = field(m, s, "w");
  w = arma::fmat{0.0f, 0.3f, -0.45f, -0.6f}.t();
  pulse_all(m, s, +1);
  CHECK(w(0) == Approx(0.001).margin(1e-7));             // middle node: 1
  CHECK(w(1) == Approx(0.3 + 0.00125).margin(1e-7));     // halfway between 1 and 1.5
  CHECK(w(2) == Approx(-0.45 + 0.001375).margin(1e-7));  // a quarter from 1.5 towards 1
  CHECK(w(3) == Approx(-0.6 + 0.0015).margin(1e-7));     // first node at b_min
  w = arma::fmat{0.0f, 0.3f, -0.45f, 0.6f}.t();
  pulse_all(m, s, -1);
  CHECK(w(0) == Approx(-0.002).margin(1e-7));
  CHECK(w(1) == Approx(0.3 - 0.0025).margin(1e-7));
  CHECK(w(2) == Approx(-0.45 - 0.00125).margin(1e-7));
  CHECK(w(3) == Approx(0.6 - 0.003).margin(1e-7));  // last node at b_max
}

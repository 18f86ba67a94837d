// ConstantStep (aihwkit ConstantStepRPUDevice) and the PulsedDevice step sizes all
// step types share: number of states, up/down asymmetry, cycle-to-cycle noise.
#include <catch2/catch.hpp>

#include "rpu_test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::rpu_test;

namespace {
// Pulses of one sign until every device sits at its bound; returns the count.
int pulses_to_bound(const RpuStepModel& m, DeviceState& s, int sign) {
  const arma::fmat& w = field(m, s, "w");
  const arma::fmat& bound = field(m, s, sign > 0 ? "w_max_bound" : "w_min_bound");
  for (int n = 1; n <= 100000; ++n) {
    pulse_all(m, s, sign);
    if (arma::approx_equal(w, bound, "absdiff", 0.0f)) return n;
  }
  return -1;
}
}  // namespace

TEST_CASE("a noise-free ConstantStep device has (w_max - w_min)/dw_min states", "[devices][rpu]") {
  // Reference: aihwkit PulsedRPUDeviceMetaParameter::calcNumStates = (w_max - w_min)/dw_min
  // (rpu_pulsed_device.h); aihwkit defaults w = +-0.6, dw_min = 0.001 give 1200 states.
  // The float weight reaches the bound after 1200 steps, or 1201 if rounding leaves it
  // a hair below.
  const RpuStepModel m(quiet("constant"));
  DeviceState s = m.create_state(4, 3, 1, 0);
  CHECK(arma::approx_equal(field(m, s, "w"), field(m, s, "w_min_bound"), "absdiff", 0.0f));  // fresh: at w_min
  const int up = pulses_to_bound(m, s, +1);
  CHECK(up >= 1200);
  CHECK(up <= 1201);
  const int down = pulses_to_bound(m, s, -1);
  CHECK(down >= 1200);
  CHECK(down <= 1201);
  // Gokmen & Vlasov preset (aihwkit GokmenVlasovPresetDevice): dw_min 0.0016 over [-1, 1]
  // is 2/0.0016 = 1250 states.
  RpuStepParams gv = quiet("constant");
  gv.dw_min = 0.0016;
  gv.w_max = 1.0;
  gv.w_min = -1.0;
  const RpuStepModel mg(gv);
  DeviceState sg = mg.create_state(2, 2, 1, 0);
  const int n_gv = pulses_to_bound(mg, sg, +1);
  CHECK(n_gv >= 1250);
  CHECK(n_gv <= 1251);
}

TEST_CASE("alternating up/down pulses drift by up_down * dw_min per pair", "[devices][rpu]") {
  // Reference: aihwkit PulsedRPUDevice::populate: scale_up = (up_bias + 1) dw_min,
  // scale_down = (down_bias + 1) dw_min with up_bias = min(up_down, 0) and
  // down_bias = -max(up_down, 0), so one up plus one down pulse moves w by
  // scale_up - scale_down = up_down * dw_min, for either sign of up_down.
  for (double beta : {0.2, -0.3}) {
    RpuStepParams p = quiet("constant");
    p.up_down = beta;
    const RpuStepModel m(p);
    DeviceState s = m.create_state(8, 2, 3, 0);
    field(m, s, "w").fill(0.0f);
    const int pairs = 200;
    for (int k = 0; k < pairs; ++k) {
      pulse_all(m, s, +1);
      pulse_all(m, s, -1);
    }
    INFO("up_down = " << beta);
    CHECK(moments(field(m, s, "w")).mean == Approx(pairs * beta * p.dw_min).epsilon(1e-4));
  }
  // With device-to-device spread of the asymmetry (up_down_dtod) the mean drift over
  // many devices is still up_down * dw_min; each device drifts by its own
  // (up_down + 2 up_down_dtod xi) dw_min, so the spread of drifts is 2 up_down_dtod dw_min per pair.
  RpuStepParams p = quiet("constant");
  p.up_down = 0.1;
  p.up_down_dtod = 0.05;
  p.w_max = 10.0;
  p.w_min = -10.0;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(200, 100, 4, 0);
  field(m, s, "w").fill(0.0f);
  for (int k = 0; k < 10; ++k) {
    pulse_all(m, s, +1);
    pulse_all(m, s, -1);
  }
  const Moments d = moments(field(m, s, "w"));
  // 2e4 devices: s.e. of the mean 0.7 %, of the std 0.5 %; bounds are 4 s.e.
  CHECK(d.mean == Approx(10 * 0.1 * p.dw_min).epsilon(0.03));
  CHECK(d.std == Approx(10 * 2 * 0.05 * p.dw_min).epsilon(0.02));
}

TEST_CASE("each coincidence has cycle-to-cycle noise of relative size dw_min_std", "[devices][rpu]") {
  // Reference: aihwkit ConstantStepRPUDevice::doDenseUpdate: dw = (1 + dw_min_std xi) scale,
  // a fresh xi per coincidence. Over 1e5 devices without d2d spread the single-step
  // changes have mean dw_min and std dw_min * dw_min_std (s.e. of the std 0.22 %);
  // a count of +4 is four independent steps: mean 4 dw_min, std 2 dw_min dw_min_std
  // (the same xi reused four times would give 4 dw_min dw_min_std).
  RpuStepParams p = quiet("constant");
  p.dw_min_std = 0.3;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(320, 320, 9, 0);
  const arma::fmat w0 = field(m, s, "w");
  pulse_all(m, s, +1);
  const Moments one = moments(field(m, s, "w") - w0);
  CHECK(one.mean == Approx(p.dw_min).epsilon(0.005));
  CHECK(one.std == Approx(p.dw_min * 0.3).epsilon(0.02));
  const arma::fmat w1 = field(m, s, "w");
  pulse_all(m, s, +4);
  const Moments four = moments(field(m, s, "w") - w1);
  CHECK(four.mean == Approx(4 * p.dw_min).epsilon(0.005));
  CHECK(four.std == Approx(2 * p.dw_min * 0.3).epsilon(0.02));
  // Depression steps carry the same noise.
  const arma::fmat w2 = field(m, s, "w");
  pulse_all(m, s, -1);
  const Moments down = moments(field(m, s, "w") - w2);
  CHECK(down.mean == Approx(-p.dw_min).epsilon(0.005));
  CHECK(down.std == Approx(p.dw_min * 0.3).epsilon(0.02));
}

TEST_CASE("cells with count 0 are untouched and each cell follows its own count", "[devices][rpu]") {
  // Reference: the pulse-count convention of DeviceModel::apply_pulses (+n potentiation,
  // -n depression, 0 none) with the noise-free ConstantStep step dw_min.
  const RpuStepModel m(quiet("constant"));
  DeviceState s = m.create_state(5, 4, 2, 0);
  field(m, s, "w").fill(0.0f);
  PulseCounts c(5, 4, arma::fill::zeros);
  c(0, 0) = 3;
  c(4, 3) = -2;
  c(2, 1) = 1;
  apply_pulses_all(m, s, c);
  const arma::fmat& w = field(m, s, "w");
  for (arma::uword j = 0; j < 4; ++j)
    for (arma::uword i = 0; i < 5; ++i) CHECK(w(i, j) == Approx(c(i, j) * 0.001).margin(1e-7));
}

// Device-to-device variation (aihwkit PulsedRPUDevice::populate) and faulty devices.
#include <catch2/catch.hpp>

#include "rpu_test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::rpu_test;

TEST_CASE("sampled step sizes and bounds have the configured device-to-device spread", "[devices][rpu]") {
  // Reference: aihwkit PulsedRPUDevice::populate:
  //   scale_up = (1 + dw_min_dtod xi + up_down_dtod xi') dw_min,  scale_down = (1 + dw_min_dtod xi - up_down_dtod xi')
  //   dw_min b_max = w_max (1 + w_max_dtod xi''),  b_min = w_min (1 + w_min_dtod xi''')
  // so std(scale_up) = dw_min sqrt(dw_min_dtod^2 + up_down_dtod^2), std(scale_up - scale_down)
  // = 2 up_down_dtod dw_min, std(b_max) = w_max w_max_dtod, std(b_min) = |w_min| w_min_dtod.
  // 102400 devices: the standard error of a sample std is 0.22 %; bounds are 2 %.
  // enforce_consistency's |.| folds only 4 sigma tails here (dtod 0.25), far below that.
  RpuStepParams p;
  p.dw_min_dtod = 0.25;
  p.up_down_dtod = 0.05;
  p.w_max_dtod = 0.2;
  p.w_min_dtod = 0.15;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(320, 320, 2024, 3);
  const arma::fmat su = field(m, s, "scale_up"), sd = field(m, s, "scale_down");
  const Moments up = moments(su);
  CHECK(up.mean == Approx(p.dw_min).epsilon(0.005));
  CHECK(up.std == Approx(p.dw_min * std::hypot(0.25, 0.05)).epsilon(0.02));
  CHECK(moments(sd).std == Approx(p.dw_min * std::hypot(0.25, 0.05)).epsilon(0.02));
  CHECK(moments(su - sd).std == Approx(2 * 0.05 * p.dw_min).epsilon(0.02));
  const Moments bmax = moments(field(m, s, "w_max_bound")), bmin = moments(field(m, s, "w_min_bound"));
  CHECK(bmax.mean == Approx(0.6).epsilon(0.005));
  CHECK(bmax.std == Approx(0.6 * 0.2).epsilon(0.02));
  CHECK(bmin.mean == Approx(-0.6).epsilon(0.005));
  CHECK(bmin.std == Approx(0.6 * 0.15).epsilon(0.02));
  // Independence of the quantities (separate random streams): correlation ~ 0 (s.e. 0.003).
  const arma::fvec a = arma::vectorise(field(m, s, "w_max_bound")), b = arma::vectorise(su);
  CHECK(std::abs(arma::as_scalar(arma::cor(a, b))) < 0.015);
}

TEST_CASE("log-normal step spread and the gamma spreads of linear and pow steps", "[devices][rpu]") {
  // References: aihwkit populate with dw_min_dtod_log_normal: gain = exp(dw_min_dtod xi), so
  // ln(scale/dw_min) has mean 0 and std dw_min_dtod; LinearStep slope_up = -|gamma_up +
  // gamma_up_dtod xi| scale_up / w_max (mean_bound_reference); PowStep gamma_up =
  // (1 + pow_gamma_dtod xi) pow_gamma.
  RpuStepParams p = quiet("linear");
  p.dw_min_dtod = 0.4;
  p.dw_min_dtod_log_normal = true;
  p.gamma_up = 1.0;
  p.gamma_up_dtod = 0.1;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(320, 320, 7, 0);
  const arma::fmat su = field(m, s, "scale_up");
  const Moments g = moments(arma::log(su / static_cast<float>(p.dw_min)));
  CHECK(std::abs(g.mean) < 0.005);
  CHECK(g.std == Approx(0.4).epsilon(0.02));
  const Moments gamma = moments(-field(m, s, "slope_up") % (static_cast<float>(p.w_max) / su));
  CHECK(gamma.mean == Approx(1.0).epsilon(0.002));
  CHECK(gamma.std == Approx(0.1).epsilon(0.02));

  RpuStepParams q = quiet("pow");
  q.pow_gamma = 2.0;
  q.pow_gamma_dtod = 0.1;
  const RpuStepModel mp(q);
  DeviceState sp = mp.create_state(320, 320, 8, 0);
  const Moments gp = moments(field(mp, sp, "gamma_up"));
  CHECK(gp.mean == Approx(2.0).epsilon(0.002));
  CHECK(gp.std == Approx(0.2).epsilon(0.02));
  CHECK(arma::approx_equal(field(mp, sp, "gamma_up"), field(mp, sp, "gamma_down"), "absdiff", 0.0f));
}

TEST_CASE("enforce_consistency keeps bounds around zero and steps positive", "[devices][rpu]") {
  // Reference: aihwkit populate with enforce_consistency (the Python default): |scales|,
  // swapped bounds when b_min > b_max, then b_max = |b_max| and b_min = -|b_min|.
  // Without it crossed bounds meet at their midpoint ("turned off" device).
  RpuStepParams p;
  p.dw_min_dtod = 1.5;  // many negative gains
  p.w_max_dtod = 2.0;   // many crossed bounds
  p.w_min_dtod = 2.0;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(100, 100, 5, 0);
  CHECK(field(m, s, "scale_up").min() >= 0.0f);
  CHECK(field(m, s, "scale_down").min() >= 0.0f);
  CHECK(field(m, s, "w_max_bound").min() >= 0.0f);
  CHECK(field(m, s, "w_min_bound").max() <= 0.0f);
  p.enforce_consistency = false;
  const RpuStepModel m2(p);
  DeviceState s2 = m2.create_state(100, 100, 5, 0);
  const arma::fmat gap = field(m2, s2, "w_max_bound") - field(m2, s2, "w_min_bound");
  CHECK(gap.min() == 0.0f);                       // some devices collapsed ...
  CHECK(arma::accu(gap == 0.0f) > 1000);          // P(xi + xi' < -1) = 24 % here
  CHECK(field(m2, s2, "scale_up").min() < 0.0f);  // ... and negative gains remain
}

TEST_CASE("stuck and corrupt devices ignore pulses", "[devices][rpu]") {
  // References: stuck-at faults of CellNonIdealities (nonideal.hpp): stuck_on cells read
  // G_max, stuck_off cells G_min; aihwkit corrupt_devices_prob: weight fixed at a uniform
  // value within +-corrupt_devices_range and the device bounds. Fractions are Bernoulli
  // over 102400 cells (s.e. < 0.15 %).
  RpuStepParams p;
  p.step = "soft-bounds";
  p.stuck_on_fraction = 0.1;
  p.stuck_off_fraction = 0.05;
  p.corrupt_devices_prob = 0.2;
  p.corrupt_devices_range = 0.1;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(320, 320, 11, 0);
  const arma::fmat fault = field(m, s, "fault");
  const double n = fault.n_elem;
  CHECK(arma::accu(fault == 1.0f) / n == Approx(0.1).margin(0.005));
  CHECK(arma::accu(fault == 2.0f) / n == Approx(0.05).margin(0.005));
  CHECK(arma::accu(fault == 3.0f) / n == Approx(0.2 * 0.85).margin(0.006));  // corrupt among the non-stuck cells
  const arma::fmat w0 = field(m, s, "w");
  for (int k = 0; k < 20; ++k) pulse_all(m, s, k % 3 == 0 ? -2 : 3);
  arma::fmat g;
  read_all(m, s, 0.0, false, 0, g);
  const arma::fmat& w = field(m, s, "w");
  int moved_faulty = 0, moved_good = 0;
  for (arma::uword i = 0; i < w.n_elem; ++i) {
    if (fault(i) == 0.0f) {
      moved_good += w(i) != w0(i);
      continue;
    }
    moved_faulty += w(i) != w0(i);
    if (fault(i) == 1.0f) CHECK(g(i) == Approx(p.g_max_S).epsilon(1e-6));
    if (fault(i) == 2.0f) CHECK(g(i) == Approx(p.g_min_S).epsilon(1e-6));
    if (fault(i) == 3.0f) CHECK(std::abs(w(i)) <= 0.1f);
  }
  CHECK(moved_faulty == 0);
  CHECK(moved_good > 0.99 * arma::accu(fault == 0.0f));
}

// Write noise, decay and diffusion over time, and the weight <-> conductance map.
#include <catch2/catch.hpp>
#include <xbarsim/devices/registry.hpp>

#include "rpu_test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::rpu_test;

TEST_CASE("write noise perturbs the read weight of touched cells only", "[devices][rpu]") {
  // Reference: aihwkit PulsedRPUDevice write noise: the update acts on the persistent w,
  // reads see w_apparent = w + write_noise_std * dw_min * xi, redrawn when a device is
  // touched (and on set_weights when apply_write_noise_on_set). write_noise_std = 10 and
  // dw_min = 0.001 give sigma 0.01; 51200 touched devices (s.e. of the std 0.3 %).
  RpuStepParams p = quiet("soft-bounds");
  p.write_noise_std = 10.0;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(320, 320, 31, 0);
  PulseCounts c(320, 320, arma::fill::zeros);
  c.cols(0, 159).fill(1);
  const arma::fmat w_before = field(m, s, "w");
  apply_pulses_all(m, s, c);
  const arma::fmat& w = field(m, s, "w");
  const arma::fmat& wr = field(m, s, "w_read");
  const Moments touched = moments(wr.cols(0, 159) - w.cols(0, 159));
  CHECK(std::abs(touched.mean) < 3e-4);
  CHECK(touched.std == Approx(0.01).epsilon(0.02));
  CHECK(arma::approx_equal(wr.cols(160, 319), w.cols(160, 319), "absdiff", 0.0f));
  // The hidden weight took a noise-free soft-bounds step from b_min = -0.6: 0.001 * 2.
  CHECK(moments(w.cols(0, 159) - w_before.cols(0, 159)).mean == Approx(0.002).epsilon(1e-4));
  // Reads report the noisy weight.
  arma::fmat g;
  read_all(m, s, 0.0, false, 0, g);
  CHECK(g(5, 5) == Approx(m.conductance_S(wr(5, 5))).epsilon(1e-6));
  // Programming draws write noise on set, or not.
  program_all(m, s, arma::fmat(320, 320, arma::fill::value(static_cast<float>(m.conductance_S(0.1)))));
  CHECK(moments(field(m, s, "w_read") - field(m, s, "w")).std == Approx(0.01).epsilon(0.02));
  CHECK(moments(field(m, s, "w")).std < 1e-6);  // the hidden weight is the target
  p.apply_write_noise_on_set = false;
  const RpuStepModel m2(p);
  DeviceState s2 = m2.create_state(16, 16, 31, 0);
  program_all(m2, s2, arma::fmat(16, 16, arma::fill::value(static_cast<float>(m2.conductance_S(0.1)))));
  CHECK(arma::approx_equal(field(m2, s2, "w_read"), field(m2, s2, "w"), "absdiff", 0.0f));
}

TEST_CASE("decay relaxes towards the reset bias by (1 - 1/lifetime) per update cycle", "[devices][rpu]") {
  // Reference: aihwkit PulsedRPUDevice::decayWeights: w <- (w - b) s + b once per
  // mini-batch, s = 1 - 1/lifetime; n cycles of update_cycle_s give (w0 - b) s^n + b.
  RpuStepParams p = quiet("constant");
  p.lifetime = 100.0;
  p.reset = 0.1;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(8, 8, 1, 0);
  program_all(m, s, arma::fmat(8, 8, arma::fill::value(static_cast<float>(m.conductance_S(0.5)))));
  relax_all(m, s, 30 * p.update_cycle_s);
  const double expected = 0.1 + 0.4 * std::pow(0.99, 30);
  CHECK(field(m, s, "w").max() == Approx(expected).margin(2e-6));
  CHECK(field(m, s, "w").min() == Approx(expected).margin(2e-6));
  relax_all(m, s, 30 * p.update_cycle_s);  // no time passed: unchanged
  CHECK(field(m, s, "w").max() == Approx(expected).margin(2e-6));
  relax_all(m, s, 530 * p.update_cycle_s);  // 500 more cycles, composed
  CHECK(field(m, s, "w").max() == Approx(0.1 + 0.4 * std::pow(0.99, 530)).margin(2e-6));
  // lifetime_dtod spreads lifetimes: lifetime (1 + 0.3 xi) per device.
  p.lifetime_dtod = 0.3;
  const RpuStepModel m2(p);
  DeviceState s2 = m2.create_state(320, 320, 2, 0);
  const Moments t = moments(1.0f / field(m2, s2, "decay_rate"));
  CHECK(t.mean == Approx(100.0).epsilon(0.005));
  CHECK(t.std == Approx(30.0).epsilon(0.02));
}

TEST_CASE("diffusion adds the variance of a Gaussian random walk", "[devices][rpu]") {
  // References: aihwkit diffuseWeights: w <- w + rho xi once per mini-batch. After n cycles
  // the spread is rho sqrt(n); with decay s per cycle (AR(1) process) it is
  // rho sqrt((1 - s^(2n))/(1 - s^2)) around a mean that decays as s^n. 102400 devices.
  RpuStepParams p = quiet("constant");
  p.diffusion = 0.002;
  p.w_max = 10.0;
  p.w_min = -10.0;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(320, 320, 3, 0);
  program_all(m, s, arma::fmat(320, 320, arma::fill::value(static_cast<float>(m.conductance_S(0.0)))));
  relax_all(m, s, 400 * p.update_cycle_s);
  Moments d = moments(field(m, s, "w"));
  CHECK(std::abs(d.mean) < 5 * 0.04 / 320);  // 5 standard errors
  CHECK(d.std == Approx(0.002 * 20).epsilon(0.02));
  p.lifetime = 50.0;
  const RpuStepModel md(p);
  DeviceState sd = md.create_state(320, 320, 3, 0);
  program_all(md, sd, arma::fmat(320, 320, arma::fill::value(static_cast<float>(md.conductance_S(1.0)))));
  relax_all(md, sd, 40 * p.update_cycle_s);
  const double sc = 1.0 - 1.0 / 50.0;
  d = moments(field(md, sd, "w"));
  CHECK(d.mean == Approx(std::pow(sc, 40)).epsilon(0.002));
  CHECK(d.std == Approx(0.002 * std::sqrt((1.0 - std::pow(sc, 80)) / (1.0 - sc * sc))).epsilon(0.02));
}

TEST_CASE("conductance is linear in w between the nominal bounds", "[devices][rpu]") {
  // Reference: the documented map of rpu_step.hpp, G = g_min + (w - w_min)/(w_max - w_min)
  // (g_max - g_min); defaults put w = 0 (mid-range) at 1/(24 MOhm), the Gokmen & Vlasov
  // average device resistance, with g_max/g_min = 10.
  const RpuStepParams p;
  const RpuStepModel m(p);
  CHECK(m.conductance_S(p.w_min) == Approx(p.g_min_S));
  CHECK(m.conductance_S(p.w_max) == Approx(p.g_max_S));
  CHECK(m.conductance_S(0.0) == Approx(1.0 / 24e6));
  CHECK(p.g_max_S / p.g_min_S == Approx(10.0));
  CHECK(m.weight_of(m.conductance_S(0.123)) == Approx(0.123));
  // A fresh device reads its lower bound; a program/read round trip returns the target.
  DeviceState s = m.create_state(10, 10, 4, 0);
  arma::fmat g;
  read_all(m, s, 0.0, false, 0, g);
  const arma::fmat& bn = field(m, s, "w_min_bound");
  for (arma::uword i = 0; i < g.n_elem; ++i) CHECK(g(i) == Approx(std::max(0.0, m.conductance_S(bn(i)))).epsilon(1e-5));
  arma::fmat target(10, 10, arma::fill::value(static_cast<float>(m.conductance_S(0.05))));
  const ProgramReport rep = program_all(m, s, target);
  read_all(m, s, 0.0, true, 7, g);
  const arma::fmat& bx = field(m, s, "w_max_bound");
  std::uint64_t outside = 0;
  for (arma::uword i = 0; i < g.n_elem; ++i) {
    if (bx(i) >= 0.05f && bn(i) <= 0.05f) CHECK(g(i) == Approx(target(i)).epsilon(1e-5));
    outside += bx(i) < 0.05f || bn(i) > 0.05f;
  }
  CHECK(rep.unconverged == outside);  // only devices whose bounds exclude the target miss it
  CHECK(rep.pulses == 0);             // closed-form programming (aihwkit set_weights)
}

TEST_CASE("finite levels quantise programmed conductances", "[devices][rpu]") {
  // Reference: quantize_to_levels (nonideal.hpp): the nearest of `levels` evenly spaced
  // values in [g_min, g_max].
  RpuStepParams p = quiet("constant");
  p.levels = 5;
  const RpuStepModel m(p);
  DeviceState s = m.create_state(1, 3, 4, 0);
  const double step = (p.g_max_S - p.g_min_S) / 4;
  arma::fmat target = {{static_cast<float>(p.g_min_S + 0.9 * step), static_cast<float>(p.g_min_S + 2.4 * step),
                        static_cast<float>(p.g_max_S)}};
  program_all(m, s, target);
  arma::fmat g;
  read_all(m, s, 0.0, false, 0, g);
  CHECK(g(0, 0) == Approx(p.g_min_S + step).epsilon(1e-5));
  CHECK(g(0, 1) == Approx(p.g_min_S + 2 * step).epsilon(1e-5));
  CHECK(g(0, 2) == Approx(p.g_max_S).epsilon(1e-5));
}

TEST_CASE("parameter checks", "[devices][rpu]") {
  // aihwkit requires w_min <= 0 <= w_max; endurance and temperature are not modelled.
  CHECK_THROWS_AS(RpuStepParams::table().make({{"w_min", 0.1}}), ConfigError);
  CHECK_THROWS_AS(RpuStepParams::table().make({{"step", std::string("cubic")}}), ConfigError);
  CHECK_THROWS_AS(RpuStepParams::table().make({{"temperature_K", 350.0}}), ConfigError);
  CHECK_THROWS_AS(RpuStepParams::table().make({{"endurance_cycles", 1e6}}), ConfigError);
  CHECK_THROWS_AS(RpuStepParams::table().make({{"piecewise_nodes", std::int64_t{17}}}), ConfigError);
  CHECK_NOTHROW(RpuStepParams::table().make({{"step", std::string("pow")}, {"pow_gamma", 2.0}}));
  // Every table entry names its source.
  for (const auto& e : RpuStepParams::table().entries()) CHECK(!e.source.empty());
}

TEST_CASE("the generic drift protocol shows the capacitor preset's leakage", "[devices][rpu]") {
  // Reference: aihwkit CapacitorPresetDevice lifetime = 1e6 mini-batches; with one mini-batch
  // per update_cycle_s = 80 ns, w(t) = w0 (1 - 1e-6)^(t / 80 ns) around the reset bias 0.
  // At t = 0.1 s (the protocol's first time after 0) that is w0 exp(-1.25).
  CurveRequest r;
  r.protocol = "drift";
  r.devices = 3;
  const ParamValues v = {{"step", std::string("linear")},
                         {"lifetime", 1.0e6},
                         {"dw_min_dtod", 0.0},
                         {"w_max_dtod", 0.0},
                         {"w_min_dtod", 0.0},
                         {"w_max", 1.0},
                         {"w_min", -1.0},
                         {"gamma_up_dtod", 0.0},
                         {"gamma_down_dtod", 0.0}};
  const RpuStepModel m(RpuStepParams::table().make(v));
  r.target_S = m.conductance_S(0.5);
  const Curve c = characterise(rpu_step_family(), v, r);
  const auto& t = c.find("time_s")->values;
  const auto& g = c.find("conductance_S")->values;
  REQUIRE(t[1] == Approx(0.1));
  const std::size_t nt = t.size();
  CHECK(g[0] == Approx(m.conductance_S(0.5)).epsilon(1e-5));
  CHECK(g[1] == Approx(m.conductance_S(0.5 * std::pow(1.0 - 1e-6, 0.1 / 80e-9))).epsilon(1e-5));
  CHECK(g[nt - 1] == Approx(m.conductance_S(0.0)).epsilon(1e-5));  // fully relaxed to the reset bias
}

// pcm-pulse against aihwkit's PCMPresetDevice (ExpStep; device_physics.md 3.2, 5.3).
// The ExpStep recursion and the noise moments are re-derived here from the published
// update rule (aihwkit src/rpucuda/rpu_expstep_device.cpp, update_once_complex_noise)
// and the preset constants, independently of the model code.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/pcm_pulse.hpp>
#include <xbarsim/devices/registry.hpp>

#include "pcm_test_util.hpp"

using namespace xbarsim;
using pcmtest::moments;

namespace {
constexpr double kGmax = 25e-6;
// PCMPresetDevice constants (aihwkit presets/devices.py).
constexpr double kDwMin = 0.01, kA = -1.0, kB = 0.0, kGamma = 2.5, kAup = -27.235, kWmax = 2.0;
constexpr double kStd = 0.6, kStdAdd = 0.042, kStdSlope = 0.108, kReset = 0.01;

// Mean ExpStep step from w for a device with bounds [0, 2]: dw_min max(1 - A_up e^{gamma z}, 0).
double expstep_dw(double w) {
  return kDwMin * std::max(1.0 - kAup * std::exp(kGamma * (2 * kA * w / kWmax + kB)), 0.0);
}

const ParamValues kNoiseFree = {{"w_max_dtod", 0.0}, {"dw_min_dtod", 0.0}, {"up_down_dtod", 0.0},
                                {"dw_min_std", 0.0}, {"reset_dtod", 0.0},  {"reset_std", 0.0}};
ParamValues with(ParamValues v, const ParamValues& more) {
  for (const auto& [k, x] : more) v[k] = x;
  return v;
}
PcmPulseModel make(const ParamValues& v = {}) { return PcmPulseModel(PcmPulseParams::table().make(v)); }
std::vector<double> weights_of(const arma::fmat& g) {
  std::vector<double> w;
  for (float x : g) w.push_back(double(x) / kGmax * kWmax);
  return w;
}
}  // namespace

TEST_CASE("pcm-pulse noise-free cumulative SET follows the ExpStep recursion and saturates", "[devices][pcm]") {
  // Reference: w_{k+1} = min(w_k + expstep_dw(w_k), 2) from w_0 = reset = 0.01, the aihwkit
  // update rule with the PCMPresetDevice constants; G = g_max w / 2.
  const auto model = make(kNoiseFree);
  DeviceState s = model.create_state(4, 2, 1, 0);
  arma::fmat g;
  read_all(model, s, 0.0, false, 0, g);
  CHECK(g(0, 0) == Approx(kGmax * kReset / kWmax).epsilon(1e-6));
  double w = kReset, prev_step = 1e9, prev_g = g(0, 0);
  for (int k = 1; k <= 400; ++k) {
    apply_pulses_all(model, s, PulseCounts(4, 2, arma::fill::ones));
    read_all(model, s, 0.0, false, 0, g);
    w = std::min(w + expstep_dw(w), kWmax);
    REQUIRE(g(3, 1) == Approx(kGmax * w / kWmax).epsilon(2e-5));
    const double step = g(0, 0) - prev_g;
    REQUIRE(step >= 0.0);                // monotone
    REQUIRE(step <= prev_step + 1e-12);  // increments shrink: saturating
    prev_step = step;
    prev_g = g(0, 0);
  }
  CHECK(g(0, 0) == Approx(kGmax));  // at the bound w_max = 2 -> g_max
  // First step is 28x the late step: 1 + 27.235 e^{-0.025} = 27.56 vs 1 + 27.235 e^{-5} = 1.18.
  DeviceState fresh = model.create_state(1, 1, 1, 0);
  apply_pulses_all(model, fresh, PulseCounts(1, 1, arma::fill::ones));
  read_all(model, fresh, 0.0, false, 0, g);
  CHECK((g(0, 0) / kGmax * kWmax - kReset) == Approx(expstep_dw(kReset)).epsilon(1e-5));
}

TEST_CASE("pcm-pulse cycle-to-cycle noise matches the ExpStep complex noise", "[devices][pcm]") {
  // Reference: w' = clip(w + dw + 0.6 (|dw| + 0.042 + 0.108 |w|) xi, 0, 2), so w' is a
  // normal censored at 0 (moments in closed form, pcm_test_util.hpp). 1e5 devices: the
  // sd's standard error is 0.22 %.
  const auto model =
      make({{"w_max_dtod", 0.0}, {"dw_min_dtod", 0.0}, {"up_down_dtod", 0.0}, {"reset_dtod", 0.0}, {"reset_std", 0.0}});
  const std::size_t R = 1000, C = 100;
  for (double w0 : {kReset, 0.5, 1.0, 1.5}) {
    DeviceState s = model.create_state(R, C, 2, 0);
    s.field("w").fill(float(w0));
    apply_pulses_all(model, s, PulseCounts(R, C, arma::fill::ones));
    arma::fmat g;
    read_all(model, s, 0.0, false, 0, g);
    const auto m = moments(weights_of(g));
    const double dw = expstep_dw(w0);
    const auto ref = pcmtest::censored_below(w0 + dw, kStd * (dw + kStdAdd + kStdSlope * w0), 0.0);
    INFO("w0 " << w0 << " mean " << m.mean << " (" << ref.mean << ") sd " << m.sd << " (" << ref.sd << ")");
    CHECK(std::abs(m.mean - ref.mean) < 5 * ref.sd / std::sqrt(double(m.n)));
    CHECK(std::abs(m.sd / ref.sd - 1.0) < 0.03);
  }
}

TEST_CASE("pcm-pulse noisy cumulative SET rises on average and saturates", "[devices][pcm]") {
  // Full preset (device-to-device and cycle-to-cycle noise). Expectations from the
  // ExpStep rule: while the devices are far from their bounds the mean rises with every
  // pulse (mean step >= 1.18 dw_min, the standard error of a mean step is ~1e-3), and the
  // step shrinks from ~0.28 to ~0.01 in weight units. Near the bound the noisy step is
  // censored at b_max, so the mean settles on a plateau below g_max (saturation).
  const auto model = make();
  const std::size_t N = 10000;
  DeviceState s = model.create_state(N, 1, 3, 0);
  arma::fmat g;
  auto mean_g = [&] {
    read_all(model, s, 0.0, false, 0, g);
    return arma::mean(arma::conv_to<arma::vec>::from(g.col(0)));
  };
  double prev = mean_g();
  std::vector<double> means;
  for (int k = 0; k < 200; ++k) {
    apply_pulses_all(model, s, PulseCounts(N, 1, arma::fill::ones));
    means.push_back(mean_g());
    if (k < 40) REQUIRE(means.back() > prev);
    prev = means.back();
  }
  CHECK(means[0] - kReset / kWmax * kGmax > 10 * (means[39] - means[38]));  // shrinking steps
  const auto tail = std::vector<double>(means.begin() + 150, means.end());
  CHECK(*std::max_element(tail.begin(), tail.end()) - *std::min_element(tail.begin(), tail.end()) < 0.01 * kGmax);
  CHECK(means.back() > 0.7 * kGmax);
  CHECK(means.back() < kGmax);
}

TEST_CASE("pcm-pulse RESET returns the device near g_min", "[devices][pcm]") {
  // Reference (aihwkit resetAtIndices): w = clip(reset_ij + reset_std xi, 0, b_max) with
  // reset_ij ~ N(0.01, 0.02), i.e. a normal N(0.01, sqrt(0.02^2 + 0.01^2)) censored at 0.
  const auto model = make();
  const std::size_t R = 1000, C = 100;
  DeviceState s = model.create_state(R, C, 4, 0);
  for (int k = 0; k < 30; ++k) apply_pulses_all(model, s, PulseCounts(R, C, arma::fill::ones));
  apply_pulses_all(model, s, PulseCounts(R, C, arma::fill::value(std::int16_t(-1))));
  arma::fmat g;
  read_all(model, s, 0.0, false, 0, g);
  const auto m = moments(weights_of(g));
  const auto ref = pcmtest::censored_below(kReset, std::hypot(0.02, 0.01), 0.0);
  CHECK(std::abs(m.mean / ref.mean - 1.0) < 0.03);
  CHECK(std::abs(m.sd / ref.sd - 1.0) < 0.03);
  CHECK(m.mean / kWmax < 0.01);  // within 1 % of the window above g_min
  CHECK(s.field("cycles")(0, 0) == 1.0f);
}

TEST_CASE("pcm-pulse device-to-device parameters follow aihwkit populate()", "[devices][pcm]") {
  // b_max = |2 (1 + 0.1 xi)|: mean 2, sd 0.2. dw_up = 0.01 |1 + 0.2 xi + 0.05 xi'|: a folded
  // normal with mu = 1, sigma = sqrt(0.2^2 + 0.05^2).
  const auto model = make();
  DeviceState s = model.create_state(1000, 100, 5, 0);
  const auto b = moments(std::vector<double>(s.field("b_max").begin(), s.field("b_max").end()));
  CHECK(std::abs(b.mean - 2.0) < 5 * 0.2 / std::sqrt(1e5));
  CHECK(std::abs(b.sd / 0.2 - 1.0) < 0.03);
  const auto d = moments(std::vector<double>(s.field("dw_up").begin(), s.field("dw_up").end()));
  const auto ref = pcmtest::folded_normal(1.0, std::hypot(0.2, 0.05));
  CHECK(std::abs(d.mean / (kDwMin * ref.mean) - 1.0) < 0.01);
  CHECK(std::abs(d.sd / (kDwMin * ref.sd) - 1.0) < 0.03);
}

TEST_CASE("pcm-pulse optional drift follows the statistical law since the last pulse", "[devices][pcm]") {
  SECTION("off by default: relax leaves the state") {
    const auto model = make();
    DeviceState s = model.create_state(8, 8, 6, 0);
    apply_pulses_all(model, s, PulseCounts(8, 8, arma::fill::ones));
    arma::fmat a, b;
    read_all(model, s, 0.0, false, 0, a);
    relax_all(model, s, 1e6);
    read_all(model, s, 0.0, false, 0, b);
    CHECK(arma::approx_equal(a, b, "absdiff", 0.0f));
  }
  SECTION("drift_scale = 1") {
    // Reference: G(t) = G_pulse ((t - t_pulse + 20)/20)^-nu (device_physics.md 3.1).
    const auto model = make(with(kNoiseFree, {{"drift_scale", 1.0}}));
    DeviceState s = model.create_state(16, 4, 7, 0);
    relax_all(model, s, 50.0);  // pulse at tile time 50 s
    for (int k = 0; k < 20; ++k) apply_pulses_all(model, s, PulseCounts(16, 4, arma::fill::ones));
    arma::fmat g0, g;
    read_all(model, s, 0.0, false, 0, g0);
    const arma::fmat nu = s.field("nu");
    CHECK(arma::all(arma::vectorise(nu) > 0.0f));
    relax_all(model, s, 50.0 + 3600.0);
    read_all(model, s, 0.0, false, 0, g);
    for (std::size_t k = 0; k < g.n_elem; ++k)
      REQUIRE(g(k) == Approx(g0(k) * std::pow((3600.0 + 20.0) / 20.0, -double(nu(k)))).epsilon(1e-5));
    // A further SET pulse acts on the drifted conductance: from the drifted w it adds
    // exactly one noise-free ExpStep step.
    apply_pulses_all(model, s, PulseCounts(16, 4, arma::fill::ones));
    arma::fmat g2;
    read_all(model, s, 0.0, false, 0, g2);
    const double w = double(g(0, 0)) / kGmax * kWmax;
    CHECK(g2(0, 0) == Approx(kGmax * (w + expstep_dw(w)) / kWmax).epsilon(1e-5));
  }
}

TEST_CASE("pcm-pulse program-and-verify and non-idealities", "[devices][pcm]") {
  SECTION("program-and-verify reaches mid-window targets") {
    const auto model = make();
    DeviceState s = model.create_state(64, 16, 8, 0);
    const arma::fmat target(64, 16, arma::fill::value(float(0.6 * kGmax)));
    ProgramOptions o;
    o.tolerance_rel = 0.02;
    o.max_iterations = 200;
    const ProgramReport r = program_all(model, s, target, o);
    arma::fmat g;
    read_all(model, s, 0.0, false, 0, g);
    std::size_t inside = 0;
    for (std::size_t k = 0; k < g.n_elem; ++k) inside += std::abs(g(k) - target(k)) <= 0.02 * kGmax;
    CHECK(inside + r.unconverged == g.n_elem);  // the report counts exactly the misses
    CHECK(double(inside) / g.n_elem > 0.9);
    CHECK(r.pulses > g.n_elem);  // several pulses per cell
  }
  SECTION("stuck cells and endurance") {
    const auto model = make(with(kNoiseFree, {{"stuck_on_fraction", 0.2}, {"endurance_cycles", 100.0}}));
    DeviceState s = model.create_state(100, 10, 9, 0);
    const arma::fmat fault = s.field("fault");
    for (int k = 0; k < 10; ++k) apply_pulses_all(model, s, PulseCounts(100, 10, arma::fill::value(std::int16_t(-1))));
    for (int k = 0; k < 500; ++k) apply_pulses_all(model, s, PulseCounts(100, 10, arma::fill::ones));
    arma::fmat g;
    read_all(model, s, 0.0, false, 0, g);
    // nonideal.hpp: after 10 of 100 rated cycles, 1 - 0.5 * 1/2 = 0.75 of the window remains.
    for (std::size_t k = 0; k < g.n_elem; ++k)
      REQUIRE(g(k) == Approx(fault(k) == 1.0f ? kGmax : 0.75 * kGmax).epsilon(1e-5));
    CHECK(arma::accu(fault == 1.0f) > 0);
  }
  SECTION("finite levels quantise program targets") {
    // 3 levels over [0, 25 uS]: 0, 12.5, 25 uS; a 10 uS target becomes 12.5 uS.
    const auto model = make({{"levels", std::int64_t(3)}});
    DeviceState s = model.create_state(32, 4, 10, 0);
    ProgramOptions o;
    o.max_iterations = 300;
    program_all(model, s, arma::fmat(32, 4, arma::fill::value(10e-6f)), o);
    arma::fmat g;
    read_all(model, s, 0.0, false, 0, g);
    CHECK(std::abs(arma::median(arma::vectorise(g)) - 12.5e-6f) < 0.02 * kGmax);
  }
}

TEST_CASE("pcm-pulse is deterministic for any thread count and row split", "[devices][pcm]") {
  const auto model = make({{"drift_scale", 1.0}, {"read_noise_scale", 1.0}});
  auto run = [&](std::size_t threads) {
    ThreadLimit limit(threads);
    DeviceState s = model.create_state(603, 37, 77, 2);  // three row blocks of 256
    PulseCounts c(603, 37);
    for (std::size_t k = 0; k < c.n_elem; ++k) c(k) = std::int16_t(int(k % 7) - 2);
    apply_pulses_all(model, s, c);
    relax_all(model, s, 100.0);
    apply_pulses_all(model, s, c);
    arma::fmat g;
    read_all(model, s, 0.0, true, 3, g);
    return g;
  };
  const arma::fmat one = run(1), two = run(2);
  CHECK(std::memcmp(one.memptr(), two.memptr(), one.n_elem * sizeof(float)) == 0);
  DeviceState a = model.create_state(40, 3, 5, 1), b = model.create_state(40, 3, 5, 1);
  const PulseCounts c(40, 3, arma::fill::value(std::int16_t(3)));
  model.apply_pulses(a, c, 0, RowRange{0, 40});
  model.apply_pulses(b, c, 0, RowRange{0, 13});
  model.apply_pulses(b, c, 0, RowRange{13, 40});
  CHECK(arma::approx_equal(a.field("w"), b.field("w"), "absdiff", 0.0f));
}

TEST_CASE("pcm-pulse parameters and family", "[devices][pcm]") {
  for (const auto& e : PcmPulseParams::table().entries()) {
    INFO(e.name);
    CHECK_FALSE(e.source.empty());
  }
  CHECK_THROWS_AS(PcmPulseParams::table().make({{"temperature_K", 350.0}}), ConfigError);
  CurveRequest req;
  req.protocol = "pulse-response";
  req.devices = 4;
  const Curve c = characterise(pcm_pulse_family(), {}, req);
  const auto* g = c.find("conductance_S");
  REQUIRE(g != nullptr);
  CHECK(g->shape[1] == 2 * 60 + 1);
}

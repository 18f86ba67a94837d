// Closed-form STT switching (device_physics.md §4.3) and the Monte Carlo of write pulses
// and read disturb in the mtj model. Every expected value is computed here from the
// sheet's formulas, not by calling the library function under test.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/mtj.hpp>

using namespace xbarsim;

namespace {
double switched_fraction(const MtjModel& m, const DeviceState& st) {
  const arma::fmat& s = st.field(m.state_field(0));
  return arma::accu(s) / static_cast<double>(s.n_elem);
}
}  // namespace

TEST_CASE("write pulses in the thermal regime switch with 1 - exp(-t_p/tau)", "[devices][mtj]") {
  // Reference: device_physics.md §4.3, P_sw = 1 - exp(-t_p/tau) with
  // tau = tau0 exp(Delta (1 - I/I_c0)) (Neel-Brown with STT), evaluated here by hand.
  // 200 x 200 = 4e4 fresh (AP) cells per point: binomial sigma = sqrt(p(1-p)/4e4) <= 0.0025,
  // so the 2% tolerance is >= 8 sigma.
  MtjParams p;
  const MtjDerived d = mtj_derived(p);
  const double i_red = 0.85;
  p.write_current_A = i_red * d.i_c0_A;
  const double tau = 1e-9 * std::exp(d.delta * (1.0 - i_red));
  for (double t_p : {0.2 * tau, 0.7 * tau, 1.5 * tau, 3.0 * tau}) {
    p.write_pulse_width_s = t_p;
    const MtjModel m(p);
    DeviceState st = m.create_state(200, 200, 11, 0);
    apply_pulses_all(m, st, PulseCounts(200, 200, arma::fill::value(std::int16_t{1})));
    const double expected = 1.0 - std::exp(-t_p / tau);
    INFO("t_p/tau = " << t_p / tau);
    CHECK(std::abs(switched_fraction(m, st) - expected) < 0.02);
  }
}

TEST_CASE("voltage-driven writes use the bias-dependent AP current", "[devices][mtj]") {
  // Reference: with write_drive = voltage the AP -> P current is I = V / (R_P (1 + TMR(V))),
  // TMR(V) = TMR0/(1 + V^2/V_h^2) (§4.1), and P_sw = 1 - exp(-t_p/tau(I)) (§4.3), both by
  // hand here. 4e4 cells, binomial sigma <= 0.0025, tolerance 0.02.
  MtjParams p;
  p.write_drive = "voltage";
  p.write_voltage_V = 0.5;
  const MtjDerived d = mtj_derived(p);
  const double tmr0 = 2 * 0.75 * 0.75 / (1 - 0.75 * 0.75);
  const double i_red = 0.5 / (6e3 * (1 + tmr0 / (1 + 0.25 / 0.25))) / d.i_c0_A;
  REQUIRE(d.delta * (1 - i_red) > 5.0);  // thermal regime
  const double tau = 1e-9 * std::exp(d.delta * (1 - i_red));
  p.write_pulse_width_s = 0.7 * tau;
  const MtjModel m(p);
  DeviceState st = m.create_state(200, 200, 12, 0);
  apply_pulses_all(m, st, PulseCounts(200, 200, arma::fill::value(std::int16_t{1})));
  CHECK(std::abs(switched_fraction(m, st) - (1 - std::exp(-0.7))) < 0.02);
}

TEST_CASE("a pulse towards the present state does not switch it", "[devices][mtj]") {
  // Reference: the stabilising current raises the barrier to Delta (1 + i) (§4.3), so a
  // RESET pulse on a fresh AP cell switches with tau0 e^{Delta (1+i)} ~ e^{-250}: never.
  const MtjParams p;
  const MtjModel m(p);
  DeviceState st = m.create_state(64, 64, 3, 0);
  apply_pulses_all(m, st, PulseCounts(64, 64, arma::fill::value(std::int16_t{-3})));
  CHECK(switched_fraction(m, st) == 0.0);
}

TEST_CASE("precessional closed form equals Butler's WER and has Sun's mean", "[devices][mtj]") {
  // References: Butler et al. 2012 (device_physics.md §4.3):
  //   WER = 1 - exp(-(pi^2 Delta/4) exp(-2 (i - 1) t_p/tau_D)), P_sw = 1 - WER
  // (our form is conditioned on starting in the well, a relative change e^{-pi^2 Delta/4});
  // Sun 2000: <tau> = tau_D (C + ln(pi^2 Delta/4))/(2 (i - 1)); the mean of the CDF is
  // integrated numerically here.
  mtj::SwitchingConstants c;
  c.delta = 40.0;
  c.tau_d_s = 2e-9;
  const double a = std::numbers::pi * std::numbers::pi * c.delta / 4.0;
  for (double i : {1.5, 2.0, 3.0, 5.0}) {
    for (double t : {0.5e-9, 2e-9, 5e-9, 20e-9}) {
      const double butler = std::exp(-a * std::exp(-2.0 * (i - 1.0) * t / c.tau_d_s));
      CHECK(mtj::precessional_probability(c, i, t) == Approx(butler).epsilon(1e-9).margin(1e-15));
    }
    double mean = 0.0;
    const double dt = 1e-13;
    for (double t = 0.5 * dt; t < 200e-9; t += dt) mean += (1.0 - mtj::precessional_probability(c, i, t)) * dt;
    const double sun = c.tau_d_s * (0.5772156649 + std::log(a)) / (2.0 * (i - 1.0));
    CHECK(mean == Approx(sun).epsilon(1e-6));
    CHECK(mtj::sun_mean_switching_time_s(c.delta, c.tau_d_s, i) == Approx(sun).epsilon(1e-9));
  }
}

TEST_CASE("the thermal-precessional crossover is continuous and monotone", "[devices][mtj]") {
  // Reference (properties of the documented crossover choice): P_sw(i, t_p) must be
  // non-decreasing in i and t_p, continuous (the largest step between grid points shrinks
  // in proportion to the grid spacing), equal to the pure Neel-Brown form
  // where the barrier exceeds the floor, and to the pure precessional form well above I_c0.
  mtj::SwitchingConstants c;
  c.delta = 60.0;
  c.tau_d_s = 2e-9;
  c.tau0_s = 1e-9;
  // Largest increment of P over [0, 4] on a grid of spacing h (asserting monotonicity).
  bool monotone = true;
  auto max_step = [&](double t_p, double h) {
    double prev = 0.0, worst = 0.0;
    const int n = static_cast<int>(std::lround(4.0 / h));
    for (int k = 0; k <= n; ++k) {
      const double pk = mtj::switching_probability(c, k * h, t_p);
      monotone = monotone && pk >= prev;
      worst = std::max(worst, pk - prev);
      prev = pk;
    }
    return worst;
  };
  for (double t_p : {1e-9, 10e-9, 100e-9, 1e-6}) {
    // A jump would keep the largest step fixed as the grid refines; a continuous P with
    // bounded slope makes it shrink in proportion to h.
    const double coarse = max_step(t_p, 1e-4), fine = max_step(t_p, 1e-5);
    INFO("t_p = " << t_p << ", max steps " << coarse << " / " << fine);
    CHECK(fine < 0.15 * coarse);
    CHECK(fine < 5e-4);
    CHECK(monotone);
    // Below the floor crossing (Delta (1 - i) > 5) the thermal form holds exactly.
    const double i_th = 0.8;
    CHECK(mtj::switching_probability(c, i_th, t_p) ==
          Approx(1.0 - std::exp(-t_p / (1e-9 * std::exp(60.0 * 0.2)))).epsilon(1e-9));
  }
  // Well above I_c0 with a short pulse the precessional channel dominates.
  const double a = std::numbers::pi * std::numbers::pi * 60.0 / 4.0;
  const double prec = std::exp(-a * std::exp(-2.0 * 2.0 * 3e-9 / 2e-9));
  CHECK(mtj::switching_probability(c, 3.0, 3e-9) == Approx(prec).epsilon(0.01));
  // Pulse-width monotonicity at fixed current.
  for (double i : {0.5, 0.95, 1.0, 1.05, 2.0}) {
    double prev = 0.0;
    bool up = true;
    for (double t = 1e-10; t < 1e-3; t *= 1.1) {
      const double pk = mtj::switching_probability(c, i, t);
      up = up && pk >= prev;
      prev = pk;
    }
    CHECK(up);
  }
}

TEST_CASE("exact deterministic switching time matches numerical quadrature", "[devices][mtj]") {
  // Reference: t = tau_D * integral_{psi0}^{pi/2} dpsi / (sin psi (i - cos psi)), evaluated
  // with composite Simpson in log(psi) (the integrand ~ 1/psi near 0).
  for (double i : {1.5, 2.0, 4.0})
    for (double psi0 : {1e-3, 0.05, 0.5}) {
      const int n = 20000;
      const double x0 = std::log(psi0), x1 = std::log(std::numbers::pi / 2), h = (x1 - x0) / n;
      double s = 0.0;
      for (int k = 0; k <= n; ++k) {
        const double psi = std::exp(x0 + k * h);
        const double f = psi / (std::sin(psi) * (i - std::cos(psi)));
        s += f * (k == 0 || k == n ? 1 : (k % 2 ? 4 : 2));
      }
      CHECK(mtj::deterministic_switching_time_s(1.0, i, psi0) == Approx(s * h / 3).epsilon(1e-9));
    }
}

TEST_CASE("read disturb flips AP cells with the thermal rate of the read current", "[devices][mtj]") {
  // Reference: each read is a pulse of width t_r at I = V G_AP(V) (bias law §4.1); in the
  // thermal regime the flip probability after n reads is 1 - exp(-n t_r/tau(I)),
  // tau = tau0 exp(Delta (1 - I/I_c0)) (§4.3); the back-flip P -> AP is stabilised
  // (rate ~ e^{-Delta(1+i)}), negligible. Low-barrier UTA device (Delta ~ 20), 4e4 cells:
  // binomial sigma <= 0.0025, tolerance 0.015 (6 sigma).
  MtjParams p;
  p.k_i_J_per_m2 = 1.0056364e-3;
  p.t_fl_m = 1.1e-9;
  p.alpha = 0.03;
  p.eta = 0.3;
  p.demag_nx = 0.0106;
  p.demag_nz = 0.9788;
  p.r_p_ohm = 5e3;
  const MtjModel m(p);
  const auto& d = m.derived();
  const double v = 0.3;
  const double tmr_v = d.tmr0 / (1.0 + v * v / (0.5 * 0.5));
  const double i_read = v / (5e3 * (1.0 + tmr_v));
  const double i_red = i_read / d.i_c0_A;
  REQUIRE(i_red < 0.7);  // well inside the thermal regime (barrier > 5 kT)
  const double tau = 1e-9 * std::exp(d.delta * (1.0 - i_red));
  const auto reads = static_cast<std::uint64_t>(std::llround(0.8 * tau / p.read_pulse_width_s));
  DeviceState st = m.create_state(200, 200, 5, 0);
  read_disturb(m, st, v, reads, 0, st.all_rows());
  const double expected = 1.0 - std::exp(-static_cast<double>(reads) * p.read_pulse_width_s / tau);
  CAPTURE(i_red, reads, expected);
  CHECK(std::abs(switched_fraction(m, st) - expected) < 0.015);
  // Zero reads change nothing; P cells read at positive bias stay P.
  DeviceState st2 = m.create_state(50, 50, 5, 0);
  st2.field(m.state_field(0)).fill(1.0f);
  read_disturb(m, st2, v, reads, 1, st2.all_rows());
  CHECK(switched_fraction(m, st2) == 1.0);
}

TEST_CASE("a sustained bias split into steps switches like one long pulse", "[devices][mtj]") {
  // Reference: for a constant drive the phase-carrying step rule of apply_bias must give
  // the single-pulse closed form for the total duration: precessional (Butler, §4.3)
  // P_prec = exp(-(pi^2 Delta/4) exp(-2 (i - 1) t/tau_D)), i = V G_AP(V)/I_c0 from the bias
  // law (§4.1), t chosen for P_prec = 1/2, competing with the thermal channel at its
  // 5 kT floor, P_th = 1 - exp(-t/(tau0 e^5)): P = 1 - (1 - P_prec)(1 - P_th). 4e4 cells in
  // 50 steps, binomial sigma 0.0025, tolerance 0.015. Without the carried phase each step
  // restarts from equilibrium and only the thermal channel acts (second check).
  const MtjParams p;
  const MtjModel m(p);
  const auto& d = m.derived();
  const double v = 0.75;
  const double i_red = v / (6e3 * (1 + d.tmr0 / (1 + v * v / 0.25))) / d.i_c0_A;
  REQUIRE(i_red > 1.5);
  const double a = std::numbers::pi * std::numbers::pi * d.delta / 4;
  const double t = 0.5 * std::log(a / std::log(2.0)) * d.tau_d_s / (i_red - 1);
  const double p_prec = std::exp(-a * std::exp(-2 * (i_red - 1) * t / d.tau_d_s));
  const double p_th = 1 - std::exp(-t / (1e-9 * std::exp(5.0)));
  const double expected = 1 - (1 - p_prec) * (1 - p_th);
  DeviceState st = m.create_state(200, 200, 9, 0);
  auto memory = m.bias_memory(st);
  for (int k = 0; k < 50; ++k) m.apply_bias(st, v, t / 50, static_cast<std::uint64_t>(k), st.all_rows(), &memory);
  CAPTURE(i_red, t, expected);
  CHECK(std::abs(switched_fraction(m, st) - expected) < 0.015);
  DeviceState fresh = m.create_state(200, 200, 9, 0);
  for (int k = 0; k < 50; ++k) m.apply_bias(fresh, v, t / 50, static_cast<std::uint64_t>(k), fresh.all_rows());
  CHECK(std::abs(switched_fraction(m, fresh) - p_th) < 0.01);
}

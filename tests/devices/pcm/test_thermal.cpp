// pcm-thermal: the constants are [U] (device_physics.md 3.3), so these tests check
// self-consistent physics against closed forms computed here: the thermal ODE's
// transient and steady state, the JMAK isothermal law and its rate form, the
// non-isothermal JMAK integral, the Bruggeman percolation limit, threshold switching
// in the iv sweep, and the direction of SET and RESET.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/pcm_thermal.hpp>
#include <xbarsim/devices/registry.hpp>

using namespace xbarsim;
using pcm_thermal::Cell;
using pcm_thermal::Waveform;

namespace {
constexpr double kB = 1.380649e-23, kQ = 1.602176634e-19;  // CODATA 2018 (exact)
PcmThermalParams params(const ParamValues& v = {}) { return PcmThermalParams::table().make(v); }
// Reference JMAK rate: k_ref exp(-(E_a/k_B)(1/T - 1/T_ref)), written out here.
double k_ref_formula(const PcmThermalParams& p, double T) {
  return p.k_ref_per_s * std::exp(-p.e_a_eV * kQ / kB * (1.0 / T - 1.0 / p.t_ref_K));
}
double x_of(double u, double n) { return 1.0 - std::exp(-std::pow(u, n)); }
}  // namespace

TEST_CASE("pcm-thermal thermal ODE: transient, steady state T_amb + P R_th, RK4 order", "[devices][pcm]") {
  // A fully crystalline cell (X = 1, no switching) under a constant source V: P = I^2
  // (r_series + r_cryst), I = V / (r_load + r_series + r_cryst), and
  // T(t) = T_amb + P R_th (1 - exp(-t / tau)), tau = R_th C_th (closed form).
  const auto p = params();
  const PcmThermalModel model(p);
  const double V = 1.5, tau = p.r_th_K_per_W * p.c_th_J_per_K;
  const double I = V / (p.r_load_ohm + p.r_series_ohm + p.r_cryst_ohm);
  const double P = I * I * (p.r_series_ohm + p.r_cryst_ohm);
  const Waveform dc = Waveform::trapezoid(V, 0.0, 1.0, 0.0);
  DeviceState s = model.create_state(1, 1, 1, 0);
  s.field("jmak_u")(0, 0) = 10.0f;  // X = 1
  auto T_at = [&](double dt, double t_stop) {
    std::vector<Cell> cells{model.cell(s, 0, 0, &dc)};
    pcm_thermal::simulate(p, cells, dt, t_stop);
    return cells[0].T_K;
  };
  CHECK(T_at(tau / 9, 60 * tau) == Approx(p.temperature_K + P * p.r_th_K_per_W).epsilon(1e-10));
  // At t = tau: errors of RK4 with dt = tau/4, tau/8, tau/16 shrink 16x per halving (order 4).
  const double exact = p.temperature_K + P * p.r_th_K_per_W * (1.0 - std::exp(-1.0));
  const double e1 = std::abs(T_at(tau / 4, tau) - exact), e2 = std::abs(T_at(tau / 8, tau) - exact),
               e3 = std::abs(T_at(tau / 16, tau) - exact);
  INFO("errors " << e1 << " " << e2 << " " << e3);
  CHECK(std::log2(e1 / e2) == Approx(4.0).margin(0.3));
  CHECK(std::log2(e2 / e3) == Approx(4.0).margin(0.3));
  CHECK(std::abs(T_at(p.dt_s, tau) - exact) < 1e-4);  // default step: < 0.1 mK
}

TEST_CASE("pcm-thermal JMAK: isothermal X(t) = 1 - exp(-(k t)^n) and the rate form", "[devices][pcm]") {
  // At T_amb = 700 K (> T_g) with no power, T stays at 700 K and the ODE must give the
  // isothermal JMAK closed form; relax() must give the same in closed form. The model's
  // X(t) must also satisfy the rate form of device_physics.md 3.3:
  //   dX/dt = n k (-ln(1 - X))^((n - 1)/n) (1 - X).
  const auto p = params({{"temperature_K", 700.0}});
  const PcmThermalModel model(p);
  const double k = k_ref_formula(p, 700.0), n = p.avrami_n;
  DeviceState s = model.create_state(1, 1, 2, 0);
  std::vector<Cell> cells{model.cell(s, 0, 0, nullptr)};
  std::vector<double> ts, xs;
  const double dt = 0.002 / k;
  pcm_thermal::simulate(
      p, cells, dt, 2.0 / k,
      [&](double t, const std::vector<Cell>& c) {
        ts.push_back(t);
        xs.push_back(pcm_thermal::crystalline_fraction(c[0].u, n));
      },
      1);
  REQUIRE(ts.size() == 1001);
  for (std::size_t i = 0; i < ts.size(); ++i) REQUIRE(xs[i] == Approx(x_of(k * ts[i], n)).margin(1e-12));
  CHECK(cells[0].T_K == p.temperature_K);
  for (std::size_t i = 100; i + 50 < ts.size(); i += 50) {
    const double dxdt = (xs[i + 1] - xs[i - 1]) / (ts[i + 1] - ts[i - 1]);
    const double x = xs[i];
    const double rate = n * k * std::pow(-std::log(1.0 - x), (n - 1.0) / n) * (1.0 - x);
    INFO("X = " << x);
    CHECK(dxdt == Approx(rate).epsilon(1e-4));  // central difference, O(dt^2) ~ 3e-5
  }
  // Retention at 700 K through relax(): u += k (t1 - t0), in any number of steps.
  relax_all(model, s, 0.5 / k);
  relax_all(model, s, 1.0 / k);
  CHECK(pcm_thermal::crystalline_fraction(s.field("jmak_u")(0, 0), n) == Approx(x_of(1.0, n)).epsilon(1e-6));
  // Below T_g nothing crystallises (k = 0), e.g. ten years at 300 K.
  const PcmThermalModel cold(params());
  DeviceState c = cold.create_state(1, 1, 2, 0);
  relax_all(cold, c, 3.15e8);
  CHECK(c.field("jmak_u")(0, 0) == 0.0f);
  CHECK(pcm_thermal::jmak_rate_per_s(p, 700.0) == Approx(k).epsilon(1e-12));
  CHECK(pcm_thermal::jmak_rate_per_s(p, p.t_g_K - 1) == 0.0);
  CHECK(pcm_thermal::jmak_rate_per_s(p, p.t_melt_K) == 0.0);
}

TEST_CASE("pcm-thermal JMAK under heating integrates k(T(t)) along the thermal transient", "[devices][pcm]") {
  // Equal crystalline and amorphous resistances make the power independent of X, so
  // T(t) = T_amb + P R_th (1 - exp(-t/tau)) and u(t) = int_0^t k(T(s)) ds (composite
  // Simpson in this test). A high threshold keeps the element OFF.
  const auto p = params({{"r_cryst_ohm", 1e5}, {"r_amorph_ohm", 1e5 * (1 + 1e-9)}, {"v_th_V", 50.0}});
  const PcmThermalModel model(p);
  const double V = 4.5, tau = p.r_th_K_per_W * p.c_th_J_per_K;
  const double R = p.r_series_ohm + p.r_cryst_ohm, I = V / (p.r_load_ohm + R), P = I * I * R;
  const double T_ss = p.temperature_K + P * p.r_th_K_per_W;
  REQUIRE(T_ss > p.t_g_K);
  REQUIRE(T_ss < p.t_melt_K);
  const Waveform dc = Waveform::trapezoid(V, 0.0, 1.0, 0.0);
  DeviceState s = model.create_state(1, 1, 3, 0);
  const double t_end = 300e-9;
  std::vector<Cell> cells{model.cell(s, 0, 0, &dc)};
  pcm_thermal::simulate(p, cells, p.dt_s, t_end);
  const std::size_t m = 60000;
  double integral = 0.0;
  for (std::size_t i = 0; i <= m; ++i) {
    const double t = t_end * i / m;
    const double T = p.temperature_K + P * p.r_th_K_per_W * (1.0 - std::exp(-t / tau));
    const double w = (i == 0 || i == m) ? 1.0 : (i % 2 ? 4.0 : 2.0);
    integral += w * (T > p.t_g_K ? k_ref_formula(p, T) : 0.0);
  }
  integral *= t_end / m / 3.0;
  INFO("T_ss " << T_ss << " u " << cells[0].u << " reference " << integral);
  CHECK(integral > 0.1);
  CHECK(cells[0].u == Approx(integral).epsilon(1e-3));
}

TEST_CASE("pcm-thermal effective-medium mixing percolates at X = 1/3", "[devices][pcm]") {
  // Symmetric Bruggeman (3D) with an insulating second phase has the closed form
  // g = g_c (3X - 1)/2 above the percolation threshold X = 1/3 and 0 below; in general
  // g lies between the Wiener bounds (series <= g <= parallel) and meets both ends.
  const double gc = 1e-3;
  for (double x : {0.0, 0.2, 0.33, 0.34, 0.5, 0.8, 1.0})
    CHECK(pcm_thermal::effective_medium_S(x, gc, 0.0) ==
          Approx(x > 1.0 / 3 ? gc * (3 * x - 1) / 2 : 0.0).margin(1e-15));
  const double ga = 1e-6;
  CHECK(pcm_thermal::effective_medium_S(0.0, gc, ga) == Approx(ga).epsilon(1e-12));
  CHECK(pcm_thermal::effective_medium_S(1.0, gc, ga) == Approx(gc).epsilon(1e-12));
  for (double x = 0.01; x < 1.0; x += 0.01) {
    const double g = pcm_thermal::effective_medium_S(x, gc, ga);
    REQUIRE(g >= 1.0 / (x / gc + (1 - x) / ga) * (1 - 1e-12));
    REQUIRE(g <= x * gc + (1 - x) * ga);
  }
  CHECK(pcm_thermal::crystalline_fraction(pcm_thermal::jmak_progress(0.37, 3.0), 3.0) == Approx(0.37).epsilon(1e-12));
}

TEST_CASE("pcm-thermal SET pulses raise G cumulatively, RESET lowers it to g_min", "[devices][pcm]") {
  const PcmThermalModel model(params());
  DeviceState s = model.create_state(3, 2, 4, 0);
  arma::fmat g;
  read_all(model, s, 0.0, false, 0, g);
  CHECK(g(0, 0) == Approx(model.g_min_S()).epsilon(1e-6));  // fresh: amorphous RESET state
  double prev = g(0, 0);
  for (int k = 0; k < 15; ++k) {
    apply_pulses_all(model, s, PulseCounts(3, 2, arma::fill::ones));
    read_all(model, s, 0.0, false, 0, g);
    REQUIRE(g(0, 0) > prev);  // each SET pulse crystallises more
    prev = g(0, 0);
  }
  CHECK(g(0, 0) > 0.95 * model.g_max_S());
  CHECK(s.field("cycles")(0, 0) == 0.0f);  // SET pulses stay below T_melt
  apply_pulses_all(model, s, PulseCounts(3, 2, arma::fill::value(std::int16_t(-1))));
  read_all(model, s, 0.0, false, 0, g);
  CHECK(g(0, 0) < 1.01 * model.g_min_S());  // melt-quench back to amorphous
  CHECK(s.field("cycles")(0, 0) == 1.0f);

  // A slow falling edge lets the melt recrystallise while it cools through [T_g, T_melt].
  auto x_after_reset = [&](double fall) {
    const PcmThermalModel m(params({{"reset_fall_s", fall}}));
    DeviceState st = m.create_state(1, 1, 4, 0);
    st.field("jmak_u")(0, 0) = 10.0f;
    apply_pulses_all(m, st, PulseCounts(1, 1, arma::fill::value(std::int16_t(-1))));
    return pcm_thermal::crystalline_fraction(st.field("jmak_u")(0, 0), 3.0);
  };
  const double quench = x_after_reset(2e-9), slow = x_after_reset(300e-9);
  INFO("X after RESET: 2 ns fall " << quench << ", 300 ns fall " << slow);
  CHECK(quench < 1e-6);
  CHECK(slow > 100 * quench);

  // Halving the integration step changes the 15-pulse SET response by < 1e-3.
  const PcmThermalModel fine(params({{"dt_s", 0.5e-10}}));
  DeviceState a = model.create_state(1, 1, 4, 0), b = fine.create_state(1, 1, 4, 0);
  for (int k = 0; k < 5; ++k) {
    apply_pulses_all(model, a, PulseCounts(1, 1, arma::fill::ones));
    apply_pulses_all(fine, b, PulseCounts(1, 1, arma::fill::ones));
  }
  const double xa = pcm_thermal::crystalline_fraction(a.field("jmak_u")(0, 0), 3.0);
  const double xb = pcm_thermal::crystalline_fraction(b.field("jmak_u")(0, 0), 3.0);
  CHECK(xa == Approx(xb).epsilon(1e-3));
}

TEST_CASE("pcm-thermal iv sweep shows threshold switching with hysteresis", "[devices][pcm]") {
  // Closed forms for the fresh (amorphous) cell in series with r_ext = r_load + r_series:
  //   OFF: I = V / (r_ext + r_amorph); it switches when the element voltage reaches V_th,
  //        i.e. at V_sw = V_th (r_ext + r_amorph) / r_amorph;
  //   ON:  I = (g V + (V - V_hold)/r_on) / (1 + g r_ext + r_ext / r_on), g = 1 / r_amorph,
  //        and it stays ON on the way down until the element voltage falls to V_hold.
  const auto p = params();
  CurveRequest req;
  req.protocol = "iv";
  req.devices = 2;
  const Curve c = characterise(pcm_thermal_family(), {}, req);
  const auto& V = c.find("voltage_V")->values;
  const auto& I = c.find("current_A")->values;
  const auto& X = c.find("crystalline_fraction")->values;
  const std::size_t T = V.size();
  REQUIRE(T == std::size_t(p.iv_points_per_cycle) + 1);
  const double r_ext = p.r_load_ohm + p.r_series_ohm, g = 1.0 / p.r_amorph_ohm;
  auto i_off = [&](double v) { return v / (r_ext + p.r_amorph_ohm); };
  auto i_on = [&](double v) { return (g * v + (v - p.v_hold_V) / p.r_on_ohm) / (1 + g * r_ext + r_ext / p.r_on_ohm); };
  const double v_sw = p.v_th_V * (r_ext + p.r_amorph_ohm) / p.r_amorph_ohm;
  std::size_t k_sw = 0;
  for (std::size_t k = 2; k < T / 2 && k_sw == 0; ++k)
    if (I[k] > 10 * I[k - 1]) k_sw = k;
  REQUIRE(k_sw > 0);
  const double dv = 2 * p.iv_amplitude_V / p.iv_points_per_cycle;
  CHECK(V[k_sw] >= v_sw);
  CHECK(V[k_sw] < v_sw + dv);
  CHECK(I[k_sw - 1] == Approx(i_off(V[k_sw - 1])).epsilon(1e-9));
  CHECK(I[k_sw] == Approx(i_on(V[k_sw])).epsilon(1e-9));
  // Down-sweep: still ON at 0.8 V (< V_sw), OFF again at 0.4 V (< V_hold).
  for (std::size_t k = T / 2; k < T; ++k) {
    if (std::abs(V[k] - 0.8) < 1e-9) CHECK(I[k] == Approx(i_on(0.8)).epsilon(1e-9));
    if (std::abs(V[k] - 0.4) < 1e-9) CHECK(I[k] == Approx(i_off(0.4)).epsilon(1e-9));
  }
  // Threshold switching without memory switching: the 2 V sweep does not crystallise.
  CHECK(X[T - 1] < 1e-6);
  CHECK(c.find("current_A")->shape == std::vector<std::size_t>{2, T});
}

TEST_CASE("pcm-thermal drift, endurance, stuck cells, determinism", "[devices][pcm]") {
  const auto p = params();
  const PcmThermalModel model(p);
  SECTION("amorphous drift") {
    // Reference: G = 1/(r_series + r_amorph / f), f = ((t + t0)/t0)^-nu with nu = 0.1.
    DeviceState s = model.create_state(2, 2, 5, 0);
    relax_all(model, s, 1e4);
    arma::fmat g;
    read_all(model, s, 0.0, false, 0, g);
    const double f = std::pow((1e4 + p.t0_s) / p.t0_s, -p.drift_nu);
    CHECK(g(1, 1) == Approx(1.0 / (p.r_series_ohm + p.r_amorph_ohm / f)).epsilon(1e-6));
  }
  SECTION("endurance degrades the crystalline phase") {
    // nonideal.hpp: after 5 of 10 rated cycles, 1 - 0.5 log10(5) of the G_c - G_a gap remains.
    const PcmThermalModel m(params({{"endurance_cycles", 10.0}}));
    DeviceState s = m.create_state(1, 1, 6, 0);
    s.field("jmak_u")(0, 0) = 10.0f;
    s.field("cycles")(0, 0) = 5.0f;
    arma::fmat g;
    read_all(m, s, 0.0, false, 0, g);
    const double ga = 1 / p.r_amorph_ohm, gc = ga + (1 - 0.5 * std::log10(5.0)) * (1 / p.r_cryst_ohm - ga);
    CHECK(g(0, 0) == Approx(1.0 / (p.r_series_ohm + 1 / gc)).epsilon(1e-6));
  }
  SECTION("stuck cells ignore pulses") {
    const PcmThermalModel m(params({{"stuck_on_fraction", 0.5}}));
    DeviceState s = m.create_state(40, 1, 7, 0);
    apply_pulses_all(m, s, PulseCounts(40, 1, arma::fill::value(std::int16_t(-1))));
    arma::fmat g;
    read_all(m, s, 0.0, false, 0, g);
    std::size_t stuck = 0;
    for (std::size_t i = 0; i < 40; ++i)
      if (s.field("fault")(i, 0) == 1.0f) {
        ++stuck;
        CHECK(g(i, 0) == Approx(m.g_max_S()).epsilon(1e-6));
      }
    CHECK(stuck > 0);
  }
  SECTION("same results for 1 and 2 threads") {
    // 300 rows: two row blocks (256 + 44), so two threads really run concurrently.
    auto run = [&](std::size_t threads) {
      ThreadLimit limit(threads);
      DeviceState s = model.create_state(300, 1, 8, 0);
      PulseCounts c(300, 1);
      for (std::size_t k = 0; k < c.n_elem; ++k) c(k) = std::int16_t(int(k % 5) - 1);
      apply_pulses_all(model, s, c);
      relax_all(model, s, 100.0);
      arma::fmat g;
      read_all(model, s, 0.0, true, 1, g);
      return g;
    };
    const arma::fmat one = run(1), two = run(2);
    CHECK(std::memcmp(one.memptr(), two.memptr(), one.n_elem * sizeof(float)) == 0);
  }
  SECTION("same results for any row split above T_g") {
    // Reference: the determinism rule (a cell's result is a function of its own inputs).
    // At T_amb = 600 K > T_g the cell keeps crystallising after a pulse (k ~ 65/s), so a
    // transient whose end depended on the other cells of the block (SET-only rows stop
    // ~13 ns earlier than rows mixed with hotter RESET cells) would differ by ~1e-6 in u.
    const PcmThermalModel hot(params({{"temperature_K", 600.0}}));
    DeviceState a = hot.create_state(6, 1, 12, 0), b = hot.create_state(6, 1, 12, 0);
    PulseCounts c(6, 1);
    for (std::size_t i = 0; i < 6; ++i) c(i, 0) = std::int16_t(i < 3 ? 1 : -1);
    hot.apply_pulses(a, c, 0, RowRange{0, 6});
    hot.apply_pulses(b, c, 0, RowRange{0, 3});
    hot.apply_pulses(b, c, 0, RowRange{3, 6});
    REQUIRE(a.field("jmak_u")(0, 0) > 0.01f);
    CHECK(arma::approx_equal(a.field("jmak_u"), b.field("jmak_u"), "absdiff", 0.0f));
  }
  SECTION("program-and-verify by pulses") {
    DeviceState s = model.create_state(8, 2, 9, 0);
    const arma::fmat target(8, 2, arma::fill::value(float(0.9 * model.g_max_S())));
    const ProgramReport r = program_all(model, s, target);
    arma::fmat g;
    read_all(model, s, 0.0, false, 0, g);
    CHECK(r.unconverged == 0);
    CHECK(arma::all(arma::vectorise(arma::abs(g - target)) <= 0.02f * float(model.g_max_S() - model.g_min_S())));
    CHECK(r.energy_J > 0.0);
  }
}

TEST_CASE("pcm-thermal parameters, family and pulse-trace", "[devices][pcm]") {
  for (const auto& e : PcmThermalParams::table().entries()) {
    INFO(e.name);
    CHECK_FALSE(e.source.empty());
  }
  CHECK_NOTHROW(params({{"temperature_K", 350.0}}));       // T is a model input here
  CHECK_THROWS_AS(params({{"dt_s", 1e-9}}), ConfigError);  // above tau_th / 4
  const auto& fam = pcm_thermal_family();
  CHECK(fam.extra_protocols() == std::vector<std::string>{"iv", "pulse-trace"});
  CurveRequest req;
  req.protocol = "pulse-trace";
  req.devices = 1;
  const Curve c = characterise(fam, {}, req);
  const auto& T = c.find("temperature_K")->values;
  const auto& pol = c.find("polarity")->values;
  double peak_set = 0, peak_reset = 0;  // peak temperatures of the two transients
  for (std::size_t k = 0; k < T.size(); ++k) {
    double& peak = pol[k] > 0 ? peak_set : peak_reset;
    peak = std::max(peak, T[k]);
  }
  const auto p = params();
  CHECK(peak_set > p.t_g_K);     // the SET transient crystallises ...
  CHECK(peak_set < p.t_melt_K);  // ... without melting
  CHECK(peak_reset > p.t_melt_K);
}

// rram-stanford-pku: I-V closed form, gap dynamics against an independent scalar
// integration of Jiang et al. 2016 eqs. (1), (4), (5), F_min and compliance stopping gaps,
// heating, gap-noise statistics and the iv protocol.
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/constants.hpp>
#include <xbarsim/devices/registry.hpp>
#include <xbarsim/devices/rram_stanford_pku.hpp>

using namespace xbarsim;

namespace {
StanfordPkuModel make(const ParamValues& v = {}) { return StanfordPkuModel(StanfordPkuParams::table().make(v)); }

double gap_of(const DeviceState& s, std::size_t k = 0) { return s.field(StanfordPkuModel::kGap)(k); }

void pulse(const DeviceModel& m, DeviceState& s, int n) {
  apply_pulses_all(m, s, PulseCounts(s.rows(), s.cols(), arma::fill::value(static_cast<std::int16_t>(n))));
}

// Independent re-implementation of the v1.0.0 equations from device_physics.md 2.4 with
// the defaults written out, integrated by classical RK4 with a fine fixed step.
double reference_gap(double g, double v, double width_s, double T0 = 300.0) {
  const double kb = constants::boltzmann_J_per_K, q = constants::elementary_charge_C;
  auto rate = [&](double x) {
    const double I = 1e-3 * std::exp(-x / 0.25e-9) * std::sinh(v / 0.25);
    const double T = T0 + std::abs(v * I) * 2.1e3;
    double gamma = 16.0 - 0.8 * std::pow(x / 1e-9, 3.0);
    if (gamma * std::abs(v) / 12e-9 < 1.4e9) gamma = 0.0;
    return -10.0 * std::exp(-q * 0.6 / (kb * T)) * std::sinh(gamma * 0.25e-9 / 12e-9 * q * v / (kb * T));
  };
  const int n = 20000;
  const double h = width_s / n;
  for (int k = 0; k < n; ++k) {
    const double k1 = rate(g), k2 = rate(g + 0.5 * h * k1), k3 = rate(g + 0.5 * h * k2), k4 = rate(g + h * k3);
    g = std::clamp(g + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4), 0.2e-9, 1.7e-9);
  }
  return g;
}

// Root of f on [a, b] by bisection (f(a) and f(b) of opposite sign).
template <class F>
double bisect(F f, double a, double b) {
  for (int k = 0; k < 200; ++k) {
    const double m = 0.5 * (a + b);
    ((f(a) < 0) == (f(m) < 0) ? a : b) = m;
  }
  return 0.5 * (a + b);
}
}  // namespace

TEST_CASE("Stanford-PKU LRS and HRS at 0.1 V match the closed-form I-V", "[devices][rram]") {
  // Reference: I = I0 exp(-g/g0) sinh(V/V0) with v1.0.0 defaults; device_physics.md 2.4
  // derives 541.8 ohm at g = 0.2 nm and 218.6 kohm at g = 1.7 nm (MemTorch uses 542 and
  // 218586 ohm).
  const auto hrs = make();
  CHECK(1.0 / hrs.g_min_S() == Approx(218.6e3).epsilon(0.005));
  CHECK(1.0 / hrs.g_max_S() == Approx(541.8).epsilon(0.005));
  arma::fmat g;
  read_all(hrs, hrs.create_state(1, 1, 1, 0), 0.0, false, 0, g);
  CHECK(1.0 / g(0, 0) == Approx(218.6e3).epsilon(0.005));
  const auto lrs = make({{"gap_initial_m", 0.2e-9}});
  read_all(lrs, lrs.create_state(1, 1, 1, 0), 0.0, false, 0, g);
  CHECK(1.0 / g(0, 0) == Approx(541.8).epsilon(0.005));
  // Nonlinear I-V: the effective conductance at 0.5 V is sinh(2)/(5 sinh(0.4)) times that at 0.1 V.
  read_all(lrs, lrs.create_state(1, 1, 1, 0), 0.5, false, 0, g);
  CHECK(g(0, 0) == Approx(lrs.g_max_S() * std::sinh(2.0) / (5.0 * std::sinh(0.4))).epsilon(1e-5));
}

TEST_CASE("Stanford-PKU pulses follow an independent integration of eqs. (1), (4), (5)", "[devices][rram]") {
  // Reference: reference_gap() above (scalar RK4, 20000 steps) on the sheet's equations.
  SECTION("gradual SET at 1.4 V, 200 ns from HRS") {
    const auto m = make({{"set_voltage_V", 1.4}, {"set_width_s", 200e-9}});
    DeviceState s = m.create_state(1, 1, 1, 0);
    pulse(m, s, 1);
    const double ref = reference_gap(1.7e-9, 1.4, 200e-9);
    REQUIRE(ref < 1.65e-9);  // the pulse moves the gap substantially
    CHECK(gap_of(s) == Approx(ref).epsilon(1e-4));
  }
  SECTION("RESET from LRS at -1.3 V stops where gamma |V| / t_ox = F_min") {
    // Closed form of the stop: 16 - 0.8 g^3 = F_min t_ox / 1.3 V  ->  g = 1.5667 nm. The
    // last 0.3 nm take about a microsecond (the current, and so the heating, has fallen).
    const auto m = make({{"gap_initial_m", 0.2e-9}, {"reset_voltage_V", -1.3}, {"reset_width_s", 5e-6}});
    DeviceState s = m.create_state(1, 1, 1, 0);
    pulse(m, s, -1);
    const double g_stop = std::cbrt((16.0 - 1.4e9 * 12e-9 / 1.3) / 0.8) * 1e-9;
    CHECK(gap_of(s) == Approx(g_stop).epsilon(1e-3));
    CHECK(gap_of(s) == Approx(reference_gap(0.2e-9, -1.3, 5e-6)).epsilon(1e-3));
  }
  SECTION("below F_min nothing moves") {
    // gamma(0.2 nm) x 1.0 V / 12 nm = 1.333e9 V/m < F_min = 1.4e9 V/m.
    const auto m = make({{"gap_initial_m", 0.2e-9}, {"reset_voltage_V", -1.0}, {"reset_width_s", 1e-6}});
    DeviceState s = m.create_state(1, 1, 1, 0);
    pulse(m, s, -1);
    CHECK(gap_of(s) == static_cast<float>(0.2e-9));
  }
}

TEST_CASE("Stanford-PKU SET then RESET pulses move the gap monotonically", "[devices][rram]") {
  // Reference: sign structure of eq. (1): V > 0 gives dg/dt < 0 and V < 0 dg/dt > 0.
  const auto m = make({{"set_voltage_V", 1.4}, {"reset_voltage_V", -1.4}});
  DeviceState s = m.create_state(1, 1, 1, 0);
  double prev = gap_of(s);
  for (int k = 0; k < 40; ++k) {
    pulse(m, s, 1);
    CHECK(gap_of(s) <= prev);
    prev = gap_of(s);
  }
  CHECK(prev < 1.5e-9);
  const double after_set = prev;
  for (int k = 0; k < 40; ++k) {
    pulse(m, s, -1);
    CHECK(gap_of(s) >= prev);
    prev = gap_of(s);
  }
  CHECK(prev > after_set + 0.1e-9);
}

TEST_CASE("Stanford-PKU SET under current compliance stops at the closed-form gap", "[devices][rram]") {
  // Reference: with I limited to I_c the device voltage is V0 asinh(I_c e^{g/g0}/I0) and
  // motion stops where gamma(g) V_dev(g) / t_ox = F_min (v1.0.0 F_min rule); bisection.
  const double ic = 1e-3;
  const auto m = make({{"i_compliance_A", ic}, {"set_voltage_V", 2.0}, {"set_width_s", 2e-6}});
  DeviceState s = m.create_state(1, 1, 1, 0);
  pulse(m, s, 1);
  auto f = [&](double g) {
    const double vdev = 0.25 * std::asinh(ic * std::exp(g / 0.25e-9) / 1e-3);
    return (16.0 - 0.8 * std::pow(g / 1e-9, 3.0)) * vdev / 12e-9 - 1.4e9;
  };
  const double g_stop = bisect(f, 0.3e-9, 1.7e-9);
  CHECK(gap_of(s) == Approx(g_stop).epsilon(2e-3));
}

TEST_CASE("Stanford-PKU ambient temperature speeds up switching as eq. (1) says", "[devices][rram]") {
  // Reference: for a short pulse the gap change is rate x width; the ratio between 350 K
  // and 300 K ambient is the ratio of eq. (1) rates (heating included via eq. (5)).
  auto dgap = [](double T) {
    const auto m = make({{"temperature_K", T}, {"set_voltage_V", 1.5}, {"set_width_s", 1e-9}});
    DeviceState s = m.create_state(1, 1, 1, 0);
    pulse(m, s, 1);
    return 1.7e-9 - gap_of(s);
  };
  StanfordPkuParams p300, p350;
  p350.temperature_K = 350.0;
  const double r300 = stanford_gap_rate(p300, 1.7e-9, 1.5, stanford_temperature_K(p300, 1.7e-9, 1.5));
  const double r350 = stanford_gap_rate(p350, 1.7e-9, 1.5, stanford_temperature_K(p350, 1.7e-9, 1.5));
  REQUIRE(r350 / r300 > 2.0);
  CHECK(dgap(350.0) / dgap(300.0) == Approx(r350 / r300).epsilon(0.02));
}

TEST_CASE("Stanford-PKU thermal ODE: lags on short pulses, equals the algebraic form on long ones", "[devices][rram]") {
  // Reference: dT/dt = (T0 + |VI| R_th - T)/tau_th relaxes to the algebraic T within a few
  // tau_th = 0.23 ns (ASU variant); a 200 ns pulse is ~900 tau_th.
  auto run = [](const char* thermal, double width) {
    const auto m = make({{"thermal_model", std::string(thermal)},
                         {"gap_initial_m", 0.2e-9},
                         {"reset_voltage_V", -1.5},
                         {"reset_width_s", width}});
    DeviceState s = m.create_state(1, 1, 1, 0);
    pulse(m, s, -1);
    return gap_of(s) - 0.2e-9;
  };
  CHECK(run("ode", 0.05e-9) < 0.5 * run("algebraic", 0.05e-9));
  const auto slow = [](const char* thermal) {
    const auto m = make({{"thermal_model", std::string(thermal)}, {"set_voltage_V", 1.4}, {"set_width_s", 200e-9}});
    DeviceState s = m.create_state(1, 1, 1, 0);
    pulse(m, s, 1);
    return 1.7e-9 - gap_of(s);
  };
  CHECK(slow("ode") == Approx(slow("algebraic")).epsilon(0.01));
}

TEST_CASE("Stanford-PKU gap noise has the v1.0.0 per-step variance", "[devices][rram]") {
  // Reference: v1.0.0 adds delta_g(T) chi dt per time step dt = 1 ns, chi ~ N(0,1), so after
  // a pulse of width W without drift Var(g) = (W/dt) (delta_g dt)^2 with
  // delta_g = 0.02/(1 + exp((450 - T)/500)) m/s. At 0.5 V the field is below F_min, so the
  // drift is zero; T = T0 + |V I| R_th at the mid gap. n = 4000 devices: the sample sigma
  // has a standard error of 1.1%; bound 4%.
  const double W = 100e-9, g_mid = 0.95e-9;
  const auto m = make({{"gap_noise", true},
                       {"gap_initial_m", g_mid},
                       {"set_voltage_V", 0.5},
                       {"set_width_s", W},
                       {"sde_step_s", 1e-9}});
  DeviceState s = m.create_state(400, 10, 9, 0);
  pulse(m, s, 1);
  const arma::vec g = arma::conv_to<arma::vec>::from(arma::vectorise(s.field(StanfordPkuModel::kGap)));
  const StanfordPkuParams p;
  const double T = stanford_temperature_K(p, g_mid, 0.5);
  const double dg = 0.02 / (1.0 + std::exp((450.0 - T) / 500.0));
  const double sigma = std::sqrt(W / 1e-9) * dg * 1e-9;
  CHECK(arma::stddev(g) == Approx(sigma).epsilon(0.04));
  CHECK(std::abs(arma::mean(g) - g_mid) < 4.0 * sigma / std::sqrt(4000.0));
}

TEST_CASE("Stanford-PKU iv sweep: pinched, SET on the positive and RESET on the negative half", "[devices][rram]") {
  // Reference: I = I0 exp(-g/g0) sinh(V/V0) vanishes at V = 0 for any gap; eq. (1) closes
  // the gap for V > 0 and opens it for V < 0 once gamma |V|/t_ox exceeds F_min.
  CurveRequest r;
  r.protocol = "iv";
  r.devices = 2;
  const Curve c = characterise(stanford_pku_family(), {{"iv_points_per_cycle", std::int64_t{200}}}, r);
  const auto& v = c.find("voltage_V")->values;
  const auto& i = c.find("current_A")->values;
  const auto& g = c.find("gap_m")->values;
  REQUIRE(v.size() == 201);
  for (std::size_t k : {0u, 100u, 200u}) CHECK(std::abs(i[k]) < 1e-15);
  CHECK(g[100] == Approx(0.2e-9).epsilon(1e-6));  // after the positive half: LRS
  CHECK(g[200] == Approx(1.7e-9).epsilon(1e-6));  // after the negative half: HRS
  // Same voltage (1.06 V) before and after the SET: the loop is open by the on/off ratio.
  CHECK(v[25] == Approx(v[75]));
  CHECK(i[75] > 100.0 * i[25]);
}

TEST_CASE("Stanford-PKU stuck cells, closed-form programming and endurance", "[devices][rram]") {
  // References: the inverse I-V g = g0 ln(I0 sinh(Vr/V0)/(Vr G)) (MemTorch
  // Stanford_PKU.set_conductance) must read back the target; stuck cells read the gap
  // limits and ignore pulses; endurance_window_factor (nonideal.hpp) halves the window
  // after endurance_cycles.
  const auto m = make({{"stuck_off_fraction", 0.25}});
  DeviceState s = m.create_state(40, 10, 4, 0);
  const float target = static_cast<float>(0.5 * (m.g_min_S() + m.g_max_S()));
  const ProgramReport rep = program_all(m, s, arma::fmat(40, 10, arma::fill::value(target)));
  arma::fmat g;
  read_all(m, s, 0.0, false, 0, g);
  std::size_t stuck = 0;
  for (arma::uword k = 0; k < g.n_elem; ++k) {
    if (s.field(StanfordPkuModel::kFault)(k) == 2.0f) {
      ++stuck;
      CHECK(g(k) == Approx(m.g_min_S()).epsilon(1e-6));
    } else {
      CHECK(g(k) == Approx(target).epsilon(1e-5));
    }
  }
  CHECK(rep.unconverged == stuck);
  CHECK(std::abs(static_cast<double>(stuck) / 400.0 - 0.25) < 0.09);  // 4 binomial sigma

  const auto e = make({{"endurance_cycles", 10.0}, {"gap_initial_m", 0.2e-9}});
  DeviceState c = e.create_state(1, 1, 1, 0);
  for (int k = 0; k < 10; ++k) {
    pulse(e, c, -1);
    pulse(e, c, 1);
  }
  REQUIRE(c.field(StanfordPkuModel::kCycles)(0, 0) == Approx(9.5));
  pulse(e, c, -1);
  read_all(e, c, 0.0, false, 0, g);
  const double mid = 0.5 * (e.g_min_S() + e.g_max_S());
  const double raw = e.conductance_S(gap_of(c), 0.1);
  CHECK(g(0, 0) == Approx(mid + 0.5 * (raw - mid)).epsilon(1e-5));
}

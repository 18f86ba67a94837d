// The mtj DeviceModel: retention (relax), read noise, multi-level cells, programming,
// faults, endurance and determinism across thread counts. Expected values come from the
// closed forms of device_physics.md §4 evaluated in the test.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <numeric>
#include <xbarsim/core/constants.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/mtj.hpp>

using namespace xbarsim;

namespace {
// UT Austin "UTA" stochastic-write device (UT-MTJ mtj_parameters.json SWRITE.UTA,
// demag factors of device_physics.md §4.2): Delta ~ 20.
MtjParams uta_params() {
  MtjParams p;
  p.k_i_J_per_m2 = 1.0056364e-3;
  p.t_fl_m = 1.1e-9;
  p.alpha = 0.03;
  p.eta = 0.3;
  p.demag_nx = 0.0106;
  p.demag_nz = 0.9788;
  p.r_p_ohm = 5e3;
  return p;
}

double fraction_p(const MtjModel& m, const DeviceState& st, int k = 0) {
  const arma::fmat& s = st.field(m.state_field(k));
  return arma::accu(s) / static_cast<double>(s.n_elem);
}
}  // namespace

TEST_CASE("retention flips follow the Neel-Brown telegraph process", "[devices][mtj]") {
  // Reference: at zero current each state flips at rate 1/tau, tau = tau0 exp(Delta)
  // (§4.3 with I = 0); for a symmetric two-state process the probability of being flipped
  // after t is (1 - exp(-2 t/tau))/2, which is 1 - exp(-t/tau) to first order. 4e4 cells,
  // binomial sigma <= 0.0025, tolerance 0.012 (~5 sigma). The same holds when the interval
  // is split into 10 relax calls (Markov property).
  const MtjModel m(uta_params());
  const double tau = 1e-9 * std::exp(m.derived().delta);
  for (double t : {0.1 * tau, 0.5 * tau, 2.0 * tau}) {
    const double expected = 0.5 * (1.0 - std::exp(-2.0 * t / tau));
    DeviceState a = m.create_state(200, 200, 17, 0);
    relax_all(m, a, t);
    DeviceState b = m.create_state(200, 200, 18, 0);
    for (int k = 1; k <= 10; ++k) relax_all(m, b, t * k / 10.0);
    INFO("t/tau = " << t / tau << ", expected " << expected);
    CHECK(std::abs(fraction_p(m, a) - expected) < 0.012);
    CHECK(std::abs(fraction_p(m, b) - expected) < 0.012);
  }
  // The ARM default (Delta ~ 83, tau ~ 1e27 s) keeps its state for 10 years.
  const MtjModel arm{MtjParams{}};
  DeviceState st = arm.create_state(100, 100, 1, 0);
  relax_all(arm, st, 3.15e8);
  CHECK(fraction_p(arm, st) == 0.0);
}

TEST_CASE("noisy reads have the Johnson plus shot noise of the read current", "[devices][mtj]") {
  // Reference: current noise spectral density 4 kT G + 2 q I (Johnson, full shot noise of
  // tunnelling) in the bandwidth B = 1/(2 t_read); sigma_G = sqrt((4kTG + 2qI) B)/V.
  // 2e4 reads of an AP cell; the sample sigma has relative standard error 1/sqrt(2N) = 0.5%,
  // tolerance 3%. The mean is the noise-free read.
  const MtjParams p;
  const MtjModel m(p);
  DeviceState st = m.create_state(1, 1, 4, 0);
  const double v = p.v_read_V, g = m.g_min_S();
  const double kT = constants::boltzmann_J_per_K * 300.0;
  const double expected =
      std::sqrt((4 * kT * g + 2 * constants::elementary_charge_C * g * v) / (2 * p.read_pulse_width_s)) / v;
  const int n = 20000;
  double s = 0, s2 = 0;
  arma::fmat out(1, 1);
  for (int k = 0; k < n; ++k) {
    m.read(st, 0.0, true, static_cast<std::uint64_t>(k), out, st.all_rows());
    s += out(0, 0);
    s2 += double(out(0, 0)) * out(0, 0);
  }
  const double mean = s / n, sd = std::sqrt(s2 / n - mean * mean);
  CHECK(sd == Approx(expected).epsilon(0.03));
  CHECK(mean == Approx(g).epsilon(3 * expected / g / std::sqrt(n)));
}

TEST_CASE("series multi-level cell switches its MTJs smallest first", "[devices][mtj]") {
  // Reference: in series every MTJ carries the write current, and I_c0 scales with the area
  // (I_c0,k = 2^k I_c0), so at I = 2 I_c0 with a 10 ns pulse MTJ 0 is in the precessional
  // regime (P_sw = Butler form, > 0.999), MTJ 1 sits at its own I_c0 (thermal channel at the
  // barrier floor of 5 kT: P = 1 - exp(-t_p/(tau0 e^5)) = 6.5%) and MTJ 2 at half its I_c0
  // (barrier 4 Delta/2 ~ 166 kT: never). Computed by hand from §4.3; 1e4 cells, binomial
  // sigma <= 0.0025, tolerance 0.012.
  MtjParams p;
  p.mtjs_per_cell = 3;
  p.cell_topology = "series";
  const MtjDerived d = mtj_derived(p);
  p.write_current_A = 2.0 * d.i_c0_A;
  const MtjModel m(p);
  DeviceState st = m.create_state(100, 100, 8, 0);
  apply_pulses_all(m, st, PulseCounts(100, 100, arma::fill::value(std::int16_t{1})));
  const double a = std::numbers::pi * std::numbers::pi * d.delta / 4;
  const double p0 = std::exp(-a * std::exp(-2.0 * 1.0 * 10e-9 / d.tau_d_s));
  CHECK(fraction_p(m, st, 0) == Approx(p0).margin(0.002));
  CHECK(fraction_p(m, st, 1) == Approx(1.0 - std::exp(-10e-9 / (1e-9 * std::exp(5.0)))).margin(0.012));
  CHECK(fraction_p(m, st, 2) == 0.0);
  // Every cell reads the nominal level of its configuration.
  arma::fmat g;
  read_all(m, st, 0.0, false, 0, g);
  bool all_match = true;
  for (std::size_t k = 0; k < g.n_elem; ++k) {
    unsigned mask = 0;
    for (int b = 0; b < 3; ++b) mask |= (st.field(m.state_field(b))(k) > 0.5f ? 1u : 0u) << b;
    all_match = all_match && std::abs(g(k) / m.nominal_conductance_S(mask, p.v_read_V) - 1.0) < 1e-5;
  }
  CHECK(all_match);
}

TEST_CASE("program reaches the nearest level of a multi-level cell", "[devices][mtj]") {
  // Reference: the nominal levels (closed form, test_derived.cpp); targets at the 4 levels
  // of a 2-MTJ parallel cell and midway between levels map to the nearest level. With the
  // default write (2.4 I_c0, 10 ns, P_sw > 0.999 per pulse) all cells converge.
  MtjParams p;
  p.mtjs_per_cell = 2;
  p.cell_topology = "parallel";
  const MtjModel m(p);
  std::vector<double> levels;
  for (unsigned mask = 0; mask < 4; ++mask) levels.push_back(m.nominal_conductance_S(mask, p.v_read_V));
  DeviceState st = m.create_state(8, 4, 2, 0);
  arma::fmat target(8, 4);
  for (std::size_t i = 0; i < 8; ++i)
    for (std::size_t j = 0; j < 4; ++j)
      target(i, j) = static_cast<float>(i % 2 ? levels[j] : levels[j] + 0.3 * (levels[1] - levels[0]));
  const ProgramReport rep = program_all(m, st, target);
  CHECK(rep.unconverged == 0);
  CHECK(rep.pulses >= 8 * (0 + 1 + 1 + 2));  // at least one pulse per MTJ to flip
  CHECK(rep.energy_J > 0.0);
  arma::fmat g;
  read_all(m, st, 0.0, false, 0, g);
  for (std::size_t i = 0; i < 8; ++i)
    for (std::size_t j = 0; j < 4; ++j) CHECK(g(i, j) == Approx(levels[j]).epsilon(1e-5));
  // With levels = 2 (nonideal.hpp quantize_to_levels: g_min or g_max) the second level,
  // nearer g_min, is programmed as g_min and the third, nearer g_max, as g_max.
  p.levels = 2;
  const MtjModel binary(p);
  DeviceState sb = binary.create_state(2, 1, 2, 0);
  arma::fmat tb(2, 1);
  tb(0, 0) = static_cast<float>(levels[1]);
  tb(1, 0) = static_cast<float>(levels[2]);
  program_all(binary, sb, tb);
  read_all(binary, sb, 0.0, false, 0, g);
  CHECK(g(0, 0) == Approx(levels[0]).epsilon(1e-5));
  CHECK(g(1, 0) == Approx(levels[3]).epsilon(1e-5));
}

TEST_CASE("stuck cells keep their state and conductance", "[devices][mtj]") {
  // Reference: stuck-on cells are all-P (g_max), stuck-off all-AP (g_min) and do not switch.
  MtjParams p;
  p.stuck_on_fraction = 0.1;
  p.stuck_off_fraction = 0.1;
  const MtjModel m(p);
  DeviceState st = m.create_state(100, 100, 6, 0);
  const arma::fmat fault = st.field(m.fault_field());
  apply_pulses_all(m, st, PulseCounts(100, 100, arma::fill::value(std::int16_t{1})));
  arma::fmat g;
  read_all(m, st, 0.0, false, 0, g);
  std::size_t on = 0, off = 0;
  bool on_ok = true, off_ok = true;
  for (std::size_t k = 0; k < g.n_elem; ++k) {
    if (fault(k) == 1.0f) {
      ++on;
      on_ok = on_ok && std::abs(g(k) / m.g_max_S() - 1.0) < 1e-6;
    }
    if (fault(k) == 2.0f) {
      ++off;
      off_ok = off_ok && std::abs(g(k) / m.g_min_S() - 1.0) < 1e-6;
    }
  }
  CHECK(on_ok);
  CHECK(off_ok);
  // Binomial(1e4, 0.1): sigma = 30.
  CHECK(std::abs(double(on) - 1000) < 150);
  CHECK(std::abs(double(off) - 1000) < 150);
  // Programming every cell to g_max leaves exactly the stuck-off cells unconverged.
  const ProgramReport rep = program_all(m, st, arma::fmat(100, 100, arma::fill::value(float(m.g_max_S()))));
  CHECK(rep.unconverged == off);
}

TEST_CASE("endurance closes the TMR window with cycles", "[devices][mtj]") {
  // Reference: endurance_window_factor (nonideal.hpp): after endurance_cycles the window
  // has lost endurance_window_loss, so TMR_eff = TMR0 (1 - loss) and G_AP rises. 20 SET/RESET
  // pulses with the default write = 10 cycles (switch_events = 20).
  MtjParams p;
  p.endurance_cycles = 10;
  p.endurance_window_loss = 0.5;
  const MtjModel m(p);
  DeviceState st = m.create_state(4, 4, 1, 0);
  for (int k = 0; k < 10; ++k) {
    apply_pulses_all(m, st, PulseCounts(4, 4, arma::fill::value(std::int16_t{1})));
    apply_pulses_all(m, st, PulseCounts(4, 4, arma::fill::value(std::int16_t{-1})));
  }
  CHECK(arma::accu(st.field(m.events_field())) == Approx(16 * 20).margin(2));
  arma::fmat g;
  read_all(m, st, 0.0, false, 0, g);
  const double v = p.v_read_V, tmr_eff = 0.5 * m.derived().tmr0 / (1 + v * v / 0.25);
  CHECK(g(0, 0) == Approx(1.0 / (6e3 * (1 + tmr_eff))).epsilon(1e-5));
}

TEST_CASE("pulses, reads, relax and read disturb are identical for 1 and 2 threads", "[devices][mtj]") {
  // Reference: all draws are keyed by (seed, purpose, tile, column, step, row); the row
  // blocks of the parallel helpers must not change any number. 300 rows span two
  // kDefaultRowBlock (256-row) blocks, so with two threads the helpers run blocks
  // concurrently; a third run calls the model directly on other, uneven row ranges.
  MtjParams p = uta_params();
  p.mtjs_per_cell = 2;
  p.sigma_delta_rel = 0.1;
  p.sigma_r_p_rel = 0.05;
  p.write_current_A = 1.05 * mtj_derived(p).i_c0_A;  // stochastic writes
  const MtjModel m(p);
  auto run = [&](std::size_t threads, bool direct) {
    ThreadLimit limit(threads);
    DeviceState st = m.create_state(300, 9, 5, 3);
    arma::Mat<std::int16_t> counts(300, 9);
    for (std::size_t k = 0; k < counts.n_elem; ++k) counts(k) = static_cast<std::int16_t>(int(k % 5) - 2);
    arma::fmat g;
    if (!direct) {
      for (int step = 0; step < 4; ++step) apply_pulses_all(m, st, counts);
      relax_all(m, st, 0.3);
      read_disturb(m, st, 0.4, 1000, 0, st.all_rows());
      read_all(m, st, 0.0, true, 7, g);
    } else {
      const RowRange parts[] = {{0, 101}, {101, 300}};
      for (int step = 0; step < 4; ++step) {
        for (const RowRange& r : parts) m.apply_pulses(st, counts, st.pulse_step, r);
        ++st.pulse_step;  // as apply_pulses_all
      }
      for (const RowRange& r : parts) m.relax(st, st.time_s, 0.3, r);
      st.time_s = 0.3;  // as relax_all
      for (const RowRange& r : parts) read_disturb(m, st, 0.4, 1000, 0, r);
      g.set_size(300, 9);
      for (const RowRange& r : parts) m.read(st, 0.0, true, 7, g, r);
    }
    return std::make_pair(st, g);
  };
  const auto [s1, g1] = run(1, false);
  const auto [s2, g2] = run(2, false);
  const auto [s3, g3] = run(1, true);
  for (std::size_t f = 0; f < s1.layout().size(); ++f) {
    CHECK(arma::approx_equal(s1.field(f), s2.field(f), "absdiff", 0.0));
    CHECK(arma::approx_equal(s1.field(f), s3.field(f), "absdiff", 0.0));
  }
  CHECK(arma::approx_equal(g1, g2, "absdiff", 0.0));
  CHECK(arma::approx_equal(g1, g3, "absdiff", 0.0));
  // The writes were stochastic, so the check above is not trivially about untouched cells.
  const double frac = fraction_p(m, s1, 0);
  CHECK(frac > 0.05);
  CHECK(frac < 0.95);
}

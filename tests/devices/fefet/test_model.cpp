// Model plumbing of the FeFET Preisach family: determinism across threads and row blocks,
// retention (relax), stuck-at faults, endurance, read noise and the parameter table.
#include <catch2/catch.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/registry.hpp>

#include "fefet_test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::fefet_test;

namespace {
FefetPreisachParams noisy_params() {
  FefetPreisachParams p;
  p.domains = 48;
  p.vc_d2d_sigma_V = 0.2;
  p.c2c_sigma_rel = 0.005;
  p.read_noise_rel = 0.01;
  p.stuck_on_fraction = 0.05;
  return p;
}

// A fixed sequence of mixed-sign pulse counts (up to +-3 pulses per cell and call).
PulseCounts counts_for(std::size_t rows, std::size_t cols, int step) {
  PulseCounts c(rows, cols);
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i < rows; ++i)
      c(i, j) = static_cast<std::int16_t>(static_cast<int>((i * 7 + j * 3 + step * 5) % 7) - 3);
  return c;
}

DeviceState run_tile(const FefetPreisachModel& m, std::size_t threads) {
  ThreadLimit limit(threads);
  // 300 rows span two kDefaultRowBlock (256-row) blocks, so threads really split the tile.
  DeviceState s = m.create_state(300, 5, 123, 9);
  for (int k = 0; k < 12; ++k) apply_pulses_all(m, s, counts_for(300, 5, k));
  return s;
}

bool states_equal(const DeviceState& a, const DeviceState& b) {
  for (std::size_t f = 0; f < a.layout().size(); ++f)
    if (!arma::approx_equal(a.field(f), b.field(f), "absdiff", 0.0f)) return false;
  return true;
}
}  // namespace

TEST_CASE("results are bit-identical for 1, 2 and 7 threads", "[devices][fefet]") {
  // Reference: ARCHITECTURE.md determinism rule (counter-based RNG keyed by coordinates).
  const FefetPreisachModel m(noisy_params());
  const DeviceState one = run_tile(m, 1), two = run_tile(m, 2), seven = run_tile(m, 7);
  CHECK(states_equal(one, two));
  CHECK(states_equal(one, seven));
  arma::fmat g1, g2;
  {
    ThreadLimit limit(1);
    read_all(m, one, 0.0, true, 3, g1);
  }
  {
    ThreadLimit limit(2);
    read_all(m, two, 0.0, true, 3, g2);
  }
  CHECK(arma::approx_equal(g1, g2, "absdiff", 0.0f));
  // Control: another seed gives another state, so the comparison is not vacuous.
  DeviceState other = m.create_state(300, 5, 124, 9);
  CHECK(!states_equal(one, other));
}

TEST_CASE("any split into row blocks gives the same state", "[devices][fefet]") {
  // Reference: device_model.hpp contract (random numbers indexed by row, not by block).
  const FefetPreisachModel m(noisy_params());
  DeviceState whole = m.create_state(29, 3, 5, 1), split = m.create_state(29, 3, 5, 1);
  for (int k = 0; k < 6; ++k) {
    const PulseCounts c = counts_for(29, 3, k);
    m.apply_pulses(whole, c, static_cast<std::uint64_t>(k), whole.all_rows());
    for (std::size_t b = 0; b < 29; b += 4)
      m.apply_pulses(split, c, static_cast<std::uint64_t>(k), {b, std::min<std::size_t>(29, b + 4)});
  }
  CHECK(states_equal(whole, split));
}

TEST_CASE("retention loss follows the Merz law under the depolarising voltage", "[devices][fefet]") {
  // Reference: domains back-switch when the depolarising voltage reaches their reverse
  // coercive voltage within the elapsed time (Merz law, solved numerically). For a
  // saturated-up cell the lost fraction is P(|Vc-| <= Vc*) P(Vc+ > Vc*) (independent pairing).
  FefetPreisachParams p;
  p.depolarization_V = 1.2;
  const FefetPreisachModel m(p);
  DeviceState s = m.create_state(32, 4, 8, 0);
  m.apply_voltage_pulse(s, 12.0, 1e-6, 0, s.all_rows());
  arma::fmat f(32, 4);
  double previous = 1.0;
  for (double t : {1.0, 1e3, 1e6, 3e8}) {
    relax_all(m, s, t);
    m.switched_fraction(s, f, s.all_rows());
    const double vc = merz_critical_vc_V(p, p.depolarization_V, t);
    const double lost = normal_cdf((vc + p.vc_down_mean_V) / p.vc_down_sigma_V) *
                        (1.0 - normal_cdf((vc - p.vc_up_mean_V) / p.vc_up_sigma_V));
    INFO("t = " << t << " s, expected loss " << lost);
    CHECK(std::abs((1.0 - mean_of(f)) - lost) < 2.0 / p.domains);
    CHECK(mean_of(f) <= previous);  // retention loss only grows with time
    previous = mean_of(f);
  }
  CHECK(previous < 0.97);  // the check above really saw a loss
  // Default: no depolarisation, relax leaves the state untouched.
  const FefetPreisachModel keep(FefetPreisachParams{});
  DeviceState k = keep.create_state(8, 2, 8, 0);
  keep.apply_voltage_pulse(k, 3.7, 75e-9, 0, k.all_rows());
  const arma::fmat before = k.field(FefetPreisachModel::kUpDomains);
  relax_all(keep, k, 3e8);
  CHECK(arma::approx_equal(before, k.field(FefetPreisachModel::kUpDomains), "absdiff", 0.0f));
}

TEST_CASE("stuck cells read their stuck conductance whatever the pulses", "[devices][fefet]") {
  // Reference: nonideal.hpp fault fractions; with 40x25 cells the stuck-on count is
  // Binomial(1000, 0.2), standard deviation 12.6; bound 5 sigma.
  FefetPreisachParams p;
  p.stuck_on_fraction = 0.2;
  p.stuck_off_fraction = 0.1;
  const FefetPreisachModel m(p);
  DeviceState s = m.create_state(40, 25, 2, 0);
  apply_pulses_all(m, s, PulseCounts(40, 25, arma::fill::value(std::int16_t{10})));
  arma::fmat g;
  read_all(m, s, 0.0, false, 0, g);
  const arma::fmat& fault = s.field(FefetPreisachModel::kFault);
  std::size_t on = 0;
  for (std::size_t i = 0; i < g.n_elem; ++i) {
    if (fault(i) == 1.0f) {
      ++on;
      CHECK(g(i) == Approx(p.g_max_S));
    }
    if (fault(i) == 2.0f) CHECK(g(i) == Approx(p.g_min_S));
  }
  CHECK(std::abs(static_cast<double>(on) - 200.0) < 5 * 12.6);
}

TEST_CASE("endurance closes the window after the rated cycles", "[devices][fefet]") {
  // Reference: endurance_window_factor (nonideal.hpp): after endurance_cycles full cycles
  // the window has lost endurance_window_loss; fatigue shrinks the switched contrast about
  // s = 1/2, so a saturated-up read gives G_min + (1/2 + (1/2)(1 - loss)) (G_max - G_min).
  FefetPreisachParams p;
  p.domains = 16;
  p.endurance_cycles = 50;
  p.endurance_window_loss = 0.4;
  const FefetPreisachModel m(p);
  DeviceState s = m.create_state(2, 2, 1, 0);
  for (int c = 0; c < 50; ++c) {
    m.apply_voltage_pulse(s, 12.0, 1e-6, 2 * c, s.all_rows());
    m.apply_voltage_pulse(s, -12.0, 1e-6, 2 * c + 1, s.all_rows());
  }
  CHECK(s.field(FefetPreisachModel::kCycles)(0, 0) == Approx(50.0));
  m.apply_voltage_pulse(s, 12.0, 1e-6, 100, s.all_rows());
  arma::fmat g;
  read_all(m, s, 0.0, false, 0, g);
  const double f = 1.0 - 0.4 * std::log10(50.5) / std::log10(50.0);  // 50.5 cycles counted
  CHECK(g(0, 0) == Approx(p.g_min_S + (0.5 + 0.5 * f) * (p.g_max_S - p.g_min_S)).epsilon(1e-5));
}

TEST_CASE("the cycle count stays exact when single flips are below float resolution", "[devices][fefet]") {
  // Reference: independent bookkeeping in double of sum |delta up_domains| / (2 N). At
  // 3e5 cycles a float's ulp is 1/32 while one flip of 1024 domains is 1/2048 cycle, so a
  // plain float sum would not move at all.
  FefetPreisachParams p;
  p.domains = 1024;
  const FefetPreisachModel m(p);
  DeviceState s = m.create_state(1, 1, 6, 0);
  s.field(FefetPreisachModel::kCycles)(0, 0) = 3e5f;
  double flips = 0.0;
  for (int k = 0; k < 400; ++k) {
    const float before = s.field(FefetPreisachModel::kUpDomains)(0, 0);
    m.apply_voltage_pulse(s, k % 2 == 0 ? 2.9 : -2.3, p.t_ref_s, static_cast<std::uint64_t>(k), s.all_rows());
    flips += std::abs(s.field(FefetPreisachModel::kUpDomains)(0, 0) - before);
  }
  REQUIRE(flips > 1000.0);  // about half a cycle in steps of a few flips (< 1/64 cycle each)
  const double expect = 3e5 + flips / 2048.0;
  CHECK(std::abs(s.field(FefetPreisachModel::kCycles)(0, 0) - expect) <= 1.0 / 32);
  CHECK(s.field(FefetPreisachModel::kCycles)(0, 0) > 3e5f);
}

TEST_CASE("noisy reads scatter with the configured relative sigma", "[devices][fefet]") {
  // Reference: G (1 + sigma z), z ~ N(0, 1): over 4000 reads the sample sd of G/G0 - 1 is
  // sigma within ~5% (s.e. of an sd is sigma / sqrt(2 n) = 1.1%).
  FefetPreisachParams p;
  p.read_noise_rel = 0.03;
  const FefetPreisachModel m(p);
  DeviceState s = m.create_state(40, 1, 4, 0);
  arma::fmat g0, g;
  read_all(m, s, 0.0, false, 0, g0);
  double s1 = 0, s2 = 0;
  const int reads = 100;
  for (int r = 0; r < reads; ++r) {
    read_all(m, s, 0.0, true, static_cast<std::uint64_t>(r), g);
    for (std::size_t i = 0; i < 40; ++i) {
      const double e = g(i, 0) / g0(i, 0) - 1.0;
      s1 += e;
      s2 += e * e;
    }
  }
  const double n = 40.0 * reads, mean = s1 / n, sd = std::sqrt(s2 / n - mean * mean);
  CHECK(sd == Approx(0.03).epsilon(0.05));
  CHECK(std::abs(mean) < 4 * 0.03 / std::sqrt(n));
}

TEST_CASE("the parameter table documents every field and checks relations", "[devices][fefet]") {
  // Reference: helper brief (every default has unit, range, description and source).
  const auto& t = FefetPreisachParams::table();
  for (const auto& e : t.entries()) {
    INFO(e.name);
    CHECK(!e.description.empty());
    CHECK(!e.source.empty());
  }
  CHECK_THROWS_AS(t.make({{"g_min_S", 2e-6}}), ConfigError);
  CHECK_THROWS_AS(t.make({{"no_such_key", 1.0}}), ConfigError);
  CHECK_THROWS_AS(t.make({{"vc_down_mean_V", 1.0}}), ConfigError);
  CHECK_THROWS_AS(t.make({{"merz_t_inf_s", 1e-6}}), ConfigError);
  const DeviceFamily& f = fefet_preisach_family();
  CHECK(f.model() == "fefet-preisach");
  CHECK(f.family() == "fefet");
  CHECK(f.default_pulses({}) == 32);
  CHECK(f.default_read_voltage_V({}) == 0.5);
  CurveRequest r;
  r.protocol = "iv";
  CHECK_THROWS_AS(characterise(f, {}, r), ConfigError);
  const FefetPreisachModel m(FefetPreisachParams{});
  CHECK(m.layout().size() == 6 + 2 * 128u);
  CHECK(m.clone()->name() == "fefet-preisach");
}

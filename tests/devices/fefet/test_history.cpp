// History dependence of the Preisach ensemble: return-point memory and wipe-out under
// update pulse trains, and the polarization-loop protocol (saturated and minor P-V loops).
#include <catch2/catch.hpp>
#include <xbarsim/devices/registry.hpp>

#include "fefet_test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::fefet_test;

namespace {
// Applies signed pulse trains (one call per train) to every cell and returns up_domains.
arma::fmat after_trains(const FefetPreisachModel& m, std::initializer_list<int> trains) {
  DeviceState s = m.create_state(12, 3, 77, 0);
  for (int n : trains) apply_pulses_all(m, s, PulseCounts(12, 3, arma::fill::value(static_cast<std::int16_t>(n))));
  return s.field(FefetPreisachModel::kUpDomains);
}

bool same(const arma::fmat& a, const arma::fmat& b) { return arma::approx_equal(a, b, "absdiff", 0.0f); }
}  // namespace

TEST_CASE("returning to a previous extremum restores the previous state (wipe-out)", "[devices][fefet]") {
  // Reference: Preisach return-point memory and wipe-out (Mayergoyz; reproduced by the FeFET
  // model of Jerry et al. IEDM 2017, device_physics.md 6.1): a minor excursion is erased when
  // the input returns to the extremum it started from, and a larger extremum erases every
  // smaller one before it.
  for (std::string scheme : {"progressive-amplitude", "identical"}) {
    FefetPreisachParams p;
    p.pulse_scheme = scheme;
    p.vc_d2d_sigma_V = 0.15;
    const FefetPreisachModel m(p);
    INFO(scheme);
    // Up-run of 20 pulses, a 6-pulse depression excursion, the same 20-pulse up-run again.
    CHECK(same(after_trains(m, {20, -6, 20}), after_trains(m, {20})));
    // Nested: back to the depression extremum of 10 pulses after a +5 excursion.
    CHECK(same(after_trains(m, {20, -10, 5, -10}), after_trains(m, {20, -10})));
    // A deeper depression (15) wipes out both the -10 extremum and the +5 excursion.
    CHECK(same(after_trains(m, {20, -10, 5, -15}), after_trains(m, {20, -15})));
    // Control: the excursion itself did change the state (the checks above are not trivial).
    CHECK(!same(after_trains(m, {20, -6}), after_trains(m, {20})));
    CHECK(!same(after_trains(m, {20, -10, 5}), after_trains(m, {20, -10})));
  }
}

TEST_CASE("the polarization loop saturates and its minor loop closes and rejoins the major loop", "[devices][fefet]") {
  // References: saturation at +-Pr with Pr = 20 uC/cm^2 (NeuroSim, device_physics.md 6.1);
  // Preisach return-point memory: the minor loop -Vm -> +Vm -> -Vm closes on its starting
  // point, and continuing to -Vmax rejoins the saturated branch (wipe-out).
  CurveRequest r;
  r.protocol = "polarization-loop";
  r.devices = 6;
  r.seed = 5;
  const Curve c = characterise(fefet_preisach_family(), {}, r);
  const auto& v = c.find("voltage_V")->values;
  const auto& seg = c.find("segment")->values;
  const auto& pol = c.find("polarization")->values;
  const std::size_t t = v.size();
  REQUIRE(c.find("polarization")->shape == std::vector<std::size_t>{6, t});
  REQUIRE(c.find("polarization")->units == "C/m^2");
  auto last_of = [&](int s) {
    std::size_t k = 0;
    for (std::size_t i = 0; i < t; ++i)
      if (seg[i] == s) k = i;
    return k;
  };
  const double pr = 0.2;
  for (std::size_t d = 0; d < 6; ++d) {
    const double* p = pol.data() + d * t;
    CHECK(p[0] == Approx(-pr));                             // fresh: all down
    CHECK(p[last_of(0)] == Approx(pr).margin(0.02 * pr));   // +Vmax saturates up
    CHECK(p[last_of(1)] == Approx(-pr).margin(0.02 * pr));  // -Vmax saturates down
    CHECK(p[last_of(5)] == p[last_of(3)]);                  // minor loop closes exactly
    CHECK(p[last_of(6)] == p[last_of(1)]);                  // back on the saturated branch
    CHECK(p[last_of(4)] > p[last_of(3)] + 0.1 * pr);        // the minor loop is open...
    CHECK(p[last_of(4)] < 0.9 * pr);                        // ...and partial
  }
  CHECK(c.attributes.at("coercive_voltage_up_V") != c.attributes.at("coercive_voltage_down_V"));
}

TEST_CASE("the loop's coercive voltage follows the VDST rescaling of the sweep dwell time", "[devices][fefet]") {
  // Reference: with static Preisach switching (accumulate = false), P crosses 0 on the
  // ascending branch when half the domains have switched, i.e. when the Merz critical
  // coercive voltage of a dwell-time pulse reaches the median mu+ (solved numerically);
  // tolerance: one sweep step plus one stratum of the ensemble.
  ParamValues values{{"accumulate", false}, {"loop_step_time_s", 1e-5}};
  CurveRequest r;
  r.protocol = "polarization-loop";
  r.devices = 4;
  const Curve c = characterise(fefet_preisach_family(), values, r);
  const FefetPreisachParams p = FefetPreisachParams::table().make(values);
  // Find V with merz_critical_vc(V, dwell) = mu by bisection.
  auto coercive = [&](double mu) {
    double lo = 0.1, hi = 20.0;
    for (int it = 0; it < 100; ++it) {
      const double mid = 0.5 * (lo + hi);
      (merz_critical_vc_V(p, mid, p.loop_step_time_s) < mu ? lo : hi) = mid;
    }
    return lo;
  };
  const double up = std::get<double>(c.attributes.at("coercive_voltage_up_V"));
  const double down = std::get<double>(c.attributes.at("coercive_voltage_down_V"));
  CHECK(std::abs(up - coercive(p.vc_up_mean_V)) < p.loop_step_V + 0.02);
  CHECK(std::abs(down + coercive(-p.vc_down_mean_V)) < p.loop_step_V + 0.02);
  CHECK(up < p.vc_up_mean_V);  // a 10 us dwell is longer than t_ref = 75 ns: lower coercive voltage
}

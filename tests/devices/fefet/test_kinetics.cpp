// Switching kinetics of the FeFET Preisach model: the static Preisach fraction, pulse
// amplitude and width dependence (Merz law / VDST), accumulation of identical pulses
// (NLS cumulative nucleation time) and temperature.
#include <catch2/catch.hpp>
#include <xbarsim/devices/fefet_preisach.hpp>

#include "fefet_test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::fefet_test;

namespace {
arma::fmat fraction_after(const FefetPreisachModel& m, DeviceState& s, double v, double t, int pulses = 1) {
  for (int k = 0; k < pulses; ++k) m.apply_voltage_pulse(s, v, t, static_cast<std::uint64_t>(k), s.all_rows());
  arma::fmat f(s.rows(), s.cols());
  m.switched_fraction(s, f, s.all_rows());
  return f;
}
}  // namespace

TEST_CASE("one pulse at the reference width switches the normal-CDF fraction of domains", "[devices][fefet]") {
  // Reference: Preisach model with Gaussian coercive voltages (device_physics.md 6.1): a
  // fresh (all-down) cell hit by V_eff switches every domain with Vc+ <= V_eff, so
  // s = Phi((V - mu)/sigma) at t = t_ref (h = 1). Stratified sampling puts one domain in
  // each 1/N quantile stratum, so every single cell obeys |s - Phi| < 1/N.
  FefetPreisachParams p;
  const FefetPreisachModel m(p);
  const double n = p.domains;
  for (double v : {2.6, 3.2, 3.75, 4.1, 4.8}) {
    DeviceState s = m.create_state(8, 4, 11, 0);
    const arma::fmat f = fraction_after(m, s, v, p.t_ref_s);
    const double expect = normal_cdf((v - p.vc_up_mean_V) / p.vc_up_sigma_V);
    INFO("V = " << v << ", Phi = " << expect);
    CHECK(std::abs(f.min() - expect) < 1.0 / n);
    CHECK(std::abs(f.max() - expect) < 1.0 / n);
  }
  // Depression of a saturated cell: the fraction still up is 1 - Phi((|V| - |mu-|)/sigma-).
  DeviceState s = m.create_state(8, 4, 12, 0);
  fraction_after(m, s, 10.0, 1e-6);  // saturate up
  const arma::fmat f = fraction_after(m, s, -2.9, p.t_ref_s);
  const double expect = 1.0 - normal_cdf((2.9 + p.vc_down_mean_V) / p.vc_down_sigma_V);
  CHECK(std::abs(f.min() - expect) < 1.0 / n);
  CHECK(std::abs(f.max() - expect) < 1.0 / n);
}

TEST_CASE("random domain sampling matches the normal CDF within its binomial error", "[devices][fefet]") {
  // Reference: with independent Gaussian draws, the up-count of a cell is Binomial(N, Phi);
  // the mean over C cells has standard error sqrt(Phi (1 - Phi) / (N C)); bound 4.5 s.e.
  FefetPreisachParams p;
  p.domain_sampling = "random";
  p.domains = 64;
  const FefetPreisachModel m(p);
  DeviceState s = m.create_state(64, 8, 21, 3);
  const double v = 3.5;
  const double phi = normal_cdf((v - p.vc_up_mean_V) / p.vc_up_sigma_V);
  const double se = std::sqrt(phi * (1 - phi) / (64.0 * 64 * 8));
  CHECK(std::abs(mean_of(fraction_after(m, s, v, p.t_ref_s)) - phi) < 4.5 * se);
}

TEST_CASE("longer pulses at the same amplitude switch more, as the Merz law predicts", "[devices][fefet]") {
  // Reference: Merz law t_sw = t_inf exp((Va/|V|)^alpha) per domain (device_physics.md 6.2),
  // solved numerically for the largest coercive voltage that switches within t; the
  // switched fraction of a fresh cell is Phi((Vc* - mu)/sigma) (stratified: within 1/N).
  FefetPreisachParams p;
  const FefetPreisachModel m(p);
  const double v = 3.4;
  double previous = -1.0;
  for (double t : {5e-9, 20e-9, 75e-9, 1e-6, 1e-4}) {
    DeviceState s = m.create_state(4, 4, 31, 0);
    const arma::fmat f = fraction_after(m, s, v, t);
    const double expect = normal_cdf((merz_critical_vc_V(p, v, t) - p.vc_up_mean_V) / p.vc_up_sigma_V);
    INFO("t = " << t << " s, Merz fraction = " << expect);
    CHECK(std::abs(f.min() - expect) < 1.0 / p.domains);
    CHECK(std::abs(f.max() - expect) < 1.0 / p.domains);
    CHECK(mean_of(f) > previous + 0.02);  // strictly more switching for every longer pulse
    previous = mean_of(f);
  }
  // A pulse shorter than t_inf nucleates nothing (Merz: t_sw > t_inf for every finite field).
  DeviceState s = m.create_state(4, 4, 31, 0);
  CHECK(fraction_after(m, s, 20.0, 0.5 * p.merz_t_inf_s).max() == 0.0f);
}

TEST_CASE("n identical pulses act as one pulse of n times the width (cumulative nucleation)", "[devices][fefet]") {
  // Reference: in the nucleation-limited picture the nucleation time of a domain under a
  // constant field adds up over pulses, so n pulses of width t switch exactly the domains
  // with t_sw(V) <= n t (Merz criterion solved numerically for the n t total).
  FefetPreisachParams p;
  const FefetPreisachModel m(p);
  const double v = 3.3, t = 75e-9;
  for (int n : {2, 5, 20}) {
    DeviceState a = m.create_state(6, 5, 41, 0), b = m.create_state(6, 5, 41, 0);
    const arma::fmat fa = fraction_after(m, a, v, t, n);
    const arma::fmat fb = fraction_after(m, b, v, n * t, 1);
    CHECK(arma::abs(fa - fb).max() <= 1.0f / p.domains);  // equal up to a domain exactly at the boundary
    const double expect = normal_cdf((merz_critical_vc_V(p, v, n * t) - p.vc_up_mean_V) / p.vc_up_sigma_V);
    CHECK(std::abs(mean_of(fa) - expect) < 1.0 / p.domains);
  }
}

TEST_CASE("without accumulation a repeated identical pulse switches nothing new (static VDST)", "[devices][fefet]") {
  // Reference: Jerry et al. IEDM 2017 / Chow VDST model: a static Preisach model evaluated at
  // V_eff = V h(t) is idempotent for identical pulses. With accumulation on, the same train
  // keeps switching (the control case, so the check cannot pass trivially).
  FefetPreisachParams p;
  p.accumulate = false;
  const FefetPreisachModel stat(p);
  DeviceState a = stat.create_state(4, 4, 51, 0), b = stat.create_state(4, 4, 51, 0);
  CHECK(arma::approx_equal(fraction_after(stat, a, 3.5, 75e-9, 1), fraction_after(stat, b, 3.5, 75e-9, 10), "absdiff",
                           0.0f));
  p.accumulate = true;
  const FefetPreisachModel acc(p);
  DeviceState c = acc.create_state(4, 4, 51, 0), d = acc.create_state(4, 4, 51, 0);
  CHECK(mean_of(fraction_after(acc, d, 3.5, 75e-9, 10)) > mean_of(fraction_after(acc, c, 3.5, 75e-9, 1)) + 0.05);
}

TEST_CASE("higher temperature lowers the coercive voltages (thermally activated nucleation)", "[devices][fefet]") {
  // Reference: nucleation barrier over kT, ln(t_sw/t_inf) = (Va/V)^alpha T_ref/T
  // (device_physics.md 6.2 [U]); solved numerically at T = 400 K for a 75 ns pulse.
  FefetPreisachParams p;
  p.temperature_K = 400.0;
  const FefetPreisachModel hot(p);
  DeviceState s = hot.create_state(4, 4, 61, 0);
  const double v = 3.3;
  const arma::fmat f = fraction_after(hot, s, v, p.t_ref_s);
  const double expect = normal_cdf((merz_critical_vc_V(p, v, p.t_ref_s) - p.vc_up_mean_V) / p.vc_up_sigma_V);
  CHECK(std::abs(mean_of(f) - expect) < 1.0 / p.domains);
  CHECK(expect > normal_cdf((v - p.vc_up_mean_V) / p.vc_up_sigma_V) + 0.1);  // more than at 300 K
}

#pragma once
// Independent references for the FeFET Preisach tests: the normal CDF and the Merz-law
// switching criterion solved numerically (not through the model's closed form).
#include <cmath>
#include <xbarsim/devices/fefet_preisach.hpp>

namespace xbarsim::fefet_test {

/// Standard normal CDF Phi(x) = erfc(-x / sqrt 2) / 2.
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// Merz law with thermally activated nucleation, device_physics.md 6.2: a domain whose
/// coercive voltage at width t_ref is vc has activation voltage Va = vc ln(t_ref/t_inf)^(1/alpha)
/// and switches under |V| after t_sw = t_inf exp((Va/|V|)^alpha T_ref/T).
inline double merz_switching_time_s(const FefetPreisachParams& p, double vc_V, double v_V) {
  const double va = vc_V * std::pow(std::log(p.t_ref_s / p.merz_t_inf_s), 1.0 / p.merz_alpha);
  return p.merz_t_inf_s * std::exp(std::pow(va / std::abs(v_V), p.merz_alpha) * 300.0 / p.temperature_K);
}

/// Largest coercive voltage (at t_ref) that a pulse (v, t) switches: bisection on
/// t_sw(vc) = t, since t_sw grows with vc.
inline double merz_critical_vc_V(const FefetPreisachParams& p, double v_V, double t_s) {
  double lo = 0.0, hi = 100.0;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (merz_switching_time_s(p, mid, v_V) <= t_s ? lo : hi) = mid;
  }
  return lo;
}

/// Mean of column 0 of a devices x 1 matrix.
inline double mean_of(const arma::fmat& m) {
  double s = 0.0;
  for (std::size_t i = 0; i < m.n_elem; ++i) s += m(i);
  return s / static_cast<double>(m.n_elem);
}

}  // namespace xbarsim::fefet_test

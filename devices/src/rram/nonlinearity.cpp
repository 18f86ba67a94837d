// NeuroSim weight-update nonlinearity: the normalised curve, its inverse, and the
// relation between the nonlinearity label NL and A_norm, solved numerically instead of
// copying NeuroSim's table.
#include <algorithm>
#include <array>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/rram_pulse.hpp>

namespace xbarsim {

double neurosim_curve(double x, double a) {
  // (1 - exp(-a x))/(1 - exp(-a)); the linear limit for |a| -> 0.
  if (std::abs(a) < 1e-9) return x;
  return std::expm1(-a * x) / std::expm1(-a);
}

double neurosim_position(double gn, double a) {
  gn = std::clamp(gn, 0.0, 1.0);
  if (std::abs(a) < 1e-9) return gn;
  // gn = expm1(-a x)/expm1(-a)  ->  x = -log1p(gn expm1(-a))/a
  return std::clamp(-std::log1p(gn * std::expm1(-a)) / a, 0.0, 1.0);
}

double neurosim_max_deviation(double a) {
  a = std::abs(a);               // the convex curve (a < 0) is the point mirror of the concave one
  if (a < 1e-3) return a / 8.0;  // series: a/8 + O(a^3)
  // G'(x*) = 1 at x* = -ln((1 - e^-a)/a)/a; G(x*) = (1 - (1 - e^-a)/a)/(1 - e^-a).
  const double one_minus = -std::expm1(-a);
  const double xs = -std::log(one_minus / a) / a;
  const double gs = (1.0 - one_minus / a) / one_minus;
  return gs - xs;
}

double nl_from_inv_a(double a) {
  const double d = kNlPerMaxDeviation * neurosim_max_deviation(a);
  return a < 0.0 ? -d : d;
}

double inv_a_from_nl(double nl) {
  if (nl == 0.0) return 0.0;
  const double target = std::abs(nl);
  if (!(target < kNlPerMaxDeviation))
    throw ConfigError("nl", "nonlinearity label must satisfy |NL| < " + format_value(kNlPerMaxDeviation) + ", got " +
                                format_value(nl));
  // max deviation rises monotonically from 0 (a = 0) to 1 (a -> inf): bisect in ln a.
  double lo = -30.0, hi = 30.0;
  for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (kNlPerMaxDeviation * neurosim_max_deviation(std::exp(mid)) < target)
      lo = mid;
    else
      hi = mid;
  }
  const double a = std::exp(0.5 * (lo + hi));
  return nl < 0.0 ? -a : a;
}

double a_norm_from_nl(double nl) {
  const double a = inv_a_from_nl(nl);
  return a == 0.0 ? INFINITY : 1.0 / a;
}

}  // namespace xbarsim

// Levenberg-Marquardt fit of the NeuroSim pulse model to a pulse-response curve.
#include <algorithm>
#include <armadillo>
#include <array>
#include <cmath>
#include <limits>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/rram_fit.hpp>
#include <xbarsim/devices/rram_pulse.hpp>

namespace xbarsim {
namespace {

// Parameters in fit units: conductances normalised to the data range, pulse counts as
// logarithms (positive), 1/A_norm of each curve free.
struct Theta {
  double gmin, gmax, ln_p_ltp, ln_p_ltd, a_ltp, a_ltd;
};
constexpr std::size_t kAll = 6;

arma::vec to_vec(const Theta& t) { return {t.gmin, t.gmax, t.ln_p_ltp, t.ln_p_ltd, t.a_ltp, t.a_ltd}; }
Theta from_vec(const arma::vec& v) { return {v[0], v[1], v[2], v[3], v[4], v[5]}; }

struct FitProblem {
  std::vector<double> y;         // mean curve, normalised: (G - min)/range
  std::vector<double> polarity;  // per read: +1, -1, 0

  // NeuroSim write rule along the polarity sequence, starting from the first read.
  void simulate(const Theta& t, std::vector<double>& out) const {
    out.resize(y.size());
    const double lo = t.gmin, dg = t.gmax - t.gmin;
    const double p_ltp = std::exp(t.ln_p_ltp), p_ltd = std::exp(t.ln_p_ltd);
    double g = std::clamp(y[0], lo, t.gmax);
    out[0] = g;
    for (std::size_t k = 1; k < y.size(); ++k) {
      if (polarity[k] > 0) {
        const double x = neurosim_position((g - lo) / dg, t.a_ltp) + 1.0 / p_ltp;
        g = lo + dg * neurosim_curve(std::min(x, 1.0), t.a_ltp);
      } else if (polarity[k] < 0) {
        const double x = neurosim_position((g - lo) / dg, t.a_ltd) - 1.0 / p_ltd;
        g = lo + dg * neurosim_curve(std::max(x, 0.0), t.a_ltd);
      }
      out[k] = g;
    }
  }
  arma::vec residual(const Theta& t) const {
    arma::vec r(y.size());
    if (!(t.gmax > t.gmin) || std::abs(t.a_ltp) > 60.0 || std::abs(t.a_ltd) > 60.0) {
      r.fill(1e3);  // outside the admissible region
      return r;
    }
    std::vector<double> s;
    simulate(t, s);
    for (std::size_t k = 0; k < y.size(); ++k) r[k] = s[k] - y[k];
    return r;
  }
};

// Levenberg-Marquardt on the parameters flagged in `free`; returns the final cost.
double levenberg_marquardt(const FitProblem& pb, Theta& theta, const std::array<bool, kAll>& free) {
  arma::vec x = to_vec(theta);
  arma::vec r = pb.residual(theta);
  double cost = arma::dot(r, r);
  double lambda = 1e-3;
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < kAll; ++i)
    if (free[i]) idx.push_back(i);
  const std::size_t m = idx.size();
  for (int it = 0; it < 300; ++it) {
    arma::mat J(r.n_elem, m);
    for (std::size_t c = 0; c < m; ++c) {
      const std::size_t i = idx[c];
      const double h = 1e-6 * std::max(1.0, std::abs(x[i]));
      arma::vec xp = x, xm = x;
      xp[i] += h;
      xm[i] -= h;
      J.col(c) = (pb.residual(from_vec(xp)) - pb.residual(from_vec(xm))) / (2.0 * h);
    }
    const arma::mat A = J.t() * J;
    const arma::vec g = J.t() * r;
    bool improved = false;
    for (int tries = 0; tries < 12 && !improved; ++tries) {
      arma::mat Ad = A;
      for (std::size_t c = 0; c < m; ++c) Ad(c, c) += lambda * std::max(A(c, c), 1e-12);
      arma::vec delta;
      if (!arma::solve(delta, Ad, -g, arma::solve_opts::no_approx)) {
        lambda *= 10.0;
        continue;
      }
      arma::vec xn = x;
      for (std::size_t c = 0; c < m; ++c) xn[idx[c]] += delta[c];
      const arma::vec rn = pb.residual(from_vec(xn));
      const double cn = arma::dot(rn, rn);
      if (cn < cost) {
        const double gain = cost - cn;
        x = xn;
        r = rn;
        cost = cn;
        lambda = std::max(lambda / 3.0, 1e-12);
        improved = true;
        if (gain < 1e-15 * std::max(cost, 1e-30)) it = 1 << 20;  // converged
      } else {
        lambda *= 4.0;
      }
    }
    if (!improved) break;
  }
  theta = from_vec(x);
  return cost;
}

// 1/A_norm whose curve passes through (x, gn): bisection on the monotone family.
double shape_through(double x, double gn) {
  if (!(gn > 0.0 && gn < 1.0) || !(x > 0.0 && x < 1.0)) return 0.0;
  double lo = -50.0, hi = 50.0;  // neurosim_curve(x, a) increases with a
  for (int it = 0; it < 100; ++it) {
    const double mid = 0.5 * (lo + hi);
    (neurosim_curve(x, mid) < gn ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Initial pulse count and shape of one phase from the normalised mean curve: the pulses
// until the phase stops moving (saturation) and the shape through its half-way read.
void phase_guess(const FitProblem& pb, int sign, double& pulses, double& a) {
  std::vector<std::size_t> k_phase;
  for (std::size_t k = 1; k < pb.y.size(); ++k)
    if (pb.polarity[k] * sign > 0) k_phase.push_back(k);
  const std::size_t start = k_phase.front() - 1;
  const double y0 = pb.y[start], y_end = pb.y[k_phase.back()];
  const double span = y_end - y0;
  std::size_t reach = k_phase.size();
  for (std::size_t q = 0; q < k_phase.size(); ++q)
    if (std::abs(pb.y[k_phase[q]] - y_end) <= 0.002 * std::max(std::abs(span), 1e-12)) {
      reach = q + 1;
      break;
    }
  pulses = static_cast<double>(reach);
  const std::size_t half = k_phase[std::min(reach / 2, k_phase.size() - 1)];
  const double x = static_cast<double>(std::min(reach / 2, k_phase.size() - 1) + 1) / pulses;
  const double frac = std::abs(span) > 0 ? (pb.y[half] - y0) / span : 0.5;
  // LTP runs up the curve from its start; LTD runs down from its end, i.e. the curve
  // read backwards: G(1 - x) = 1 - frac.
  a = sign > 0 ? shape_through(x, frac) : shape_through(1.0 - x, 1.0 - frac);
}

}  // namespace

RramPulseFit fit_rram_pulse(const Curve& c) {
  const Dataset* g = c.find("conductance_S");
  const Dataset* pol = c.find("polarity");
  if (!g || !pol) throw ConfigError("pulse_response", "needs datasets \"conductance_S\" and \"polarity\"");
  if (g->shape.size() != 2 || pol->shape.size() != 1 || g->shape[1] != pol->shape[0] ||
      g->values.size() != g->shape[0] * g->shape[1] || pol->values.size() != pol->shape[0])
    throw ConfigError("pulse_response.conductance_S", "expected shape devices x P matching polarity (P)");
  const std::size_t n = g->shape[0], p = g->shape[1];
  if (n == 0 || p < 5) throw ConfigError("pulse_response.conductance_S", "needs at least 1 device and 5 reads");
  bool has_up = false, has_down = false;
  for (std::size_t k = 1; k < p; ++k) {
    has_up |= pol->values[k] > 0;
    has_down |= pol->values[k] < 0;
  }
  if (!has_up || !has_down)
    throw ConfigError("pulse_response.polarity", "needs both potentiation (+1) and depression (-1) pulses");

  std::vector<double> mean(p, 0.0);
  for (std::size_t d = 0; d < n; ++d)
    for (std::size_t k = 0; k < p; ++k) mean[k] += g->values[d * p + k] / static_cast<double>(n);
  for (double v : mean)
    if (!std::isfinite(v)) throw ConfigError("pulse_response.conductance_S", "contains non-finite values");
  const auto [mn, mx] = std::minmax_element(mean.begin(), mean.end());
  const double lo = *mn, range = *mx - *mn;
  if (!(range > 0.0)) throw ConfigError("pulse_response.conductance_S", "the curve does not change");

  FitProblem pb;
  pb.polarity = pol->values;
  pb.y.resize(p);
  for (std::size_t k = 0; k < p; ++k) pb.y[k] = (mean[k] - lo) / range;

  double p_ltp, p_ltd, a_ltp, a_ltd;
  phase_guess(pb, +1, p_ltp, a_ltp);
  phase_guess(pb, -1, p_ltd, a_ltd);
  // A few starts around the data-driven guess guard against the kinks of saturation.
  Theta best{};
  double best_cost = std::numeric_limits<double>::infinity();
  const std::array<bool, kAll> all{true, true, true, true, true, true};
  for (const double da : {0.0, -2.0, 2.0}) {
    Theta t{0.0, 1.0, std::log(p_ltp), std::log(p_ltd), a_ltp + da, a_ltd + da};
    const double cost = levenberg_marquardt(pb, t, all);
    if (cost < best_cost) {
      best_cost = cost;
      best = t;
    }
  }
  // NeuroSim counts whole pulses: round, then refit conductances and shapes.
  const double pl = std::max(1.0, std::round(std::exp(best.ln_p_ltp)));
  const double pd = std::max(1.0, std::round(std::exp(best.ln_p_ltd)));
  best.ln_p_ltp = std::log(pl);
  best.ln_p_ltd = std::log(pd);
  best_cost = levenberg_marquardt(pb, best, {true, true, false, false, true, true});

  RramPulseFit fit;
  fit.devices = n;
  fit.points = p;
  fit.rms_rel = std::sqrt(best_cost / static_cast<double>(p));
  fit.params["g_min_S"] = lo + best.gmin * range;
  fit.params["g_max_S"] = lo + best.gmax * range;
  fit.params["pulses_ltp"] = static_cast<std::int64_t>(pl);
  fit.params["pulses_ltd"] = static_cast<std::int64_t>(pd);
  // Labels outside NeuroSim's table (|NL| > 9) are clamped to its ends.
  fit.params["nl_ltp"] = std::clamp(nl_from_inv_a(best.a_ltp), -9.0, 9.0);
  fit.params["nl_ltd"] = std::clamp(nl_from_inv_a(best.a_ltd), -9.0, 9.0);
  return fit;
}

}  // namespace xbarsim

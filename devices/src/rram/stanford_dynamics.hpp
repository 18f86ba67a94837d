#pragma once
// Block integration of the Stanford-PKU gap (and temperature) equations, private to
// devices/src/rram. The state vector of a block holds the gaps in nm, followed by T/T0
// per cell when the thermal ODE is selected, so tolerances act on O(1) numbers.
#include <algorithm>
#include <cmath>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/odeint_adapter.hpp>
#include <xbarsim/devices/rram_stanford_pku.hpp>

namespace xbarsim::stanford_detail {

inline constexpr double kNm = 1e-9;

/// Device voltage and current at applied voltage v: the SET compliance (positive v only)
/// lowers the device voltage until I = I_c.
inline void device_bias(const StanfordPkuParams& p, double gap_m, double v, double& v_dev, double& i_dev) {
  v_dev = v;
  i_dev = stanford_current_A(p, gap_m, v);
  if (p.i_compliance_A > 0.0 && v > 0.0 && i_dev > p.i_compliance_A) {
    i_dev = p.i_compliance_A;
    v_dev = p.v0_V * std::asinh(p.i_compliance_A / (p.i0_A * std::exp(-gap_m / p.g0_m)));
  }
}

/// Shared evaluation of one cell: gap velocity (nm/s), thermal relaxation target and T.
struct CellEval {
  double dgap_nm_per_s = 0.0;
  double theta_target = 1.0;  // (T0 + |V I| R_th)/T0
  double T_K = 0.0;
};

inline CellEval eval_cell(const StanfordPkuParams& p, bool thermal_ode, double gap_nm, double theta, double v) {
  const double T0 = p.temperature_K;
  const double gmin = p.gap_min_m / kNm, gmax = p.gap_max_m / kNm;
  const double g = std::clamp(gap_nm, gmin, gmax) * kNm;
  double v_dev, i_dev;
  device_bias(p, g, v, v_dev, i_dev);
  CellEval e;
  const double heat = std::abs(v_dev * i_dev) * p.r_th_K_per_W;
  e.theta_target = (T0 + heat) / T0;
  e.T_K = thermal_ode ? theta * T0 : T0 + heat;
  double d = stanford_gap_rate(p, g, v_dev, e.T_K) / kNm;
  if ((gap_nm >= gmax && d > 0.0) || (gap_nm <= gmin && d < 0.0)) d = 0.0;
  e.dgap_nm_per_s = d;
  return e;
}

/// Right-hand side for a block; volt(i, t) is the applied voltage of cell i.
template <class VoltFn>
struct Rhs {
  const StanfordPkuParams* p;
  std::size_t n;
  bool thermal_ode;
  VoltFn volt;
  void operator()(const ode::State& x, ode::State& dxdt, double t) const {
    for (std::size_t i = 0; i < n; ++i) {
      const double theta = thermal_ode ? x[n + i] : 1.0;
      const CellEval e = eval_cell(*p, thermal_ode, x[i], theta, volt(i, t));
      dxdt[i] = e.dgap_nm_per_s;
      if (thermal_ode) dxdt[n + i] = (e.theta_target - theta) / p->tau_th_s;
    }
  }
};

/// Diffusion of the gap noise: g(x) dW with g = delta_g(T) sqrt(t_ref) (nm/sqrt(s)).
template <class VoltFn>
struct Diffusion {
  const StanfordPkuParams* p;
  std::size_t n;
  bool thermal_ode;
  VoltFn volt;
  void operator()(const ode::State& x, const ode::State& dW, ode::State& gdw, double t) const {
    const double scale = p->delta_g0_m_per_s * std::sqrt(p->noise_time_step_s) / kNm;
    for (std::size_t i = 0; i < n; ++i) {
      const double theta = thermal_ode ? x[n + i] : 1.0;
      const CellEval e = eval_cell(*p, thermal_ode, x[i], theta, volt(i, t));
      gdw[i] = scale / (1.0 + std::exp((p->t_crit_K - e.T_K) / p->t_smth_K)) * dW[i];
      if (thermal_ode) gdw[n + i] = 0.0;
    }
  }
};

/// Clamps gaps to the bounds and checks the state is finite.
inline void clamp_gaps(const StanfordPkuParams& p, ode::State& x, std::size_t n) {
  const double gmin = p.gap_min_m / kNm, gmax = p.gap_max_m / kNm;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i])) throw NumericalError("rram-stanford-pku: non-finite state after integration");
  for (std::size_t i = 0; i < n; ++i) x[i] = std::clamp(x[i], gmin, gmax);
}

/// Packs gaps (m) into a state vector with T/T0 = theta0 for the thermal ODE.
inline ode::State pack(const StanfordPkuParams& p, const std::vector<double>& gap_m, double theta0) {
  const bool th = p.thermal_model == "ode";
  ode::State x(gap_m.size() * (th ? 2 : 1), theta0);
  for (std::size_t i = 0; i < gap_m.size(); ++i) x[i] = gap_m[i] / kNm;
  return x;
}

/// Deterministic integration of a block over [t0, t1] (dopri5).
template <class VoltFn>
std::size_t integrate(const StanfordPkuParams& p, ode::State& x, std::size_t n, VoltFn volt, double t0, double t1) {
  if (n == 0 || !(t1 > t0)) return 0;
  const bool th = p.thermal_model == "ode";
  Rhs<VoltFn> rhs{&p, n, th, volt};
  const double abs_tol = p.ode_abs_tol_m / kNm;
  const double dt0 = std::min((t1 - t0) / 16.0, th ? p.tau_th_s : (t1 - t0));
  const std::size_t steps = ode::integrate_adaptive(rhs, x, t0, t1, dt0, abs_tol, p.ode_rel_tol);
  clamp_gaps(p, x, n);
  return steps;
}

/// Stochastic Heun over [t0, t1] in `steps` equal steps; normals(k, z) fills the n
/// standard normal numbers of step k.
template <class VoltFn, class NormalFn>
void integrate_sde(const StanfordPkuParams& p, ode::State& x, std::size_t n, VoltFn volt, double t0, double t1,
                   std::size_t steps, NormalFn normals) {
  if (n == 0 || !(t1 > t0) || steps == 0) return;
  const bool th = p.thermal_model == "ode";
  Rhs<VoltFn> drift{&p, n, th, volt};
  Diffusion<VoltFn> diffusion{&p, n, th, volt};
  ode::StochasticHeun stepper;
  const double dt = (t1 - t0) / static_cast<double>(steps);
  const double sq = std::sqrt(dt);
  ode::State dW(x.size(), 0.0);
  std::vector<float> z(n);
  for (std::size_t k = 0; k < steps; ++k) {
    normals(k, z);
    for (std::size_t i = 0; i < n; ++i) dW[i] = sq * z[i];
    stepper.do_step(drift, diffusion, x, dW, t0 + dt * static_cast<double>(k), dt);
    clamp_gaps(p, x, n);
  }
}

}  // namespace xbarsim::stanford_detail

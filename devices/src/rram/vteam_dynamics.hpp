#pragma once
// Block integration of the VTEAM state equation (private to devices/src/rram). One
// state vector per block of cells; du_i/dt = scale_i * base(t) * f(u_i), where base(t)
// is the common drive (1 for a rectangular pulse whose per-cell rate sits in scale_i,
// the threshold rate of v(t) for the iv sweep).
#include <algorithm>
#include <cmath>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/odeint_adapter.hpp>
#include <xbarsim/devices/rram_vteam.hpp>

namespace xbarsim::vteam_detail {

enum class WindowKind { None, Joglekar, Biolek, Prodromakis, Kvatinsky };

/// x^n for a non-negative integer n (windows use integer exponents 2p).
inline double ipow(double x, int n) {
  double r = 1.0;
  while (n > 0) {
    if (n & 1) r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

/// The window of VteamParams with its parameters in normalised units.
struct Window {
  WindowKind kind = WindowKind::None;
  int two_p = 2;
  int p = 1;
  double j = 1.0;
  double a_on = 0.0, a_off = 1.0, w_c = 0.03;  // Kvatinsky, in units of d

  explicit Window(const VteamParams& prm) {
    const double d = prm.x_off_m - prm.x_on_m;
    p = prm.window_p;
    two_p = 2 * prm.window_p;
    j = prm.prodromakis_j;
    a_on = (prm.kvatinsky_a_on_m - prm.x_on_m) / d;
    a_off = (prm.kvatinsky_a_off_m - prm.x_on_m) / d;
    w_c = prm.kvatinsky_w_c_m / d;
    if (prm.window == "joglekar")
      kind = WindowKind::Joglekar;
    else if (prm.window == "biolek")
      kind = WindowKind::Biolek;
    else if (prm.window == "prodromakis")
      kind = WindowKind::Prodromakis;
    else if (prm.window == "kvatinsky")
      kind = WindowKind::Kvatinsky;
    else
      kind = WindowKind::None;
  }

  // Sheet 2.1 forms with x = u; Biolek's stp(-i) selects the bound being approached.
  template <WindowKind K>
  double eval(double u, bool toward_off) const {
    if constexpr (K == WindowKind::None) {
      return 1.0;
    } else if constexpr (K == WindowKind::Joglekar) {
      return 1.0 - ipow(2.0 * u - 1.0, two_p);
    } else if constexpr (K == WindowKind::Biolek) {
      return toward_off ? 1.0 - ipow(u, two_p) : 1.0 - ipow(1.0 - u, two_p);
    } else if constexpr (K == WindowKind::Prodromakis) {
      return j * (1.0 - ipow((u - 0.5) * (u - 0.5) + 0.75, p));
    } else {
      return toward_off ? std::exp(-std::exp((u - a_off) / w_c)) : std::exp(-std::exp((a_on - u) / w_c));
    }
  }
  double operator()(double u, bool toward_off) const {
    switch (kind) {
      case WindowKind::None:
        return eval<WindowKind::None>(u, toward_off);
      case WindowKind::Joglekar:
        return eval<WindowKind::Joglekar>(u, toward_off);
      case WindowKind::Biolek:
        return eval<WindowKind::Biolek>(u, toward_off);
      case WindowKind::Prodromakis:
        return eval<WindowKind::Prodromakis>(u, toward_off);
      case WindowKind::Kvatinsky:
        return eval<WindowKind::Kvatinsky>(u, toward_off);
    }
    return 1.0;
  }
};

/// Right-hand side for one window kind: the window is evaluated at u clamped to [0, 1],
/// and motion beyond a bound is stopped (the hard bounds of sheet 1).
template <WindowKind K, class BaseFn>
struct Rhs {
  const Window* w;
  const std::vector<double>* scale;
  BaseFn base;
  void operator()(const ode::State& x, ode::State& dxdt, double t) const {
    const double b = base(t);
    const std::size_t n = x.size();
    const double* s = scale->data();
    for (std::size_t i = 0; i < n; ++i) {
      const double r = s[i] * b;
      double d = 0.0;
      if (r != 0.0) {
        const double u = std::clamp(x[i], 0.0, 1.0);
        d = r * w->template eval<K>(u, r > 0.0);
        if ((x[i] >= 1.0 && d > 0.0) || (x[i] <= 0.0 && d < 0.0)) d = 0.0;
      }
      dxdt[i] = d;
    }
  }
};

template <WindowKind K, class BaseFn>
std::size_t integrate_kind(const VteamParams& p, const Window& w, std::vector<double>& u,
                           const std::vector<double>& scale, BaseFn base, double t0, double t1) {
  Rhs<K, BaseFn> rhs{&w, &scale, base};
  if (p.integrator == "rk4") {
    ode::integrate_rk4(rhs, u, t0, t1, static_cast<std::size_t>(p.fixed_steps));
    return static_cast<std::size_t>(p.fixed_steps);
  }
  if (p.integrator == "euler") {
    ode::integrate_euler(rhs, u, t0, t1, static_cast<std::size_t>(p.fixed_steps));
    return static_cast<std::size_t>(p.fixed_steps);
  }
  return ode::integrate_adaptive(rhs, u, t0, t1, (t1 - t0) / 16.0, p.ode_abs_tol, p.ode_rel_tol);
}

/// Integrates the block from t0 to t1 and clamps the states to [0, 1].
template <class BaseFn>
std::size_t integrate_scaled(const VteamParams& p, const Window& w, std::vector<double>& u,
                             const std::vector<double>& scale, BaseFn base, double t0, double t1) {
  if (u.empty() || !(t1 > t0)) return 0;
  std::size_t steps = 0;
  switch (w.kind) {
    case WindowKind::None:
      steps = integrate_kind<WindowKind::None>(p, w, u, scale, base, t0, t1);
      break;
    case WindowKind::Joglekar:
      steps = integrate_kind<WindowKind::Joglekar>(p, w, u, scale, base, t0, t1);
      break;
    case WindowKind::Biolek:
      steps = integrate_kind<WindowKind::Biolek>(p, w, u, scale, base, t0, t1);
      break;
    case WindowKind::Prodromakis:
      steps = integrate_kind<WindowKind::Prodromakis>(p, w, u, scale, base, t0, t1);
      break;
    case WindowKind::Kvatinsky:
      steps = integrate_kind<WindowKind::Kvatinsky>(p, w, u, scale, base, t0, t1);
      break;
  }
  for (double& x : u) {
    if (!std::isfinite(x)) throw NumericalError("rram-vteam: non-finite state after integration");
    x = std::clamp(x, 0.0, 1.0);
  }
  return steps;
}

}  // namespace xbarsim::vteam_detail

#pragma once
// The one place device models meet Boost.Odeint. Continuous dynamics (VTEAM, the
// Stanford-PKU gap, PCM crystallisation, LLG macrospin) integrate one state vector per
// block of cells; the right-hand side fills dxdt for the whole block at once.
// Stochastic terms use StochasticHeun, a stepper on Odeint's stepper pattern (the
// pattern of Odeint's stochastic_euler example), never the adaptive steppers.
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <cstddef>
#include <vector>

namespace xbarsim::ode {

using State = std::vector<double>;

/// Adaptive Dormand-Prince 5(4) with dense output over [t0, t1]; returns the number of
/// steps taken. rhs(const State& x, State& dxdt, double t).
template <class Rhs>
std::size_t integrate_adaptive(Rhs&& rhs, State& x, double t0, double t1, double dt0, double abs_tol,
                               double rel_tol) {
  namespace odeint = boost::numeric::odeint;
  auto stepper = odeint::make_controlled(abs_tol, rel_tol, odeint::runge_kutta_dopri5<State>());
  return odeint::integrate_adaptive(stepper, rhs, x, t0, t1, dt0);
}

/// Fixed-step classical Runge-Kutta 4 over [t0, t1] with n steps (for convergence-order
/// checks and for right-hand sides with known smoothness).
template <class Rhs>
void integrate_rk4(Rhs&& rhs, State& x, double t0, double t1, std::size_t n) {
  namespace odeint = boost::numeric::odeint;
  odeint::runge_kutta4<State> stepper;
  const double dt = (t1 - t0) / static_cast<double>(n);
  for (std::size_t k = 0; k < n; ++k) stepper.do_step(rhs, x, t0 + dt * static_cast<double>(k), dt);
}

/// Fixed-step explicit Euler over [t0, t1] with n steps (first-order reference).
template <class Rhs>
void integrate_euler(Rhs&& rhs, State& x, double t0, double t1, std::size_t n) {
  namespace odeint = boost::numeric::odeint;
  odeint::euler<State> stepper;
  const double dt = (t1 - t0) / static_cast<double>(n);
  for (std::size_t k = 0; k < n; ++k) stepper.do_step(rhs, x, t0 + dt * static_cast<double>(k), dt);
}

/// Stochastic Heun (predictor-corrector) for Stratonovich SDEs
///   dx = f(x, t) dt + g(x, t) o dW,
/// on Odeint's stepper pattern: a system is a pair (drift, diffusion) and do_step
/// advances x by dt. The caller supplies the Wiener increments dW (already scaled by
/// sqrt(dt)) so random numbers stay keyed by coordinates (core/random.hpp).
/// drift(x, f, t) fills f; diffusion(x, dW, gdw, t) fills gdw = g(x, t) dW.
class StochasticHeun {
 public:
  using state_type = State;
  using stepper_category = boost::numeric::odeint::stepper_tag;

  template <class Drift, class Diffusion>
  void do_step(Drift&& drift, Diffusion&& diffusion, State& x, const State& dW, double t, double dt) {
    const std::size_t n = x.size();
    f0_.resize(n);
    g0_.resize(n);
    f1_.resize(n);
    g1_.resize(n);
    xp_.resize(n);
    drift(x, f0_, t);
    diffusion(x, dW, g0_, t);
    for (std::size_t i = 0; i < n; ++i) xp_[i] = x[i] + f0_[i] * dt + g0_[i];
    drift(xp_, f1_, t + dt);
    diffusion(xp_, dW, g1_, t + dt);
    for (std::size_t i = 0; i < n; ++i) x[i] += 0.5 * (f0_[i] + f1_[i]) * dt + 0.5 * (g0_[i] + g1_[i]);
  }

 private:
  State f0_, g0_, f1_, g1_, xp_;
};

}  // namespace xbarsim::ode

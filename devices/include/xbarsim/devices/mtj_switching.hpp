#pragma once
// Closed-form STT switching of one MTJ (device_physics.md §4.3), inline so the per-cell
// loops of the model call them without overhead. i = I/I_c0 is the reduced current,
// positive when the current drives the MTJ out of its present state.
//
// Thermal regime (Neel-Brown with STT):   tau(i) = tau0 exp(Delta (1 - i)^n)
// Precessional regime (Sun 2000, Butler et al. 2012): from the macrospin equation
//   d(psi)/dt = sin(psi) (i - cos(psi)) / tau_D   (psi = angle from the initial axis)
// linearised, ln(psi) grows at (i - 1)/tau_D, so a trajectory starting at psi0 reaches
// pi/2 at t = tau_D ln(pi/(2 psi0))/(i - 1). With the Boltzmann initial distribution
// psi0^2 ~ Exp(Delta) this gives
//   P_prec(t_p) = exp(-(pi^2 Delta/4) exp(-2 (i - 1) t_p / tau_D))      (Butler WER)
//   <t> = tau_D (C + ln(pi^2 Delta/4)) / (2 (i - 1))                      (Sun)
// (C = Euler's constant. Sun's prefactor e m (1 + P^2)/(mu_B P), m = Ms V, equals
// tau_D I_c0 = (1 + alpha^2) e m/(mu_B eta) for eta = P/(1 + P^2), mu_B = gamma0 hbar/2, up
// to the (1 + alpha^2) factor.)
//
// Crossover (our choice): both mechanisms act as competing channels,
// P = 1 - (1 - P_th)(1 - P_prec). P_prec is conditioned on the initial state
// (it is exactly 0 at t_p = 0 and for i <= 1). Neel-Brown needs a barrier of several kT,
// so the thermal barrier is held at min(b, Delta) kT once Delta (1 - i)^n falls below it
// (b = nb_min_barrier_kT). Both channels are continuous and non-decreasing in i and t_p,
// so the sum is too, and each regime is reproduced where it is valid. Within a few kT of
// I_c0 neither form is accurate: against our s-LLGS (Delta 21, tau0 = 1 ns) at i = 1 the
// closed form gives 3% / 13% for 5 / 20 ns pulses where the s-LLGS gives 6% / 89%, and at
// i = 0.7 it is slow by an order of magnitude (tau0 ~ 1 ns is the sheet's [U] value).
// Use switching_method = llg in that window; the floor b trades the short-pulse error
// above I_c0 (a hazard t_p/(tau0 e^b)) against the long-pulse error below it.
#include <algorithm>
#include <cmath>
#include <numbers>

namespace xbarsim::mtj {

/// Constants of one MTJ that the closed forms need.
struct SwitchingConstants {
  double delta = 60;            // thermal stability factor
  double tau_d_s = 1e-9;        // characteristic precession-damping time
  double tau0_s = 1e-9;         // Neel-Brown attempt time
  double exponent = 1.0;        // n in Delta (1 - i)^n
  double min_barrier_kT = 5.0;  // Neel-Brown barrier floor (crossover)
};

/// Euler-Mascheroni constant.
inline constexpr double kEulerGamma = 0.57721566490153286;

/// Barrier (in kT) that thermal activation sees at reduced current i.
inline double thermal_barrier_kT(const SwitchingConstants& c, double i) {
  const double floor_kT = std::min(c.min_barrier_kT, c.delta);
  const double x = std::max(0.0, 1.0 - i);
  const double b = c.exponent == 1.0 ? c.delta * x : c.delta * std::pow(x, c.exponent);
  return std::max(b, floor_kT);
}

/// Mean thermally activated switching time at reduced current i.
inline double thermal_tau_s(const SwitchingConstants& c, double i) {
  return c.tau0_s * std::exp(thermal_barrier_kT(c, i));
}

/// Thermal hazard t/tau(i) of a pulse of width t.
inline double thermal_hazard(const SwitchingConstants& c, double i, double t_s) {
  return t_s / c.tau0_s * std::exp(-thermal_barrier_kT(c, i));
}

/// Probability of switching through either of two independent channels, thermal hazard
/// h_th and precessional probability p_prec: 1 - e^{-h_th} (1 - p_prec), written so that
/// small probabilities keep their relative precision.
inline double combine_channels(double h_th, double p_prec) {
  const double em = std::expm1(-h_th);
  return -em + (1.0 + em) * p_prec;
}

/// Precessional switching CDF in terms of the accumulated precession phase
/// s = integral of (i - 1)/tau_D dt (ln of the angle's growth factor): Butler's form
/// conditioned on starting inside the well, (e^{x} - 1)/(e^{A} - 1) with A = pi^2 Delta/4
/// and x = A (1 - exp(-2 s)).
inline double precessional_cdf(double delta, double s) {
  if (s <= 0.0) return 0.0;
  const double a = std::numbers::pi * std::numbers::pi * delta / 4.0;
  const double x = -a * std::expm1(-2.0 * s);
  // For A > 40 the conditioning terms e^{-A} are below 4e-18 absolute: drop them.
  if (a > 40.0) return std::exp(x - a);
  return std::expm1(x) / std::expm1(a);
}

/// Precessional switching probability of a pulse of width t_p at reduced current i
/// (phase s = max(0, i - 1) t_p / tau_D accumulated from equilibrium).
inline double precessional_probability(const SwitchingConstants& c, double i, double t_p_s) {
  return precessional_cdf(c.delta, std::max(0.0, i - 1.0) * t_p_s / c.tau_d_s);
}

/// Phase after a step dt at reduced current i, starting from phase s0: the linearised
/// angle obeys d ln(psi)/dt = (i - 1)/tau_D for either sign of i - 1 (growth above I_c0,
/// damping back towards the thermal cone below it), floored at equilibrium (0).
inline double precession_phase_after(const SwitchingConstants& c, double s0, double i, double dt_s) {
  return std::max(0.0, s0 + (i - 1.0) * dt_s / c.tau_d_s);
}

/// Switching probability of a step dt under a sustained drive: thermal hazard dt/tau(i)
/// and the precessional probability of growing the phase from s0 to s1 given no switch
/// by s0, as competing channels. For s0 = 0 this equals switching_probability().
inline double switching_probability_step(const SwitchingConstants& c, double i, double dt_s, double s0, double s1) {
  if (dt_s <= 0.0) return 0.0;
  double p_prec = 0.0;
  if (s1 > s0) {
    const double f0 = precessional_cdf(c.delta, s0), f1 = precessional_cdf(c.delta, s1);
    p_prec = f0 >= 1.0 ? 1.0 : (f1 - f0) / (1.0 - f0);
  }
  return combine_channels(thermal_hazard(c, i, dt_s), p_prec);
}

/// Switching probability of one pulse of width t_p at reduced current i (both channels).
inline double switching_probability(const SwitchingConstants& c, double i, double t_p_s) {
  if (t_p_s <= 0.0) return 0.0;
  return combine_channels(thermal_hazard(c, i, t_p_s), precessional_probability(c, i, t_p_s));
}

/// Sun's mean precessional switching time (i > 1), see the header comment.
inline double sun_mean_switching_time_s(double delta, double tau_d_s, double i) {
  const double pi2 = std::numbers::pi * std::numbers::pi;
  return tau_d_s * (kEulerGamma + std::log(pi2 * delta / 4.0)) / (2.0 * (i - 1.0));
}

/// Exact noise-free time for the macrospin to go from angle psi0 (from its initial axis)
/// to pi/2 at reduced current i > 1: tau_D times the integral of
/// 1/(sin psi (i - cos psi)) from psi0 to pi/2, by partial fractions in u = cos psi.
inline double deterministic_switching_time_s(double tau_d_s, double i, double psi0) {
  const double c = std::cos(psi0);
  const double one_minus_c = 2.0 * std::sin(0.5 * psi0) * std::sin(0.5 * psi0);  // 1 - cos, no cancellation
  const double f = -std::log(one_minus_c) / (2.0 * (i - 1.0)) + std::log1p(c) / (2.0 * (i + 1.0)) +
                   std::log((i - c) / i) / (i * i - 1.0);
  return tau_d_s * f;
}

/// Probability that a two-state system with per-step flip probabilities a (from the
/// present state) and b (back) is in the other state after n steps (Markov chain).
inline double two_state_flip_probability(double a, double b, double n) {
  const double s = a + b;
  if (s <= 0.0) return 0.0;
  // (a/s) (1 - (1 - s)^n); for s < 1 via exp(n log1p(-s)) to keep precision at small s.
  if (s >= 1.0) return a / s * (1.0 - std::pow(1.0 - s, n));
  return a / s * -std::expm1(n * std::log1p(-s));
}

/// Probability that an MTJ at zero current is in the other state after `t_s` (symmetric
/// telegraph process, flip rate 1/tau_ret each way): (1 - exp(-2 t / tau_ret)) / 2.
inline double retention_flip_probability(double delta, double tau0_s, double t_s) {
  if (t_s <= 0.0) return 0.0;
  const double rate = std::exp(-delta) / tau0_s;
  return -0.5 * std::expm1(-2.0 * rate * t_s);
}

}  // namespace xbarsim::mtj

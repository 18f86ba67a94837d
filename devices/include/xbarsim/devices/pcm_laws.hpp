#pragma once
// The published statistical PCM laws (Joshi et al., Nat. Commun. 11:2473, 2020;
// Nandakumar et al., ICECS 2019) exactly as IBM aihwkit implements them in
// src/aihwkit/inference/noise/pcm.py (PCMLikeNoiseModel); device_physics.md 3.1 [C].
// Shared by pcm-statistical (the inference model itself) and pcm-pulse (optional drift
// and read noise). Conductances are in siemens; g_T and g_rel are normalised by g_max.
#include <algorithm>
#include <cmath>

namespace xbarsim::pcm {

/// aihwkit _ZERO_CLIP: |g_T| is floored here before the logarithms of the drift fit.
inline constexpr double kZeroClip = 1e-7;
/// Reference g_max of the published programming-noise coefficients (25 uS).
inline constexpr double kProgReferenceGmax_S = 25e-6;
/// Programming-noise polynomial c0 + c1 g_T + c2 g_T^2 in siemens at g_max = 25 uS
/// (aihwkit prog_coeff = [0.26348, 1.9650, -1.1731] uS).
inline constexpr double kProgC0_S = 0.26348e-6;
inline constexpr double kProgC1_S = 1.9650e-6;
inline constexpr double kProgC2_S = -1.1731e-6;

/// Standard deviation of the programming error at normalised target g_T for a device
/// whose full range is g_max_S: the 25 uS polynomial scaled by g_max / 25 uS and
/// clipped at 0 (device_physics.md 3.1; aihwkit apply_programming_noise_to_conductance).
inline double sigma_prog_S(double g_T, double g_max_S) {
  const double s = kProgC0_S + g_T * (kProgC1_S + g_T * kProgC2_S);
  return std::max(s, 0.0) * (g_max_S / kProgReferenceGmax_S);
}

/// Mean of the drift-exponent normal before folding: clamp(-0.0155 ln g + 0.0244, 0.049, 0.1).
inline double mu_nu(double g_T) {
  const double g = std::max(std::abs(g_T), kZeroClip);
  return std::clamp(-0.0155 * std::log(g) + 0.0244, 0.049, 0.1);
}
/// Sigma of the drift-exponent normal before folding: clamp(-0.0125 ln g - 0.0059, 0.008, 0.045).
inline double sigma_nu(double g_T) {
  const double g = std::max(std::abs(g_T), kZeroClip);
  return std::clamp(-0.0125 * std::log(g) - 0.0059, 0.008, 0.045);
}
/// nu = |mu_nu + sigma_nu xi| * drift_scale for a standard normal xi (aihwkit
/// generate_drift_coefficients: the scale multiplies after folding).
inline double drift_exponent(double g_T, double xi, double drift_scale) {
  return std::abs(mu_nu(g_T) + sigma_nu(g_T) * xi) * drift_scale;
}

/// g(t)/g_prog = ((t + t0)/t0)^(-nu) for t seconds since programming. aihwkit writes
/// (t'/t0)^(-nu) with t' = t_inference + t0; t here is t_inference.
inline double drift_factor(double t_s, double t0_s, double nu) {
  if (!(t_s > 0.0)) return 1.0;
  return std::pow((t_s + t0_s) / t0_s, -nu);
}

/// 1/f noise amplitude Q_s = min(0.0088 / max(g_rel^0.65, 1e-3), 0.2) with g_rel the
/// programmed (not the target) conductance over g_max, as in the aihwkit code (the
/// docs write g_T; aihwkit issue #436).
inline double q_s(double g_rel) {
  const double p = std::max(std::pow(std::abs(g_rel), 0.65), 1e-3);
  return std::min(0.0088 / p, 0.2);
}

/// sqrt(ln((t' + t_read)/(2 t_read))) with t' = t + t0, t seconds since programming.
/// aihwkit evaluates the accumulated 1/f noise at t' = t_inference + t0 (the same
/// shifted time as the drift law), so a device read right after programming already
/// carries sqrt(ln((t0 + t_read)/(2 t_read))) = 4.18 for t0 = 20 s, t_read = 250 ns.
/// Floored at 0 so a (non-physical) t0 below t_read cannot give a NaN.
inline double read_noise_time_factor(double t_s, double t0_s, double t_read_s) {
  const double tp = std::max(t_s, 0.0) + t0_s;
  return std::sqrt(std::max(std::log((tp + t_read_s) / (2.0 * t_read_s)), 0.0));
}

/// sigma_nG = |g_drift| * Q_s(g_prog/g_max) * sqrt(ln((t + t0 + t_read)/(2 t_read))) * scale.
inline double sigma_read_S(double g_drift_S, double g_prog_S, double g_max_S, double t_s, double t0_s, double t_read_s,
                           double read_noise_scale) {
  return std::abs(g_drift_S) * read_noise_scale * q_s(g_prog_S / g_max_S) * read_noise_time_factor(t_s, t0_s, t_read_s);
}

}  // namespace xbarsim::pcm

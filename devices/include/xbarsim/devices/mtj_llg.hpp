#pragma once
// Macrospin stochastic Landau-Lifshitz-Gilbert-Slonczewski (s-LLGS) integrator for a
// perpendicular MTJ free layer (device_physics.md §4.4), batched: one odeint state
// vector holds a block of trajectories in structure-of-arrays order
// [m_x(0..n), m_y(0..n), m_z(0..n)] and is advanced with ode::StochasticHeun
// (Stratonovich), |m| renormalised after every step.
//
// Equation (Landau-Lifshitz form of the Gilbert equation, fixed layer p = +z):
//   dm/dt = -gamma' [ m x (H - alpha a p) + m x (m x (alpha H + a p)) ]
//   gamma' = gamma0 mu0 / (1 + alpha^2),  H = H_k m_z z + H_th,
//   a = hbar eta I / (2 e mu0 Ms V)        (Slonczewski torque as a field, A/m)
// with the spin-torque efficiency eta taken angle independent (the I_c0 formula of §4.2
// assumes the same). The demagnetising field -Ms N m is uniaxial up to a term parallel
// to m, which exerts no torque, so H_k already contains it (K_eff of §4.2).
// I > 0 drives m towards +p (the parallel, low-resistance state); linearising about
// m = -z gives instability for a > alpha H_k, i.e. I > I_c0 = 2 alpha e mu0 Ms H_k V/(hbar eta)
// = 4 e alpha kB T Delta/(hbar eta), and the polar angle obeys
// d(psi)/dt = sin(psi) (i - cos(psi)) / tau_D with tau_D = (1 + alpha^2)/(alpha gamma0 mu0 H_k).
//
// Thermal field: Brown's white noise, per component <H_th(t) H_th(t')> = sigma^2 delta(t - t'),
// sigma^2 = 2 alpha kB T / (mu0 gamma Ms V), gamma = gamma0 mu0 (device_physics.md §4.4),
// entering both the precession and the damping term (the exact LL rewrite of Gilbert).
// Increments dW = sqrt(dt) N(0,1) come from core/random.hpp keyed by (trajectory, step).
#include <cstddef>
#include <cstdint>
#include <vector>
#include <xbarsim/core/progress.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/devices/mtj_params.hpp>

namespace xbarsim::mtj {

/// Physical constants of one macrospin, SI units.
struct Macrospin {
  double h_k_A_per_m = 2.3e5;  // effective uniaxial anisotropy field (demag included)
  double alpha = 0.01;
  double ms_A_per_m = 1.2e6;
  double volume_m3 = 2e-24;
  double temperature_K = 300;
  double eta = 0.5;

  double gamma_prime() const;      // gamma0 mu0 / (1 + alpha^2), m/(A s)
  double tau_d_s() const;          // (1 + alpha^2)/(alpha gamma0 mu0 H_k)
  double delta() const;            // mu0 Ms H_k V / (2 kB T)
  double i_c0_A() const;           // 2 alpha e mu0 Ms H_k V / (hbar eta)
  double stt_field_per_A() const;  // a / I = hbar eta / (2 e mu0 Ms V)
  double thermal_sigma() const;    // sigma of H_th, A/m sqrt(s)
};

/// The reference MTJ (k = 0) of a parameter set as a macrospin (H_k, V from mtj_derived()).
Macrospin reference_macrospin(const MtjParams& p);

enum class LlgStart {
  BoltzmannP,   // m in the +z (P) well, polar angle from the Boltzmann distribution
  BoltzmannAP,  // same in the -z (AP) well
  TiltedP,      // deterministic: angle `initial_angle_rad` from +z, azimuth 0
  TiltedAP      // deterministic: angle `initial_angle_rad` from -z, azimuth 0
};

struct LlgOptions {
  double dt_s = 1e-12;
  double t_max_s = 10e-9;
  std::size_t block = 256;  // trajectories per state vector (configuration, not threads)
  LlgStart start = LlgStart::BoltzmannP;
  double initial_angle_rad = 0.0;  // for the Tilted starts
  bool thermal = true;             // thermal field during the integration
  bool stop_when_switched = true;  // a block stops once all of its trajectories switched
  std::uint32_t stream = 0;        // separates independent runs with the same seed
};

struct LlgResult {
  /// First time m_z changes sign relative to the starting well (linear interpolation
  /// within the step); +infinity if it did not by t_max.
  std::vector<double> switching_time_s;
  /// Magnetisation at the end of the integration: t_max, or earlier for blocks that
  /// stopped because all their trajectories switched (stop_when_switched).
  std::vector<double> mx, my, mz;
  std::uint64_t trajectory_steps = 0;  // work done (for benchmarks)
};

/// Integrates `trajectories` macrospins at constant `current_A` (+ towards P). Draws are
/// keyed by (seed, trajectory index, step, options.stream), so the result does not depend
/// on options.block or the thread count. Checks control for cancellation.
LlgResult simulate_llg(const Macrospin& m, double current_A, std::size_t trajectories, const LlgOptions& options,
                       std::uint64_t seed, const RunControl& control = {});

/// Samples u = cos(psi) of the Boltzmann distribution in one well of a uniaxial macrospin,
/// density proportional to exp(Delta u^2) on (0, 1] (exact rejection sampler).
double sample_boltzmann_cos(double delta, CounterRng& rng);

}  // namespace xbarsim::mtj

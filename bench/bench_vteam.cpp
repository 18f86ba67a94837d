// VTEAM SET transient for 1e5 cells: the batched rram-vteam model (one Odeint state vector
// per row block, adaptive Dormand-Prince) against what MemTorch does, a scalar per-cell
// forward-Euler loop at a 0.1 ns step (memtorch/bh/memristor/VTEAM.py), measured in the
// same run on one thread. Both integrate the same equations (MemTorch defaults with the
// Biolek window, p = 10, and device-to-device rate variation); accuracy is measured
// against a tight-tolerance solution of a sample of cells.
#include "bench_util.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/rram_vteam.hpp>

using namespace xbarsim;
using bench::seconds_since;

namespace {
constexpr std::size_t kRows = 1000, kCols = 100;  // 1e5 cells
constexpr double kWidth = 15e-9;                  // SET pulse at -0.25 V: ends mid-window (u ~ 0.2)
constexpr double kEulerStep = 1e-10;              // MemTorch time_series_resolution

// MemTorch's scheme on the normalised state: x += dxdt(V) dt with pow() at every step, then
// clip to the bounds; the window multiplies dxdt as in the model.
double euler_cell(const VteamParams& p, double u, double rate_scale, double v) {
  const double d = p.x_off_m - p.x_on_m;
  const auto steps = static_cast<long>(std::llround(kWidth / kEulerStep));
  for (long k = 0; k < steps; ++k) {
    double dxdt = 0.0;
    if (v >= p.v_off_V)
      dxdt = p.k_off_m_per_s * std::pow(v / p.v_off_V - 1.0, p.alpha_off) * (1.0 - std::pow(u, 2 * p.window_p));
    else if (v <= p.v_on_V)
      dxdt = p.k_on_m_per_s * std::pow(v / p.v_on_V - 1.0, p.alpha_on) * (1.0 - std::pow(1.0 - u, 2 * p.window_p));
    u = std::clamp(u + rate_scale * dxdt / d * kEulerStep, 0.0, 1.0);
  }
  return u;
}
}  // namespace

int main() {
  ThreadLimit one_thread(1);
  const ParamValues values{{"set_width_s", kWidth}, {"d2d_k_sigma", 0.1}};
  const VteamModel model(VteamParams::table().make(values));
  const VteamParams& p = model.params();
  const PulseCounts set(kRows, kCols, arma::fill::value(1));

  // Batched model (dopri5), and the same model with the baseline's fixed Euler step.
  DeviceState state = model.create_state(kRows, kCols, 1, 0);
  const arma::fmat scale = state.field(VteamModel::kRateScale);
  auto t0 = std::chrono::steady_clock::now();
  apply_pulses_all(model, state, set);
  const double t_model = seconds_since(t0);

  ParamValues euler_values = values;
  euler_values["integrator"] = std::string("euler");
  euler_values["fixed_steps"] = static_cast<std::int64_t>(std::llround(kWidth / kEulerStep));
  const VteamModel batched_euler(VteamParams::table().make(euler_values));
  DeviceState state_e = batched_euler.create_state(kRows, kCols, 1, 0);
  t0 = std::chrono::steady_clock::now();
  apply_pulses_all(batched_euler, state_e, set);
  const double t_batched_euler = seconds_since(t0);

  // Baseline: one scalar loop per cell.
  std::vector<double> u_base(kRows * kCols);
  t0 = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < u_base.size(); ++k) u_base[k] = euler_cell(p, p.x_initial, scale(k), p.set_voltage_V);
  const double t_base = seconds_since(t0);

  // Accuracy on every 1000th cell against dopri5 at tolerance 1e-12.
  VteamParams tight = p;
  tight.ode_abs_tol = 1e-13;
  tight.ode_rel_tol = 1e-12;
  double err_model = 0.0, err_base = 0.0, err_batched_euler = 0.0, u_mean = 0.0;
  std::size_t n_ref = 0;
  for (std::size_t k = 0; k < u_base.size(); k += 1000, ++n_ref) {
    std::vector<double> u{p.x_initial};
    vteam_integrate(tight, u, {vteam_drive_rate(p, p.set_voltage_V) * scale(k)}, kWidth);
    u_mean += u[0];
    err_model = std::max(err_model, std::abs(state.field(VteamModel::kState)(k) - u[0]));
    err_batched_euler = std::max(err_batched_euler, std::abs(state_e.field(VteamModel::kState)(k) - u[0]));
    err_base = std::max(err_base, std::abs(u_base[k] - u[0]));
  }

  std::printf("VTEAM SET transient: %zu cells, %.0f ns pulse at %.2f V, 1 thread\n", kRows * kCols, kWidth * 1e9,
              p.set_voltage_V);
  std::printf("  mean final state u (reference)          %.4f  (from u = %.1f)\n", u_mean / n_ref, p.x_initial);
  std::printf("  rram-vteam, batched dopri5              %8.3f s   max |du| %.2e\n", t_model, err_model);
  std::printf("  rram-vteam, batched Euler 0.1 ns        %8.3f s   max |du| %.2e\n", t_batched_euler,
              err_batched_euler);
  std::printf("  baseline: per-cell scalar Euler 0.1 ns  %8.3f s   max |du| %.2e\n", t_base, err_base);
  std::printf("  speed-up of rram-vteam over the baseline: %.1fx\n", t_base / t_model);
  return 0;
}

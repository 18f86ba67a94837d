#pragma once
// "rpu-step": the pulsed update-once devices of IBM aihwkit (ConstantStep, LinearStep,
// SoftBounds, ExpStep, PowStep, PiecewiseStep; aihwkit src/rpucuda/rpu_*_device.cpp,
// device_physics.md 5.3, aihwkit.md 1.3), the device abstraction of the Resistive
// Processing Unit of Gokmen & Vlasov (Front. Neurosci. 2016).
//
// State: the weight w in aihwkit's dimensionless units, one float per cell, plus the
// per-device (device-to-device) parameters sampled once in create_state():
//   b_max = w_max (1 + w_max_dtod xi),  b_min = w_min (1 + w_min_dtod xi)
//   gain = 1 + dw_min_dtod xi  (or exp(dw_min_dtod xi) with dw_min_dtod_log_normal)
//   r = up_down_dtod xi,  scale_up = (up_bias + gain + r) dw_min,  scale_down = (down_bias + gain - r) dw_min
//   up_bias = min(up_down, 0), down_bias = -max(up_down, 0)      (aihwkit PulsedRPUDevice::populate)
// with enforce_consistency: scales made positive, b_max >= 0 >= b_min.
//
// One pulse coincidence (count +1 = potentiation, "up"; -1 = depression, "down"),
// with xi a fresh standard normal per coincidence and sigma = dw_min_std:
//   constant:    w += +-scale (1 + sigma xi)
//   linear:      w += +-(slope w + scale)(1 + sigma xi)     (mult_noise)
//                w += +-(slope w + scale (1 + sigma xi))     (additive)
//                slope_up = -|gamma_up + gamma_up_dtod xi| scale_up / w_ref_up, w_ref = mean or device bound
//   soft-bounds: linear with gamma = 1 and device bounds:  up: scale_up (1 - w/b_max), down: scale_down (1 - w/b_min)
//   exp:         z = 2 a w/(b_max - b_min) + b;  up: w += max(1 - A_up e^(gamma_up z), 0) scale_up (1 + sigma xi)
//                down: w -= max(1 - A_down e^(-gamma_down z), 0) scale_down (1 + sigma xi)
//                (with dw_min_std_add / _slope: w += dw + sigma (|dw| + add + slope |w|) xi)
//   pow:         up: w += scale_up ((b_max - w)/(b_max - b_min))^gamma_up (1 + sigma xi)
//                down: w -= scale_down ((w - b_min)/(b_max - b_min))^gamma_down (1 + sigma xi)
//                gamma_up/down per device like the scales, from pow_gamma, pow_gamma_dtod, pow_up_down(_dtod)
//   piecewise:   step = scale x (linear interpolation of piecewise_up/down_k over [b_min, b_max])
// then w is clipped to [b_min, b_max]. A count of +n / -n applies n coincidences of that
// sign in sequence, each with fresh noise; the constant step does so in closed form,
// w +-= scale (n + sigma sqrt(n) xi), clipped once: the exact law of the n-step sum, and
// the same as clipping after each step unless a step's factor 1 + sigma xi is negative.
//
// Write noise (write_noise_std > 0): the update acts on the hidden w, reads see
// w_read = w + write_noise_std dw_min xi, redrawn for every cell a call touches (only the
// draw after a cell's last coincidence is observable, so one draw per call is exact),
// after program() (apply_write_noise_on_set) and after relax() changes w.
//
// Piecewise nodes: aihwkit's piecewise_up / piecewise_down lists are encoded as
// piecewise_nodes (1..16) plus real parameters piecewise_up_0 .. piecewise_up_15 and
// piecewise_down_0 .. piecewise_down_15; nodes beyond piecewise_nodes are ignored. The
// first node sits at b_min and the last at b_max, as in aihwkit.
//
// Conductance (read): G = g_min_S + (w_read - w_min)/(w_max - w_min) (g_max_S - g_min_S),
// linear in w between the NOMINAL bounds w_min -> g_min_S and w_max -> g_max_S; devices
// whose own bounds lie outside read outside [g_min_S, g_max_S] (floored at 0 S). The
// device is ohmic, so the read voltage does not change G. aihwkit puts read noise in
// the tile periphery (IOParameters.out_noise / w_noise), not in the device, so a noisy
// read equals a noise-free one here.
//
// Time (relax): aihwkit applies decay and diffusion once per mini-batch; here one
// mini-batch (update cycle) lasts update_cycle_s, so a relax over t1 - t0 is
// n = (t1 - t0)/update_cycle_s cycles of
//   w <- (w - reset_ij) s_ij + reset_ij + rho_ij xi,   s_ij = 1 - 1/lifetime_ij (0 if lifetime_ij <= 1)
// applied in closed form (the Gaussian AR(1) process): w_n - reset = s^n (w_0 - reset)
// + rho sqrt((1 - s^2n)/(1 - s^2)) xi, then one clip to the bounds (aihwkit clips after
// every cycle; identical unless a bound is reached in between). Non-integer n
// continues the formula.
//
// Fresh devices start at their lower bound b_min (the low-conductance state). Programming
// (program()) sets w directly to the target's weight, clipped to the device bounds, as
// aihwkit's set_weights does (not its pulse-by-pulse realistic_read_write), so the
// report counts no pulses; cells that cannot reach the target within tolerance (bounds,
// faults, write noise) are reported unconverged.
//
// Non-idealities: stuck cells (stuck_on at w_max, stuck_off at w_min: bounds collapse,
// steps are 0) and aihwkit's corrupt_devices_prob (stuck at a uniform value in
// +-corrupt_devices_range within the bounds); levels quantise program targets in G.
// Endurance and temperature are not part of these models: endurance_cycles must be 0
// and temperature_K 300 K.
//
// Random streams (core/random.hpp), all keyed by the state's seed: d2d "rpu.d2d"
// (tile, column, quantity) indexed by row; coincidence noise "rpu.c2c" and write noise
// "rpu.write_noise" in 16 x 16 cell tiles, stream (tile, column / 16, step mod 2^32),
// element k * rows16 * 16 + (row / 16) 256 + (column % 16) 16 + row % 16 for the k-th
// coincidence (rows16 = rows rounded up to 16; the step's upper 32 bits select the key
// via derive_seed), so a call on a 16-row block still draws its numbers in runs of 256;
// program noise "rpu.set_noise" (tile, column, pulse clock) and diffusion
// "rpu.diffusion" (tile, column, hash of the relax interval and pulse clock), by row.
// Every number depends on the cell and the clock only, never on the split into calls.
#include <array>
#include <string>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

/// Number of piecewise-step nodes a parameter set can carry.
inline constexpr int kRpuPiecewiseMaxNodes = 16;

struct RpuStepParams : CellNonIdealities {
  std::string step = "constant";  // constant, linear, soft-bounds, exp, pow, piecewise

  // aihwkit PulsedDevice (simulator/configs/devices.py).
  double dw_min = 0.001;
  double dw_min_dtod = 0.3;
  bool dw_min_dtod_log_normal = false;
  double dw_min_std = 0.3;
  double up_down = 0.0;
  double up_down_dtod = 0.01;
  double w_max = 0.6;
  double w_max_dtod = 0.3;
  double w_min = -0.6;
  double w_min_dtod = 0.3;
  bool enforce_consistency = true;
  double corrupt_devices_prob = 0.0;
  double corrupt_devices_range = 0.1;
  double lifetime = 0.0;  // update cycles; 0 = no decay
  double lifetime_dtod = 0.0;
  double diffusion = 0.0;  // weight units per update cycle
  double diffusion_dtod = 0.0;
  double reset = 0.0;
  double reset_dtod = 0.0;
  double write_noise_std = 0.0;  // units of dw_min
  bool apply_write_noise_on_set = true;

  // LinearStepDevice / SoftBoundsDevice.
  bool mult_noise = true;
  double gamma_up = 0.0;
  double gamma_down = 0.0;
  double gamma_up_dtod = 0.05;
  double gamma_down_dtod = 0.05;
  bool allow_increasing = false;
  bool mean_bound_reference = true;

  // ExpStepDevice.
  double exp_A_up = 0.00081;
  double exp_A_down = 0.36833;
  double exp_gamma_up = 12.44625;
  double exp_gamma_down = 12.78785;
  double exp_a = 0.244;
  double exp_b = 0.2425;
  double dw_min_std_add = 0.0;
  double dw_min_std_slope = 0.0;

  // PowStepDevice.
  double pow_gamma = 1.0;
  double pow_gamma_dtod = 0.1;
  double pow_up_down = 0.0;
  double pow_up_down_dtod = 0.0;

  // PiecewiseStepDevice: nodes 0 .. piecewise_nodes-1 are used.
  int piecewise_nodes = 1;
  double piecewise_up_0 = 1.0, piecewise_up_1 = 1.0, piecewise_up_2 = 1.0, piecewise_up_3 = 1.0;
  double piecewise_up_4 = 1.0, piecewise_up_5 = 1.0, piecewise_up_6 = 1.0, piecewise_up_7 = 1.0;
  double piecewise_up_8 = 1.0, piecewise_up_9 = 1.0, piecewise_up_10 = 1.0, piecewise_up_11 = 1.0;
  double piecewise_up_12 = 1.0, piecewise_up_13 = 1.0, piecewise_up_14 = 1.0, piecewise_up_15 = 1.0;
  double piecewise_down_0 = 1.0, piecewise_down_1 = 1.0, piecewise_down_2 = 1.0, piecewise_down_3 = 1.0;
  double piecewise_down_4 = 1.0, piecewise_down_5 = 1.0, piecewise_down_6 = 1.0, piecewise_down_7 = 1.0;
  double piecewise_down_8 = 1.0, piecewise_down_9 = 1.0, piecewise_down_10 = 1.0, piecewise_down_11 = 1.0;
  double piecewise_down_12 = 1.0, piecewise_down_13 = 1.0, piecewise_down_14 = 1.0, piecewise_down_15 = 1.0;

  // Conductance mapping, read and time scale.
  double g_min_S = 7.5757575757575758e-9;  // 2/11 of 1/(24 MOhm): mean 1/(24 MOhm), ratio 10
  double g_max_S = 7.5757575757575758e-8;
  double v_read_V = 0.2;
  double update_cycle_s = 80e-9;

  /// The used piecewise nodes, in order.
  std::vector<double> piecewise_up() const;
  std::vector<double> piecewise_down() const;

  static const ParamTable<RpuStepParams>& table();
};

/// Step rule of a parameter set.
enum class RpuStepType { Constant, Linear, SoftBounds, Exp, Pow, Piecewise };
RpuStepType rpu_step_type(const std::string& name);

class RpuStepModel final : public DeviceModel {
 public:
  explicit RpuStepModel(RpuStepParams p);
  const RpuStepParams& params() const { return p_; }
  RpuStepType step_type() const { return type_; }

  std::string_view name() const override { return "rpu-step"; }
  std::vector<StateField> layout() const override;
  double g_min_S() const override { return p_.g_min_S; }
  double g_max_S() const override { return p_.g_max_S; }
  DeviceState create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                           std::uint32_t tile_id) const override;
  ProgramReport program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                        RowRange rows) const override;
  void apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const override;
  void read(const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index, arma::fmat& out_S,
            RowRange rows) const override;
  void relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const override;
  std::unique_ptr<DeviceModel> clone() const override { return std::make_unique<RpuStepModel>(*this); }

  /// Conductance of weight w and weight of conductance g (the linear map above).
  double conductance_S(double w) const;
  double weight_of(double g_S) const;

  /// Index of a state field, or -1 if this parameter set does not use it. Fields:
  /// "w", "w_read", "scale_up", "scale_down", "w_max_bound", "w_min_bound",
  /// "slope_up", "slope_down", "gamma_up", "gamma_down", "decay_rate",
  /// "diffusion_rate", "reset_bias", "fault".
  int field_index(std::string_view name) const;

 private:
  struct Fields {
    int w = -1, w_read = -1, scale_up = -1, scale_down = -1, b_max = -1, b_min = -1;
    int slope_up = -1, slope_down = -1, gamma_up = -1, gamma_down = -1;
    int decay = -1, diffusion = -1, reset = -1, fault = -1;
  };
  void sample_devices(DeviceState& state) const;
  template <class Rule>
  void pulse_loop(const Rule& rule, DeviceState& state, const PulseCounts& counts, std::uint64_t step,
                  RowRange rows) const;

  RpuStepParams p_;
  RpuStepType type_;
  std::vector<StateField> layout_;
  Fields f_;
  std::vector<float> pw_up_, pw_down_;
};

class RpuStepFamily final : public FamilyOf<RpuStepParams, RpuStepModel> {
 public:
  std::string_view model() const override { return "rpu-step"; }
  std::string_view family() const override { return "rpu"; }
  std::string_view summary() const override;
  double default_read_voltage_V(const ParamValues& values) const override;
  std::size_t default_pulses(const ParamValues& values) const override;
  std::vector<std::string> extra_protocols() const override;
  Curve run_extra(const ParamValues& values, const CurveRequest& request) const override;
};

}  // namespace xbarsim

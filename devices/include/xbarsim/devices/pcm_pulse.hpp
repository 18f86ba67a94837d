#pragma once
// "pcm-pulse": pulse-level PCM for training, IBM aihwkit's PCMPresetDevice (an ExpStep
// device fitted to the doped-GST PCM of Nandakumar et al., Front. Neurosci. 2020;
// device_physics.md 3.2 and 5.3), in conductance units.
//
// State w in aihwkit weight units, per device bounds [0, b_max], b_max = w_max (1 + w_max_dtod xi).
// SET (potentiation, cumulative crystallisation), one pulse; aihwkit rpu_expstep_device.cpp
// update_once_complex_noise, up direction:
//   z  = 2 a w / (b_max - b_min) + b
//   dw = max(1 - A_up exp(gamma_up z), 0) * dw_up,     dw_up = dw_min |1 + dw_min_dtod xi + up_down_dtod xi'|
//   w <- clip(w + dw + dw_min_std (|dw| + dw_min_std_add + dw_min_std_slope |w|) xi, b_min, b_max)
// (the simple multiplicative noise dw (1 + dw_min_std xi) when dw_min_std_add = slope = 0).
// RESET (depression): the device is unidirectional, a RESET pulse melt-quenches it back
// to its reset value (aihwkit PulsedRPUDevice::resetAtIndices):
//   w <- clip(reset_ij + reset_std xi, b_min, b_max),  reset_ij = reset + reset_dtod xi (per device).
// Conductance: G = g_min + (g_max - g_min) w / w_max (w = w_max nominal maps to g_max).
// A fresh device starts at its reset value (the low-conductance state).
//
// Drift (optional, drift_scale > 0): the statistical law of pcm_laws.hpp,
//   G(t) = G_prog ((t - t_pulse + t0)/t0)^(-nu),  nu = |N(mu_nu(g), sigma_nu(g))| drift_scale,
// g = G_prog/g_max, resampled whenever a pulse changes the cell; a pulse acts on the
// drifted state. aihwkit's PCMPresetDevice itself has no drift (drift_scale = 0).
// Read noise (optional, read_noise_scale > 0): the 1/f law of pcm_laws.hpp.
//
// Non-idealities: stuck cells (fixed at G_max / G_min), levels (program targets are
// quantised), endurance (RESET pulses are cycles; b_max shrinks by
// endurance_window_factor). Temperature: the ExpStep fit has no temperature
// dependence, so temperature_K must stay 300 K.
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

struct PcmPulseParams : CellNonIdealities {
  double g_max_S = 25e-6;
  double g_min_S = 0.0;
  // aihwkit PCMPresetDevice (presets/devices.py).
  double w_max = 2.0;
  double w_max_dtod = 0.1;
  double dw_min = 0.01;
  double dw_min_dtod = 0.2;
  double up_down_dtod = 0.05;
  double es_a = -1.0;
  double es_b = 0.0;
  double gamma_up = 2.5;
  double A_up = -27.235;
  double dw_min_std = 0.6;
  double dw_min_std_add = 0.042;
  double dw_min_std_slope = 0.108;
  double reset = 0.01;
  double reset_dtod = 0.02;
  double reset_std = 0.01;
  // Optional statistical drift and read noise (pcm_laws.hpp); off as in aihwkit's preset.
  double drift_scale = 0.0;
  double read_noise_scale = 0.0;
  double t0_s = 20.0;
  double t_read_s = 250e-9;
  double v_read_V = 0.2;
  int response_pulses = 60;

  static const ParamTable<PcmPulseParams>& table();
};

class PcmPulseModel final : public DeviceModel {
 public:
  explicit PcmPulseModel(PcmPulseParams p);
  const PcmPulseParams& params() const { return p_; }

  std::string_view name() const override { return "pcm-pulse"; }
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
  std::unique_ptr<DeviceModel> clone() const override { return std::make_unique<PcmPulseModel>(*this); }

  /// Block kernels used by program-and-verify: noise-free conductance of the rows into
  /// out (rows.size() x cols), and pulses from block-local counts at tile time 0 (the
  /// programming time; returns 0 J: the ExpStep fit has no energy).
  void read_block(const DeviceState& state, arma::fmat& out, RowRange rows) const;
  double pulse_block(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const;

  /// Conductance of weight-unit state w.
  double conductance_S(double w) const { return p_.g_min_S + (p_.g_max_S - p_.g_min_S) * w / p_.w_max; }
  double weight_of(double g_S) const { return (g_S - p_.g_min_S) / (p_.g_max_S - p_.g_min_S) * p_.w_max; }

  // Field order of the state.
  enum Field : std::size_t { kW = 0, kBmax, kDwUp, kReset, kNu, kTPulse, kDrift, kCycles, kFault, kFieldCount };

 private:
  template <bool kLocalCounts>
  void pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const;
  PcmPulseParams p_;
};

class PcmPulseFamily final : public FamilyOf<PcmPulseParams, PcmPulseModel> {
 public:
  std::string_view model() const override { return "pcm-pulse"; }
  std::string_view family() const override { return "pcm"; }
  std::string_view summary() const override;
  double default_read_voltage_V(const ParamValues& values) const override;
  std::size_t default_pulses(const ParamValues& values) const override;
  std::vector<std::string> extra_protocols() const override { return {}; }
  Curve run_extra(const ParamValues& values, const CurveRequest& request) const override;
};

}  // namespace xbarsim

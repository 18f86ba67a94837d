#pragma once
// "pcm-statistical": the published statistical PCM inference model of Joshi et al.,
// Nat. Commun. 11:2473 (2020) / Nandakumar et al., ICECS 2019, exactly as IBM aihwkit's
// PCMLikeNoiseModel (device_physics.md 3.1; laws in pcm_laws.hpp).
//
//   program:  g_prog = max(G_T + sigma_prog(g_T) xi, 0)           (closed-form program-and-verify)
//             nu     = |N(mu_nu(g_T), sigma_nu(g_T))| * drift_scale,  g_T = G_T / g_max
//   relax:    g(t)   = g_prog ((t + t0)/t0)^(-nu),  t = seconds since programming
//   read:     g(t) + N(0, sigma_nG(t)) clipped at 0 when noisy, with
//             sigma_nG = g(t) Q_s(g_prog/g_max) sqrt(ln((t + t0 + t_read)/(2 t_read)))
//
// Time convention: DeviceState::time_s is t_inference of aihwkit (0 = programming done);
// aihwkit's t = t_inference + t0 appears in both the drift law and the 1/f log, and we
// reproduce that literally, so read noise is already non-zero at t_inference = 0.
// Each noisy read draws an independent sample (keyed by read_index); aihwkit instead
// freezes one sample per drift_analog_weights() call.
//
// Pulses: the statistical model has no partial-pulse law, so a SET pulse is a full SET
// (programmed to g_max with the published statistics at g_T = 1) and a RESET pulse a full
// RESET (g_T = 0). Use pcm-pulse for cumulative-SET training.
//
// program() reports no pulses or verify reads: the published statistics describe the
// outcome of the iterative program-and-verify, not its pulse count.
//
// Non-idealities: stuck cells (fixed at G_max / G_min, no drift), levels (targets
// quantised over [g_min, g_max]), endurance (each program or RESET is one cycle; the
// window closes from the top). Temperature: the published fits carry no temperature
// dependence (the drift exponent at temperature is not in the sources), so temperature_K
// must stay 300 K; pcm-thermal is the model with temperature.
// Drift compensation is a tile-level operation, not part of the device.
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

struct PcmStatisticalParams : CellNonIdealities {
  double g_max_S = 25e-6;
  double g_min_S = 0.0;
  double t0_s = 20.0;
  double t_read_s = 250e-9;
  double prog_noise_scale = 1.0;
  double read_noise_scale = 1.0;
  double drift_scale = 1.0;
  double v_read_V = 0.2;
  int response_pulses = 4;

  static const ParamTable<PcmStatisticalParams>& table();
};

class PcmStatisticalModel final : public DeviceModel {
 public:
  explicit PcmStatisticalModel(PcmStatisticalParams p);
  const PcmStatisticalParams& params() const { return p_; }

  std::string_view name() const override { return "pcm-statistical"; }
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
  std::unique_ptr<DeviceModel> clone() const override { return std::make_unique<PcmStatisticalModel>(*this); }

  // Field order of the state.
  enum Field : std::size_t { kTarget = 0, kProg, kNu, kDrift, kTProg, kCycles, kFault, kFieldCount };

 private:
  PcmStatisticalParams p_;
};

class PcmStatisticalFamily final : public FamilyOf<PcmStatisticalParams, PcmStatisticalModel> {
 public:
  std::string_view model() const override { return "pcm-statistical"; }
  std::string_view family() const override { return "pcm"; }
  std::string_view summary() const override;
  double default_read_voltage_V(const ParamValues& values) const override;
  std::size_t default_pulses(const ParamValues& values) const override;
  std::vector<std::string> extra_protocols() const override { return {}; }
  Curve run_extra(const ParamValues& values, const CurveRequest& request) const override;
};

}  // namespace xbarsim

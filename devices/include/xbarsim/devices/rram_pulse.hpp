#pragma once
// NeuroSim behavioural pulse model of analog synaptic devices (P.-Y. Chen, X. Peng, S. Yu,
// IEEE TCAD 37(12), 2018, eqs. 8-10; MLP_NeuroSim_V3.0 Cell.cpp RealDevice and formula.cpp;
// device_physics.md 2.5):
//   G(P) = B (1 - exp(-P/A)) + G_min,  B = (G_max - G_min)/(1 - exp(-P_max/A)),
// LTP moves the pulse position up the LTP curve, LTD down the LTD curve (each with its
// own A; negative A = convex curve). A = A_norm(NL) P_max, with A_norm solved from the
// nonlinearity label NL (see a_norm_from_nl). Cycle-to-cycle: G += N(0, c2c (G_max - G_min))
// sqrt(|n|); device-to-device: N(0, sigma) added to NL before the A lookup.
// Optional relaxation after writes: the CMO/HfOx fit of aihwkit ReRamCMONoiseModel
// (mu = g_prog - 0.089 ln t uS, sigma = 0.042 ln t + 0.4118 uS; sheet 2.6).
// The model has no temperature and no voltage dependence: temperature_K must stay 300 K;
// the write voltages and widths only enter the programming-energy estimate.
#include <cstddef>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

struct RramPulseParams : CellNonIdealities {
  // NeuroSim IdealDevice defaults (Cell.cpp; sheet 2.5); real devices come from presets.
  double g_min_S = 100e-9;
  double g_max_S = 5e-6;
  int pulses_ltp = 64;
  int pulses_ltd = 64;
  double nl_ltp = 0.0;
  double nl_ltd = 0.0;
  double nl_d2d_sigma = 0.0;
  double c2c_sigma_rel = 0.0;
  double write_voltage_ltp_V = 2.0;
  double write_width_ltp_s = 10e-9;
  double write_voltage_ltd_V = -2.0;
  double write_width_ltd_s = 10e-9;
  double v_read_V = 0.5;
  double read_noise_rel = 0.0;
  std::string relaxation = "none";  // none | cmo-hfox
  double relax_mean_slope_S = -0.08900206e-6;
  double relax_sigma_slope_S = 0.04201137e-6;
  double relax_sigma0_S = 0.41183342e-6;

  static const ParamTable<RramPulseParams>& table();
};

/// NL = kNlPerMaxDeviation * max_x (G(x) - x) for the normalised LTP curve, the relation
/// that reproduces NeuroSim's A_norm table (formula.cpp getParamA): the constant is
/// 8 lim_{NL->0} A_norm NL = 8 x 1.26269 (table entries NL = 0.01, 0.02).
inline constexpr double kNlPerMaxDeviation = 10.10152;

/// Maximum deviation max_x |G(x) - x| of the normalised curve with 1/A_norm = inv_a.
double neurosim_max_deviation(double inv_a);
/// Nonlinearity label of a curve with 1/A_norm = inv_a (sign of inv_a).
double nl_from_inv_a(double inv_a);
/// 1/A_norm of label NL (0 for NL = 0, the linear device), solved numerically; |NL| must
/// be below kNlPerMaxDeviation. ConfigError otherwise.
double inv_a_from_nl(double nl);
/// A_norm(NL) = 1/inv_a_from_nl(NL) (infinite for NL = 0), as tabulated by NeuroSim.
double a_norm_from_nl(double nl);
/// Normalised conductance (G - G_min)/(G_max - G_min) at normalised pulse position x.
double neurosim_curve(double x, double inv_a);
/// Inverse of neurosim_curve: pulse position of normalised conductance gn in [0, 1].
double neurosim_position(double gn, double inv_a);

class RramPulseModel final : public DeviceModel {
 public:
  explicit RramPulseModel(RramPulseParams p);
  const RramPulseParams& params() const { return p_; }

  std::string_view name() const override { return "rram-pulse"; }
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
  std::unique_ptr<DeviceModel> clone() const override { return std::make_unique<RramPulseModel>(*this); }

  enum Field : std::size_t {
    kConductance = 0,
    kInvALtp,
    kInvALtd,
    kFault,
    kCycles,
    kLastPolarity,
    kBaseFieldCount,
    // present only with a relaxation model
    kGProg = kBaseFieldCount,
    kTProg,
    kRelaxZ
  };

 private:
  bool relaxing() const { return p_.relaxation != "none"; }
  // One write of n pulses (sign = polarity) to cell (i, j) with normal z for c2c.
  double pulsed(double g, int n, double inv_a_ltp, double inv_a_ltd, float z) const;
  void mark_written(DeviceState& state, std::size_t i, std::size_t j, double t_s, float z) const;
  // Noise-free read of one cell (faults, endurance).
  double read_cell(const DeviceState& state, std::size_t i, std::size_t j) const;

  RramPulseParams p_;
  double inv_a_ltp_ = 0.0, inv_a_ltd_ = 0.0;
};

class RramPulseFamily final : public FamilyOf<RramPulseParams, RramPulseModel> {
 public:
  std::string_view model() const override { return "rram-pulse"; }
  std::string_view family() const override { return "rram"; }
  std::string_view summary() const override;
  double default_read_voltage_V(const ParamValues& values) const override;
  std::size_t default_pulses(const ParamValues& values) const override;
  std::vector<std::string> extra_protocols() const override { return {}; }
  Curve run_extra(const ParamValues& values, const CurveRequest& request) const override;
};

}  // namespace xbarsim

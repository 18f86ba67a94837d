#pragma once
// Stanford-PKU gap model of metal-oxide RRAM (Z. Jiang et al., IEEE TED 63(5), 2016;
// Stanford RRAM Verilog-A v1.0.0; device_physics.md 2.4):
//   dg/dt   = -v0 exp(-q Ea/(kB T)) sinh(gamma a0/t_ox q V/(kB T))              (1)
//   gamma   = gamma0 - beta (g/1 nm)^alpha, set to 0 where gamma |V|/t_ox < F_min (4)
//   I       = I0 exp(-g/g0) sinh(V/V0)
//   T       = T0 + |V I| R_th                        (algebraic, v1.0.0, eq. 5)
//   or dT/dt = (T0 + |V I| R_th - T)/tau_th          (thermal ODE of the ASU variant, with
//                                                     R_th = tau_th/C_th; same steady state)
//   g clamped to [g_min, g_max]; optional gap noise dg += delta_g(T) sqrt(t_ref) dW with
//   delta_g(T) = delta_g0/(1 + exp((T_crit - T)/T_smth)) (2)-(3), t_ref = v1.0.0 time step.
// Positive V closes the gap (SET, LRS); negative V opens it (RESET, HRS).
// temperature_K is the ambient T0. relax() is a no-op: at V = 0 the gap does not move.
#include <cstddef>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

struct StanfordPkuParams : CellNonIdealities {
  // Stanford v1.0.0 defaults (sheet 2.4 table, first column).
  double g0_m = 0.25e-9;
  double v0_V = 0.25;
  double i0_A = 1e-3;
  double vel0_m_per_s = 10.0;
  double gamma0 = 16.0;
  double beta = 0.8;
  double gamma_exponent = 3.0;
  double ea_eV = 0.6;
  double a0_m = 0.25e-9;
  double t_ox_m = 12e-9;
  double gap_min_m = 0.2e-9;
  double gap_max_m = 1.7e-9;
  double gap_initial_m = 1.7e-9;  // reset state (v1.0.0 starts at gap_ini = 0.2 nm, LRS)
  double f_min_V_per_m = 1.4e9;
  // Heating.
  std::string thermal_model = "algebraic";  // algebraic | ode
  double r_th_K_per_W = 2.1e3;
  double tau_th_s = 2.3e-10;
  // Gap noise (v1.0.0 model_switch = 1).
  bool gap_noise = false;
  double delta_g0_m_per_s = 0.02;
  double t_crit_K = 450.0;
  double t_smth_K = 500.0;
  double noise_time_step_s = 1e-9;  // v1.0.0 time_step: sets the noise intensity
  double sde_step_s = 1e-10;        // stochastic Heun step
  double i_compliance_A = 0.0;      // SET current limit (0 = none)
  // Pulses and read.
  double set_voltage_V = 1.9;
  double set_width_s = 10e-9;
  double reset_voltage_V = -1.9;
  double reset_width_s = 10e-9;
  double v_read_V = 0.1;
  double read_noise_rel = 0.0;
  // Numerics.
  double ode_abs_tol_m = 1e-15;
  double ode_rel_tol = 1e-5;
  std::string program_mode = "closed-form";
  int response_pulses = 20;
  // "iv" protocol (MemTorch Stanford_PKU.plot_hysteresis_loop: 1.5 V, 10 Hz).
  double iv_amplitude_V = 1.5;
  double iv_frequency_Hz = 10.0;
  int iv_cycles = 1;
  int iv_points_per_cycle = 1000;
  std::string iv_waveform = "sine";

  static const ParamTable<StanfordPkuParams>& table();
};

/// Current through a device with gap g at voltage v (no compliance).
double stanford_current_A(const StanfordPkuParams& p, double gap_m, double v_V);
/// Gap velocity dg/dt (m/s) at gap g, device voltage v and temperature T: eqs. (1) and (4).
double stanford_gap_rate(const StanfordPkuParams& p, double gap_m, double v_V, double T_K);
/// Steady-state temperature T0 + |V I| R_th.
double stanford_temperature_K(const StanfordPkuParams& p, double gap_m, double v_V);

/// Integrates the gaps (and temperatures, thermal ODE) of a block of cells under constant
/// per-cell voltages for duration_s with Odeint's adaptive Dormand-Prince (no gap noise).
/// gap_m is in/out; returns steps taken.
std::size_t stanford_integrate(const StanfordPkuParams& p, std::vector<double>& gap_m, const std::vector<double>& v_V,
                               double duration_s);

class StanfordPkuModel final : public DeviceModel {
 public:
  explicit StanfordPkuModel(StanfordPkuParams p);
  const StanfordPkuParams& params() const { return p_; }

  std::string_view name() const override { return "rram-stanford-pku"; }
  std::vector<StateField> layout() const override;
  double g_min_S() const override;
  double g_max_S() const override;
  DeviceState create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                           std::uint32_t tile_id) const override;
  ProgramReport program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                        RowRange rows) const override;
  void apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const override;
  void read(const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index, arma::fmat& out_S,
            RowRange rows) const override;
  void relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const override;
  std::unique_ptr<DeviceModel> clone() const override { return std::make_unique<StanfordPkuModel>(*this); }

  /// The "iv" protocol: periodic voltage sweep, current of every device.
  Curve iv_sweep(const CurveRequest& request) const;
  /// Read conductance I/V of a gap at voltage v (the effective conductance of read()).
  double conductance_S(double gap_m, double v_V) const;

  enum Field : std::size_t { kGap = 0, kFault, kCycles, kLastPolarity, kFieldCount };

 private:
  // Noise-free read of one cell at voltage v (faults, endurance).
  double read_cell(const DeviceState& state, std::size_t i, std::size_t j, double v) const;

  StanfordPkuParams p_;
};

class StanfordPkuFamily final : public FamilyOf<StanfordPkuParams, StanfordPkuModel> {
 public:
  std::string_view model() const override { return "rram-stanford-pku"; }
  std::string_view family() const override { return "rram"; }
  std::string_view summary() const override;
  double default_read_voltage_V(const ParamValues& values) const override;
  std::size_t default_pulses(const ParamValues& values) const override;
  std::vector<std::string> extra_protocols() const override { return {"iv"}; }
  Curve run_extra(const ParamValues& values, const CurveRequest& request) const override;
};

}  // namespace xbarsim

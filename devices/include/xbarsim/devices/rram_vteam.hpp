#pragma once
// VTEAM voltage-controlled memristor (Kvatinsky, Ramadan, Friedman, Kolodny, IEEE TCAS-II
// 62(8), 2015; device_physics.md 2.2) with the window functions of 2.1 and the linear or
// exponential port equation. Defaults are MemTorch's (memtorch/bh/memristor/VTEAM.py).
//
// State: u = (w - x_on)/(x_off - x_on) in [0, 1], 0 = ON (R_on), 1 = OFF (R_off).
//   du/dt = k_off/d (v/v_off - 1)^alpha_off f_off(u)   for v >= v_off > 0   (toward OFF)
//         = k_on/d  (v/v_on  - 1)^alpha_on  f_on(u)    for v <= v_on  < 0   (toward ON)
//         = 0                                           otherwise
// SET (potentiation) therefore needs v < v_on < 0 and RESET v > v_off > 0.
//
// Temperature: VTEAM has no temperature in its equations (it is a fit at one temperature),
// so temperature_K must stay at its default; any other value is rejected rather than
// silently ignored. relax() is a no-op: below threshold the state does not move.
#include <cstddef>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

struct VteamParams : CellNonIdealities {
  // Device (MemTorch VTEAM.py defaults).
  double r_on_ohm = 50.0;
  double r_off_ohm = 1000.0;
  double x_on_m = 0.0;
  double x_off_m = 3e-9;
  double k_on_m_per_s = -10.0;
  double k_off_m_per_s = 5e-4;
  double alpha_on = 3.0;
  double alpha_off = 1.0;
  double v_on_V = -0.2;
  double v_off_V = 0.02;
  std::string port = "linear";  // "linear" | "exponential"
  // Window (default Biolek: asymmetric, so the state can leave a bound; Biolek et al. 2021).
  std::string window = "biolek";  // none | joglekar | biolek | prodromakis | kvatinsky
  int window_p = 10;
  double prodromakis_j = 1.0;
  double kvatinsky_a_on_m = 0.3e-9;
  double kvatinsky_a_off_m = 2.7e-9;
  double kvatinsky_w_c_m = 0.1e-9;
  double x_initial = 1.0;  // normalised state of a fresh device (1 = OFF, the reset state)
  // Pulses and read.
  double set_voltage_V = -0.25;
  double set_width_s = 0.5e-9;
  double reset_voltage_V = 1.0;
  double reset_width_s = 2e-9;
  double v_read_V = 0.01;
  double read_noise_rel = 0.0;
  // Variation.
  double d2d_r_sigma = 0.0;  // sigma of ln R_on and ln R_off per device
  double d2d_k_sigma = 0.0;  // sigma of ln(rate scale) per device
  double c2c_k_sigma = 0.0;  // sigma of ln(rate scale) per pulse
  // Numerics.
  std::string integrator = "dopri5";  // dopri5 | rk4 | euler
  int fixed_steps = 64;               // steps per pulse (or per iv sample interval) for rk4/euler
  double ode_abs_tol = 1e-8;          // on the normalised state u
  double ode_rel_tol = 1e-6;
  std::string program_mode = "closed-form";  // closed-form | write-verify
  int response_pulses = 64;
  // "iv" protocol (MemTorch VTEAM.plot_hysteresis_loop: 1 V, 50 MHz).
  double iv_amplitude_V = 1.0;
  double iv_frequency_Hz = 50e6;
  int iv_cycles = 2;
  int iv_points_per_cycle = 400;
  std::string iv_waveform = "sine";  // sine | triangle

  static const ParamTable<VteamParams>& table();
};

/// du/dt of the normalised state before the window, at device voltage v (1/s); 0 between
/// the thresholds.
double vteam_drive_rate(const VteamParams& p, double v_V);
/// Window f(u) for motion toward OFF (toward_off) or toward ON.
double vteam_window(const VteamParams& p, double u, bool toward_off);
/// Resistance of the port equation at normalised state u.
double vteam_resistance(const VteamParams& p, double u, double r_on_ohm, double r_off_ohm);
/// Normalised state whose resistance is r (inverse port equation), clamped to [0, 1].
double vteam_state_for_resistance(const VteamParams& p, double r_ohm, double r_on_ohm, double r_off_ohm);

/// Integrates du_i/dt = rate_i * f(u_i) over duration_s for every cell of a block (one
/// state vector, Boost.Odeint through odeint_adapter.hpp) with p.integrator; rates are
/// constant (a rectangular pulse). Returns the number of steps taken.
std::size_t vteam_integrate(const VteamParams& p, std::vector<double>& u, const std::vector<double>& rate_per_s,
                            double duration_s);

class VteamModel final : public DeviceModel {
 public:
  explicit VteamModel(VteamParams p);
  const VteamParams& params() const { return p_; }

  std::string_view name() const override { return "rram-vteam"; }
  std::vector<StateField> layout() const override;
  double g_min_S() const override { return 1.0 / p_.r_off_ohm; }
  double g_max_S() const override { return 1.0 / p_.r_on_ohm; }
  DeviceState create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                           std::uint32_t tile_id) const override;
  ProgramReport program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                        RowRange rows) const override;
  void apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const override;
  void read(const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index, arma::fmat& out_S,
            RowRange rows) const override;
  void relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const override;
  std::unique_ptr<DeviceModel> clone() const override { return std::make_unique<VteamModel>(*this); }

  /// The "iv" protocol: periodic voltage sweep, current of every device.
  Curve iv_sweep(const CurveRequest& request) const;

  // Field order of the state.
  enum Field : std::size_t { kState = 0, kRon, kRoff, kRateScale, kFault, kCycles, kLastPolarity, kFieldCount };

 private:
  // Noise-free read of one cell (faults, endurance).
  double read_cell(const DeviceState& state, std::size_t i, std::size_t j) const;

  VteamParams p_;
};

class VteamFamily final : public FamilyOf<VteamParams, VteamModel> {
 public:
  std::string_view model() const override { return "rram-vteam"; }
  std::string_view family() const override { return "rram"; }
  std::string_view summary() const override;
  double default_read_voltage_V(const ParamValues& values) const override;
  std::size_t default_pulses(const ParamValues& values) const override;
  std::vector<std::string> extra_protocols() const override { return {"iv"}; }
  Curve run_extra(const ParamValues& values, const CurveRequest& request) const override;
};

}  // namespace xbarsim

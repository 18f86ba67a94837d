#pragma once
// "pcm-thermal": a crystallisation/thermal compact model of a GST cell, integrated with
// Boost.Odeint (odeint_adapter.hpp). Equations follow the skeleton of device_physics.md
// 3.3, where every form and constant is tagged [U] (standard literature forms, not read
// in a primary source): treat the defaults as typical GST values, not as a fit.
//
// Circuit: source v(t) -> driver resistance r_load -> cell = r_series (heater, electrodes)
// in series with the phase-change volume ("element").
//   element, OFF:  I = G_mix(X) V_e
//   element, ON:   I = G_mix(X) V_e + (V_e - V_hold)/r_on   while V_e > V_hold
//   G_mix: effective-medium (symmetric Bruggeman, 3D; percolation at X = 1/3) or parallel
//          mix of G_c = 1/r_cryst and G_a = drift(t)/r_amorph.
//   Threshold switching (Ovonic): OFF -> ON when V_e >= V_th (1 - X) (the amorphous
//   thickness shrinks with X); ON -> OFF when V_e falls to V_hold. Switching is checked at
//   every integration step (hybrid system; time resolution dt_s).
// Thermal (lumped):  C_th dT/dt = P - (T - T_amb)/R_th,  P = I (v - I r_load) (cell power),
//   T_amb = temperature_K.
// Crystallisation (JMAK/Avrami, isothermal-equivalent rate form): with
//   u = (-ln(1 - X))^(1/n),  X = 1 - exp(-u^n),
// the rate law dX/dt = n k (-ln(1 - X))^((n-1)/n) (1 - X) becomes du/dt = k(T), so the
// integrated state is u (the X form has a non-Lipschitz fixed point at X = 0 for n > 1 and
// could never nucleate in a solver). k(T) = k_ref exp(-(E_a/k_B)(1/T - 1/T_ref)) for
// T_g < T < T_melt, 0 otherwise.
// Melt-quench (amorphisation): above T_melt the crystal melts, du/dt = -u/tau_melt; what
// is molten when T drops below T_melt is amorphous unless JMAK recrystallises it while
// the cell cools through [T_g, T_melt] (fast falling edge = quench, slow = SET-like).
// Drift: the amorphous conductance decays as ((t - t_melt + t0)/t0)^(-drift_nu) since the
// last melt-quench (structural relaxation, device_physics.md 3.3).
// Retention: relax() crystallises in closed form, u += k(T_amb) (t1 - t0) (zero below T_g).
//
// apply_pulses: +n SET pulses (trapezoid set_*), -n RESET pulses (reset_*), each a full
// transient from T_amb. program(): program-and-verify by SET/RESET pulses. read(): I/V at
// the read voltage, on the ON branch if the read itself exceeds the threshold (the read
// does not change the state). The model is deterministic (no noise source); noisy reads
// equal noise-free ones.
// Non-idealities: stuck cells (X fixed at 1 or 0), levels (program targets), endurance
// (melt events are cycles; G_c degrades towards G_a by endurance_window_factor),
// temperature (T_amb of the thermal ODE and of retention).
#include <functional>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

struct PcmThermalParams : CellNonIdealities {
  // Electrical.
  double r_series_ohm = 1e3;
  double r_cryst_ohm = 2e3;
  double r_amorph_ohm = 1e6;
  std::string mix = "effective-medium";  // effective-medium | parallel
  double v_th_V = 1.0;
  double v_th_dtod = 0.0;
  double v_hold_V = 0.5;
  double r_on_ohm = 1e3;
  // Thermal.
  double r_th_K_per_W = 3e6;
  double c_th_J_per_K = 3e-16;
  // Crystallisation and melting.
  double e_a_eV = 2.1;
  double avrami_n = 3.0;
  double t_ref_K = 850.0;
  double k_ref_per_s = 1e7;
  double t_g_K = 430.0;
  double t_melt_K = 900.0;
  double tau_melt_s = 1e-9;
  // Drift of the amorphous phase.
  double drift_nu = 0.1;
  double t0_s = 20.0;
  // Driver and pulses.
  double r_load_ohm = 1e4;
  double set_amplitude_V = 3.0;
  double set_rise_s = 2e-9;
  double set_width_s = 30e-9;
  double set_fall_s = 10e-9;
  double reset_amplitude_V = 5.0;
  double reset_rise_s = 2e-9;
  double reset_width_s = 50e-9;
  double reset_fall_s = 2e-9;
  // Numerics, read, protocols.
  double dt_s = 1e-10;
  double v_read_V = 0.2;
  int response_pulses = 15;
  double iv_amplitude_V = 2.0;
  double iv_frequency_Hz = 1e6;
  int iv_cycles = 1;
  int iv_points_per_cycle = 400;

  static const ParamTable<PcmThermalParams>& table();
};

namespace pcm_thermal {

/// X = 1 - exp(-u^n).
double crystalline_fraction(double u, double n);
/// u = (-ln(1 - X))^(1/n), the inverse of crystalline_fraction (X in [0, 1)).
double jmak_progress(double x, double n);
/// JMAK rate constant k(T) in 1/s (0 outside T_g < T < T_melt).
double jmak_rate_per_s(const PcmThermalParams& p, double T_K);
/// Symmetric Bruggeman effective-medium conductance of a crystalline fraction x
/// (3D): x (g_c - g)/(g_c + 2g) + (1 - x)(g_a - g)/(g_a + 2g) = 0, closed form.
double effective_medium_S(double x, double g_c_S, double g_a_S);
/// Element conductance for the model's mix rule.
double mix_conductance_S(const PcmThermalParams& p, double x, double g_c_S, double g_a_S);

struct Drive {
  double current_A = 0.0;
  double element_V = 0.0;
  bool on = false;  // the ON branch carries current
};
/// Current through r_ext (driver + series) and the element at source voltage v_src, on
/// the ON branch if `on` and the element voltage stays above v_hold, else OFF (ohmic).
Drive solve_circuit(double v_src, double r_ext_ohm, double g_mix_S, double r_on_ohm, double v_hold_V, bool on);

/// A source waveform: trapezoid (rise, flat top, fall) or unipolar triangle 0 -> A -> 0
/// repeated `cycles` times with the given period.
struct Waveform {
  enum class Kind { None, Trapezoid, Triangle } kind = Kind::None;
  double amplitude_V = 0.0;
  double rise_s = 0.0, width_s = 0.0, fall_s = 0.0;  // trapezoid
  double period_s = 0.0;                             // triangle
  int cycles = 1;
  double value(double t_s) const;
  double duration_s() const;
  static Waveform trapezoid(double amplitude_V, double rise_s, double width_s, double fall_s);
  static Waveform triangle(double amplitude_V, double period_s, int cycles);
};

/// One cell of a transient simulation.
struct Cell {
  // Inputs.
  double g_c_S = 0.0, g_a_S = 0.0;  // crystalline and (drifted) amorphous element conductances
  double v_th_V = 0.0;              // threshold of the fully amorphous element
  const Waveform* wave = nullptr;
  // State (in and out).
  double u = 0.0;    // JMAK progress
  double T_K = 0.0;  // temperature
  bool on = false;   // threshold-switched
  // Outputs.
  bool melted = false;                                      // reached T_melt
  double energy_J = 0.0;                                    // energy delivered by the source
  double current_A = 0.0, source_V = 0.0, element_V = 0.0;  // at the last step boundary
};

/// Integrates the cells' (T, u, energy) with fixed-step RK4 (odeint_adapter.hpp) of step
/// dt_s from t = 0, checking threshold switching at every step, until every waveform has
/// ended and every cell has cooled (below T_g, or within 1 mK of T_amb when T_amb >= T_g),
/// or until t_stop_s when it is positive. trace(t, cells) runs at t = 0 and every
/// `trace_every` steps. Returns the simulated time. Throws NumericalError on a
/// non-finite state.
double simulate(const PcmThermalParams& p, std::vector<Cell>& cells, double dt_s, double t_stop_s = 0.0,
                const std::function<void(double, const std::vector<Cell>&)>& trace = {}, std::size_t trace_every = 1);

}  // namespace pcm_thermal

class PcmThermalModel final : public DeviceModel {
 public:
  explicit PcmThermalModel(PcmThermalParams p);
  const PcmThermalParams& params() const { return p_; }

  std::string_view name() const override { return "pcm-thermal"; }
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
  std::unique_ptr<DeviceModel> clone() const override { return std::make_unique<PcmThermalModel>(*this); }

  /// Block kernels of program-and-verify (block-local out and counts; pulses at tile
  /// time 0, the programming time). pulse_block returns the source energy in J.
  void read_block(const DeviceState& state, arma::fmat& out, RowRange rows) const;
  double pulse_block(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const;

  /// Transient inputs of cell (i, j) (conductances after drift and endurance, threshold,
  /// state) starting at T_amb, driven by `wave`.
  pcm_thermal::Cell cell(const DeviceState& state, std::size_t i, std::size_t j,
                         const pcm_thermal::Waveform* wave) const;
  /// Effective conductance I/V of cell (i, j) at read voltage v (> 0).
  double conductance_at(const DeviceState& state, std::size_t i, std::size_t j, double v) const;
  /// The SET and RESET waveforms of the parameters.
  const pcm_thermal::Waveform& set_wave() const { return set_wave_; }
  const pcm_thermal::Waveform& reset_wave() const { return reset_wave_; }

  /// Extra protocols: "iv" (triangular voltage sweep) and "pulse-trace" (one SET then one
  /// RESET transient of fresh devices).
  Curve iv_sweep(const CurveRequest& request) const;
  Curve pulse_trace(const CurveRequest& request) const;

  // Field order of the state.
  enum Field : std::size_t { kU = 0, kVth, kTMelt, kDrift, kCycles, kFault, kFieldCount };

 private:
  template <bool kProgramming>
  double pulses(DeviceState& state, const PulseCounts& counts, RowRange rows) const;
  PcmThermalParams p_;
  pcm_thermal::Waveform set_wave_, reset_wave_;
};

class PcmThermalFamily final : public FamilyOf<PcmThermalParams, PcmThermalModel> {
 public:
  std::string_view model() const override { return "pcm-thermal"; }
  std::string_view family() const override { return "pcm"; }
  std::string_view summary() const override;
  double default_read_voltage_V(const ParamValues& values) const override;
  std::size_t default_pulses(const ParamValues& values) const override;
  std::vector<std::string> extra_protocols() const override { return {"iv", "pulse-trace"}; }
  Curve run_extra(const ParamValues& values, const CurveRequest& request) const override;
};

}  // namespace xbarsim

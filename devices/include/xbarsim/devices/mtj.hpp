#pragma once
// STT-MTJ device model (model "mtj", device_physics.md §4). A cell holds
// `mtjs_per_cell` binary perpendicular MTJs in series or in parallel; MTJ k has
// mtj_area_ratio^k times the reference area, so its Delta, I_c0 and G_P scale with it and
// the 2^n configurations give distinct levels (binary weights give evenly spaced ones).
//
// State (one float matrix per quantity, rows x cols):
//   state_k     1 = parallel (low resistance), 0 = antiparallel, for k < mtjs_per_cell
//   delta_k     thermal stability factor of MTJ k (device-to-device: sigma_delta_rel,
//               attributed to K_eff, so I_c0 ~ Delta and tau_D ~ 1/Delta follow)
//   g_p_k_S     zero-bias parallel conductance of MTJ k (lognormal sigma_r_p_rel)
//   fault       CellFault: stuck-on cells are all-P, stuck-off all-AP and never switch
//   switch_events  switching events of the cell's MTJs (endurance: cycles = events / 2)
// A fresh cell is all-AP, its low-conductance (reset) state.
//
// Conventions: a positive pulse / bias / current drives the MTJs towards P (SET); a
// negative one towards AP (RESET). Within one pulse the per-MTJ currents are those of the
// configuration at the start of the pulse.
//
// Switching: each pulse flips each MTJ with the closed-form probability of
// mtj_switching.hpp at its own reduced current (thermal below I_c0, precessional above,
// competing channels across the crossover). Read: I/V of the cell with the bias-dependent
// TMR(V) = TMR0 w / (1 + V^2/V_h^2) (w = endurance window factor); noisy reads add
// Johnson and shot noise of the read current in the bandwidth 1/(2 read_pulse_width_s).
// relax(): zero-current Neel-Brown retention (telegraph process, rate exp(-Delta)/tau0).
// Read disturb is not applied by the const read(); call read_disturb() below.
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/mtj_params.hpp>
#include <xbarsim/devices/mtj_switching.hpp>

namespace xbarsim {

class MtjModel final : public DeviceModel {
 public:
  explicit MtjModel(MtjParams params);

  const MtjParams& params() const { return p_; }
  const MtjDerived& derived() const { return d_; }
  /// True when the MTJs of a cell are in series, false in parallel.
  bool series() const { return series_; }

  std::string_view name() const override { return "mtj"; }
  std::vector<StateField> layout() const override;
  double g_min_S() const override { return g_min_; }
  double g_max_S() const override { return g_max_; }
  DeviceState create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                           std::uint32_t tile_id) const override;
  /// Chooses the configuration of each cell whose conductance (at the default read voltage,
  /// with the cell's own variation) is nearest the target (quantised to `levels` first),
  /// then writes each MTJ that must flip with individually addressed write pulses and
  /// verifies, up to options.max_iterations pulses per MTJ. `unconverged` counts cells
  /// whose configuration was not reached (and stuck cells whose stuck level is outside
  /// options.tolerance_rel of the target); energy is V I t_p summed over pulses.
  ProgramReport program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                        RowRange rows) const override;
  void apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const override;
  void read(const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index, arma::fmat& out_S,
            RowRange rows) const override;
  void relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const override;
  std::unique_ptr<DeviceModel> clone() const override { return std::make_unique<MtjModel>(*this); }

  /// Precession phase of each MTJ under a sustained bias (one matrix per MTJ, rows x cols),
  /// carried between consecutive apply_bias() calls of a sweep.
  struct BiasMemory {
    std::vector<arma::fmat> phase;
  };
  BiasMemory bias_memory(const DeviceState& state) const;

  /// Applies a voltage (+ towards P) across every cell in `rows` for `duration_s`; `step`
  /// keys the random draws. Without `memory` every call is a separate pulse from
  /// equilibrium (the write-pulse rule). With it, consecutive calls form one sustained
  /// drive: the precession phase s (ln of the angle's growth, d s/dt = (i - 1)/tau_D,
  /// floored at 0) carries over and a step switches with the precessional probability
  /// of growing s given no switch so far, plus the thermal hazard (mtj_switching.hpp);
  /// a constant drive split into steps then switches exactly like one long pulse.
  void apply_bias(DeviceState& state, double v_V, double duration_s, std::uint64_t step, RowRange rows,
                  BiasMemory* memory = nullptr) const;

  /// Field indices in the DeviceState.
  std::size_t state_field(int k) const { return static_cast<std::size_t>(k); }
  std::size_t delta_field(int k) const { return static_cast<std::size_t>(n_ + k); }
  std::size_t g_p_field(int k) const { return static_cast<std::size_t>(2 * n_ + k); }
  std::size_t fault_field() const { return static_cast<std::size_t>(3 * n_); }
  std::size_t events_field() const { return static_cast<std::size_t>(3 * n_ + 1); }

  /// Conductance I/V of a nominal cell (no variation, fresh) in configuration `mask`
  /// (bit k set = MTJ k parallel) at bias v_V.
  double nominal_conductance_S(unsigned mask, double v_V) const;
  /// Closed-form constants of an MTJ with barrier `delta` whose nominal barrier is
  /// `delta_nominal` (tau_D scales as delta_nominal / delta, see the state description).
  mtj::SwitchingConstants switching_constants(double delta, double delta_nominal) const;

 private:
  MtjParams p_;
  MtjDerived d_;
  int n_ = 1;
  bool series_ = true;
  double g_min_ = 0, g_max_ = 0;
};

/// Read disturb of `reads` consecutive reads at v_read_V (0 = default) of width
/// read_pulse_width_s: each read is a weak pulse towards P (positive bias) or AP; each MTJ
/// flips with the two-state Markov chain of per-read probabilities (away from and back to
/// its present state, both from the closed form at the read current of the present
/// configuration). `disturb_index` keys the random draws. Faulty cells are unaffected.
void read_disturb(const MtjModel& model, DeviceState& state, double v_read_V, std::uint64_t reads,
                  std::uint64_t disturb_index, RowRange rows);

}  // namespace xbarsim

#pragma once
// An analog crossbar tile (issue 3; shared/ARCHITECTURE.md "Crossbar tile"): device state
// + device model + weight mapping + DAC + ADC + wire model + update policy, each with its
// own parameter struct. Logical weights W are inputs x outputs, y = x W.
//
// Units. Conductances live in one contiguous matrix (read from the device state, cached
// until the state changes). The analog path works in aihwkit's normalised units: the
// DAC range is +-inp_bound, and every ADC input is a conductance-weighted current
// difference divided by (dG v_read), dG = g_max - g_min of the device, so for the
// differential mapping it is x (W / s) with |W / s| <= 1 and the ADC range and the output
// noise have aihwkit's meanings (out_bound 12, out_noise 0.06). Digitally each ADC
// column is multiplied by its factor (the mapping's scale s_j, slice weight and the
// reference-column factor 2) and by the noise/bound management scales.
//
// Cells (CellAccessParams, cell_access.hpp): with an access transistor (1T1R, 2T2R) a
// cell conducts G_cell = G / (1 + G r_access). The mapping works on cell conductances,
// over the range [G_cell(g_min), G_cell(g_max)], and write-verify reads through the
// transistor, so the device target is G = G_cell / (1 - G_cell r_access): programmed
// weights come back unchanged, only the usable conductance range shrinks. 2T2R needs
// the differential mapping. 0T1R cells are linear here (their read conductance at
// v_read); the sinh selector and sneak-path analysis live in nonlinear_solver.hpp.
//
// ADC columns. Differential pairs (and 2T2R cells) and the reference column are
// subtracted in the analog domain before the ADC, so there is one ADC input per logical
// column; bit-sliced tiles have one per (slice, logical column) and shift-add after the
// ADCs (ISAAC / CrossSim). The mapping's conductance range is always the
// cell range above: the tile overrides the g_min_S / g_max_S of its WeightMappingParams.
//
// Wire model. "ideal": I = V G. "exact": the exact transfer matrix T of the canonical
// topology (circuit_solver.hpp) at the current conductances, so a batch with IR drop is
// still one GEMM. "fast": ir_drop_model.hpp's per-cell effective conductances, O(rows
// cols) per refresh instead of a solve (exact to first order in the wire resistance);
// "fast-calibrated": the same with one per-column correction from one exact solve. The backward (transposed) read
// drives the bit lines; it uses the ideal-wire matrix (the canonical topology's sink/source placement is defined for
// the forward direction only).
//
// Device read noise (device_read_noise): "off"; "per-batch": one fresh noisy read of all
// cells per forward call, shared by its vectors; "per-mvm": a fresh noisy read of all
// cells for every input vector (exact for any device model, costs one array read per
// vector). Periphery weight noise with aihwkit's semantics is MvmIoParams::w_noise.
//
// Update (in-situ training, aihwkit semantics): update(x, d, lr) performs W <- W - lr x^T d
// with the pulsed outer product of pulsed_update.hpp. The step of one coincidence in
// normalised units, dw_min = mean cell change of one SET pulse / dG, is TileParams::dw_min
// or, when that is 0, measured once on a 256-cell probe of the same device model
// programmed to mid-range. The errors are divided by each column's digital factor so a
// column scale s_j is honoured. Reference-column tiles pulse each weight's device with the
// signed count (SET up, RESET down); differential tiles use one-sided potentiation
// (aihwkit OneSidedUnitCell): a positive count SETs G+, a negative one SETs G-.
// Bit-sliced tiles cannot be updated in place (ConfigError).
//
// Random numbers: every draw is keyed by (seed, purpose) and (tile id, call counter,
// re-run, sample index), never by thread or batch split.
#include <armadillo>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/adc.hpp>
#include <xbarsim/crossbar/cell_access.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/dac.hpp>
#include <xbarsim/crossbar/mvm_io.hpp>
#include <xbarsim/crossbar/pulsed_update.hpp>
#include <xbarsim/crossbar/weight_mapping.hpp>
#include <xbarsim/devices/device_model.hpp>

namespace xbarsim {

struct TileParams {
  double v_read_V = 0.2;                  // read voltage of a full-scale input
  std::string wire_model = "ideal";       // "ideal" | "exact" | "fast" | "fast-calibrated"
  std::string device_read_noise = "off";  // "off" | "per-batch" | "per-mvm"
  double program_tolerance_rel = 0.02;    // write-verify tolerance, fraction of G_max - G_min
  int program_max_iterations = 100;       // write-verify rounds per cell
  double dw_min = 0.0;                    // normalised step per coincidence, 0 = measured
  static const ParamTable<TileParams>& table();
};

/// Everything a tile is made of except the device model.
struct TileConfig {
  TileParams tile;
  WeightMappingParams mapping;
  DacParams forward_dac, backward_dac;
  AdcParams forward_adc, backward_adc;
  MvmIoParams forward_io, backward_io;
  WireParams wires;
  CellAccessParams cell_access;
  PulsedUpdateParams update;
};

/// Tile-level write-verify report of set_weights().
struct TileProgramReport {
  ProgramReport device;         // pulses, verify reads, unconverged cells, energy
  double weight_rms_error = 0;  // RMS of (programmed - requested) W, weight units
  double weight_max_error = 0;  // max |programmed - requested W|
};

/// What one update() did.
struct TileUpdateReport {
  PulsedUpdateStats pulses;         // pulses on rows and columns, coincidences, BL
  double dw_min = 0.0;              // normalised step per coincidence used
  std::uint64_t device_pulses = 0;  // sum of |count| applied to devices
};

/// What the last forward/backward call did (for tests and cost accounting).
struct MvmStats {
  std::size_t vectors = 0;          // input vectors converted
  std::size_t analog_mvms = 0;      // analog passes incl. bound-management re-runs and bit planes
  std::size_t bm_reruns = 0;        // vectors re-run by bound management
  std::size_t clipped_vectors = 0;  // vectors with an output still clipped at the end
};

class AnalogTile {
 public:
  /// Allocates device state for `inputs` x `outputs` logical weights. ConfigError (key
  /// paths "tile", "mapping", "forward_dac", ...) for invalid parameters.
  AnalogTile(std::unique_ptr<DeviceModel> model, const TileConfig& config, std::size_t inputs, std::size_t outputs,
             std::uint64_t seed, std::uint32_t tile_id = 0);
  ~AnalogTile();
  AnalogTile(AnalogTile&&) noexcept;
  AnalogTile& operator=(AnalogTile&&) noexcept;

  std::size_t inputs() const;
  std::size_t outputs() const;
  const TileConfig& config() const;
  const DeviceModel& model() const;
  const DeviceState& state() const;
  DeviceState& mutable_state();  // marks the cached conductances stale
  const MappedWeights& mapping() const;

  /// Maps W (inputs x outputs) and programs every device by write-verify.
  TileProgramReport set_weights(const arma::mat& W);
  /// The weights the devices represent now (noise-free read, ideal wires).
  arma::mat weights() const;
  /// Cell conductances read now (rows x physical columns, device in series with its
  /// access transistor), noise-free, siemens.
  const arma::fmat& conductances() const;

  /// y = x W through the forward periphery; x is batch x inputs, y batch x outputs.
  void forward(const arma::fmat& x, arma::fmat& y);
  /// forward() in the network's layout (matvec_backend.hpp): X is inputs x batch, Y
  /// outputs x batch, one vector per column; the numbers of forward(X^T) transposed,
  /// without the two transposes.
  void forward_columns(const arma::fmat& X, arma::fmat& Y);
  /// dx = d W^T through the backward periphery (no bound management, as aihwkit).
  void backward(const arma::fmat& d, arma::fmat& dx);
  const MvmStats& last_stats() const;

  /// W <- W - lr x^T d by pulses (see "Update" above); x batch x inputs, d batch x outputs.
  TileUpdateReport update(const arma::fmat& x, const arma::fmat& d, double lr);
  /// The normalised step per coincidence update() uses (measured on first use if 0).
  double dw_min();

  /// Evolves the devices to t_s seconds after programming (drift, relaxation).
  void relax_to(double t_s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim

#pragma once
// One DeviceModel object per tile: every method works on a block of rows of a
// structure-of-arrays DeviceState, never on a single cell, so there is one virtual call
// per block, not per cell. Inside, concrete models loop over cells with an inline rule.
//
// Random numbers: every draw is keyed by (state.seed(), purpose, tile, column, step)
// with core/random.hpp and indexed by row, so any split into row blocks and any thread
// count give bit-identical results.
#include <armadillo>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>
#include <xbarsim/devices/device_state.hpp>

namespace xbarsim {

/// Signed pulse counts for one update: +n potentiation (SET) pulses, -n depression
/// (RESET) pulses, 0 none. rows x cols, like the state.
using PulseCounts = arma::Mat<std::int16_t>;

/// Outcome of programming towards targets (write-verify statistics for cost models).
struct ProgramReport {
  std::uint64_t pulses = 0;        // programming pulses applied in total
  std::uint64_t verify_reads = 0;  // verify reads in total
  std::uint64_t unconverged = 0;   // cells outside tolerance after max iterations
  double energy_J = 0.0;           // programming energy, where the model knows it
};

/// Write-verify settings shared by the models that program with pulses.
struct ProgramOptions {
  double tolerance_rel = 0.02;  // |G - G_target| <= tol * (G_max - G_min)
  int max_iterations = 100;     // pulse/verify rounds per cell
};

class DeviceModel {
 public:
  virtual ~DeviceModel() = default;

  /// Model name as used in presets ("pcm-statistical", "rram-vteam", ...).
  virtual std::string_view name() const = 0;
  /// Per-cell fields of the state, in DeviceState field order.
  virtual std::vector<StateField> layout() const = 0;
  /// Nominal conductance range [G_min, G_max] of a fresh device, siemens.
  virtual double g_min_S() const = 0;
  virtual double g_max_S() const = 0;

  /// Allocates state for a rows x cols tile at its initial (reset) condition and samples
  /// device-to-device variation and stuck-at faults.
  virtual DeviceState create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                   std::uint32_t tile_id) const = 0;
  /// Programs cells in `rows` towards target conductances (write-verify where the device
  /// is programmed by pulses; the published statistics where the model is statistical).
  virtual ProgramReport program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                                RowRange rows) const = 0;
  /// Applies signed pulse counts to cells in `rows`; `step` keys the cycle-to-cycle noise.
  virtual void apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const = 0;
  /// Effective conductance seen by a read at `v_read_V` (I/V where the I-V is nonlinear).
  /// With `noisy`, read noise keyed by `read_index` is added.
  virtual void read(const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index, arma::fmat& out_S,
                    RowRange rows) const = 0;
  /// Evolves cells in `rows` from time t0_s to t1_s since programming (drift,
  /// retention, relaxation, decay). Models without time dependence leave the state as is.
  virtual void relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const = 0;

  virtual std::unique_ptr<DeviceModel> clone() const = 0;
};

/// Row-block size for the parallel helpers below (configuration, not thread count).
/// State is column-major, so a block touches one contiguous run of rows in every
/// column: 256 rows (1 KiB of floats per column) keeps the runs long enough for the
/// hardware prefetcher; 16-row blocks made a 1024 x 1024 pulse ~2x slower (measured
/// with bench_pulse), while 1024-row tiles still give 4 blocks for 2 cores.
inline constexpr std::size_t kDefaultRowBlock = 256;

/// The whole tile, rows split into fixed blocks run in parallel with TBB.
ProgramReport program_all(const DeviceModel& model, DeviceState& state, const arma::fmat& target_S,
                          const ProgramOptions& options = {});
void apply_pulses_all(const DeviceModel& model, DeviceState& state, const PulseCounts& counts);
void read_all(const DeviceModel& model, const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index,
              arma::fmat& out_S);
void relax_all(const DeviceModel& model, DeviceState& state, double t1_s);

/// Generic write-verify by pulses for models without a closed-form programming rule:
/// reads (noise-free), applies one SET or RESET pulse per cell outside tolerance, repeats.
/// With `levels` >= 2 each target is first rounded to the nearest of `levels` evenly
/// spaced conductances in [G_min, G_max] (CellNonIdealities::levels).
ProgramReport write_verify(const DeviceModel& model, DeviceState& state, const arma::fmat& target_S,
                           const ProgramOptions& options, RowRange rows, int levels = 0);

}  // namespace xbarsim

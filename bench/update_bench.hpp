#pragma once
// Pulsed outer-product update benchmark (issue: 512 x 512, batch 1024, ConstantStep
// device, goal <= 2x a digital SGD step). Times the full pulsed update, i.e. pulse-count
// generation (crossbar/pulsed_update.hpp, batch-net) plus apply_pulses_all on an
// rpu-step "constant" tile, against the digital step W -= lr X^T D as one arma::fmat
// SGEMM (OpenBLAS), both on one thread, measured in the same run. The same update is
// also timed end to end through AnalogTile::update (reference-column mapping, one
// device per weight, as aihwkit's analog SGD tiles; weights 0, so one coincidence moves
// a weight by 2 dw_min / (w_max - w_min) = 1/600).
#include <cstddef>
#include <cstdint>

namespace xbarsim::bench {

/// Inputs of the benchmark. x ~ U(-1, 1); d ~ U(-d_scale, d_scale) (a mean-reduced
/// loss makes per-sample errors small); dw_min is the rpu-step default 0.001.
struct UpdateBenchOptions {
  double lr = 0.1;
  double d_scale = 0.001;
  int desired_bl = 31;
};

struct UpdateBenchResult {
  double tile_s = 0.0;                 // AnalogTile::update on a reference-column tile (best of repeats)
  double tile_ratio = 0.0;             // tile_s / sgemm_s
  double update_s = 0.0;               // count generation + device apply (best of repeats)
  double count_s = 0.0;                // of which count generation (best of repeats)
  double apply_s = 0.0;                // of which apply_pulses_all (best of repeats)
  double sgemm_s = 0.0;                // W -= lr X^T D as one SGEMM (best of repeats)
  double ratio = 0.0;                  // update_s / sgemm_s
  int bl_max = 0;                      // longest per-sample pulse train
  double bl_mean = 0.0;                // mean per-sample pulse-train length
  double mean_abs_count = 0.0;         // mean |n_ij| of the applied (net) counts
  double coincidences_per_cell = 0.0;  // gross coincidences per cell
  double rel_err = 0.0;                // ||dw_min n + lr X^T D|| / ||lr X^T D|| of one update (stochastic error)
};

UpdateBenchResult run_update_bench(std::size_t rows, std::size_t cols, std::size_t batch, int repeats,
                                   const UpdateBenchOptions& options = {});

}  // namespace xbarsim::bench

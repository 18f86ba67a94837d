#pragma once
// The rpu-step pulse benchmark (issue definition): one pulse applied to every cell of
// a rows x cols SoftBounds tile with device-to-device and cycle-to-cycle variation on
// one thread, against a plain read-modify-write pass over the same arrays measured in
// the same run. Goal for 1024 x 1024: pulse <= 5 ms and pulse <= 2 x baseline.
#include <cstddef>

namespace xbarsim::bench {

struct PulseBenchResult {
  double pulse_s = 0.0;     // median time of one pulse over the whole tile
  double baseline_s = 0.0;  // median time of the plain pass over the same arrays
  double ratio = 0.0;       // pulse_s / baseline_s
};

/// Runs both passes `repeats` times (alternating +1 and -1 pulses so the weights stay
/// inside the window) under ThreadLimit(1) and returns the medians. The pulse is one
/// DeviceModel::apply_pulses call over all rows: one thread working through the tile.
/// The plain pass reads the same arrays (counts, w, both step scales, both bounds) and
/// writes w, vectorised, without random numbers.
PulseBenchResult run_pulse_bench(std::size_t rows, std::size_t cols, int repeats);

/// The same pulse through apply_pulses_all, the path a tile uses: rows split into
/// blocks of kDefaultRowBlock, each block a separate apply_pulses call.
PulseBenchResult run_pulse_bench_row_blocks(std::size_t rows, std::size_t cols, int repeats);

}  // namespace xbarsim::bench

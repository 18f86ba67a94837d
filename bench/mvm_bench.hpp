#pragma once
// Analog forward MVM benchmark (issue 3): a rows x cols tile with aihwkit's default
// periphery (7-bit DAC, 9-bit ADC over +-12, output noise 0.06, abs-max noise
// management, iterative bound management), a batch of `batch` input vectors, against a
// plain SGEMM of the same shapes (batch x rows times rows x cols, OpenBLAS), one thread,
// measured in the same run. Weights are Kaiming-normal (a trained layer's bell shape),
// inputs uniform in [-1, 1]. With read_noise, every cell gets fresh read noise for every
// MVM (aihwkit w_noise PCM_READ, 0.0175 as in its StandardHWATrainingPreset).
#include <cstddef>

namespace xbarsim::bench {

struct MvmBenchResult {
  double analog_s = 0.0;  // one forward call on the whole batch, median
  double sgemm_s = 0.0;   // the plain SGEMM, median
  double ratio = 0.0;     // analog_s / sgemm_s
  double bm_reruns_per_vector = 0.0;
};

MvmBenchResult run_mvm_bench(std::size_t rows, std::size_t cols, std::size_t batch, bool read_noise, int repeats = 5);

}  // namespace xbarsim::bench

// Prints the rpu-step pulse benchmark for a 1024 x 1024 tile (or: rows cols [repeats]).
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "bench_util.hpp"
#include "pulse_bench.hpp"

int main(int argc, char** argv) {
  xbarsim::bench::use_matching_blas_kernels(argv);
  const std::size_t rows = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1024;
  const std::size_t cols = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1024;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 20;
  try {
    const auto one = xbarsim::bench::run_pulse_bench(rows, cols, repeats);
    const auto blocks = xbarsim::bench::run_pulse_bench_row_blocks(rows, cols, repeats);
    std::printf("rpu-step soft-bounds pulse, %zu x %zu, one thread, median of %d (goal: <= 5 ms, ratio <= 2)\n", rows,
                cols, repeats);
    std::printf("  one apply_pulses call:            pulse %.3f ms, plain pass %.3f ms, ratio %.2f\n",
                one.pulse_s * 1e3, one.baseline_s * 1e3, one.ratio);
    std::printf("  apply_pulses_all (row blocks)   : pulse %.3f ms, plain pass %.3f ms, ratio %.2f\n",
                blocks.pulse_s * 1e3, blocks.baseline_s * 1e3, blocks.ratio);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_pulse: %s\n", e.what());
    return 1;
  }
  return 0;
}

// Standalone analog-MVM benchmark: bench_mvm [rows cols batch [read-noise 0|1]].
#include <cstdio>
#include <cstdlib>
#include <initializer_list>

#include "bench_util.hpp"
#include "mvm_bench.hpp"

int main(int argc, char** argv) {
  xbarsim::bench::use_matching_blas_kernels(argv);
  const std::size_t rows = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 512;
  const std::size_t cols = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 512;
  const std::size_t batch = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1024;
  for (const bool noise : {false, true}) {
    if (argc > 4 && (argv[4][0] == '1') != noise) continue;
    const auto r = xbarsim::bench::run_mvm_bench(rows, cols, batch, noise);
    std::printf("forward %zu x %zu, batch %zu%s: analog %.2f ms, SGEMM %.2f ms, ratio %.2f (%.3f BM re-runs/vector)\n",
                rows, cols, batch, noise ? ", fresh read noise" : "", r.analog_s * 1e3, r.sgemm_s * 1e3, r.ratio,
                r.bm_reruns_per_vector);
  }
  return 0;
}

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>

#include <algorithm>
#include <cstdlib>
#include <xbarsim/core/parallel.hpp>

extern "C" void openblas_set_num_threads(int);
extern "C" char* openblas_get_corename();

namespace xbarsim {

void parallel_blocks(std::size_t n, std::size_t block, const std::function<void(std::size_t, std::size_t)>& fn) {
  if (n == 0) return;
  if (block == 0) block = 1;
  const std::size_t nblocks = (n + block - 1) / block;
  // simple_partitioner with grain 1 over block indices: block boundaries are fixed.
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, nblocks, 1),
      [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t b = r.begin(); b != r.end(); ++b) fn(b * block, std::min(n, (b + 1) * block));
      },
      tbb::simple_partitioner());
}

ThreadLimit::ThreadLimit(std::size_t threads) {
  openblas_set_num_threads(1);
  if (threads > 0) control_ = new tbb::global_control(tbb::global_control::max_allowed_parallelism, threads);
}

ThreadLimit::~ThreadLimit() { delete static_cast<tbb::global_control*>(control_); }

std::string blas_coretype_fix() {
  if (std::getenv("OPENBLAS_CORETYPE")) return {};
  const std::string core = openblas_get_corename();
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  // Only the generic fallbacks are replaced; a core OpenBLAS recognised is left alone.
  const bool generic = core == "Prescott" || core == "Core2" || core == "Penryn" || core == "Nehalem" ||
                       core == "Dunnington" || core == "Sandybridge";
  if (!generic) return {};
  if (avx512) return "SkylakeX";
  if (avx2) return "Haswell";
  return {};
}

std::size_t max_threads() { return tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism); }

}  // namespace xbarsim

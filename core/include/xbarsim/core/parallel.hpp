#pragma once
// Deterministic parallel helpers on oneTBB. Work is split into blocks whose size is a
// parameter, never derived from the thread count, and reductions combine block results
// in block order, so results are bit-identical for any number of threads.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace xbarsim {

/// Calls fn(begin, end) for consecutive blocks [k*block, min(n, (k+1)*block)), in
/// parallel. fn must only write data owned by its block.
void parallel_blocks(std::size_t n, std::size_t block, const std::function<void(std::size_t, std::size_t)>& fn);

/// Deterministic reduction: fn(begin, end) -> T per block, then combine(acc, block_result)
/// in block order starting from `init`.
template <class T, class BlockFn, class Combine>
T parallel_reduce_blocks(std::size_t n, std::size_t block, T init, BlockFn fn, Combine combine) {
  if (block == 0) block = 1;
  const std::size_t nblocks = (n + block - 1) / block;
  std::vector<T> parts(nblocks, init);
  parallel_blocks(nblocks, 1, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) parts[b] = fn(b * block, std::min(n, (b + 1) * block));
  });
  T acc = init;
  for (auto& p : parts) acc = combine(acc, p);
  return acc;
}

/// Limits the number of worker threads for the lifetime of the object (0 = all cores).
/// Also pins OpenBLAS to one thread so BLAS calls inside tasks do not oversubscribe.
class ThreadLimit {
 public:
  explicit ThreadLimit(std::size_t threads);
  ~ThreadLimit();
  ThreadLimit(const ThreadLimit&) = delete;
  ThreadLimit& operator=(const ThreadLimit&) = delete;

 private:
  void* control_ = nullptr;
};

/// OpenBLAS (0.3.21, Debian 12) picks its kernels from the CPUID when it loads and falls
/// back to the SSE3 "Prescott" ones on CPUs it does not know, common on virtual machines:
/// SGEMM is then ~4x slower than the CPU allows. Returns the OPENBLAS_CORETYPE naming the
/// kernels this CPU runs (SkylakeX with AVX-512, Haswell with AVX2) when OpenBLAS chose
/// weaker ones and the user set no OPENBLAS_CORETYPE; empty otherwise. Since the choice is
/// made at load time, an executable applies it by re-executing itself with the variable
/// set (see apps/xbarsim/main.cpp); results stay deterministic, only faster.
std::string blas_coretype_fix();

/// Number of threads TBB will use under the current limits.
std::size_t max_threads();

}  // namespace xbarsim

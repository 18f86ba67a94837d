#pragma once
// Small helpers shared by the benchmarks: wall-clock timing and test matrices drawn
// from the project RNG (never arma::randu).
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>

#include <armadillo>

namespace xbarsim::bench {

/// As the xbarsim CLI: re-executes the benchmark with OPENBLAS_CORETYPE naming this CPU's
/// kernels when OpenBLAS fell back to generic ones (core/parallel.hpp blas_coretype_fix).
inline void use_matching_blas_kernels(char** argv) {
  if (const std::string core = blas_coretype_fix(); !core.empty()) {
    ::setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
    ::execv("/proc/self/exe", argv);
  }
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// rows x cols matrix, uniform in [lo, hi), keyed by `purpose` (seed 7).
inline arma::mat uniform_matrix(std::size_t rows, std::size_t cols, double lo, double hi, std::uint32_t purpose) {
  std::vector<float> u(rows * cols);
  uniform_block(u.data(), u.size(), RngKey(7, purpose), {0, 0, 0});
  arma::mat m(rows, cols);
  for (std::size_t k = 0; k < u.size(); ++k) m(k) = lo + (hi - lo) * u[k];
  return m;
}

/// rows x cols matrix, normal with the given standard deviation, keyed by `purpose` (seed 7).
inline arma::mat normal_matrix(std::size_t rows, std::size_t cols, double sigma, std::uint32_t purpose) {
  std::vector<float> z(rows * cols);
  normal_block(z.data(), z.size(), RngKey(7, purpose), {0, 0, 0});
  arma::mat m(rows, cols);
  for (std::size_t k = 0; k < z.size(); ++k) m(k) = sigma * z[k];
  return m;
}

}  // namespace xbarsim::bench

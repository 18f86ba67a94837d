#pragma once
// Exact IR-drop solve benchmark (issue 3): factorise a rows x cols crossbar once and
// solve `inputs` input vectors, against a plain SGEMM of the same shapes (inputs x rows
// times rows x cols, OpenBLAS, one thread) measured in the same run.
#include <cstddef>

namespace xbarsim::bench {

struct SolveBenchResult {
  double solve_s = 0.0;       // exact currents of the whole batch: structured transfer matrix + one GEMM
  double sparse_s = 0.0;      // the same with the general sparse solver (CHOLMOD factorisation + solves)
  double factor_s = 0.0;      // of which the sparse factorisation
  double max_rel_diff = 0.0;  // between the two exact results, relative to the largest current
  double sgemm_s = 0.0;       // ideal MVM of the same batch as one SGEMM
  double ratio = 0.0;         // solve_s / sgemm_s
};

/// With `sparse` false the CHOLMOD path is skipped (it takes ~20 s at 1024 x 1024).

SolveBenchResult run_solve_bench(std::size_t rows, std::size_t cols, std::size_t inputs, bool sparse = true);

}  // namespace xbarsim::bench

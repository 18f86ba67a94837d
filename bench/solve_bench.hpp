#pragma once
// Exact IR-drop solve benchmark (issue 3): factorise a rows x cols crossbar once and
// solve `inputs` input vectors, against a plain SGEMM of the same shapes (inputs x rows
// times rows x cols, OpenBLAS, one thread) measured in the same run.
#include <cstddef>
#include <string>

namespace xbarsim::bench {

struct SolveBenchResult {
  std::string method;         // structured transfer matrix + GEMM (inputs >= rows) or line-preconditioned CG
  double solve_s = 0.0;       // exact currents of the whole batch
  double sparse_s = 0.0;      // the same with the general sparse solver (CHOLMOD factorisation + solves)
  double factor_s = 0.0;      // of which the sparse factorisation
  double max_rel_diff = 0.0;  // between the two exact results, relative to the largest current
  double sgemm_s = 0.0;       // ideal MVM of the same batch as one SGEMM
  double ratio = 0.0;         // solve_s / sgemm_s
};

/// As `xbarsim solve`: with at least as many inputs as rows the structured transfer matrix,
/// otherwise the line-preconditioned CG solver per input (to a 1e-12 error bound). With
/// `sparse` false the CHOLMOD comparison is skipped (it takes ~20-30 s at 1024 x 1024).

SolveBenchResult run_solve_bench(std::size_t rows, std::size_t cols, std::size_t inputs, bool sparse = true);

}  // namespace xbarsim::bench

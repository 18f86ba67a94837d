#pragma once
// Exact IR-drop solve benchmark (issue 3): factorise a rows x cols crossbar once and
// solve `inputs` input vectors, against a plain SGEMM of the same shapes (inputs x rows
// times rows x cols, OpenBLAS, one thread) measured in the same run.
#include <cstddef>

namespace xbarsim::bench {

struct SolveBenchResult {
  double factor_s = 0.0;  // building and factorising the nodal matrix
  double solve_s = 0.0;   // factorisation plus all solves (the figure the goal refers to)
  double sgemm_s = 0.0;   // ideal MVM of the same batch as one SGEMM
  double ratio = 0.0;     // solve_s / sgemm_s
};

SolveBenchResult run_solve_bench(std::size_t rows, std::size_t cols, std::size_t inputs);

}  // namespace xbarsim::bench

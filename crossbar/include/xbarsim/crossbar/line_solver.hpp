#pragma once
// Factorisation-free exact solve of the canonical crossbar (circuit_solver.hpp topology)
// by preconditioned conjugate gradients with line blocks (issue 3 benchmark goals).
//
// Nodal matrix, word-line nodes w and bit-line nodes b:
//   A = [Aw + Dg, -Dg; -Dg, Ab + Dg],  Dg = diag(cell conductances),
// Aw: one tridiagonal chain per word line (grounded through r_source at column 0),
// Ab: one tridiagonal chain per bit line (grounded through r_sink at row rows-1).
// Every block Aw + Dg, Ab + Dg is a set of independent tridiagonal chains solved in
// O(rows * cols) with no fill-in, so no sparse factorisation is needed and G may change
// on every call at the cost of one O(nodes) chain factorisation.
//
// method "schur" (default): eliminate the word lines exactly and run PCG on the bit-line
// Schur complement S = (Ab + Dg) - Dg (Aw + Dg)^{-1} Dg, preconditioned by Ab + Dg. This
// is symmetric block Gauss-Seidel between the two line families restricted to the bit
// lines: the preconditioned eigenvalues are 1 - mu^2 in (0, 1] where +-mu are those of
// block Jacobi, so half the iterations of "block_jacobi" at the same cost per iteration
// (one word-line and one bit-line chain solve).
// method "block_jacobi": PCG on the full system with M = blockdiag(Aw + Dg, Ab + Dg);
// preconditioned eigenvalues 1 +- mu in (0, 2). Kept for comparison.
//
// Stopping rule (a bound, not a residual heuristic): with z = M^{-1} r and theta the
// smallest eigenvalue of M^{-1}A, ||x - x*||_M <= sqrt(r'z) / theta, and since M holds
// the sink conductance on every bit-line end node, |dI_j| = g_sink |dx_end,j| <=
// sqrt(g_sink) ||x - x*||_M. theta is estimated by the smallest Ritz value of the CG
// Lanczos matrix (Golub & Meurant, Matrices, Moments and Quadrature, 2010, ch. 5), so
//   max_j |dI_j| / max_j |I_j|  <=  sqrt(g_sink r'z) / (theta max_j |I_j|)  <=  rel_tol.
#include <armadillo>
#include <cstddef>
#include <string>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>

namespace xbarsim {

struct LineSolverOptions {
  double rel_tol = 1e-9;         // bound on max |dI| / max |I| of the sink currents
  int max_iterations = 10000;    // conjugate-gradient iterations before NumericalError
  std::string method = "schur";  // "schur" or "block_jacobi" (see the file comment)
  static const ParamTable<LineSolverOptions>& table();
};

class LineCrossbarSolver {
 public:
  /// ConfigError for invalid wires, options or an empty shape.
  LineCrossbarSolver(const WireParams& wires, std::size_t rows, std::size_t cols, LineSolverOptions options = {});

  struct Result {
    arma::rowvec currents_A;     // currents into the virtual grounds, one per column
    std::size_t iterations = 0;  // conjugate-gradient iterations
    double rel_error_bound = 0;  // final sqrt(g_sink r'z) / (theta max |I|), <= rel_tol
  };

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }

  /// One input v (rows volts) through conductances G_S (rows x cols siemens, >= 0).
  /// ConfigError for wrong shapes or invalid values; NumericalError if not converged.
  Result solve(const arma::mat& G_S, const arma::rowvec& v) const;
  /// Currents (batch x cols amperes) for inputs V (batch x rows volts) at one G_S;
  /// the chains are factorised once and the inputs solved in parallel, one per task.
  arma::mat currents(const arma::mat& G_S, const arma::mat& V) const;
  /// Node voltages for one input (word lines recovered by an exact chain solve).
  CrossbarNodes nodes(const arma::mat& G_S, const arma::rowvec& v) const;

 private:
  void check(const arma::mat& G_S, std::size_t inputs_len) const;
  WireParams wires_;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  LineSolverOptions options_;
};

}  // namespace xbarsim

#pragma once
// Crossbar solve when the cell conductances change on every MVM (read noise; issue 3).
//
// A(G) is the nodal matrix of the canonical topology (circuit_solver.hpp). It differs
// from the noise-free A(G0) only in the cell terms: for every cell a 2 x 2 block
// (G - G0)(i, j) * [1 -1; -1 1] between word-line node (i, j) and bit-line node (i, j).
// So A(G0)^{-1} A(G) = I + E with ||E|| bounded by max |G - G0| / G0 (for G0 > 0),
// and conjugate gradients preconditioned by the exact noise-free factorisation
// converges in a few iterations for read noise of a few percent. A(G) is applied
// matrix-free (wire chains plus cell terms), so no matrix is assembled or factorised
// per MVM: the cost per iteration is one triangular solve pair plus O(rows * cols).
#include <armadillo>
#include <cstddef>
#include <memory>
#include <xbarsim/crossbar/circuit_solver.hpp>

namespace xbarsim {

/// Result of one preconditioned solve.
struct NoisySolveResult {
  arma::rowvec currents_A;     // currents into the virtual grounds, one per column
  std::size_t iterations = 0;  // conjugate-gradient iterations (= preconditioner solves after the first)
  double rel_update = 0.0;     // final ||A(G0)^{-1} r|| / ||x||, the stopping quantity
};

class NoisyCrossbarSolver {
 public:
  /// Factorises A(G0_S) once. ConfigError for negative/NaN conductances, non-positive
  /// resistances or max_iterations == 0.
  NoisyCrossbarSolver(const arma::mat& G0_S, const WireParams& wires, std::size_t max_iterations = 100);
  ~NoisyCrossbarSolver();
  NoisyCrossbarSolver(NoisyCrossbarSolver&&) noexcept;
  NoisyCrossbarSolver& operator=(NoisyCrossbarSolver&&) noexcept;

  std::size_t rows() const;
  std::size_t cols() const;

  /// Solves A(G_S) x = b for the input v (rows volts) by preconditioned conjugate
  /// gradients. Stops when the preconditioned residual A(G0)^{-1} r, which estimates
  /// the error of x to within a factor 1 +- ||E||, satisfies ||z|| <= rel_tol * ||x||.
  /// ConfigError for G_S of the wrong shape or invalid values, v of the wrong length
  /// or rel_tol not in (0, 1); NumericalError if not converged within max_iterations.
  NoisySolveResult currents(const arma::mat& G_S, const arma::rowvec& v, double rel_tol = 1e-9) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim

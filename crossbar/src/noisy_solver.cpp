// Preconditioned conjugate gradients for crossbars with per-MVM conductance noise
// (see noisy_solver.hpp).
//
// Node numbering (private to this file, column-major like arma::mat so the matrix-free
// product walks G contiguously): word-line node (i, j) -> j * rows + i, bit-line node
// (i, j) -> rows * cols + j * rows + i. The noise-free nodal matrix A(G0) is assembled
// and factorised by the shared nodal_matrix.hpp (same topology and stamps as the direct
// solver); only the numbering differs, which does not change the solution.
#include <suitesparse/cholmod.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/noisy_solver.hpp>

#include "nodal_matrix.hpp"

namespace xbarsim {

struct NoisyCrossbarSolver::Impl {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t max_iterations = 0;
  WireParams wires;
  crossbar_detail::NodeIndex index;
  crossbar_detail::Cholmod chol{"noisy crossbar solver"};
  cholmod_common& common = chol.common;
  // Persistent CHOLMOD work arrays for cholmod_l_solve2: no allocation per iteration.
  cholmod_dense* B = nullptr;
  cholmod_dense* X = nullptr;
  cholmod_dense* Y = nullptr;
  cholmod_dense* E = nullptr;
  // CHOLMOD scratch and the work arrays are written by every solve; serialise calls so
  // the const currents() stays safe from several threads.
  std::mutex mutex;

  Impl() = default;
  ~Impl() {
    if (B != nullptr) cholmod_l_free_dense(&B, &common);
    if (X != nullptr) cholmod_l_free_dense(&X, &common);
    if (Y != nullptr) cholmod_l_free_dense(&Y, &common);
    if (E != nullptr) cholmod_l_free_dense(&E, &common);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::size_t ncells() const { return index.cells(); }
  std::size_t nnodes() const { return index.nodes(); }
  void check_status(const char* what) const { chol.check(what); }

  // A(G0) with column-major numbering (see the file comment), factorised once.
  void factorise(const arma::mat& G) {
    index = {rows, cols, true};
    chol.factorise_nodal(G, wires, index);
    B = cholmod_l_zeros(nnodes(), 1, CHOLMOD_REAL, &common);
    if (B == nullptr) check_status("zeros");
  }

  // z = A(G0)^{-1} r (the preconditioner).
  void precondition(const double* r, double* z) {
    std::memcpy(B->x, r, nnodes() * sizeof(double));
    if (!cholmod_l_solve2(CHOLMOD_A, chol.factor, B, nullptr, &X, nullptr, &Y, &E, &common) || X == nullptr)
      check_status("solve2");
    std::memcpy(z, X->x, nnodes() * sizeof(double));
  }

  // y = A(G) x, matrix-free from the topology: cell terms, word-line chains with the
  // driver conductance at column 0, bit-line chains with the sink conductance at row
  // rows-1. Same stamps as factorise().
  void apply(const arma::mat& G, const double* x, double* y) const {
    const std::size_t R = rows, C = cols, N = ncells();
    const double* xw = x;
    const double* xb = x + N;
    double* yw = y;
    double* yb = y + N;
    const double* g = G.memptr();
    for (std::size_t k = 0; k < N; ++k) {
      const double c = g[k] * (xw[k] - xb[k]);
      yw[k] = c;
      yb[k] = -c;
    }
    const double g_row = 1.0 / wires.r_row_ohm;
    const double g_col = 1.0 / wires.r_col_ohm;
    const double g_src = 1.0 / wires.r_source_ohm;
    const double g_sink = 1.0 / wires.r_sink_ohm;
    for (std::size_t i = 0; i < R; ++i) yw[i] += g_src * xw[i];
    for (std::size_t j = 0; j + 1 < C; ++j) {
      const double* a = xw + j * R;
      const double* b = a + R;
      double* ya = yw + j * R;
      double* yb2 = ya + R;
      for (std::size_t i = 0; i < R; ++i) {
        const double d = g_row * (a[i] - b[i]);
        ya[i] += d;
        yb2[i] -= d;
      }
    }
    for (std::size_t j = 0; j < C; ++j) {
      const double* a = xb + j * R;
      double* ya = yb + j * R;
      for (std::size_t i = 0; i + 1 < R; ++i) {
        const double d = g_col * (a[i] - a[i + 1]);
        ya[i] += d;
        ya[i + 1] -= d;
      }
      ya[R - 1] += g_sink * a[R - 1];
    }
  }
};

NoisyCrossbarSolver::NoisyCrossbarSolver(const arma::mat& G0_S, const WireParams& wires, std::size_t max_iterations)
    : impl_(std::make_unique<Impl>()) {
  validate_crossbar_inputs(G0_S, wires);
  if (max_iterations == 0) throw ConfigError("max_iterations", "expected at least 1 iteration, got 0");
  impl_->rows = G0_S.n_rows;
  impl_->cols = G0_S.n_cols;
  impl_->max_iterations = max_iterations;
  impl_->wires = wires;
  impl_->factorise(G0_S);
}

NoisyCrossbarSolver::~NoisyCrossbarSolver() = default;
NoisyCrossbarSolver::NoisyCrossbarSolver(NoisyCrossbarSolver&&) noexcept = default;
NoisyCrossbarSolver& NoisyCrossbarSolver::operator=(NoisyCrossbarSolver&&) noexcept = default;

std::size_t NoisyCrossbarSolver::rows() const { return impl_->rows; }
std::size_t NoisyCrossbarSolver::cols() const { return impl_->cols; }

NoisySolveResult NoisyCrossbarSolver::currents(const arma::mat& G_S, const arma::rowvec& v, double rel_tol) const {
  Impl& m = *impl_;
  if (G_S.n_rows != m.rows || G_S.n_cols != m.cols)
    throw ConfigError("G", "expected " + std::to_string(m.rows) + " x " + std::to_string(m.cols) +
                               " conductances (the shape of G0), got " + std::to_string(G_S.n_rows) + " x " +
                               std::to_string(G_S.n_cols));
  validate_crossbar_inputs(G_S, m.wires);
  if (v.n_elem != m.rows)
    throw ConfigError(
        "v", "expected " + std::to_string(m.rows) + " elements (one per word line), got " + std::to_string(v.n_elem));
  if (!(rel_tol > 0.0 && rel_tol < 1.0))
    throw ConfigError("rel_tol", "expected a relative tolerance in (0, 1), got " + std::to_string(rel_tol));

  const std::size_t n = m.nnodes();
  arma::vec x(n, arma::fill::zeros), r(n, arma::fill::zeros), z(n), p(n), q(n);
  // Norton equivalent of each driver: current v / r_source injected at node (i, 0).
  const double g_src = 1.0 / m.wires.r_source_ohm;
  for (std::size_t i = 0; i < m.rows; ++i) r(static_cast<arma::uword>(m.index.wl(i, 0))) = v(i) * g_src;

  NoisySolveResult out;
  out.currents_A.zeros(m.cols);
  std::lock_guard lock(m.mutex);
  m.precondition(r.memptr(), z.memptr());
  double rz = arma::dot(r, z);
  if (!(rz > 0.0)) return out;  // v == 0: x == 0 exactly
  p = z;
  // PCG (Saad, Iterative Methods for Sparse Linear Systems, 2nd ed., Alg. 9.1) with
  // x0 = 0; the first iterate is the noise-free solution A(G0)^{-1} b.
  for (;;) {
    m.apply(G_S, p.memptr(), q.memptr());
    const double pq = arma::dot(p, q);
    if (!(pq > 0.0) || !std::isfinite(pq))
      throw NumericalError("noisy crossbar solver: conjugate-gradient breakdown (p'Ap = " + std::to_string(pq) +
                           ") at iteration " + std::to_string(out.iterations));
    const double alpha = rz / pq;
    x += alpha * p;
    r -= alpha * q;
    ++out.iterations;
    m.precondition(r.memptr(), z.memptr());
    out.rel_update = arma::norm(z) / arma::norm(x);
    if (out.rel_update <= rel_tol) break;
    if (out.iterations >= m.max_iterations)
      throw NumericalError("noisy crossbar solver: not converged after " + std::to_string(out.iterations) +
                           " iterations (||A(G0)^-1 r|| / ||x|| = " + std::to_string(out.rel_update) + ", tolerance " +
                           std::to_string(rel_tol) + ")");
    const double rz_new = arma::dot(r, z);
    p = z + (rz_new / rz) * p;
    rz = rz_new;
  }
  const double g_sink = 1.0 / m.wires.r_sink_ohm;
  for (std::size_t j = 0; j < m.cols; ++j)
    out.currents_A(j) = x(static_cast<arma::uword>(m.index.bl(m.rows - 1, j))) * g_sink;
  return out;
}

}  // namespace xbarsim

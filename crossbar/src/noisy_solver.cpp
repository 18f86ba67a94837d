// Preconditioned conjugate gradients for crossbars with per-MVM conductance noise
// (see noisy_solver.hpp).
//
// Node numbering (private to this file, column-major like arma::mat so the matrix-free
// product walks G contiguously): word-line node (i, j) -> j * rows + i, bit-line node
// (i, j) -> rows * cols + j * rows + i. The noise-free nodal matrix A(G0) is assembled
// and factorised here with CHOLMOD exactly as in circuit_solver.cpp (same topology,
// same stamps); only the numbering differs, which does not change the solution.
#include <suitesparse/cholmod.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/noisy_solver.hpp>

namespace xbarsim {

struct NoisyCrossbarSolver::Impl {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t max_iterations = 0;
  WireParams wires;
  cholmod_common common{};
  cholmod_factor* factor = nullptr;
  // Persistent CHOLMOD work arrays for cholmod_l_solve2: no allocation per iteration.
  cholmod_dense* B = nullptr;
  cholmod_dense* X = nullptr;
  cholmod_dense* Y = nullptr;
  cholmod_dense* E = nullptr;
  // CHOLMOD scratch and the work arrays are written by every solve; serialise calls so
  // the const currents() stays safe from several threads.
  std::mutex mutex;

  Impl() {
    cholmod_l_start(&common);
    common.print = 0;  // libraries never print
    common.error_handler = nullptr;
  }
  ~Impl() {
    if (B != nullptr) cholmod_l_free_dense(&B, &common);
    if (X != nullptr) cholmod_l_free_dense(&X, &common);
    if (Y != nullptr) cholmod_l_free_dense(&Y, &common);
    if (E != nullptr) cholmod_l_free_dense(&E, &common);
    if (factor != nullptr) cholmod_l_free_factor(&factor, &common);
    cholmod_l_finish(&common);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::size_t ncells() const { return rows * cols; }
  std::size_t nnodes() const { return 2 * rows * cols; }
  SuiteSparse_long wl(std::size_t i, std::size_t j) const { return static_cast<SuiteSparse_long>(j * rows + i); }
  SuiteSparse_long bl(std::size_t i, std::size_t j) const {
    return static_cast<SuiteSparse_long>(ncells() + j * rows + i);
  }

  void check_status(const char* what) const {
    if (common.status != CHOLMOD_OK)
      throw NumericalError(std::string("noisy crossbar solver: CHOLMOD ") + what + " failed with status " +
                           std::to_string(common.status));
  }

  void factorise(const arma::mat& G) {
    const std::size_t n = nnodes();
    const std::size_t branches = rows * cols + rows * (cols - 1) + (rows - 1) * cols;
    const std::size_t nz = 3 * branches + rows + cols;
    cholmod_triplet* t = cholmod_l_allocate_triplet(n, n, nz, 1, CHOLMOD_REAL, &common);
    if (t == nullptr) check_status("allocate_triplet");
    auto* ti = static_cast<SuiteSparse_long*>(t->i);
    auto* tj = static_cast<SuiteSparse_long*>(t->j);
    auto* tx = static_cast<double*>(t->x);
    std::size_t k = 0;
    auto diag = [&](SuiteSparse_long a, double g) {
      ti[k] = a;
      tj[k] = a;
      tx[k] = g;
      ++k;
    };
    auto branch = [&](SuiteSparse_long a, SuiteSparse_long b, double g) {
      diag(a, g);
      diag(b, g);
      ti[k] = std::min(a, b);  // upper triangle only (stype = 1)
      tj[k] = std::max(a, b);
      tx[k] = -g;
      ++k;
    };
    const double g_row = 1.0 / wires.r_row_ohm;
    const double g_col = 1.0 / wires.r_col_ohm;
    for (std::size_t i = 0; i < rows; ++i) {
      diag(wl(i, 0), 1.0 / wires.r_source_ohm);
      for (std::size_t j = 0; j + 1 < cols; ++j) branch(wl(i, j), wl(i, j + 1), g_row);
    }
    for (std::size_t j = 0; j < cols; ++j) {
      diag(bl(rows - 1, j), 1.0 / wires.r_sink_ohm);
      for (std::size_t i = 0; i + 1 < rows; ++i) branch(bl(i, j), bl(i + 1, j), g_col);
    }
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) branch(wl(i, j), bl(i, j), G(i, j));
    t->nnz = k;
    cholmod_sparse* A = cholmod_l_triplet_to_sparse(t, k, &common);
    cholmod_l_free_triplet(&t, &common);
    if (A == nullptr) check_status("triplet_to_sparse");
    factor = cholmod_l_analyze(A, &common);
    if (factor == nullptr) {
      cholmod_l_free_sparse(&A, &common);
      check_status("analyze");
    }
    const int ok = cholmod_l_factorize(A, factor, &common);
    cholmod_l_free_sparse(&A, &common);
    if (!ok || common.status == CHOLMOD_NOT_POSDEF || factor->minor < factor->n)
      throw NumericalError("noisy crossbar solver: nodal matrix is not positive definite (CHOLMOD status " +
                           std::to_string(common.status) + ")");
    check_status("factorize");
    B = cholmod_l_zeros(n, 1, CHOLMOD_REAL, &common);
    if (B == nullptr) check_status("zeros");
  }

  // z = A(G0)^{-1} r (the preconditioner).
  void precondition(const double* r, double* z) {
    std::memcpy(B->x, r, nnodes() * sizeof(double));
    if (!cholmod_l_solve2(CHOLMOD_A, factor, B, nullptr, &X, nullptr, &Y, &E, &common) || X == nullptr)
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
  for (std::size_t i = 0; i < m.rows; ++i) r(static_cast<arma::uword>(m.wl(i, 0))) = v(i) * g_src;

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
    out.currents_A(j) = x(static_cast<arma::uword>(m.bl(m.rows - 1, j))) * g_sink;
  return out;
}

}  // namespace xbarsim

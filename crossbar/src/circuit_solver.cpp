// Exact nodal solve of the canonical crossbar topology (see circuit_solver.hpp).
//
// Node numbering: word-line node (i, j) -> i * cols + j, bit-line node (i, j) ->
// rows * cols + i * cols + j. The nodal matrix is a weighted graph Laplacian plus
// positive diagonal terms at the driven word-line ends (1/r_source) and the sensed
// bit-line ends (1/r_sink). Every word-line node reaches its driver and every bit-line
// node its sink through wires of finite positive resistance, so every connected
// component of the network contains a node tied to a fixed potential and the matrix is
// symmetric positive definite even when some (or all) cells have G = 0.
#include <suitesparse/cholmod.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>

#include "nodal_matrix.hpp"

namespace xbarsim {

namespace {

void check_resistance(ProblemList& problems, const char* name, double r) {
  if (!std::isfinite(r) || !(r > 0.0))
    problems.add(name, "expected a finite resistance > 0 ohm, got " + format_value(r));
}

// Right-hand sides per CHOLMOD solve: bounds the dense work array to
// nnodes * kBatchChunk doubles for large batches.
constexpr std::size_t kBatchChunk = 64;

}  // namespace

void validate_crossbar_inputs(const arma::mat& G_S, const WireParams& wires) {
  ProblemList problems;
  if (G_S.n_rows == 0 || G_S.n_cols == 0)
    problems.add("G", "expected a non-empty conductance matrix, got " + std::to_string(G_S.n_rows) + " x " +
                          std::to_string(G_S.n_cols));
  for (arma::uword j = 0; j < G_S.n_cols; ++j)
    for (arma::uword i = 0; i < G_S.n_rows; ++i) {
      const double g = G_S(i, j);
      if (!std::isfinite(g) || g < 0.0)
        problems.add("G(" + std::to_string(i) + ", " + std::to_string(j) + ")",
                     "expected a finite conductance >= 0 S, got " + format_value(g));
    }
  check_resistance(problems, "r_row_ohm", wires.r_row_ohm);
  check_resistance(problems, "r_col_ohm", wires.r_col_ohm);
  check_resistance(problems, "r_source_ohm", wires.r_source_ohm);
  check_resistance(problems, "r_sink_ohm", wires.r_sink_ohm);
  problems.throw_if_any();
}

struct LinearCrossbarSolver::Impl {
  std::size_t rows = 0;
  std::size_t cols = 0;
  WireParams wires;
  crossbar_detail::NodeIndex index;
  crossbar_detail::Cholmod chol{"crossbar circuit solver"};
  cholmod_common& common = chol.common;
  // cholmod_common is scratch state written by every call; serialise solves so the
  // const methods stay safe to call from several threads.
  std::mutex mutex;

  SuiteSparse_long wl(std::size_t i, std::size_t j) const { return index.wl(i, j); }
  SuiteSparse_long bl(std::size_t i, std::size_t j) const { return index.bl(i, j); }
  std::size_t nnodes() const { return index.nodes(); }
  void check_status(const char* what) const { chol.check(what); }

  void factorise(const arma::mat& G) {
    index = {rows, cols, false};
    chol.factorise_nodal(G, wires, index);
  }

  // Solves for a block of inputs V(b0 .. b0+nb-1, :) and returns node voltages,
  // nnodes x nb (column-major; caller frees).
  cholmod_dense* solve_block(const arma::mat& V, std::size_t b0, std::size_t nb) {
    const std::size_t n = nnodes();
    cholmod_dense* B = cholmod_l_zeros(n, nb, CHOLMOD_REAL, &common);
    if (B == nullptr) check_status("zeros");
    auto* bx = static_cast<double*>(B->x);
    const double g_src = 1.0 / wires.r_source_ohm;
    // Norton equivalent of each driver: current V / r_source injected at node (i, 0).
    for (std::size_t b = 0; b < nb; ++b)
      for (std::size_t i = 0; i < rows; ++i) bx[b * B->d + static_cast<std::size_t>(wl(i, 0))] = V(b0 + b, i) * g_src;
    cholmod_dense* X = cholmod_l_solve(CHOLMOD_A, chol.factor, B, &common);
    cholmod_l_free_dense(&B, &common);
    if (X == nullptr) check_status("solve");
    return X;
  }
};

LinearCrossbarSolver::LinearCrossbarSolver(const arma::mat& G_S, const WireParams& wires)
    : impl_(std::make_unique<Impl>()) {
  validate_crossbar_inputs(G_S, wires);
  impl_->rows = G_S.n_rows;
  impl_->cols = G_S.n_cols;
  impl_->wires = wires;
  impl_->factorise(G_S);
}

LinearCrossbarSolver::~LinearCrossbarSolver() = default;
LinearCrossbarSolver::LinearCrossbarSolver(LinearCrossbarSolver&&) noexcept = default;
LinearCrossbarSolver& LinearCrossbarSolver::operator=(LinearCrossbarSolver&&) noexcept = default;

std::size_t LinearCrossbarSolver::rows() const { return impl_->rows; }
std::size_t LinearCrossbarSolver::cols() const { return impl_->cols; }

arma::mat LinearCrossbarSolver::currents(const arma::mat& V) const {
  Impl& m = *impl_;
  if (V.n_cols != m.rows)
    throw ConfigError(
        "V", "expected " + std::to_string(m.rows) + " columns (one per word line), got " + std::to_string(V.n_cols));
  arma::mat I(V.n_rows, m.cols);
  const double g_sink = 1.0 / m.wires.r_sink_ohm;
  std::lock_guard lock(m.mutex);
  for (std::size_t b0 = 0; b0 < V.n_rows; b0 += kBatchChunk) {
    const std::size_t nb = std::min(kBatchChunk, static_cast<std::size_t>(V.n_rows) - b0);
    cholmod_dense* X = m.solve_block(V, b0, nb);
    const auto* x = static_cast<const double*>(X->x);
    for (std::size_t b = 0; b < nb; ++b)
      for (std::size_t j = 0; j < m.cols; ++j)
        I(b0 + b, j) = x[b * X->d + static_cast<std::size_t>(m.bl(m.rows - 1, j))] * g_sink;
    cholmod_l_free_dense(&X, &m.common);
  }
  return I;
}

CrossbarNodes LinearCrossbarSolver::nodes(const arma::rowvec& v) const {
  Impl& m = *impl_;
  if (v.n_elem != m.rows)
    throw ConfigError(
        "v", "expected " + std::to_string(m.rows) + " elements (one per word line), got " + std::to_string(v.n_elem));
  CrossbarNodes out;
  out.wordline_V.set_size(m.rows, m.cols);
  out.bitline_V.set_size(m.rows, m.cols);
  std::lock_guard lock(m.mutex);
  cholmod_dense* X = m.solve_block(arma::mat(v), 0, 1);
  const auto* x = static_cast<const double*>(X->x);
  for (std::size_t j = 0; j < m.cols; ++j)
    for (std::size_t i = 0; i < m.rows; ++i) {
      out.wordline_V(i, j) = x[m.wl(i, j)];
      out.bitline_V(i, j) = x[m.bl(i, j)];
    }
  cholmod_l_free_dense(&X, &m.common);
  return out;
}

arma::mat LinearCrossbarSolver::transfer_matrix() const {
  // Row r of T is the output for a unit voltage on word line r alone (superposition).
  return currents(arma::eye(impl_->rows, impl_->rows));
}

}  // namespace xbarsim

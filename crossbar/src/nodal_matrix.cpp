#include "nodal_matrix.hpp"

#include <algorithm>
#include <xbarsim/core/error.hpp>

namespace xbarsim::crossbar_detail {

Cholmod::Cholmod(std::string who) : who_(std::move(who)) {
  cholmod_l_start(&common);
  common.print = 0;  // libraries never print
  common.error_handler = nullptr;
}

Cholmod::~Cholmod() {
  if (factor != nullptr) cholmod_l_free_factor(&factor, &common);
  cholmod_l_finish(&common);
}

void Cholmod::check(const char* what) const {
  if (common.status != CHOLMOD_OK)
    throw NumericalError(who_ + ": CHOLMOD " + what + " failed with status " + std::to_string(common.status));
}

void Cholmod::factorise_nodal(const arma::mat& G, const WireParams& wires, const NodeIndex& index) {
  const std::size_t rows = index.rows, cols = index.cols, n = index.nodes();
  // Each conductance between two free nodes contributes 2 diagonal and 1 upper entry;
  // duplicates are summed by cholmod_triplet_to_sparse.
  const std::size_t branches = rows * cols + rows * (cols - 1) + (rows - 1) * cols;
  const std::size_t nz = 3 * branches + rows + cols;
  cholmod_triplet* t = cholmod_l_allocate_triplet(n, n, nz, 1, CHOLMOD_REAL, &common);
  if (t == nullptr) check("allocate_triplet");
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
  const double g_row = 1.0 / wires.r_row_ohm, g_col = 1.0 / wires.r_col_ohm;
  for (std::size_t i = 0; i < rows; ++i) {
    diag(index.wl(i, 0), 1.0 / wires.r_source_ohm);
    for (std::size_t j = 0; j + 1 < cols; ++j) branch(index.wl(i, j), index.wl(i, j + 1), g_row);
  }
  for (std::size_t j = 0; j < cols; ++j) {
    diag(index.bl(rows - 1, j), 1.0 / wires.r_sink_ohm);
    for (std::size_t i = 0; i + 1 < rows; ++i) branch(index.bl(i, j), index.bl(i + 1, j), g_col);
  }
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i < rows; ++i) branch(index.wl(i, j), index.bl(i, j), G(i, j));
  t->nnz = k;
  cholmod_sparse* A = cholmod_l_triplet_to_sparse(t, k, &common);
  cholmod_l_free_triplet(&t, &common);
  if (A == nullptr) check("triplet_to_sparse");
  factor = cholmod_l_analyze(A, &common);
  if (factor == nullptr) {
    cholmod_l_free_sparse(&A, &common);
    check("analyze");
  }
  const int ok = cholmod_l_factorize(A, factor, &common);
  cholmod_l_free_sparse(&A, &common);
  if (!ok || common.status == CHOLMOD_NOT_POSDEF || factor->minor < factor->n)
    throw NumericalError(who_ + ": nodal matrix is not positive definite (CHOLMOD status " +
                         std::to_string(common.status) + ")");
  check("factorize");
}

}  // namespace xbarsim::crossbar_detail

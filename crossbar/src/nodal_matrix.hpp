#pragma once
// Private to crossbar/: the CHOLMOD workspace and the nodal matrix of the canonical
// topology, shared by the direct (circuit_solver.cpp) and the PCG (noisy_solver.cpp)
// solvers so the topology and its stamps exist once.
//
// The nodal matrix is a weighted graph Laplacian plus positive diagonal terms at the
// driven word-line ends (1/r_source) and the sensed bit-line ends (1/r_sink). Every
// word-line node reaches its driver and every bit-line node its sink through wires of
// finite positive resistance, so the matrix is symmetric positive definite even when
// some (or all) cells have G = 0.
#include <suitesparse/cholmod.h>

#include <armadillo>
#include <cstddef>
#include <string>
#include <xbarsim/crossbar/circuit_solver.hpp>

namespace xbarsim::crossbar_detail {

/// Node numbering: word-line nodes first, then bit-line nodes, each block row-major
/// (i * cols + j) or column-major (j * rows + i, the layout of arma::mat).
struct NodeIndex {
  std::size_t rows = 0, cols = 0;
  bool column_major = false;
  std::size_t cells() const { return rows * cols; }
  std::size_t nodes() const { return 2 * rows * cols; }
  SuiteSparse_long cell(std::size_t i, std::size_t j) const {
    return static_cast<SuiteSparse_long>(column_major ? j * rows + i : i * cols + j);
  }
  SuiteSparse_long wl(std::size_t i, std::size_t j) const { return cell(i, j); }
  SuiteSparse_long bl(std::size_t i, std::size_t j) const {
    return static_cast<SuiteSparse_long>(cells()) + cell(i, j);
  }
};

/// Owns a cholmod_common (silent: libraries never print) and a factor.
class Cholmod {
 public:
  explicit Cholmod(std::string who);
  ~Cholmod();
  Cholmod(const Cholmod&) = delete;
  Cholmod& operator=(const Cholmod&) = delete;

  /// NumericalError naming `what` unless the last CHOLMOD call succeeded.
  void check(const char* what) const;
  /// Assembles A(G) for `index` and factorises it (LL', CHOLMOD's ordering choice).
  void factorise_nodal(const arma::mat& G_S, const WireParams& wires, const NodeIndex& index);

  cholmod_common common{};
  cholmod_factor* factor = nullptr;

 private:
  std::string who_;
};

}  // namespace xbarsim::crossbar_detail

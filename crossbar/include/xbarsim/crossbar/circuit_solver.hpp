#pragma once
// Exact nodal solver of a crossbar as a resistive network (issue 3, canonical topology):
//   word line i is driven at its column-0 end through r_source_ohm by V(b, i);
//   r_row_ohm separates adjacent cells on a word line;
//   bit line j is sensed at its row-(rows-1) end through r_sink_ohm into a virtual
//   ground at 0 V; r_col_ohm separates adjacent cells on a bit line;
//   cell (i, j) connects word-line node (i, j) to bit-line node (i, j).
// Unknowns: 2 * rows * cols node voltages. For linear cells the nodal matrix is
// symmetric positive definite; it is factorised once (SuiteSparse CHOLMOD) and reused
// for every input vector.
#include <armadillo>
#include <cstddef>
#include <memory>
#include <xbarsim/core/params.hpp>

namespace xbarsim {

/// Wire and driver parasitics of the canonical topology, ohms. All must be > 0 (a zero
/// resistance would merge nodes; use a tiny value such as 1e-9 instead).
struct WireParams {
  double r_row_ohm = 1.0;     // word-line segment between adjacent cells
  double r_col_ohm = 1.0;     // bit-line segment between adjacent cells
  double r_source_ohm = 1.0;  // driver output resistance at the column-0 end of each word line
  double r_sink_ohm = 1.0;    // sense input resistance at the row-(rows-1) end of each bit line
  static const ParamTable<WireParams>& table();
};

/// Node voltages of one solve: word-line and bit-line node (i, j), rows x cols each.
struct CrossbarNodes {
  arma::mat wordline_V;
  arma::mat bitline_V;
};

/// ConfigError listing every negative or non-finite conductance (as "G(i, j)") and every
/// non-positive or non-finite resistance; also an empty G.
void validate_crossbar_inputs(const arma::mat& G_S, const WireParams& wires);

class LinearCrossbarSolver {
 public:
  /// Factorises the nodal matrix for conductances G_S (rows x cols, siemens, >= 0).
  /// ConfigError for negative/NaN conductances or non-positive resistances.
  LinearCrossbarSolver(const arma::mat& G_S, const WireParams& wires);
  ~LinearCrossbarSolver();
  LinearCrossbarSolver(LinearCrossbarSolver&&) noexcept;
  LinearCrossbarSolver& operator=(LinearCrossbarSolver&&) noexcept;

  std::size_t rows() const;
  std::size_t cols() const;

  /// Currents into the virtual grounds, batch x cols (amperes), for inputs V (batch x
  /// rows, volts). One triangular solve pair per input, reusing the factorisation.
  arma::mat currents(const arma::mat& V) const;
  /// Node voltages for one input vector (rows volts).
  CrossbarNodes nodes(const arma::rowvec& v) const;
  /// The exact transfer matrix T (rows x cols): currents(V) == V * T. Lets a batch of
  /// MVMs with IR drop at fixed conductances run as one GEMM.
  arma::mat transfer_matrix() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim

#pragma once
// Newton solver of the canonical crossbar topology (circuit_solver.hpp) with nonlinear
// passive 0T1R cells (issue 3: "Newton iterations for nonlinear cells and selectors").
//
// Cell I-V (cell with a selector / self-rectifying I-V):
//   I(V) = G * V0 * sinh(V / V0)
// It reduces to the ohmic cell I = G V for |V| << V0. The NeuroSim nonlinearity
// (device_physics.md 7.6, NL = I(V_w) / I(V_w / 2)) of this form is
//   NL = sinh(V_w / V0) / sinh(V_w / (2 V0)) = 2 cosh(V_w / (2 V0)),
// so V0 = V_w / (2 acosh(NL / 2)) (NL > 2; NL -> 2 is the ohmic limit).
//
// Method: the node voltages minimise the convex co-content
//   E(x) = sum_wires g (dV)^2 / 2 + sum_cells G V0^2 (cosh(V / V0) - 1) - injected terms,
// whose gradient is the KCL residual and whose Hessian (the Newton Jacobian: wires plus
// G_eff = G cosh(V / V0) > 0 per cell) is symmetric positive definite with the sparsity
// pattern of the linear nodal matrix. CHOLMOD's symbolic analysis is done once per
// solver; each Newton iteration only refactorises numerically. Steps are limited to a
// cell-voltage change of max_cell_step_V0 * V0 and backtracked until E decreases
// (Armijo), which makes Newton globally convergent on this convex problem.
//
// Access transistor (1T1R with a nonlinear device, cell_access.hpp): with r_access_ohm
// = r > 0 each cell is the sinh device in series with a linear resistor r. The internal
// node between them is ELIMINATED per cell rather than added to the Newton system: for
// a cell voltage V the device voltage Vd solves the scalar monotone equation
//   Vd + r G V0 sinh(Vd / V0) = V,
// (convex for Vd > 0, solved by a scalar Newton from an upper bound, which converges
// monotonically), and the cell behaves as a two-terminal element with
//   I = G V0 sinh(Vd / V0),   dI/dV = 1 / (r + 1 / (G cosh(Vd / V0))) <= 1 / r,
//   co-content r I^2 / 2 + G V0^2 (cosh(Vd / V0) - 1)   (series elements share I).
// Why: the Jacobian keeps its 2 rows cols size and the sparsity pattern whose symbolic
// analysis is already done (an internal node would add rows cols unknowns and fill), the
// co-content stays convex (I(V) is increasing), and the cell conductance is bounded by
// 1 / r, so the Jacobian stays well conditioned even where the selector conducts hard.
// r = 0 is the passive 0T1R cell (Vd = V): exactly the behaviour without the option.
// The Newton step limit still applies to the cell voltage; since dVd/dV = 1 / (1 + r G
// cosh(Vd / V0)) <= 1 it also bounds the device-voltage change.
#include <armadillo>
#include <cstddef>
#include <memory>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>

namespace xbarsim {

/// Selector nonlinearity of the sinh cell model above.
struct SelectorParams {
  // I = G V0 sinh(V / V0). Default: NL = 10 at V_w = 2 V (NeuroSim defaults), V0 = 1 / acosh(5).
  double v0_V = 0.436218;
  // Linear access-transistor resistance in series with each sinh device (1T1R); 0 = none
  // (passive 0T1R cell). See the header comment for how the series node is eliminated.
  double r_access_ohm = 0.0;
  static const ParamTable<SelectorParams>& table();
};

/// NL = I(V_w) / I(V_w / 2) = 2 cosh(V_w / (2 V0)) of the sinh cell (device_physics.md 7.6).
double selector_nonlinearity(double v0_V, double v_write_V);
/// Inverse of selector_nonlinearity: V0 giving NL at V_w (ConfigError unless NL > 2, V_w > 0).
double selector_v0_for_nonlinearity(double nl, double v_write_V);

/// Numerical controls of the Newton iteration.
struct NewtonOptions {
  double rel_tol = 1e-12;            // converged when max |dx| <= rel_tol * max |x|
  std::size_t max_iterations = 200;  // NumericalError beyond this
  double max_cell_step_V0 = 4.0;     // step limit on any cell-voltage change, in units of V0
};

struct NonlinearCrossbarResult {
  arma::rowvec currents_A;     // into the virtual grounds, one per column
  CrossbarNodes nodes;         // word-line and bit-line node voltages
  std::size_t iterations = 0;  // Newton iterations after the linear start
  double residual_A = 0.0;     // max |KCL residual| over all nodes at the returned solution
};

class NonlinearCrossbarSolver {
 public:
  /// Validates inputs (ConfigError: negative/NaN G, non-positive resistances, V0 <= 0,
  /// negative r_access, bad options) and performs the symbolic analysis of the Jacobian pattern.
  NonlinearCrossbarSolver(const arma::mat& G_S, const WireParams& wires, const SelectorParams& selector,
                          const NewtonOptions& options = {});
  ~NonlinearCrossbarSolver();
  NonlinearCrossbarSolver(NonlinearCrossbarSolver&&) noexcept;
  NonlinearCrossbarSolver& operator=(NonlinearCrossbarSolver&&) noexcept;

  std::size_t rows() const;
  std::size_t cols() const;

  /// One input vector (rows volts). NumericalError if Newton does not converge.
  NonlinearCrossbarResult solve(const arma::rowvec& v) const;
  /// Sink currents, batch x cols, for inputs V (batch x rows); one Newton solve per row.
  /// If iterations != nullptr it receives the iteration count of each input.
  arma::mat currents(const arma::mat& V, std::vector<std::size_t>* iterations = nullptr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Convenience wrappers (one symbolic analysis per call).
NonlinearCrossbarResult solve_nonlinear(const arma::mat& G_S, const WireParams& wires, const SelectorParams& selector,
                                        const arma::rowvec& v, const NewtonOptions& options = {});
arma::mat solve_nonlinear_batch(const arma::mat& G_S, const WireParams& wires, const SelectorParams& selector,
                                const arma::mat& V, const NewtonOptions& options = {});

}  // namespace xbarsim

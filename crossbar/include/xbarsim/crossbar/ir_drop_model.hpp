#pragma once
// Fast IR-drop model of the canonical crossbar (circuit_solver.hpp topology; issue 5):
// an effective conductance per cell, T_fast(i, j), so that currents ~= V * T_fast like
// the exact transfer matrix (transfer_matrix.hpp) but at O(rows * cols) cost and with
// no coupled linear system.
//
// Model, in two parts.
// 1. Decoupled ladders in series. Each line family is solved exactly on its own with
//    the other family ideal:
//    alpha_w(i, j): voltage of word-line node (i, j) per volt of V(i), bit lines held at
//      0 V. Word line i is a ladder network: source through r_source_ohm at column 0,
//      r_row_ohm between cells, cell conductances G(i, :) to ground.
//    alpha_b(i, j): sink current of bit line j per ampere that cell (i, j) would
//      deliver into an ideal bit line, word lines ideal; by reciprocity the voltage of
//      bit-line node (i, j) when the bit line is driven with 1 V from its sink end
//      through r_sink_ohm, r_col_ohm between cells, G(:, j) to ground. Both families are
//      the same ladder, driven from opposite ends.
//    A ladder's node voltages follow from the classical two-sweep recursion (input
//    admittance Y_k = g_k + Y_{k+1} / (1 + r Y_{k+1}) from the far end, then
//    V_{k+1} = V_k / (1 + r Y_{k+1}) from the driven end): O(n) per line, all terms
//    positive, no pivoting and no assembled matrix.
//    Each family alone makes cell (i, j) look like G in series with an effective line
//    resistance R_w = (1/alpha_w - 1) / G (resp. R_b); in series:
//      q = 1 / (1/alpha_w + 1/alpha_b - 1),  G q = 1 / (1/G + R_w + R_b).
// 2. The cross term between the families, from the perturbation expansion of the nodal
//    equations I = I0 - L I with I0(i, j) = G(i, j) V(i) and
//    (L I)(i, j) = G(i, j) [sum_k Rw(j, k) I(i, k) + sum_k Rb(i, k) I(k, j)],
//    Rw(j, k) = r_source + r_row min(j, k) (shared word-line path), Rb(i, k) = r_sink +
//    r_col (rows - 1 - max(i, k)) (shared bit-line path). To first order
//    T = G (1 - a_w - a_b) with a_w(i, j) = sum_k G(i, k) Rw(j, k) and
//    a_b(i, j) = sum_k G(k, j) Rb(i, k): input-independent, and what part 1 reproduces
//    (1/alpha = 1 + a + O(r^2)). It is CrossSim's cumsum update (crosssim_memtorch.md
//    1.4) written as prefix sums of G. Part 1 is also exact for pure word-line or pure
//    bit-line resistance, but it puts 2 G a_w a_b into the second-order cross term,
//    whereas the expansion gives, for input l and output j,
//      G(l, j) a_w(l, j) a_b(l, j)                       (Lb Lw: local, per cell)
//      + sum_{i, k} G(i, j) Rw(j, k) G(i, k) Rb(i, l) G(l, k)   (Lw Lb: through other
//        rows i and columns k; non-zero even where G(l, j) = 0).
//    The second sum costs O(rows^2 cols^2); replacing the intermediate cell G(i, k) by
//    its rank-1 mean field rsum(i) csum(k) / sum(G) (row and column sums) factorises it:
//      N(l, j) = a_wc(l, j) a_br(l, j) / sum(G),
//    a_wc = a_w of G(l, k) csum(k), a_br = a_b of G(i, j) rsum(i): prefix sums again.
//    The model adds the difference to part 1, resummed the way part 1 resums the
//    drops: a_w a_b -> (1 - alpha_w)(1 - alpha_b) = a_w a_b + O(r^3), and the currents
//    attenuated by q:
//      T_fast = G q + q (1 - alpha_w)(1 - alpha_b) (N / (a_w a_b) - G).
//    Second order is unchanged; for strong IR drop the subtracted local term stays below
//    G q, so T_fast > 0 like every entry of the exact T. Measured alternatives (G in
//    [1, 25] uS, r = 1-2.5 ohm, 64-1024 rows; errors of T relative to this form's):
//    (N - G a_w a_b) q^k gave 0.96-3.9x for k = 2, 1.4-3.3x for k = 3, 3-600x for
//    k = 0, 1; no cross term at all (T_fast = G q) 1.5-49x, the most at small arrays.
// Properties (tests/crossbar/test_ir_drop_model.cpp):
//   * exact for a 1 x 1 array and when one line family has negligible resistance;
//   * exact to first order in the wire resistances for every input pattern; the
//     second-order error is the mean-field error of the non-local term alone;
//   * per-cell (Hadamard) models cannot represent the non-local term exactly; the mean
//     field is exact for a uniform array. Zero-mean signed inputs show 1.3-1.8x larger
//     output errors than non-negative ones (bench/ir_drop_bench.cpp).
// The reference sheets show no tool with a per-cell model to compare with: NeuroSim
// leaves IR drop out of its accuracy path (neurosim.md 1.7), aihwkit's ir_drop is a
// cubic heuristic in sum |w x| (aihwkit.md 1.6), CrossSim iterates the cumsum update to
// convergence for every MVM (crosssim_memtorch.md 1.4).
//
// Calibration (optional, one exact solve): per-column factors c_j = I_exact,j / I_fast,j
// for a calibration input (default: all rows driven at the same voltage, the
// all-inputs-on worst case of IR drop), with I_exact from the factorisation-free line
// solver (line_solver.hpp). The calibrated model T_fast diag(c) reproduces the exact
// column currents of that input; it removes most of the error for non-negative inputs
// (10-22x smaller at 64-256 rows) and little for zero-mean signed ones (1.1-1.3x), whose
// error is in the row structure a column factor cannot reach. It costs one exact solve
// per refresh.
//
// AnalogTile uses the model with TileParams::wire_model "fast" and, calibrated on every
// conductance read, "fast-calibrated" (crossbar/src/tile_impl.hpp, through_wires).
#include <armadillo>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/line_solver.hpp>

namespace xbarsim {

/// T_fast (rows x cols, siemens) for conductances G_S (rows x cols, >= 0). O(rows * cols),
/// parallel over lines in fixed blocks (deterministic). ConfigError as
/// validate_crossbar_inputs for negative/non-finite G or non-positive resistances.
arma::mat fast_transfer_matrix(const arma::mat& G_S, const WireParams& wires);
arma::fmat fast_transfer_matrix(const arma::fmat& G_S, const WireParams& wires);

/// Per-column calibration factors c (1 x cols) such that v * (T_fast diag(c)) equals the
/// exact sink currents for the calibration input v (rows volts; any non-zero scale gives
/// the same c since the circuit is linear). Columns whose fast current is zero get 1.
/// One LineCrossbarSolver solve at `options` (its rel_tol bounds the calibration error).
arma::rowvec fast_column_calibration(const arma::mat& G_S, const WireParams& wires, const arma::mat& T_fast,
                                     const arma::rowvec& v, const LineSolverOptions& options = {});
/// The same with v = all ones (every row driven at the same voltage).
arma::rowvec fast_column_calibration(const arma::mat& G_S, const WireParams& wires, const arma::mat& T_fast);

}  // namespace xbarsim

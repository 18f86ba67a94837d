#pragma once
// Exact transfer matrix of the canonical crossbar topology (see circuit_solver.hpp) by
// structured elimination instead of a general sparse factorisation:
//  1. each word line is a tridiagonal chain; eliminating it couples the bit-line nodes
//     of that row through a dense cols x cols Schur complement S_i;
//  2. the bit-line nodes then form a block-tridiagonal system along the rows
//     (S_i on the diagonal, -1/r_col off it), eliminated top to bottom (block Thomas);
//  3. only the last row of bit-line nodes feeds the sinks, so no back substitution is
//     needed: I = V * T with T = (1/r_sink) * (last block's solution) for unit inputs.
// Cost ~ rows * cols^3 dense BLAS-3 flops, versus one sparse solve per input row: for a
// 256 x 256 array this is the difference between ~0.1 s and seconds.
#include <armadillo>
#include <xbarsim/crossbar/circuit_solver.hpp>

namespace xbarsim {

/// T (rows x cols) with currents(V) == V * T for conductances G_S (rows x cols) and
/// the given wires. Same validation and ConfigErrors as LinearCrossbarSolver.
arma::mat crossbar_transfer_matrix(const arma::mat& G_S, const WireParams& wires);

}  // namespace xbarsim

#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/transfer_matrix.hpp>

namespace xbarsim {

arma::mat crossbar_transfer_matrix(const arma::mat& G_S, const WireParams& wires) {
  validate_crossbar_inputs(G_S, wires);
  const arma::uword R = G_S.n_rows, C = G_S.n_cols;
  const double gr = 1.0 / wires.r_row_ohm, gc = 1.0 / wires.r_col_ohm;
  const double gs = 1.0 / wires.r_source_ohm, gk = 1.0 / wires.r_sink_ohm;

  // Word line i: nodal matrix of its chain (tridiagonal, C x C). Eliminating it from
  // the bit-line equations of row i gives S_i = B_i - D_i W_i^{-1} D_i and the source
  // coupling f_i = gs D_i W_i^{-1} e_0 (response of row i's bit-line nodes to V_i).
  // Bit-line diagonal B_i: gc per vertical neighbour, the cells, the sink on the last row.
  arma::mat M_inv_prev;  // M_{i-1}^{-1} of the block Thomas recursion
  arma::mat Y;           // C x R: forward-eliminated right-hand sides, column k = input k
  Y.zeros(C, R);
  for (arma::uword i = 0; i < R; ++i) {
    const arma::vec g = G_S.row(i).t();
    // [W^{-1} D | W^{-1} e_0] by the Thomas algorithm on the tridiagonal W: diagonal
    // d_j = g_j + gr per horizontal neighbour (+ gs at the driven end), off-diagonal -gr.
    // W is diagonally dominant (strictly where the driver or a cell connects), so the
    // elimination needs no pivoting.
    arma::vec d(C), piv(C);
    for (arma::uword j = 0; j < C; ++j) d(j) = g(j) + (j > 0 ? gr : 0.0) + (j + 1 < C ? gr : 0.0) + (j == 0 ? gs : 0.0);
    // Stored transposed (Xt = [W^{-1} D | W^{-1} e_0]^T) so each elimination step works on
    // a contiguous column.
    arma::mat Xt(C + 1, C, arma::fill::zeros);
    Xt.submat(0, 0, C - 1, C - 1).diag() = g;
    Xt(C, 0) = 1.0;
    piv(0) = d(0);
    for (arma::uword j = 1; j < C; ++j) {  // forward: row j += (gr / piv_{j-1}) row j-1
      const double m = gr / piv(j - 1);
      piv(j) = d(j) - m * gr;
      Xt.col(j) += m * Xt.col(j - 1);
    }
    if (!(piv.min() > 0.0))
      throw NumericalError("crossbar transfer matrix: word line " + std::to_string(i) + " is singular");
    Xt.col(C - 1) /= piv(C - 1);
    for (arma::uword j = C - 1; j-- > 0;) Xt.col(j) = (Xt.col(j) + gr * Xt.col(j + 1)) / piv(j);
    // S = -D W^{-1} D (symmetric, so its transpose is built), then the bit-line diagonal.
    arma::mat S = -(Xt.rows(0, C - 1).each_row() % g.t());
    const double vertical = (i > 0 ? gc : 0.0) + (i + 1 < R ? gc : 0.0) + (i + 1 == R ? gk : 0.0);
    S.diag() += g + vertical;
    const arma::vec f = gs * (g % Xt.row(C).t());
    // Block Thomas: M_i = S_i - gc^2 M_{i-1}^{-1};  y_i = f_i e_i^T + gc M_{i-1}^{-1} y_{i-1}.
    if (i > 0) {
      S -= gc * gc * M_inv_prev;
      Y.cols(0, i - 1) = gc * (M_inv_prev * Y.cols(0, i - 1));
    }
    Y.col(i) = f;
    S = 0.5 * (S + S.t());  // symmetric by construction; remove rounding asymmetry
    if (!arma::inv_sympd(M_inv_prev, S))
      throw NumericalError("crossbar transfer matrix: Schur complement of row " + std::to_string(i) +
                           " is not positive definite");
  }
  // Last block: b_{R-1} = M_{R-1}^{-1} y_{R-1}; sink currents I_j = gk b(R-1, j).
  return gk * (M_inv_prev * Y).t();
}

}  // namespace xbarsim

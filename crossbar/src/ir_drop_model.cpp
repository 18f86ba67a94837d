// Fast IR-drop model: ladder attenuations in series plus the mean-field cross term (see
// ir_drop_model.hpp).
#include <xbarsim/crossbar/ir_drop_model.hpp>

#include <cmath>
#include <type_traits>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>

namespace xbarsim {

namespace {

// Fixed block sizes (never derived from the thread count): results are identical for
// any number of threads since every line is computed by one task in the same order.
constexpr std::size_t kRowBlock = 64;  // word lines swept together (contiguous in memory)
constexpr std::size_t kColBlock = 8;   // bit lines per task

template <class eT>
void check_inputs(const arma::Mat<eT>& G, const WireParams& w) {
  const bool wires_ok = std::isfinite(w.r_row_ohm) && w.r_row_ohm > 0 && std::isfinite(w.r_col_ohm) &&
                        w.r_col_ohm > 0 && std::isfinite(w.r_source_ohm) && w.r_source_ohm > 0 &&
                        std::isfinite(w.r_sink_ohm) && w.r_sink_ohm > 0;
  // The cheap check first; the shared validator then names every offending entry.
  if (G.is_empty() || !wires_ok || !G.is_finite() || G.min() < eT(0))
    validate_crossbar_inputs(arma::conv_to<arma::mat>::from(G), w);
}

/// Word-line quantities, rows of one block swept together along the columns so the
/// inner loops run over contiguous memory (column-major storage):
///  alpha_w: ladder node voltages per volt of the row's input, bit lines at 0 V. First
///    the input admittance looking away from the driver, Y(j) = G(j) + Y(j+1) / (1 +
///    r_row Y(j+1)), then V(0) = 1 / (1 + r_source Y(0)), V(j+1) = V(j) / (1 + r_row Y(j+1)).
///  a_w: first-order drop sum_k G(i, k) (r_source + r_row min(j, k)) = r_source s(0) +
///    r_row sum_{m=1..j} s(m), s(m) = sum_{k >= m} G(i, k) the downstream current;
///  a_wc: the same with G(i, k) weighted by the column sum c(k) (cross term, see below).
/// The suffix sums s are built in the admittance sweep (same direction) and turned into
/// the prefix sums of s in the voltage sweep, in place.
void word_lines(const arma::mat& G, const arma::rowvec& c, const WireParams& w, arma::mat& alpha, arma::mat& a,
                arma::mat& ac) {
  const std::size_t rows = G.n_rows, cols = G.n_cols;
  alpha.set_size(rows, cols);
  a.set_size(rows, cols);
  ac.set_size(rows, cols);
  const double r = w.r_row_ohm, rs = w.r_source_ohm;
  parallel_blocks(rows, kRowBlock, [&](std::size_t i0, std::size_t i1) {
    const std::size_t n = i1 - i0;
    auto at = [&](arma::mat& m, std::size_t j) { return m.memptr() + j * rows + i0; };
    for (std::size_t j = cols; j-- > 0;) {
      const double* g = G.memptr() + j * rows + i0;
      double *y = at(alpha, j), *s = at(a, j), *sc = at(ac, j);
      if (j + 1 == cols) {
        for (std::size_t i = 0; i < n; ++i) {
          y[i] = s[i] = g[i];
          sc[i] = g[i] * c(j);
        }
        continue;
      }
      const double *yn = at(alpha, j + 1), *sn = at(a, j + 1), *scn = at(ac, j + 1);
      for (std::size_t i = 0; i < n; ++i) {
        y[i] = g[i] + yn[i] / (1.0 + r * yn[i]);
        s[i] = g[i] + sn[i];
        sc[i] = g[i] * c(j) + scn[i];
      }
    }
    std::vector<double> acc(n, 0.0), accc(n, 0.0), s0(n), s0c(n);  // per task, not per line
    for (std::size_t j = 0; j < cols; ++j) {
      double *v = at(alpha, j), *s = at(a, j), *sc = at(ac, j);
      if (j == 0) {
        for (std::size_t i = 0; i < n; ++i) {
          s0[i] = s[i];
          s0c[i] = sc[i];
          v[i] = 1.0 / (1.0 + rs * v[i]);
          s[i] = rs * s0[i];
          sc[i] = rs * s0c[i];
        }
        continue;
      }
      const double* vp = at(alpha, j - 1);
      for (std::size_t i = 0; i < n; ++i) {
        v[i] = vp[i] / (1.0 + r * v[i]);
        acc[i] += s[i];
        accc[i] += sc[i];
        s[i] = rs * s0[i] + r * acc[i];
        sc[i] = rs * s0c[i] + r * accc[i];
      }
    }
  });
}

/// Bit lines j0..j0+m-1 (each driven from row rows-1 through r_sink, so its admittance
/// sweep starts at row 0), the analogues of word_lines: alpha_b, a_b(i, j) = sum_k G(k, j)
/// (r_sink + r_col (rows - 1 - max(i, k))) and a_br with G(k, j) weighted by the row sum
/// rsum(k). The m recursions are interleaved (buffers indexed i * m + jj, the caller's,
/// one set per task) so that their dependency chains overlap.
void bit_lines(const arma::mat& G, std::size_t j0, std::size_t m, const arma::vec& rsum, const WireParams& w,
               double* alpha, double* a, double* ar) {
  const std::size_t rows = G.n_rows;
  const double r = w.r_col_ohm, rk = w.r_sink_ohm;
  const double* g = G.colptr(j0);  // g[jj * rows + i] = G(i, j0 + jj)
  for (std::size_t jj = 0; jj < m; ++jj) {
    alpha[jj] = a[jj] = g[jj * rows];
    ar[jj] = g[jj * rows] * rsum(0);
  }
  for (std::size_t i = 1; i < rows; ++i) {
    const double ri = rsum(i);
    double *al = alpha + i * m, *ai = a + i * m, *ari = ar + i * m;
    const double *alp = al - m, *ap = ai - m, *arp = ari - m;
    for (std::size_t jj = 0; jj < m; ++jj) {
      const double gi = g[jj * rows + i];
      al[jj] = gi + alp[jj] / (1.0 + r * alp[jj]);
      ai[jj] = gi + ap[jj];  // prefix sums p(i): current through the segment below row i
      ari[jj] = gi * ri + arp[jj];
    }
  }
  // Backward: sum_{k=i}^{rows-2} p(k) accumulated in acc (per column).
  double acc[kColBlock] = {}, accr[kColBlock] = {}, p_end[kColBlock], pr_end[kColBlock];
  double *al = alpha + (rows - 1) * m, *ai = a + (rows - 1) * m, *ari = ar + (rows - 1) * m;
  for (std::size_t jj = 0; jj < m; ++jj) {
    p_end[jj] = ai[jj];
    pr_end[jj] = ari[jj];
    al[jj] = 1.0 / (1.0 + rk * al[jj]);
    ai[jj] = rk * p_end[jj];
    ari[jj] = rk * pr_end[jj];
  }
  for (std::size_t i = rows - 1; i-- > 0;) {
    double *ali = alpha + i * m, *aii = a + i * m, *arii = ar + i * m;
    const double* aln = ali + m;
    for (std::size_t jj = 0; jj < m; ++jj) {
      ali[jj] = aln[jj] / (1.0 + r * ali[jj]);
      acc[jj] += aii[jj];
      accr[jj] += arii[jj];
      aii[jj] = rk * p_end[jj] + r * acc[jj];
      arii[jj] = rk * pr_end[jj] + r * accr[jj];
    }
  }
}

/// The model of ir_drop_model.hpp on double conductances:
///   q = 1 / (1/alpha_w + 1/alpha_b - 1) = alpha_w alpha_b / (alpha_w + alpha_b - alpha_w alpha_b),
///   T = G q + q (1 - alpha_w)(1 - alpha_b) (N / (a_w a_b) - G),  N = a_wc a_br / sum(G).
/// q is written without 1/alpha so that a vanishing attenuation cannot overflow
/// (alpha_w + alpha_b - alpha_w alpha_b >= max(alpha_w, alpha_b)). T >= G q (1 - (1 -
/// alpha_w)(1 - alpha_b)) > 0 for G > 0, as every entry of the exact T. A cell with
/// a_w a_b = 0 has an empty row or column (a_w >= r_source rsum, a_b >= r_sink csum), so
/// N = 0 there and the cross term is dropped.
template <class eT>
void fast_model(const arma::mat& G, const WireParams& w, arma::Mat<eT>& T) {
  const std::size_t rows = G.n_rows, cols = G.n_cols;
  const arma::vec rsum = arma::sum(G, 1);
  const arma::rowvec csum = arma::sum(G, 0);
  const double total = arma::accu(csum);
  arma::mat alpha_w, a_w, a_wc;
  word_lines(G, csum, w, alpha_w, a_w, a_wc);
  T.set_size(rows, cols);
  const double inv_total = total > 0.0 ? 1.0 / total : 0.0;
  parallel_blocks(cols, kColBlock, [&](std::size_t j0, std::size_t j1) {
    const std::size_t m = j1 - j0;
    std::vector<double> alpha_b(rows * m), a_b(rows * m), a_br(rows * m);  // one set per task
    bit_lines(G, j0, m, rsum, w, alpha_b.data(), a_b.data(), a_br.data());
    for (std::size_t jj = 0; jj < m; ++jj) {
      const std::size_t j = j0 + jj;
      const double* g = G.colptr(j);
      const double *aw = alpha_w.colptr(j), *pw = a_w.colptr(j), *pwc = a_wc.colptr(j);
      eT* t = T.colptr(j);
      for (std::size_t i = 0; i < rows; ++i) {
        const double ab = alpha_b[i * m + jj], pb = a_b[i * m + jj], pbr = a_br[i * m + jj];
        const double den = aw[i] + ab - aw[i] * ab;
        const double q = den > 0.0 ? aw[i] * ab / den : 0.0;
        const double first = pw[i] * pb;
        const double cross =
            first > 0.0 ? q * (1.0 - aw[i]) * (1.0 - ab) * (pwc[i] * pbr * inv_total / first - g[i]) : 0.0;
        t[i] = static_cast<eT>(g[i] * q + cross);
      }
    }
  });
}

template <class eT>
arma::Mat<eT> fast_impl(const arma::Mat<eT>& G, const WireParams& w) {
  check_inputs(G, w);
  arma::Mat<eT> T;
  if constexpr (std::is_same_v<eT, double>)
    fast_model(G, w, T);
  else
    fast_model(arma::conv_to<arma::mat>::from(G), w, T);
  return T;
}

}  // namespace

arma::mat fast_transfer_matrix(const arma::mat& G_S, const WireParams& wires) { return fast_impl(G_S, wires); }
arma::fmat fast_transfer_matrix(const arma::fmat& G_S, const WireParams& wires) { return fast_impl(G_S, wires); }

arma::rowvec fast_column_calibration(const arma::mat& G_S, const WireParams& wires, const arma::mat& T_fast,
                                     const arma::rowvec& v, const LineSolverOptions& options) {
  if (T_fast.n_rows != G_S.n_rows || T_fast.n_cols != G_S.n_cols)
    throw ConfigError("T_fast",
                      "expected the shape of G, " + std::to_string(G_S.n_rows) + " x " + std::to_string(G_S.n_cols));
  if (v.n_elem != G_S.n_rows) throw ConfigError("v", "expected one voltage per row");
  // Mixed signs could cancel a column's fast current and blow its factor up.
  if (!v.is_finite() || v.min() < 0.0 || v.max() <= 0.0)
    throw ConfigError("v", "calibration input must be finite, >= 0 and not all zero");
  const LineCrossbarSolver solver(wires, G_S.n_rows, G_S.n_cols, options);
  const arma::rowvec exact = solver.solve(G_S, v).currents_A;
  const arma::rowvec fast = v * T_fast;
  arma::rowvec c(G_S.n_cols, arma::fill::ones);
  for (arma::uword j = 0; j < c.n_elem; ++j)
    if (fast(j) > 0.0) c(j) = exact(j) / fast(j);
  return c;
}

arma::rowvec fast_column_calibration(const arma::mat& G_S, const WireParams& wires, const arma::mat& T_fast) {
  return fast_column_calibration(G_S, wires, T_fast, arma::rowvec(G_S.n_rows, arma::fill::ones));
}

}  // namespace xbarsim

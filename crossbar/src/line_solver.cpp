// Line-block preconditioned conjugate gradients for the canonical crossbar (see
// line_solver.hpp). Vectors of both line families use arma's column-major cell order,
// node (i, j) -> j * rows + i, the order of G itself: word-line chains then run across
// columns with the inner loop over rows contiguous (vectorises across word lines), and
// bit-line chains are contiguous runs processed several at a time for instruction-level
// parallelism.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/crossbar/line_solver.hpp>

namespace xbarsim {

const ParamTable<LineSolverOptions>& LineSolverOptions::table() {
  static const ParamTable<LineSolverOptions> t = [] {
    ParamTable<LineSolverOptions> tab;
    tab.real("rel_tol", &LineSolverOptions::rel_tol, "1", Range{0.0, 1.0, true, true},
             "bound on max |dI| / max |I| of the sink currents at which PCG stops",
             "issue 3 goal <= 1e-6 relative error with a 1000x margin; the bound itself was 1e2-1e5x above "
             "the error measured against CHOLMOD");
    tab.integer("max_iterations", &LineSolverOptions::max_iterations, "1", Range::at_least(1),
                "conjugate-gradient iterations before NumericalError",
                "assumption: far above the 18 (1 ohm wires, 1-100 uS cells) to 178 (10 ohm wires, 1 kOhm cells) "
                "iterations measured on 1024 x 1024 arrays");
    tab.choice("method", &LineSolverOptions::method, {"schur", "block_jacobi"},
               "schur: PCG on the bit-line Schur complement; block_jacobi: PCG on the full system",
               "bench_line_solver, 1024 x 1024: schur 18 iterations in 0.5 s, block_jacobi 36 in 1.9 s");
    return tab;
  }();
  return t;
}

namespace {

// Chain factors of Aw + Dg and Ab + Dg for one G. Each chain is eliminated starting at
// its grounded end (driver or sink): the pivot is then g_wire + c where c, the
// conductance to ground of the already eliminated part, follows the series/parallel
// recursion c' = G + g c / (g + c) with no cancellation, whatever the ratio of wire to
// cell conductances.
struct Chains {
  std::size_t R = 0, C = 0;
  double g_row = 0, g_col = 0, g_src = 0, g_sink = 0;
  const double* G = nullptr;
  std::vector<double> inv_dw;  // 1 / pivot of word-line node (i, j), eliminated from j = 0
  std::vector<double> inv_db;  // 1 / pivot of bit-line node (i, j), eliminated from i = R-1

  Chains(const arma::mat& G_S, const WireParams& w)
      : R(G_S.n_rows),
        C(G_S.n_cols),
        g_row(1.0 / w.r_row_ohm),
        g_col(1.0 / w.r_col_ohm),
        g_src(1.0 / w.r_source_ohm),
        g_sink(1.0 / w.r_sink_ohm),
        G(G_S.memptr()),
        inv_dw(R * C),
        inv_db(R * C) {
    std::vector<double> c(R);
    for (std::size_t i = 0; i < R; ++i) c[i] = g_src + G[i];
    for (std::size_t j = 0; j < C; ++j) {
      const double right = j + 1 < C ? g_row : 0.0;
      double* inv = inv_dw.data() + j * R;
      const double* gn = G + (j + 1) * R;
      for (std::size_t i = 0; i < R; ++i) {
        inv[i] = 1.0 / (c[i] + right);
        if (j + 1 < C) c[i] = gn[i] + g_row * c[i] / (g_row + c[i]);
      }
    }
    for (std::size_t j = 0; j < C; ++j) {
      const double* g = G + j * R;
      double* inv = inv_db.data() + j * R;
      double cb = g_sink + g[R - 1];
      for (std::size_t i = R; i-- > 0;) {
        inv[i] = 1.0 / (cb + (i > 0 ? g_col : 0.0));
        if (i > 0) cb = g[i - 1] + g_col * cb / (g_col + cb);
      }
    }
  }

  std::size_t cells() const { return R * C; }

  // x = (Aw + Dg)^{-1} r; x may alias r.
  void word_solve(const double* r, double* x) const {
    const double* inv = inv_dw.data();
    if (x != r) std::copy(r, r + R, x);
    for (std::size_t j = 1; j < C; ++j) {
      const double* prev = x + (j - 1) * R;
      const double* ip = inv + (j - 1) * R;
      const double* rj = r + j * R;
      double* xj = x + j * R;
      for (std::size_t i = 0; i < R; ++i) xj[i] = rj[i] + g_row * ip[i] * prev[i];
    }
    {
      double* xl = x + (C - 1) * R;
      const double* il = inv + (C - 1) * R;
      for (std::size_t i = 0; i < R; ++i) xl[i] *= il[i];
    }
    for (std::size_t j = C - 1; j-- > 0;) {
      double* xj = x + j * R;
      const double* next = xj + R;
      const double* ij = inv + j * R;
      for (std::size_t i = 0; i < R; ++i) xj[i] = ij[i] * (xj[i] + g_row * next[i]);
    }
  }

  // x = (Ab + Dg)^{-1} r for the K bit lines j0 .. j0+K-1, interleaved so the K
  // independent recursions overlap in the pipeline. x may alias r.
  template <std::size_t K>
  void bit_solve_block(const double* r, double* x, std::size_t j0) const {
    double y[K];
    for (std::size_t k = 0; k < K; ++k) {
      const std::size_t o = (j0 + k) * R + (R - 1);
      y[k] = r[o];
      x[o] = y[k];
    }
    for (std::size_t i = R - 1; i-- > 0;)
      for (std::size_t k = 0; k < K; ++k) {
        const std::size_t o = (j0 + k) * R + i;
        y[k] = r[o] + g_col * inv_db[o + 1] * y[k];
        x[o] = y[k];
      }
    for (std::size_t k = 0; k < K; ++k) {
      const std::size_t o = (j0 + k) * R;
      y[k] = inv_db[o] * x[o];
      x[o] = y[k];
    }
    for (std::size_t i = 1; i < R; ++i)
      for (std::size_t k = 0; k < K; ++k) {
        const std::size_t o = (j0 + k) * R + i;
        y[k] = inv_db[o] * (x[o] + g_col * y[k]);
        x[o] = y[k];
      }
  }
  void bit_solve(const double* r, double* x) const {
    // K = 4 measured fastest (bench_line_solver, 256 and 1024 rows): K = 1 is latency
    // bound, K = 8 strided streams (stride rows * 8 bytes) collide in the same L1 sets.
    constexpr std::size_t K = 4;
    std::size_t j = 0;
    for (; j + K <= C; j += K) bit_solve_block<K>(r, x, j);
    for (; j < C; ++j) bit_solve_block<1>(r, x, j);
  }

  // y = (Ab + Dg) x, written per node (no scatter) so the interior loop vectorises.
  void bit_apply(const double* x, double* y) const {
    for (std::size_t j = 0; j < C; ++j) {
      const double* a = x + j * R;
      const double* g = G + j * R;
      double* b = y + j * R;
      if (R == 1) {
        b[0] = (g[0] + g_sink) * a[0];
        continue;
      }
      b[0] = g[0] * a[0] + g_col * (a[0] - a[1]);
      for (std::size_t i = 1; i + 1 < R; ++i) b[i] = g[i] * a[i] + g_col * ((a[i] - a[i - 1]) + (a[i] - a[i + 1]));
      b[R - 1] = g[R - 1] * a[R - 1] + g_col * (a[R - 1] - a[R - 2]) + g_sink * a[R - 1];
    }
  }
  // y = (Aw + Dg) x.
  void word_apply(const double* x, double* y) const {
    const std::size_t N = cells();
    for (std::size_t k = 0; k < N; ++k) y[k] = G[k] * x[k];
    for (std::size_t i = 0; i < R; ++i) y[i] += g_src * x[i];
    for (std::size_t j = 0; j + 1 < C; ++j) {
      const double* a = x + j * R;
      const double* b = a + R;
      double* ya = y + j * R;
      double* yb = ya + R;
      for (std::size_t i = 0; i < R; ++i) {
        const double d = g_row * (a[i] - b[i]);
        ya[i] += d;
        yb[i] -= d;
      }
    }
  }

  // Word-line voltages for bit-line voltages xb: (Aw + Dg)^{-1} (b_w + Dg xb), with the
  // driver's Norton current g_src v_i injected at node (i, 0).
  void word_from_bits(const arma::rowvec& v, const double* xb, double* xw) const {
    const std::size_t N = cells();
    for (std::size_t k = 0; k < N; ++k) xw[k] = G[k] * xb[k];
    for (std::size_t i = 0; i < R; ++i) xw[i] += g_src * v(i);
    word_solve(xw, xw);
  }
};

// Four interleaved partial sums (fixed order, so deterministic) break the add latency
// chain that a single accumulator imposes without -ffast-math.
double dot(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = a.size();
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  std::size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += a[k] * b[k];
    s1 += a[k + 1] * b[k + 1];
    s2 += a[k + 2] * b[k + 2];
    s3 += a[k + 3] * b[k + 3];
  }
  for (; k < n; ++k) s0 += a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}

// Smallest eigenvalue of the symmetric tridiagonal T (diagonal d, off-diagonal e) by
// bisection on Sturm counts; returns the lower end of a bracket of relative width 1e-3,
// so the error bound built on it is never optimistic by more than 0.1 %.
double smallest_eigenvalue(const std::vector<double>& d, const std::vector<double>& e) {
  const std::size_t n = d.size();
  double hi = 0.0;  // Gershgorin upper bound
  for (std::size_t k = 0; k < n; ++k)
    hi = std::max(hi, d[k] + (k > 0 ? std::abs(e[k - 1]) : 0.0) + (k + 1 < n ? std::abs(e[k]) : 0.0));
  auto count_below = [&](double x) {
    std::size_t neg = 0;
    double q = 1.0;
    for (std::size_t k = 0; k < n; ++k) {
      q = d[k] - x - (k > 0 ? e[k - 1] * e[k - 1] / q : 0.0);
      if (q == 0.0) q = -1e-300;
      if (q < 0.0) ++neg;
    }
    return neg;
  };
  double lo = 0.0;
  for (int it = 0; it < 200 && hi - lo > 1e-3 * hi; ++it) {
    const double mid = lo > 0.0 ? std::sqrt(lo * hi) : 0.5 * hi;
    if (count_below(mid) > 0)
      hi = mid;
    else
      lo = mid;
    if (lo == 0.0 && hi < 1e-300) break;
  }
  return lo;
}

// Preconditioned conjugate gradients (Saad, Iterative Methods for Sparse Linear Systems,
// 2nd ed., Alg. 9.1) on an n-vector with the stopping bound of line_solver.hpp.
// `x` and `r` hold the initial guess and its residual; apply(p, q): q = A p;
// precond(r, z): z = M^{-1} r; max_current(x): max_j |I_j|.
struct PcgOutcome {
  std::size_t iterations = 0;
  double rel_bound = 0.0;
};
template <class Apply, class Precond, class MaxCurrent>
PcgOutcome pcg(std::vector<double>& x, std::vector<double>& r, Apply apply, Precond precond, MaxCurrent max_current,
               double g_sink, const LineSolverOptions& opt, const char* method) {
  const std::size_t n = x.size();
  std::vector<double> z(n), p(n), q(n);
  precond(r.data(), z.data());
  double rz = dot(r, z);
  PcgOutcome out;
  if (!(rz > 0.0)) return out;  // zero residual: the initial guess is exact
  p = z;
  std::vector<double> alphas, betas, diag, off;
  const auto max_it = static_cast<std::size_t>(opt.max_iterations);
  for (;;) {
    apply(p.data(), q.data());
    const double pq = dot(p, q);
    if (!(pq > 0.0) || !std::isfinite(pq))
      throw NumericalError(std::string("line crossbar solver (") + method + "): conjugate-gradient breakdown (p'Ap = " +
                           std::to_string(pq) + ") at iteration " + std::to_string(out.iterations));
    const double alpha = rz / pq;
    for (std::size_t k = 0; k < n; ++k) {
      x[k] += alpha * p[k];
      r[k] -= alpha * q[k];
    }
    ++out.iterations;
    precond(r.data(), z.data());
    const double rz_new = dot(r, z);
    const double beta = rz_new / rz;
    // Lanczos matrix of PCG: T(k,k) = 1/alpha_k + beta_{k-1}/alpha_{k-1},
    // T(k,k+1) = sqrt(beta_k)/alpha_k.
    diag.push_back(1.0 / alpha + (alphas.empty() ? 0.0 : betas.back() / alphas.back()));
    if (!alphas.empty()) off.push_back(std::sqrt(betas.back()) / alphas.back());
    alphas.push_back(alpha);
    betas.push_back(beta);
    const double i_max = max_current(x.data());
    const double num = std::sqrt(g_sink * std::max(rz_new, 0.0));
    // theta <= min_k T(k,k) (Rayleigh quotients of unit vectors): a cheap necessary test
    // before the bisection.
    const double lam_hi = *std::min_element(diag.begin(), diag.end());
    if (num <= opt.rel_tol * i_max * lam_hi || rz_new <= 0.0) {
      const double theta = smallest_eigenvalue(diag, off);
      out.rel_bound = theta > 0.0 && i_max > 0.0 ? num / (theta * i_max) : (num == 0.0 ? 0.0 : HUGE_VAL);
      if (out.rel_bound <= opt.rel_tol) break;
    } else {
      out.rel_bound = HUGE_VAL;
    }
    if (out.iterations >= max_it)
      throw NumericalError(
          std::string("line crossbar solver (") + method + "): not converged after " + std::to_string(out.iterations) +
          " iterations (sqrt(g_sink r'z) / max|I| = " + std::to_string(i_max > 0.0 ? num / i_max : HUGE_VAL) +
          ", tolerance " + std::to_string(opt.rel_tol) + ")");
    for (std::size_t k = 0; k < n; ++k) p[k] = z[k] + beta * p[k];
    rz = rz_new;
  }
  return out;
}

// Bit-line voltages (column-major, rows x cols) for input v.
PcgOutcome solve_bits(const Chains& ch, const arma::rowvec& v, const LineSolverOptions& opt, std::vector<double>& xb) {
  const std::size_t R = ch.R, C = ch.C, N = ch.cells();
  auto max_current = [&](const double* xbits) {
    double m = 0.0;
    for (std::size_t j = 0; j < C; ++j) m = std::max(m, std::abs(xbits[j * R + R - 1]));
    return ch.g_sink * m;
  };
  // Word lines with the bit lines held at 0 V: the natural start (bit lines sit near the
  // virtual ground); x_w0 = (Aw + Dg)^{-1} b_w.
  std::vector<double> xw0(N, 0.0);
  for (std::size_t i = 0; i < R; ++i) xw0[i] = ch.g_src * v(i);
  ch.word_solve(xw0.data(), xw0.data());
  if (opt.method == "block_jacobi") {
    // Full system [xw; xb], start (x_w0, 0), residual (0, Dg x_w0).
    std::vector<double> x(2 * N, 0.0), r(2 * N, 0.0);
    std::copy(xw0.begin(), xw0.end(), x.begin());
    for (std::size_t k = 0; k < N; ++k) r[N + k] = ch.G[k] * xw0[k];
    std::vector<double> t(N);
    auto apply = [&](const double* p, double* q) {
      ch.word_apply(p, q);
      ch.bit_apply(p + N, q + N);
      for (std::size_t k = 0; k < N; ++k) {
        q[k] -= ch.G[k] * p[N + k];
        q[N + k] -= ch.G[k] * p[k];
      }
    };
    auto precond = [&](const double* rr, double* z) {
      ch.word_solve(rr, z);
      ch.bit_solve(rr + N, z + N);
    };
    const PcgOutcome o = pcg(
        x, r, apply, precond, [&](const double* xx) { return max_current(xx + N); }, ch.g_sink, opt, "block_jacobi");
    xb.assign(x.begin() + static_cast<std::ptrdiff_t>(N), x.end());
    return o;
  }
  // Schur complement on the bit lines: S xb = Dg x_w0, start xb = 0.
  xb.assign(N, 0.0);
  std::vector<double> r(N), t(N);
  for (std::size_t k = 0; k < N; ++k) r[k] = ch.G[k] * xw0[k];
  auto apply = [&](const double* p, double* q) {
    for (std::size_t k = 0; k < N; ++k) t[k] = ch.G[k] * p[k];
    ch.word_solve(t.data(), t.data());
    ch.bit_apply(p, q);
    for (std::size_t k = 0; k < N; ++k) q[k] -= ch.G[k] * t[k];
  };
  auto precond = [&](const double* rr, double* z) { ch.bit_solve(rr, z); };
  return pcg(xb, r, apply, precond, max_current, ch.g_sink, opt, "schur");
}

arma::rowvec sink_currents(const Chains& ch, const std::vector<double>& xb) {
  arma::rowvec I(ch.C);
  for (std::size_t j = 0; j < ch.C; ++j) I(j) = ch.g_sink * xb[j * ch.R + ch.R - 1];
  return I;
}

}  // namespace

LineCrossbarSolver::LineCrossbarSolver(const WireParams& wires, std::size_t rows, std::size_t cols,
                                       LineSolverOptions options)
    : wires_(wires), rows_(rows), cols_(cols), options_(std::move(options)) {
  ProblemList problems;
  WireParams::table().validate_struct(wires_, "wires", problems);
  LineSolverOptions::table().validate_struct(options_, "line_solver", problems);
  if (rows == 0 || cols == 0)
    problems.add("shape", "expected at least 1 x 1 cells, got " + std::to_string(rows) + " x " + std::to_string(cols));
  problems.throw_if_any();
}

void LineCrossbarSolver::check(const arma::mat& G_S, std::size_t inputs_len) const {
  if (G_S.n_rows != rows_ || G_S.n_cols != cols_)
    throw ConfigError("G", "expected " + std::to_string(rows_) + " x " + std::to_string(cols_) +
                               " conductances (the solver's shape), got " + std::to_string(G_S.n_rows) + " x " +
                               std::to_string(G_S.n_cols));
  validate_crossbar_inputs(G_S, wires_);
  if (inputs_len != rows_)
    throw ConfigError("v", "expected " + std::to_string(rows_) + " input voltages (one per word line), got " +
                               std::to_string(inputs_len));
}

LineCrossbarSolver::Result LineCrossbarSolver::solve(const arma::mat& G_S, const arma::rowvec& v) const {
  check(G_S, v.n_elem);
  const Chains ch(G_S, wires_);
  std::vector<double> xb;
  const PcgOutcome o = solve_bits(ch, v, options_, xb);
  return {sink_currents(ch, xb), o.iterations, o.rel_bound};
}

arma::mat LineCrossbarSolver::currents(const arma::mat& G_S, const arma::mat& V) const {
  check(G_S, V.n_cols);
  const Chains ch(G_S, wires_);
  arma::mat I(V.n_rows, cols_);
  // One input per task; each writes only its own row of I, so the result does not
  // depend on the thread count.
  parallel_blocks(V.n_rows, 1, [&](std::size_t b0, std::size_t b1) {
    std::vector<double> xb;
    for (std::size_t b = b0; b < b1; ++b) {
      const arma::rowvec v = V.row(b);
      solve_bits(ch, v, options_, xb);
      I.row(b) = sink_currents(ch, xb);
    }
  });
  return I;
}

CrossbarNodes LineCrossbarSolver::nodes(const arma::mat& G_S, const arma::rowvec& v) const {
  check(G_S, v.n_elem);
  const Chains ch(G_S, wires_);
  std::vector<double> xb;
  solve_bits(ch, v, options_, xb);
  CrossbarNodes out;
  out.bitline_V.set_size(rows_, cols_);
  out.wordline_V.set_size(rows_, cols_);
  std::copy(xb.begin(), xb.end(), out.bitline_V.memptr());
  ch.word_from_bits(v, xb.data(), out.wordline_V.memptr());
  return out;
}

}  // namespace xbarsim

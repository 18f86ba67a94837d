// Newton solver of the crossbar with sinh selector cells (see nonlinear_solver.hpp).
//
// Node numbering as circuit_solver.cpp: word-line node (i, j) -> i * cols + j, bit-line
// node (i, j) -> rows * cols + i * cols + j. The Jacobian pattern (upper triangle) is
// built once; per iteration the wire part is copied from a stored value array and the
// cell conductances G_eff are added at precomputed positions, so CHOLMOD's symbolic
// analysis (fill-reducing ordering, elimination tree) is reused and only the numeric
// factorisation is redone.
#include <suitesparse/cholmod.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <string>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/nonlinear_solver.hpp>

namespace xbarsim {

namespace {

// The linear start overestimates cell voltages where the selector conducts more than
// the ohmic cell; at |V / V0| ~ 40 G_eff = G cosh(V / V0) exceeds the wire conductances
// by so much that the Cholesky factorisation of the Jacobian loses all digits (and
// cosh overflows at ~710). The start is scaled to |V / V0| <= 20, where the physical
// solution lies anyway for realistic arrays (the current is bounded by V / (r_source +
// r_sink)); any start is admissible for the convex problem and the line search does
// the rest.
constexpr double kMaxStartRatio = 20.0;
// Armijo sufficient-decrease constant and maximum number of step halvings.
constexpr double kArmijo = 1e-4;
constexpr int kMaxHalvings = 60;
// The per-cell scalar Newton starts within a logarithm of its root and converges
// quadratically; this cap is never reached in practice.
constexpr int kMaxScalarIterations = 200;

}  // namespace

const ParamTable<SelectorParams>& SelectorParams::table() {
  static const ParamTable<SelectorParams> t = [] {
    ParamTable<SelectorParams> tab;
    tab.real("v0_V", &SelectorParams::v0_V, "V", Range::positive(),
             "voltage scale of the sinh selector cell I = G V0 sinh(V / V0); NL = I(V_w)/I(V_w/2) = 2 cosh(V_w/(2 V0))",
             "device_physics.md 7.6 and neurosim.md: NeuroSim default NL = 10 at writeVoltage V_w = 2 V gives "
             "V0 = V_w / (2 acosh(NL / 2)) = 1 / acosh(5) = 0.436218 V");
    tab.real("r_access_ohm", &SelectorParams::r_access_ohm, "ohm", Range::non_negative(),
             "linear access-transistor on-resistance in series with each sinh device (1T1R); 0 = passive 0T1R",
             "0T1R (no access transistor) by default: the sinh selector cell models a passive crossbar "
             "(device_physics.md 7.6); cell_access.hpp gives the sourced 1T1R value");
    return tab;
  }();
  return t;
}

double selector_nonlinearity(double v0_V, double v_write_V) {
  if (!(v0_V > 0.0) || !std::isfinite(v0_V))
    throw ConfigError("v0_V", "expected a finite V0 > 0, got " + format_value(v0_V));
  return 2.0 * std::cosh(v_write_V / (2.0 * v0_V));
}

double selector_v0_for_nonlinearity(double nl, double v_write_V) {
  ProblemList problems;
  if (!(nl > 2.0) || !std::isfinite(nl))
    problems.add("nonlinearity",
                 "expected NL > 2 (NL = 2 is the ohmic limit of the sinh cell), got " + format_value(nl));
  if (!(v_write_V > 0.0) || !std::isfinite(v_write_V))
    problems.add("v_write_V", "expected a finite write voltage > 0 V, got " + format_value(v_write_V));
  problems.throw_if_any();
  return v_write_V / (2.0 * std::acosh(nl / 2.0));
}

struct NonlinearCrossbarSolver::Impl {
  std::size_t rows = 0;
  std::size_t cols = 0;
  WireParams wires;
  SelectorParams selector;
  NewtonOptions options;
  arma::mat G;
  cholmod_common common{};
  cholmod_sparse* A = nullptr;      // Jacobian, upper triangle, values rewritten per iteration
  cholmod_factor* L = nullptr;      // symbolic analysis done once
  std::vector<double> wire_values;  // A->x with all cell conductances zero
  // Positions in A->x of each cell's (wl, wl), (bl, bl) and (wl, bl) entries, index i + rows * j.
  std::vector<std::size_t> cell_wl, cell_bl, cell_off;
  std::mutex mutex;  // cholmod_common is scratch state; serialise solves

  Impl() {
    cholmod_l_start(&common);
    common.print = 0;  // libraries never print
    common.error_handler = nullptr;
  }
  ~Impl() {
    if (L != nullptr) cholmod_l_free_factor(&L, &common);
    if (A != nullptr) cholmod_l_free_sparse(&A, &common);
    cholmod_l_finish(&common);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::size_t wl(std::size_t i, std::size_t j) const { return i * cols + j; }
  std::size_t bl(std::size_t i, std::size_t j) const { return rows * cols + i * cols + j; }
  std::size_t nnodes() const { return 2 * rows * cols; }

  void check_status(const char* what) const {
    if (common.status != CHOLMOD_OK)
      throw NumericalError(std::string("nonlinear crossbar solver: CHOLMOD ") + what + " failed with status " +
                           std::to_string(common.status));
  }

  // Position of entry (r, c), r <= c, in the packed sorted upper-triangular A.
  std::size_t position(std::size_t r, std::size_t c) const {
    const auto* Ap = static_cast<const SuiteSparse_long*>(A->p);
    const auto* Ai = static_cast<const SuiteSparse_long*>(A->i);
    for (SuiteSparse_long k = Ap[c]; k < Ap[c + 1]; ++k)
      if (static_cast<std::size_t>(Ai[k]) == r) return static_cast<std::size_t>(k);
    throw InternalError("nonlinear crossbar solver: Jacobian pattern misses an entry");
  }

  void build_pattern() {
    const std::size_t n = nnodes();
    const std::size_t branches = rows * cols + rows * (cols - 1) + (rows - 1) * cols;
    const std::size_t nz = 3 * branches + rows + cols;
    cholmod_triplet* t = cholmod_l_allocate_triplet(n, n, nz, 1, CHOLMOD_REAL, &common);
    if (t == nullptr) check_status("allocate_triplet");
    auto* ti = static_cast<SuiteSparse_long*>(t->i);
    auto* tj = static_cast<SuiteSparse_long*>(t->j);
    auto* tx = static_cast<double*>(t->x);
    std::size_t k = 0;
    // Unit placeholder values: only the pattern matters here (explicit zeros could be
    // dropped by a conversion; ones never are).
    auto put = [&](std::size_t a, std::size_t b) {
      ti[k] = static_cast<SuiteSparse_long>(std::min(a, b));
      tj[k] = static_cast<SuiteSparse_long>(std::max(a, b));
      tx[k] = 1.0;
      ++k;
    };
    auto branch = [&](std::size_t a, std::size_t b) {
      put(a, a);
      put(b, b);
      put(a, b);
    };
    for (std::size_t i = 0; i < rows; ++i) {
      put(wl(i, 0), wl(i, 0));
      for (std::size_t j = 0; j + 1 < cols; ++j) branch(wl(i, j), wl(i, j + 1));
    }
    for (std::size_t j = 0; j < cols; ++j) {
      put(bl(rows - 1, j), bl(rows - 1, j));
      for (std::size_t i = 0; i + 1 < rows; ++i) branch(bl(i, j), bl(i + 1, j));
    }
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) branch(wl(i, j), bl(i, j));
    t->nnz = k;
    A = cholmod_l_triplet_to_sparse(t, k, &common);
    cholmod_l_free_triplet(&t, &common);
    if (A == nullptr) check_status("triplet_to_sparse");
    if (!A->packed || !A->sorted) throw InternalError("nonlinear crossbar solver: expected a packed sorted matrix");

    // Wire values, accumulated into a zeroed array at the found positions.
    wire_values.assign(A->nzmax, 0.0);
    auto add_branch = [&](std::size_t a, std::size_t b, double g) {
      wire_values[position(a, a)] += g;
      wire_values[position(b, b)] += g;
      wire_values[position(std::min(a, b), std::max(a, b))] -= g;
    };
    for (std::size_t i = 0; i < rows; ++i) {
      wire_values[position(wl(i, 0), wl(i, 0))] += 1.0 / wires.r_source_ohm;
      for (std::size_t j = 0; j + 1 < cols; ++j) add_branch(wl(i, j), wl(i, j + 1), 1.0 / wires.r_row_ohm);
    }
    for (std::size_t j = 0; j < cols; ++j) {
      wire_values[position(bl(rows - 1, j), bl(rows - 1, j))] += 1.0 / wires.r_sink_ohm;
      for (std::size_t i = 0; i + 1 < rows; ++i) add_branch(bl(i, j), bl(i + 1, j), 1.0 / wires.r_col_ohm);
    }
    cell_wl.resize(rows * cols);
    cell_bl.resize(rows * cols);
    cell_off.resize(rows * cols);
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) {
        const std::size_t c = i + rows * j;
        cell_wl[c] = position(wl(i, j), wl(i, j));
        cell_bl[c] = position(bl(i, j), bl(i, j));
        cell_off[c] = position(wl(i, j), bl(i, j));  // wl index < bl index always
      }

    L = cholmod_l_analyze(A, &common);
    if (L == nullptr) check_status("analyze");
  }

  // Numeric refactorisation with cell conductances g_eff (index i + rows * j).
  void factorise(const std::vector<double>& g_eff) {
    auto* ax = static_cast<double*>(A->x);
    std::copy(wire_values.begin(), wire_values.end(), ax);
    for (std::size_t c = 0; c < g_eff.size(); ++c) {
      ax[cell_wl[c]] += g_eff[c];
      ax[cell_bl[c]] += g_eff[c];
      ax[cell_off[c]] -= g_eff[c];
    }
    const int ok = cholmod_l_factorize(A, L, &common);
    if (!ok || common.status == CHOLMOD_NOT_POSDEF || L->minor < L->n)
      throw NumericalError("nonlinear crossbar solver: Jacobian is not positive definite (CHOLMOD status " +
                           std::to_string(common.status) + ")");
    check_status("factorize");
  }

  // Solves J x = rhs with the present factor.
  std::vector<double> solve_linear(const std::vector<double>& rhs) {
    const std::size_t n = nnodes();
    cholmod_dense* B = cholmod_l_zeros(n, 1, CHOLMOD_REAL, &common);
    if (B == nullptr) check_status("zeros");
    std::copy(rhs.begin(), rhs.end(), static_cast<double*>(B->x));
    cholmod_dense* X = cholmod_l_solve(CHOLMOD_A, L, B, &common);
    cholmod_l_free_dense(&B, &common);
    if (X == nullptr) check_status("solve");
    const auto* xx = static_cast<const double*>(X->x);
    std::vector<double> out(xx, xx + n);
    cholmod_l_free_dense(&X, &common);
    return out;
  }

  double cell_voltage(const std::vector<double>& x, std::size_t i, std::size_t j) const {
    return x[wl(i, j)] - x[bl(i, j)];
  }
  // Device voltage Vd of a cell with cell voltage v: Vd + r g V0 sinh(Vd / V0) = v (see
  // the header). f(x) = x + k sinh(x / V0) - |v| is increasing and convex for x >= 0, so
  // Newton started at an upper bound of the root decreases monotonically onto it; it
  // stops when a step is no longer positive (rounding floor) or negligible.
  double device_voltage(double g, double v) const {
    const double r = selector.r_access_ohm;
    if (r == 0.0 || g == 0.0 || v == 0.0) return v;
    const double v0 = selector.v0_V;
    const double a = std::abs(v);
    const double k = r * g * v0;
    // Both bounds give f >= 0: x = |v| since k sinh >= 0; x = V0 asinh(|v| / k) since x >= 0.
    double x = std::min(a, v0 * std::asinh(a / k));
    for (int it = 0; it < kMaxScalarIterations; ++it) {
      const double f = x + k * std::sinh(x / v0) - a;
      const double step = f / (1.0 + r * g * std::cosh(x / v0));
      if (!(step > 0.0)) break;
      x -= step;
      if (step <= 1e-16 * x) break;
    }
    return std::copysign(x, v);
  }
  // Cell current from the device voltage (the sinh form has no cancellation when r is small).
  double device_current(double g, double vd) const {
    const double v0 = selector.v0_V;
    return g * v0 * std::sinh(vd / v0);
  }
  double cell_current(double g, double v) const { return device_current(g, device_voltage(g, v)); }
  // dI/dV of the cell: the device's G cosh(Vd / V0) in series with r.
  double cell_conductance(double g, double vd) const {
    const double gd = g * std::cosh(vd / selector.v0_V);
    return gd / (1.0 + selector.r_access_ohm * gd);
  }

  // Co-content E(x) whose gradient is the KCL residual (convex in x). The device term
  // G V0^2 (cosh(Vd/V0) - 1) is written as 2 G V0^2 sinh^2(Vd/(2 V0)) to avoid
  // cancellation; the access resistor adds r I^2 / 2.
  double energy(const std::vector<double>& x, const arma::rowvec& v) const {
    const double v0 = selector.v0_V;
    double e = 0.0;
    auto wire = [&](double g, double d) { e += 0.5 * g * d * d; };
    for (std::size_t i = 0; i < rows; ++i) {
      wire(1.0 / wires.r_source_ohm, x[wl(i, 0)] - v(i));
      for (std::size_t j = 0; j + 1 < cols; ++j) wire(1.0 / wires.r_row_ohm, x[wl(i, j)] - x[wl(i, j + 1)]);
    }
    for (std::size_t j = 0; j < cols; ++j) {
      wire(1.0 / wires.r_sink_ohm, x[bl(rows - 1, j)]);
      for (std::size_t i = 0; i + 1 < rows; ++i) wire(1.0 / wires.r_col_ohm, x[bl(i, j)] - x[bl(i + 1, j)]);
    }
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) {
        const double vd = device_voltage(G(i, j), cell_voltage(x, i, j));
        const double s = std::sinh(vd / (2.0 * v0));
        e += 2.0 * G(i, j) * v0 * v0 * s * s;
        if (selector.r_access_ohm > 0.0) {
          const double ic = device_current(G(i, j), vd);
          e += 0.5 * selector.r_access_ohm * ic * ic;
        }
      }
    return e;
  }

  // KCL residual: net current leaving each node (amperes), the gradient of energy().
  std::vector<double> residual(const std::vector<double>& x, const arma::rowvec& v) const {
    std::vector<double> f(nnodes(), 0.0);
    auto wire = [&](std::size_t a, std::size_t b, double g) {
      const double i_ab = g * (x[a] - x[b]);
      f[a] += i_ab;
      f[b] -= i_ab;
    };
    for (std::size_t i = 0; i < rows; ++i) {
      f[wl(i, 0)] += (x[wl(i, 0)] - v(i)) / wires.r_source_ohm;
      for (std::size_t j = 0; j + 1 < cols; ++j) wire(wl(i, j), wl(i, j + 1), 1.0 / wires.r_row_ohm);
    }
    for (std::size_t j = 0; j < cols; ++j) {
      f[bl(rows - 1, j)] += x[bl(rows - 1, j)] / wires.r_sink_ohm;
      for (std::size_t i = 0; i + 1 < rows; ++i) wire(bl(i, j), bl(i + 1, j), 1.0 / wires.r_col_ohm);
    }
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) {
        const double ic = cell_current(G(i, j), cell_voltage(x, i, j));
        f[wl(i, j)] += ic;
        f[bl(i, j)] -= ic;
      }
    return f;
  }

  static double max_abs(const std::vector<double>& a) {
    double m = 0.0;
    for (const double y : a) m = std::max(m, std::abs(y));
    return m;
  }

  NonlinearCrossbarResult solve(const arma::rowvec& v) {
    const std::size_t n = nnodes();
    const std::size_t ncell = rows * cols;
    const double v0 = selector.v0_V;
    std::vector<double> b_src(n, 0.0);
    for (std::size_t i = 0; i < rows; ++i) b_src[wl(i, 0)] = v(i) / wires.r_source_ohm;

    // Start: the linear (ohmic-device, V << V0) solution with the device in series with
    // r_access, scaled into the range where cosh does not overflow if V0 is tiny. The
    // criterion is the device voltage; with r_access = 0 it is the cell voltage.
    std::vector<double> g_eff(ncell), i_eq(ncell);
    const double r_acc = selector.r_access_ohm;
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) g_eff[i + rows * j] = G(i, j) / (1.0 + r_acc * G(i, j));
    factorise(g_eff);
    std::vector<double> x = solve_linear(b_src);
    {
      double vmax = 0.0, vdmax = 0.0;
      for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t i = 0; i < rows; ++i) {
          const double vc = cell_voltage(x, i, j);
          vmax = std::max(vmax, std::abs(vc));
          vdmax = std::max(vdmax, std::abs(device_voltage(G(i, j), vc)));
        }
      if (vdmax > kMaxStartRatio * v0)
        for (double& y : x) y *= kMaxStartRatio * v0 / vmax;
    }

    NonlinearCrossbarResult out;
    double prev_step = std::numeric_limits<double>::infinity();
    double last_step = std::numeric_limits<double>::infinity();
    bool converged = false;
    std::vector<double> rhs(n), trial(n);
    for (std::size_t it = 1; it <= options.max_iterations; ++it) {
      // Linearise every cell: I(V) ~ I(Vk) + G_eff (V - Vk) = G_eff V + i_eq.
      for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t i = 0; i < rows; ++i) {
          const std::size_t c = i + rows * j;
          const double vc = cell_voltage(x, i, j);
          const double vd = device_voltage(G(i, j), vc);
          g_eff[c] = cell_conductance(G(i, j), vd);
          i_eq[c] = device_current(G(i, j), vd) - g_eff[c] * vc;
        }
      factorise(g_eff);
      rhs = b_src;
      for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t i = 0; i < rows; ++i) {
          rhs[wl(i, j)] -= i_eq[i + rows * j];
          rhs[bl(i, j)] += i_eq[i + rows * j];
        }
      std::vector<double> dx = solve_linear(rhs);
      for (std::size_t k = 0; k < n; ++k) dx[k] -= x[k];

      // Step limit on the largest cell-voltage change.
      double dv_cell = 0.0;
      for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t i = 0; i < rows; ++i) dv_cell = std::max(dv_cell, std::abs(cell_voltage(dx, i, j)));
      double alpha = 1.0;
      const double dv_max = options.max_cell_step_V0 * v0;
      if (dv_cell > dv_max) alpha = dv_max / dv_cell;

      // Armijo backtracking on the co-content; the slack absorbs rounding of E near
      // convergence, where the full Newton step is always right.
      const double e0 = energy(x, v);
      const std::vector<double> f0 = residual(x, v);
      double slope = 0.0;
      for (std::size_t k = 0; k < n; ++k) slope += f0[k] * dx[k];
      const double slack = 1e-12 * std::abs(e0);
      int halvings = 0;
      for (;; ++halvings) {
        for (std::size_t k = 0; k < n; ++k) trial[k] = x[k] + alpha * dx[k];
        const double e1 = energy(trial, v);
        if (std::isfinite(e1) && e1 <= e0 + kArmijo * alpha * slope + slack) break;
        if (halvings == kMaxHalvings)
          throw NumericalError("nonlinear crossbar solver: line search failed at Newton iteration " +
                               std::to_string(it) + " (max |KCL residual| " + format_value(max_abs(f0)) + " A)");
        alpha *= 0.5;
      }
      x.swap(trial);

      prev_step = last_step;
      last_step = alpha * max_abs(dx);
      const double scale = max_abs(x);
      // Converged on a full step below the relative tolerance, or once a full step
      // stops shrinking at the rounding floor of the factorisation (quadratic
      // convergence is over and further iterations only move rounding noise).
      if (alpha == 1.0 &&
          (last_step <= options.rel_tol * scale || (last_step <= 1e-9 * scale && last_step >= 0.5 * prev_step))) {
        out.iterations = it;
        converged = true;
        break;
      }
    }
    const std::vector<double> f = residual(x, v);
    out.residual_A = max_abs(f);
    if (!converged)
      throw NumericalError("nonlinear crossbar solver: Newton did not converge in " +
                           std::to_string(options.max_iterations) + " iterations (last relative update " +
                           format_value(last_step / std::max(max_abs(x), std::numeric_limits<double>::min())) +
                           ", max |KCL residual| " + format_value(out.residual_A) + " A)");

    out.currents_A.set_size(cols);
    for (std::size_t j = 0; j < cols; ++j) out.currents_A(j) = x[bl(rows - 1, j)] / wires.r_sink_ohm;
    out.nodes.wordline_V.set_size(rows, cols);
    out.nodes.bitline_V.set_size(rows, cols);
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) {
        out.nodes.wordline_V(i, j) = x[wl(i, j)];
        out.nodes.bitline_V(i, j) = x[bl(i, j)];
      }
    return out;
  }
};

NonlinearCrossbarSolver::NonlinearCrossbarSolver(const arma::mat& G_S, const WireParams& wires,
                                                 const SelectorParams& selector, const NewtonOptions& options)
    : impl_(std::make_unique<Impl>()) {
  ProblemList problems;
  try {
    validate_crossbar_inputs(G_S, wires);
  } catch (const ConfigError& e) {
    problems.append(e.problems());
  }
  SelectorParams::table().validate_struct(selector, "selector", problems);
  if (!(options.rel_tol > 0.0) || !(options.rel_tol < 1.0))
    problems.add("newton.rel_tol", "expected 0 < rel_tol < 1, got " + format_value(options.rel_tol));
  if (options.max_iterations == 0) problems.add("newton.max_iterations", "expected at least 1 iteration");
  if (!(options.max_cell_step_V0 > 0.0) || !std::isfinite(options.max_cell_step_V0))
    problems.add("newton.max_cell_step_V0",
                 "expected a finite step limit > 0 (units of V0), got " + format_value(options.max_cell_step_V0));
  problems.throw_if_any();
  impl_->rows = G_S.n_rows;
  impl_->cols = G_S.n_cols;
  impl_->wires = wires;
  impl_->selector = selector;
  impl_->options = options;
  impl_->G = G_S;
  impl_->build_pattern();
}

NonlinearCrossbarSolver::~NonlinearCrossbarSolver() = default;
NonlinearCrossbarSolver::NonlinearCrossbarSolver(NonlinearCrossbarSolver&&) noexcept = default;
NonlinearCrossbarSolver& NonlinearCrossbarSolver::operator=(NonlinearCrossbarSolver&&) noexcept = default;

std::size_t NonlinearCrossbarSolver::rows() const { return impl_->rows; }
std::size_t NonlinearCrossbarSolver::cols() const { return impl_->cols; }

NonlinearCrossbarResult NonlinearCrossbarSolver::solve(const arma::rowvec& v) const {
  Impl& m = *impl_;
  if (v.n_elem != m.rows)
    throw ConfigError(
        "v", "expected " + std::to_string(m.rows) + " elements (one per word line), got " + std::to_string(v.n_elem));
  if (!v.is_finite()) throw ConfigError("v", "expected finite input voltages");
  std::lock_guard lock(m.mutex);
  return m.solve(v);
}

arma::mat NonlinearCrossbarSolver::currents(const arma::mat& V, std::vector<std::size_t>* iterations) const {
  Impl& m = *impl_;
  if (V.n_cols != m.rows)
    throw ConfigError(
        "V", "expected " + std::to_string(m.rows) + " columns (one per word line), got " + std::to_string(V.n_cols));
  if (!V.is_finite()) throw ConfigError("V", "expected finite input voltages");
  arma::mat I(V.n_rows, m.cols);
  if (iterations != nullptr) iterations->assign(V.n_rows, 0);
  std::lock_guard lock(m.mutex);
  for (arma::uword b = 0; b < V.n_rows; ++b) {
    const NonlinearCrossbarResult r = m.solve(V.row(b));
    I.row(b) = r.currents_A;
    if (iterations != nullptr) (*iterations)[b] = r.iterations;
  }
  return I;
}

NonlinearCrossbarResult solve_nonlinear(const arma::mat& G_S, const WireParams& wires, const SelectorParams& selector,
                                        const arma::rowvec& v, const NewtonOptions& options) {
  return NonlinearCrossbarSolver(G_S, wires, selector, options).solve(v);
}

arma::mat solve_nonlinear_batch(const arma::mat& G_S, const WireParams& wires, const SelectorParams& selector,
                                const arma::mat& V, const NewtonOptions& options) {
  return NonlinearCrossbarSolver(G_S, wires, selector, options).currents(V);
}

}  // namespace xbarsim

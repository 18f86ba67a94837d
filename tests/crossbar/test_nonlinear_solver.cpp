// NonlinearCrossbarSolver (Newton, sinh selector cells I = G V0 sinh(V / V0)) against
// independent references: the linear solver in the ohmic limit, a scalar bisection of
// the 1x1 series circuit, ngspice with behavioural current sources (Debian package
// `ngspice`), and KCL evaluated here from the returned node voltages.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/nonlinear_solver.hpp>

#include "ngspice_crossbar.hpp"

using namespace xbarsim;
namespace fs = std::filesystem;

namespace {

using Case = test::RandomCrossbar;

// Random array in the ranges of the task: G 1-100 uS, wires 1-5 ohm, driver and sink
// 10-50 ohm, inputs in [-1, 1] V.
Case random_problem(std::size_t rows, std::size_t cols, std::uint32_t stream) {
  return test::random_crossbar(rows, cols, RngKey(7, rng_purpose("test.crossbar.nonlinear")), stream, 1.0, 5.0, 50.0);
}

// Sink currents (cols) then driver currents into the array (rows) from ngspice with
// behavioural sinh cells.
std::vector<double> run_ngspice(const std::string& tag, const arma::mat& G, const WireParams& w, double v0,
                                const arma::rowvec& v) {
  return test::ngspice_crossbar("newton_" + tag, G, w, v, v0);
}

// Driver currents into the array from the solver's node voltages.
arma::rowvec driver_currents(const NonlinearCrossbarResult& r, const WireParams& w, const arma::rowvec& v) {
  arma::rowvec out(v.n_elem);
  for (arma::uword i = 0; i < v.n_elem; ++i) out(i) = (v(i) - r.nodes.wordline_V(i, 0)) / w.r_source_ohm;
  return out;
}

}  // namespace

TEST_CASE("NL of the sinh cell and the default V0", "[crossbar][nonlinear]") {
  // Reference: NL = I(V_w) / I(V_w / 2) (device_physics.md 7.6) evaluated directly from
  // I = G V0 sinh(V / V0); the closed form 2 cosh(V_w / (2 V0)) must agree.
  for (const double v0 : {0.1, 0.25, 0.7}) {
    const double direct = std::sinh(2.0 / v0) / std::sinh(1.0 / v0);
    CHECK(selector_nonlinearity(v0, 2.0) == Approx(direct).epsilon(1e-13));
    CHECK(selector_v0_for_nonlinearity(direct, 2.0) == Approx(v0).epsilon(1e-12));
  }
  // Default: NeuroSim NL = 10 (device_physics.md 7.6) at writeVoltage 2 V (neurosim.md).
  CHECK(selector_nonlinearity(SelectorParams{}.v0_V, 2.0) == Approx(10.0).epsilon(1e-5));
  CHECK_THROWS_AS(selector_v0_for_nonlinearity(2.0, 2.0), ConfigError);
}

TEST_CASE("large V0 reproduces the linear solver", "[crossbar][nonlinear]") {
  // Reference: LinearCrossbarSolver (itself checked against ngspice). For V0 = 1e5 V
  // and |V| <= 1 V, V0 sinh(V/V0) = V (1 + O(1e-11)), so currents agree to ~1e-9.
  const Case p = random_problem(6, 5, 1);
  SelectorParams s;
  s.v0_V = 1e5;
  const NonlinearCrossbarResult r = solve_nonlinear(p.G, p.w, s, p.v);
  const arma::mat lin = LinearCrossbarSolver(p.G, p.w).currents(arma::mat(p.v));
  const double scale = arma::abs(lin).max();
  for (arma::uword j = 0; j < p.G.n_cols; ++j) CHECK(std::abs(r.currents_A(j) - lin(0, j)) <= 1e-9 * scale);
  CHECK(r.iterations <= 3);
}

TEST_CASE("1x1 cell matches a bisection of the series equation", "[crossbar][nonlinear]") {
  // Reference: for one cell the circuit is driver, cell and sink in series, so
  // V = I (r_source + r_sink) + V0 asinh(I / (G V0)), solved here by bisection on I.
  WireParams w;
  w.r_source_ohm = 30.0;
  w.r_sink_ohm = 20.0;
  const double g = 80e-6;
  for (const double v0 : {0.25, 0.05, 0.01}) {
    for (const double v : {1.0, -0.6, 0.02}) {
      CAPTURE(v0, v);
      auto f = [&](double i) { return i * (w.r_source_ohm + w.r_sink_ohm) + v0 * std::asinh(i / (g * v0)) - v; };
      double lo = -std::abs(v) / (w.r_source_ohm + w.r_sink_ohm), hi = -lo;  // f(lo) <= 0 <= f(hi)
      for (int k = 0; k < 200; ++k) {
        const double mid = 0.5 * (lo + hi);
        (f(mid) < 0.0 ? lo : hi) = mid;
      }
      SelectorParams s;
      s.v0_V = v0;
      const NonlinearCrossbarResult r = solve_nonlinear(arma::mat(1, 1, arma::fill::ones) * g, w, s, arma::rowvec{v});
      INFO("iterations " << r.iterations);
      CHECK(r.currents_A(0) == Approx(0.5 * (lo + hi)).epsilon(1e-11));
      CHECK(r.iterations <= 60);
    }
  }
}

TEST_CASE("Newton solution satisfies KCL at every node", "[crossbar][nonlinear]") {
  // Reference: Kirchhoff's current law evaluated here from the returned node voltages
  // with the cell law I = G V0 sinh(V / V0); the residual must be at rounding level.
  const Case p = random_problem(7, 9, 2);
  SelectorParams s;
  s.v0_V = 0.25;
  const NonlinearCrossbarResult r = solve_nonlinear(p.G, p.w, s, p.v);
  const arma::mat& W = r.nodes.wordline_V;
  const arma::mat& B = r.nodes.bitline_V;
  const std::size_t rows = p.G.n_rows, cols = p.G.n_cols;
  arma::mat fw(rows, cols, arma::fill::zeros), fb(rows, cols, arma::fill::zeros);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) {
      const double ic = p.G(i, j) * s.v0_V * std::sinh((W(i, j) - B(i, j)) / s.v0_V);
      fw(i, j) += ic;
      fb(i, j) -= ic;
      if (j == 0) fw(i, j) += (W(i, j) - p.v(i)) / p.w.r_source_ohm;
      if (j > 0) fw(i, j) += (W(i, j) - W(i, j - 1)) / p.w.r_row_ohm;
      if (j + 1 < cols) fw(i, j) += (W(i, j) - W(i, j + 1)) / p.w.r_row_ohm;
      if (i == rows - 1) fb(i, j) += B(i, j) / p.w.r_sink_ohm;
      if (i > 0) fb(i, j) += (B(i, j) - B(i - 1, j)) / p.w.r_col_ohm;
      if (i + 1 < rows) fb(i, j) += (B(i, j) - B(i + 1, j)) / p.w.r_col_ohm;
    }
  const double scale = arma::abs(r.currents_A).max();
  INFO("max KCL residual " << std::max(arma::abs(fw).max(), arma::abs(fb).max()) << " A, scale " << scale);
  CHECK(arma::abs(fw).max() <= 1e-10 * scale);
  CHECK(arma::abs(fb).max() <= 1e-10 * scale);
  CHECK(r.residual_A <= 1e-10 * scale);
  // Sink currents are the bit-line end voltages over r_sink.
  for (std::size_t j = 0; j < cols; ++j)
    CHECK(r.currents_A(j) == Approx(B(rows - 1, j) / p.w.r_sink_ohm).epsilon(1e-14));
}

TEST_CASE("Newton solver matches ngspice behavioural sinh cells", "[crossbar][nonlinear][ngspice]") {
  // Reference: ngspice .op of the same network with B-source cells
  // I = G*V0*sinh(V(w,b)/V0), V0 = 0.25 V and inputs up to 1 V (V/V0 up to 4: cells
  // conduct up to sinh(4)/4 = 6.8x their ohmic current, clearly nonlinear).
  test::require_ngspice();
  SelectorParams s;
  s.v0_V = 0.25;
  double worst = 0.0;
  for (const auto& [n, stream] : {std::pair<std::size_t, std::uint32_t>{4, 3}, {8, 4}}) {
    CAPTURE(n);
    const Case p = random_problem(n, n, stream);
    const std::vector<double> spice = run_ngspice(std::to_string(n), p.G, p.w, s.v0_V, p.v);
    REQUIRE(spice.size() == 2 * n);
    const NonlinearCrossbarResult r = solve_nonlinear(p.G, p.w, s, p.v);
    INFO("iterations " << r.iterations);
    CHECK(r.iterations <= 20);
    const double scale = arma::abs(r.currents_A).max();
    for (std::size_t j = 0; j < n; ++j) {
      const double err = std::abs(r.currents_A(j) - spice[j]) / std::max(std::abs(spice[j]), 1e-3 * scale);
      worst = std::max(worst, err);
      CHECK(err <= 1e-6);
    }
    // The nonlinearity matters at these voltages: the linear cell differs by > 10 %.
    const arma::mat lin = LinearCrossbarSolver(p.G, p.w).currents(arma::mat(p.v));
    CHECK(arma::abs(lin.row(0) - r.currents_A).max() > 0.1 * scale);
  }
  INFO("worst relative error vs ngspice: " << worst);
  CHECK(worst <= 1e-6);
}

TEST_CASE("selector suppresses sneak current through unselected cells", "[crossbar][nonlinear][ngspice]") {
  // One word line driven at V_r = 1 V, the others held at 0 V (canonical topology). The
  // bit lines rise above 0 V through the wire and sense resistances, so the unselected
  // cells (small |V|) carry sneak current back into the grounded word lines, measured
  // as the driver currents of those rows. Reference for the comparison: a linear cell
  // matched to the selector cell at the read voltage, G_lin = G V0 sinh(V_r/V0) / V_r,
  // conducts G_lin/G = sinh(4)/4 = 6.8x more at small |V|; the selector cell should cut
  // the sneak share by about that factor. Currents are checked against ngspice.
  test::require_ngspice();
  const std::size_t n = 8, selected = 3;
  Case p = random_problem(n, n, 5);
  p.w.r_sink_ohm = 200.0;  // a sense input that lets the bit lines float up noticeably
  p.v.zeros();
  p.v(selected) = 1.0;
  SelectorParams s;
  s.v0_V = 0.25;
  const NonlinearCrossbarResult r = solve_nonlinear(p.G, p.w, s, p.v);
  const arma::rowvec drive = driver_currents(r, p.w, p.v);

  const std::vector<double> spice = run_ngspice("sneak", p.G, p.w, s.v0_V, p.v);
  REQUIRE(spice.size() == 2 * n);
  const double scale = arma::abs(r.currents_A).max();
  double worst = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    const double err = std::abs(r.currents_A(j) - spice[j]) / std::max(std::abs(spice[j]), 1e-3 * scale);
    worst = std::max(worst, err);
    CHECK(err <= 1e-6);
  }
  // Sneak currents (unselected drivers, ~1e-3 of the selected one) to 1e-6 relative.
  for (std::size_t i = 0; i < n; ++i) {
    const double err = std::abs(drive(i) - spice[n + i]) / std::max(std::abs(spice[n + i]), 1e-6 * scale);
    worst = std::max(worst, err);
    CHECK(err <= 1e-6);
  }
  INFO("worst relative error vs ngspice (sneak case): " << worst);
  CHECK(worst <= 1e-6);

  // Matched linear array.
  const double vr = 1.0;
  const arma::mat G_lin = p.G * (s.v0_V * std::sinh(vr / s.v0_V) / vr);
  const LinearCrossbarSolver lin(G_lin, p.w);
  const CrossbarNodes ln = lin.nodes(p.v);
  double sneak_lin = 0.0, sneak_nl = 0.0, total_lin = 0.0, total_nl = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d_lin = (p.v(i) - ln.wordline_V(i, 0)) / p.w.r_source_ohm;
    if (i == selected) {
      total_lin = d_lin;
      total_nl = drive(i);
    } else {
      sneak_lin += std::abs(d_lin);
      sneak_nl += std::abs(drive(i));
    }
  }
  const double share_lin = sneak_lin / total_lin, share_nl = sneak_nl / total_nl;
  INFO("sneak share linear " << share_lin << ", selector " << share_nl);
  CHECK(share_lin > 0.0);
  CHECK(share_nl < 0.3 * share_lin);
  CHECK(share_nl > 0.05 * share_lin);  // ~1/6.8 expected, not zero
}

TEST_CASE("strongly nonlinear cells converge with step limiting", "[crossbar][nonlinear]") {
  // V/V0 up to 50 (V0 = 20 mV): the undamped Newton step from the linear start would
  // overflow sinh. Reference: KCL residual at rounding level and the batch interface
  // agreeing with single solves.
  const Case p = random_problem(6, 6, 6);
  SelectorParams s;
  s.v0_V = 0.02;
  const NonlinearCrossbarSolver solver(p.G, p.w, s);
  const NonlinearCrossbarResult r = solver.solve(p.v);
  INFO("iterations " << r.iterations << ", residual " << r.residual_A);
  CHECK(r.residual_A <= 1e-10 * arma::abs(r.currents_A).max());
  CHECK(r.iterations <= 100);
  arma::mat V(2, 6);
  V.row(0) = p.v;
  V.row(1) = -0.5 * p.v;
  std::vector<std::size_t> its;
  const arma::mat I = solver.currents(V, &its);
  REQUIRE(its.size() == 2);
  CHECK(arma::abs(I.row(0) - r.currents_A).max() <= 1e-12 * arma::abs(r.currents_A).max());
  CHECK(its[0] == r.iterations);
}

TEST_CASE("nonlinear solver rejects bad inputs", "[crossbar][nonlinear]") {
  const arma::mat G = arma::mat(2, 2, arma::fill::ones) * 10e-6;
  const WireParams w;
  SelectorParams s;
  s.v0_V = 0.0;
  CHECK_THROWS_AS(NonlinearCrossbarSolver(G, w, s), ConfigError);
  s.v0_V = -0.1;
  CHECK_THROWS_AS(NonlinearCrossbarSolver(G, w, s), ConfigError);
  s.v0_V = std::nan("");
  CHECK_THROWS_AS(NonlinearCrossbarSolver(G, w, s), ConfigError);
  s.v0_V = 0.25;
  arma::mat bad = G;
  bad(1, 0) = -1e-6;
  CHECK_THROWS_AS(NonlinearCrossbarSolver(bad, w, s), ConfigError);
  WireParams bw;
  bw.r_row_ohm = 0.0;
  CHECK_THROWS_AS(NonlinearCrossbarSolver(G, bw, s), ConfigError);
  NewtonOptions o;
  o.max_iterations = 0;
  CHECK_THROWS_AS(NonlinearCrossbarSolver(G, w, s, o), ConfigError);
  const NonlinearCrossbarSolver ok(G, w, s);
  CHECK_THROWS_AS(ok.solve(arma::rowvec{1.0, 2.0, 3.0}), ConfigError);
  CHECK_THROWS_AS(ok.solve(arma::rowvec{1.0, std::nan("")}), ConfigError);
  // Too few iterations for a nonlinear case: NumericalError, not a wrong answer.
  o.max_iterations = 1;
  const NonlinearCrossbarSolver short_run(G, w, s, o);
  CHECK_THROWS_AS(short_run.solve(arma::rowvec{1.0, -1.0}), NumericalError);
}

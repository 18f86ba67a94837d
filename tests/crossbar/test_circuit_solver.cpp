// LinearCrossbarSolver against closed forms (series resistors, hand-solved ladders),
// superposition, and Kirchhoff's current law evaluated from the returned node voltages.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>

using namespace xbarsim;

namespace {

// Uniform matrix in [lo, hi) from the project's counter-based generator.
arma::mat random_matrix(std::size_t n_rows, std::size_t n_cols, double lo, double hi, std::uint32_t stream) {
  CounterRng rng(RngKey(1234, rng_purpose("test.crossbar.solver")), stream);
  arma::mat m(n_rows, n_cols);
  for (auto& x : m) x = lo + (hi - lo) * rng.uniform();
  return m;
}

double max_rel_err(const arma::mat& a, const arma::mat& b) {
  return arma::abs(a - b).max() / std::max(arma::abs(b).max(), 1e-300);
}

WireParams wires_of(double r_row, double r_col, double r_source, double r_sink) {
  WireParams w;
  w.r_row_ohm = r_row;
  w.r_col_ohm = r_col;
  w.r_source_ohm = r_source;
  w.r_sink_ohm = r_sink;
  return w;
}

std::string first_where(const ConfigError& e) { return e.problems().empty() ? "" : e.problems().front().where; }

}  // namespace

TEST_CASE("1x1 crossbar equals the series-resistor formula V/(r_source + 1/G + r_sink)", "[crossbar][solver]") {
  // Reference: Ohm's law for three resistors in series.
  const double G = 37e-6, rs = 42.0, rk = 17.0, r = 3.0;
  const LinearCrossbarSolver solver(arma::mat(1, 1, arma::fill::value(G)), wires_of(r, r, rs, rk));
  const arma::mat V(arma::vec{0.2, -0.35, 1.0});
  const arma::mat I = solver.currents(V);
  REQUIRE(I.n_rows == 3);
  REQUIRE(I.n_cols == 1);
  for (arma::uword b = 0; b < V.n_rows; ++b) {
    const double expected = V(b, 0) / (rs + 1.0 / G + rk);
    CHECK(std::abs(I(b, 0) - expected) <= 1e-13 * std::abs(expected));
  }
}

TEST_CASE("1x2 word line equals the hand-solved resistor ladder", "[crossbar][solver]") {
  // Reference: series/parallel reduction. With one row the bit-line nodes are the
  // sensed ends. Branch j (cell + sink): R_j = 1/G_j + r_sink. Seen from word-line
  // node 0: R_w = R_0 || (r_row + R_1); total R = r_source + R_w.
  // V_w0 = V R_w / R; I_0 = V_w0 / R_0; I_1 = V_w0 / (r_row + R_1).
  const double G0 = 80e-6, G1 = 5e-6, rs = 25.0, rk = 60.0, rr = 2500.0;  // large r_row: visible drop
  const LinearCrossbarSolver solver(arma::mat{{G0, G1}}, wires_of(rr, 1.0, rs, rk));
  const double v = 0.7;
  const double R0 = 1.0 / G0 + rk, R1 = 1.0 / G1 + rk;
  const double Rw = 1.0 / (1.0 / R0 + 1.0 / (rr + R1));
  const double Vw0 = v * Rw / (rs + Rw);
  const arma::mat I = solver.currents(arma::mat(1, 1, arma::fill::value(v)));
  CHECK(std::abs(I(0, 0) - Vw0 / R0) <= 1e-12 * (Vw0 / R0));
  CHECK(std::abs(I(0, 1) - Vw0 / (rr + R1)) <= 1e-12 * (Vw0 / (rr + R1)));
  // The word-line voltage at column 0 from nodes() matches V_w0 too.
  const CrossbarNodes n = solver.nodes(arma::rowvec{v});
  CHECK(std::abs(n.wordline_V(0, 0) - Vw0) <= 1e-12 * Vw0);
}

TEST_CASE("2x1 bit line equals the hand-solved resistor ladder", "[crossbar][solver]") {
  // Reference: with V = (v, 0), node b0 sees the cell path from the driver
  // (R_a = r_source + 1/G0) and r_col to node b1; b1 has the sink r_sink and the path
  // through cell 1 to the grounded driver 1 (R_b = 1/G1 + r_source) in parallel.
  // R_down = r_col + (r_sink || R_b); V_b0 = v R_down / (R_a + R_down) ... expressed as
  // a divider: I_total = v / (R_a + R_down), V_b1 = I_total (r_sink || R_b), I = V_b1 / r_sink.
  const double G0 = 20e-6, G1 = 50e-6, rs = 30.0, rk = 15.0, rc = 4000.0;
  const LinearCrossbarSolver solver(arma::mat(arma::vec{G0, G1}), wires_of(1.0, rc, rs, rk));
  const double v = 0.4;
  const double Ra = rs + 1.0 / G0, Rb = 1.0 / G1 + rs;
  const double Rpar = 1.0 / (1.0 / rk + 1.0 / Rb);
  const double I_total = v / (Ra + rc + Rpar);
  const double expected = I_total * Rpar / rk;
  const arma::mat I = solver.currents(arma::mat{{v, 0.0}});
  CHECK(std::abs(I(0, 0) - expected) <= 1e-12 * expected);
}

TEST_CASE("tiny wire resistances give the ideal product I = V G", "[crossbar][solver]") {
  // Reference: with every wire, driver and sink resistance -> 0 each cell sees V_i
  // across it, so I_j = sum_i V_i G_ij (Ohm + Kirchhoff, ideal MVM). With r = 1e-9 ohm
  // the IR-drop correction is ~ r * sum(G) * N ~ 1e-9 * 1e-3 * 8, far below the
  // tolerance; the tolerance is set by rounding in a matrix whose entries span
  // 1e9 S (wires) to 1e-6 S (cells).
  const arma::mat G = random_matrix(8, 6, 1e-6, 100e-6, 1);
  const arma::mat V = random_matrix(5, 8, -1.0, 1.0, 2);
  const LinearCrossbarSolver solver(G, wires_of(1e-9, 1e-9, 1e-9, 1e-9));
  const arma::mat I = solver.currents(V);
  CHECK(max_rel_err(I, V * G) <= 1e-9);
}

TEST_CASE("deviation from the ideal product is first order in the wire resistance", "[crossbar][solver]") {
  // Reference: perturbation theory of the nodal equations. For r * sum(G) << 1 the IR
  // drop correction is linear in r (device_physics.md 7.5: dV/V ~ r G N^2 / 2), so
  // scaling every resistance by 1/10 scales I - V G by 1/10 up to O(r^2) terms.
  const arma::mat G = random_matrix(16, 12, 1e-6, 100e-6, 8);
  const arma::mat V = random_matrix(2, 16, 0.1, 1.0, 9);
  auto deviation = [&](double r) {
    const LinearCrossbarSolver solver(G, wires_of(r, r, r, r));
    return arma::mat(solver.currents(V) - V * G);
  };
  const arma::mat d1 = deviation(1e-3), d2 = deviation(1e-4);
  CHECK(max_rel_err(d2 * 10.0, d1) <= 1e-3);
  // Same sign as the physics: wire resistance only reduces the currents.
  CHECK(arma::all(arma::vectorise(d1 < 0.0)));
}

TEST_CASE("transfer matrix equals currents of the identity and reproduces currents(V) = V T", "[crossbar][solver]") {
  // Reference: linearity and superposition of a linear resistive network.
  const arma::mat G = random_matrix(7, 9, 1e-6, 100e-6, 3);
  const LinearCrossbarSolver solver(G, wires_of(2.0, 3.0, 50.0, 20.0));
  const arma::mat T = solver.transfer_matrix();
  REQUIRE(T.n_rows == 7);
  REQUIRE(T.n_cols == 9);
  CHECK(max_rel_err(T, solver.currents(arma::eye(7, 7))) <= 1e-14);
  // More than one CHOLMOD block of right-hand sides (the batch is split in chunks).
  const arma::mat V = random_matrix(150, 7, -0.5, 0.5, 4);
  CHECK(max_rel_err(solver.currents(V), V * T) <= 1e-12);
  // IR drop lowers every output below the ideal V G for positive inputs.
  const arma::mat Vp = random_matrix(3, 7, 0.1, 1.0, 5);
  CHECK(arma::all(arma::vectorise(solver.currents(Vp) < Vp * G)));
}

TEST_CASE("source current equals sink current and KCL holds at every node", "[crossbar][solver]") {
  // Reference: Kirchhoff's current law. Total current delivered by the drivers,
  // sum_i (V_i - V_w(i,0)) / r_source, leaves through the sinks; every internal node
  // balances. Residuals are normalised by the largest branch current at the node.
  const std::size_t rows = 12, cols = 10;
  arma::mat G = random_matrix(rows, cols, 1e-6, 100e-6, 6);
  G(3, 4) = 0.0;  // an open cell is allowed
  const double rr = 1.5, rc = 2.5, rs = 40.0, rk = 70.0;
  const LinearCrossbarSolver solver(G, wires_of(rr, rc, rs, rk));
  const arma::rowvec v = random_matrix(1, rows, -1.0, 1.0, 7);
  const CrossbarNodes n = solver.nodes(v);
  const arma::mat& W = n.wordline_V;
  const arma::mat& B = n.bitline_V;

  double source_total = 0.0;
  for (std::size_t i = 0; i < rows; ++i) source_total += (v(i) - W(i, 0)) / rs;
  const arma::mat I = solver.currents(arma::mat(v));
  const double sink_total = arma::accu(I);
  CHECK(std::abs(source_total - sink_total) <= 1e-10 * arma::abs(I).max() * cols);
  // nodes() and currents() agree on the sensed ends.
  for (std::size_t j = 0; j < cols; ++j) CHECK(std::abs(B(rows - 1, j) / rk - I(0, j)) <= 1e-12 * arma::abs(I).max());

  double worst = 0.0;
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) {
      // Word-line node: currents leaving through the wires and the cell.
      double sum = 0.0, scale = 0.0;
      auto add = [&](double current) {
        sum += current;
        scale = std::max(scale, std::abs(current));
      };
      add(j == 0 ? (W(i, 0) - v(i)) / rs : (W(i, j) - W(i, j - 1)) / rr);
      if (j + 1 < cols) add((W(i, j) - W(i, j + 1)) / rr);
      add(G(i, j) * (W(i, j) - B(i, j)));
      worst = std::max(worst, std::abs(sum) / scale);
      // Bit-line node.
      sum = 0.0;
      scale = 0.0;
      add(G(i, j) * (B(i, j) - W(i, j)));
      if (i > 0) add((B(i, j) - B(i - 1, j)) / rc);
      add(i + 1 < rows ? (B(i, j) - B(i + 1, j)) / rc : B(i, j) / rk);
      worst = std::max(worst, std::abs(sum) / scale);
    }
  CHECK(worst <= 1e-9);
}

TEST_CASE("all-open array passes no current", "[crossbar][solver]") {
  // Reference: with every G = 0 the word lines and bit lines are disconnected; the
  // nodal matrix stays positive definite (each line is tied to its driver or sink)
  // and the bit lines sit at 0 V.
  const LinearCrossbarSolver solver(arma::zeros(4, 3), WireParams{});
  const arma::mat I = solver.currents(arma::mat{{1.0, -1.0, 0.5, 0.2}});
  CHECK(arma::abs(I).max() == 0.0);
  const CrossbarNodes n = solver.nodes(arma::rowvec{1.0, -1.0, 0.5, 0.2});
  CHECK(std::abs(n.wordline_V(1, 2) + 1.0) <= 1e-14);
}

TEST_CASE("invalid conductances, resistances and input widths raise ConfigError with the location",
          "[crossbar][solver]") {
  arma::mat G(5, 6, arma::fill::value(10e-6));
  SECTION("negative conductance") {
    G(3, 4) = -1e-6;
    try {
      LinearCrossbarSolver s(G, WireParams{});
      FAIL("no ConfigError");
    } catch (const ConfigError& e) {
      CHECK(first_where(e) == "G(3, 4)");
      CHECK(e.problems().front().what == "expected a finite conductance >= 0 S, got -1e-06");
    }
  }
  SECTION("NaN conductance") {
    G(0, 2) = std::nan("");
    try {
      LinearCrossbarSolver s(G, WireParams{});
      FAIL("no ConfigError");
    } catch (const ConfigError& e) {
      CHECK(first_where(e) == "G(0, 2)");
    }
  }
  SECTION("zero and infinite resistances") {
    WireParams w;
    w.r_row_ohm = 0.0;
    w.r_sink_ohm = INFINITY;
    try {
      LinearCrossbarSolver s(G, w);
      FAIL("no ConfigError");
    } catch (const ConfigError& e) {
      REQUIRE(e.problems().size() == 2);
      CHECK(e.problems()[0].where == "r_row_ohm");
      CHECK(e.problems()[1].where == "r_sink_ohm");
    }
  }
  SECTION("input width differs from the number of rows") {
    const LinearCrossbarSolver s(G, WireParams{});
    CHECK_THROWS_AS(s.currents(arma::mat(2, 4, arma::fill::ones)), ConfigError);
    CHECK_THROWS_AS(s.nodes(arma::rowvec(6, arma::fill::ones)), ConfigError);
  }
}

TEST_CASE("WireParams table lists every resistance with unit ohm and a positive range", "[crossbar][solver]") {
  const auto& entries = WireParams::table().entries();
  REQUIRE(entries.size() == 4);
  for (const auto& e : entries) {
    CHECK(e.unit == "ohm");
    CHECK_FALSE(e.range.contains(0.0));
    CHECK_FALSE(e.source.empty());
  }
}

// Cell access types (cell_access.hpp) and the nonlinear solver with an access resistor
// (SelectorParams::r_access_ohm) against independent references: ngspice decks with the
// access transistor written as an explicit series resistor and internal node
// (ngspice_crossbar.hpp), series-circuit closed forms worked out by hand, KCL evaluated
// here with a bisection of each cell's series equation, and the ConfigError key paths.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/cell_access.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/nonlinear_solver.hpp>
#include <xbarsim/crossbar/weight_mapping.hpp>

#include "ngspice_crossbar.hpp"

using namespace xbarsim;

namespace {

using Case = test::RandomCrossbar;

// Random array: G 1-100 uS, wires 0.5-5 ohm, driver and sink 10-100 ohm, inputs in
// [-1, 1] V (the ranges of test_solver_ngspice.cpp).
Case random_problem(std::size_t rows, std::size_t cols, std::uint32_t stream) {
  return test::random_crossbar(rows, cols, RngKey(11, rng_purpose("test.crossbar.cell_access")), stream, 0.5, 5.0,
                               100.0);
}

// max_j |a_j - ref_j| / max(|ref_j|, 1e-3 max |ref|): relative error with a floor for
// columns whose current nearly cancels.
double worst_relative(const arma::rowvec& a, const std::vector<double>& ref, std::size_t n) {
  double scale = 0.0;
  for (std::size_t j = 0; j < n; ++j) scale = std::max(scale, std::abs(ref[j]));
  double worst = 0.0;
  for (std::size_t j = 0; j < n; ++j)
    worst = std::max(worst, std::abs(a(j) - ref[j]) / std::max(std::abs(ref[j]), 1e-3 * scale));
  return worst;
}

// Device voltage of a sinh cell behind r: root of x + r G V0 sinh(x / V0) = V by
// bisection (independent of the solver's scalar Newton).
double bisect_device_voltage(double g, double v0, double r, double v) {
  double lo = std::min(0.0, v), hi = std::max(0.0, v);
  for (int k = 0; k < 300; ++k) {
    const double mid = 0.5 * (lo + hi);
    (mid + r * g * v0 * std::sinh(mid / v0) - v < 0.0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::string first_key(const ConfigError& e) { return e.problems().empty() ? "" : e.problems().front().where; }

}  // namespace

TEST_CASE("1T1R linear array with access resistance matches ngspice", "[crossbar][cell_access][ngspice]") {
  // Reference: ngspice .op of the network with every cell written as a resistor r_access
  // from the word-line node to an internal node plus the device resistor 1/G from there
  // to the bit-line node. The solver eliminates that node: G_cell = G / (1 + G r_access).
  test::require_ngspice();
  double worst = 0.0;
  struct Run {
    std::size_t rows, cols;
    std::uint32_t stream;
    double r_access;
  };
  // r_access: the table default (10 kOhm) and NeuroSim V1.3's 6 kOhm * 0.25 = 1.5 kOhm.
  for (const Run c : {Run{4, 4, 1, CellAccessParams{}.r_access_ohm}, Run{8, 5, 2, 1.5e3}, Run{16, 16, 3, 10e3}}) {
    CAPTURE(c.rows, c.cols, c.r_access);
    const Case p = random_problem(c.rows, c.cols, c.stream);
    CellAccessParams a;
    a.r_access_ohm = c.r_access;
    const arma::mat Gc = effective_cell_conductance(p.G, a);
    const arma::mat I = LinearCrossbarSolver(Gc, p.w).currents(arma::mat(p.v));
    const std::vector<double> spice =
        test::ngspice_crossbar("access_lin_" + std::to_string(c.stream), p.G, p.w, p.v, {}, c.r_access);
    REQUIRE(spice.size() == c.rows + c.cols);
    const double err = worst_relative(I.row(0), spice, c.cols);
    worst = std::max(worst, err);
    CHECK(err <= 1e-6);
    // The access resistance matters here: without it the currents differ by > 5 %.
    const arma::mat I0 = LinearCrossbarSolver(p.G, p.w).currents(arma::mat(p.v));
    CHECK(arma::abs(I0 - I).max() > 0.05 * arma::abs(I).max());
  }
  INFO("worst relative error vs ngspice (1T1R linear): " << worst);
  CHECK(worst <= 1e-6);
}

TEST_CASE("sinh device behind an access resistor matches ngspice", "[crossbar][cell_access][nonlinear][ngspice]") {
  // Reference: ngspice .op with RACC (r_access) in series with a B-source device
  // I = G*V0*sinh(V/V0) at an explicit internal node. V0 = 0.25 V and 0.05 V with inputs
  // up to 1 V: the device is strongly nonlinear and the resistor takes a large share of
  // the cell voltage, so neither the linear nor the r = 0 model fits.
  test::require_ngspice();
  double worst = 0.0;
  struct Run {
    std::size_t n;
    std::uint32_t stream;
    double v0, r_access;
  };
  for (const Run c : {Run{4, 11, 0.25, 10e3}, Run{8, 12, 0.05, 1.5e3}, Run{12, 13, 0.25, 1.5e3}}) {
    CAPTURE(c.n, c.v0, c.r_access);
    const Case p = random_problem(c.n, c.n, c.stream);
    SelectorParams s;
    s.v0_V = c.v0;
    s.r_access_ohm = c.r_access;
    const NonlinearCrossbarResult r = solve_nonlinear(p.G, p.w, s, p.v);
    INFO("iterations " << r.iterations);
    CHECK(r.iterations <= 30);
    const std::vector<double> spice =
        test::ngspice_crossbar("access_nl_" + std::to_string(c.stream), p.G, p.w, p.v, c.v0, c.r_access);
    REQUIRE(spice.size() == 2 * c.n);
    const double err = worst_relative(r.currents_A, spice, c.n);
    worst = std::max(worst, err);
    CHECK(err <= 1e-6);
    // Both the resistor and the nonlinearity matter (> 5 % each).
    SelectorParams s0 = s;
    s0.r_access_ohm = 0.0;
    const double scale = arma::abs(r.currents_A).max();
    CHECK(arma::abs(solve_nonlinear(p.G, p.w, s0, p.v).currents_A - r.currents_A).max() > 0.05 * scale);
    CellAccessParams a;
    a.r_access_ohm = c.r_access;
    const arma::mat lin = LinearCrossbarSolver(effective_cell_conductance(p.G, a), p.w).currents(arma::mat(p.v));
    CHECK(arma::abs(lin.row(0) - r.currents_A).max() > 0.05 * scale);
  }
  INFO("worst relative error vs ngspice (sinh + r_access): " << worst);
  CHECK(worst <= 1e-6);
}

TEST_CASE("1x1 cell with access resistor: series closed forms", "[crossbar][cell_access]") {
  // Reference (by hand): one cell is driver, access transistor, device and sink in
  // series (a 1x1 array has no row/column wire segments).
  //   linear device:  I = V / (r_source + r_access + 1/G + r_sink);
  //   sinh device:    pick the device voltage Vd, then I = G V0 sinh(Vd / V0) and the
  //                   drive is V = Vd + I (r_source + r_access + r_sink) exactly.
  WireParams w;
  w.r_source_ohm = 40.0;
  w.r_sink_ohm = 25.0;
  w.r_row_ohm = 3.0;  // unused by a 1x1 array
  w.r_col_ohm = 2.0;
  const double g = 50e-6, r_acc = 7.5e3, v = 0.8;
  CellAccessParams a;
  a.r_access_ohm = r_acc;
  for (const std::string cell : {"1T1R", "0T1R"}) {
    a.cell = cell;
    const double r_cell = cell == "1T1R" ? r_acc : 0.0;
    const double expected = v / (w.r_source_ohm + r_cell + 1.0 / g + w.r_sink_ohm);
    const arma::mat Gc = effective_cell_conductance(arma::mat(1, 1, arma::fill::value(g)), a);
    const arma::mat I = LinearCrossbarSolver(Gc, w).currents(arma::mat(1, 1, arma::fill::value(v)));
    CHECK(I(0, 0) == Approx(expected).epsilon(1e-13));
  }
  SelectorParams s;
  s.v0_V = 0.1;
  s.r_access_ohm = r_acc;
  for (const double vd : {0.6, -0.35, 1e-3}) {
    CAPTURE(vd);
    const double i_dev = g * s.v0_V * std::sinh(vd / s.v0_V);
    const double drive = vd + i_dev * (w.r_source_ohm + r_acc + w.r_sink_ohm);
    const NonlinearCrossbarResult r = solve_nonlinear(arma::mat(1, 1, arma::fill::value(g)), w, s, arma::rowvec{drive});
    CHECK(r.currents_A(0) == Approx(i_dev).epsilon(1e-11));
    // The cell voltage (word line minus bit line) is Vd + I r_access.
    CHECK(r.nodes.wordline_V(0, 0) - r.nodes.bitline_V(0, 0) == Approx(vd + i_dev * r_acc).epsilon(1e-11));
  }
}

TEST_CASE("sinh + access resistor solution satisfies KCL at every node", "[crossbar][cell_access][nonlinear]") {
  // Reference: KCL evaluated here from the returned node voltages; each cell's current
  // comes from a bisection of Vd + r G V0 sinh(Vd / V0) = V (not the solver's Newton).
  // The second case (V0 = 20 mV, |V| / V0 up to 50) exercises the step limiting.
  const bool strong = GENERATE(false, true);
  const Case p = random_problem(7, 9, strong ? 23 : 21);
  SelectorParams s;
  s.v0_V = strong ? 0.02 : 0.1;
  s.r_access_ohm = strong ? 1.5e3 : 5e3;
  const NonlinearCrossbarResult r = solve_nonlinear(p.G, p.w, s, p.v);
  INFO("V0 " << s.v0_V << " V, iterations " << r.iterations);
  CHECK(r.iterations <= 40);
  const arma::mat& W = r.nodes.wordline_V;
  const arma::mat& B = r.nodes.bitline_V;
  const std::size_t rows = p.G.n_rows, cols = p.G.n_cols;
  arma::mat fw(rows, cols, arma::fill::zeros), fb(rows, cols, arma::fill::zeros);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) {
      const double vd = bisect_device_voltage(p.G(i, j), s.v0_V, s.r_access_ohm, W(i, j) - B(i, j));
      const double ic = p.G(i, j) * s.v0_V * std::sinh(vd / s.v0_V);
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
}

TEST_CASE("sinh + r_access limits: r -> 0 and the ohmic 1T1R cell", "[crossbar][cell_access][nonlinear]") {
  // References: (1) the passive solve (r_access = 0, itself checked against ngspice in
  // test_nonlinear_solver.cpp): a 1e-6 ohm access resistor changes each cell conductance
  // by G_eff r <= 100 uS * cosh(5) * 1e-6 ohm ~ 1e-8 relative, so currents agree to 1e-7
  // but not exactly; (2) for V0 = 1e5 V the device is ohmic to O(1e-11), so the solve
  // must equal the linear solver on G / (1 + G r) from effective_cell_conductance.
  const Case p = random_problem(5, 6, 22);
  SelectorParams s;
  s.v0_V = 0.2;
  CHECK(s.r_access_ohm == 0.0);  // the option defaults to the passive cell
  const NonlinearCrossbarResult passive = solve_nonlinear(p.G, p.w, s, p.v);
  s.r_access_ohm = 1e-6;
  const NonlinearCrossbarResult tiny = solve_nonlinear(p.G, p.w, s, p.v);
  const double scale = arma::abs(passive.currents_A).max();
  CHECK(arma::abs(tiny.currents_A - passive.currents_A).max() <= 1e-7 * scale);
  CHECK(arma::abs(tiny.currents_A - passive.currents_A).max() > 0.0);

  s.v0_V = 1e5;
  s.r_access_ohm = 4e3;
  CellAccessParams a;
  a.r_access_ohm = s.r_access_ohm;
  const arma::mat lin = LinearCrossbarSolver(effective_cell_conductance(p.G, a), p.w).currents(arma::mat(p.v));
  const NonlinearCrossbarResult ohmic = solve_nonlinear(p.G, p.w, s, p.v);
  CHECK(arma::abs(ohmic.currents_A - lin.row(0)).max() <= 1e-9 * arma::abs(lin).max());
}

TEST_CASE("2T2R differential read-out and layout", "[crossbar][cell_access][ngspice]") {
  // Reference: the differential mapping of weight_mapping.hpp puts W's + and - devices on
  // columns 2j and 2j+1; 2T2R adds the access resistor to both. The differential output
  // must be the difference of the two ngspice column currents (explicit series resistors),
  // and with near-ideal wires (1e-6 ohm) it approaches the closed form
  //   I_j = sum_i V_i (G+_ij / (1 + G+_ij r) - G-_ij / (1 + G-_ij r)).
  test::require_ngspice();
  CounterRng rng(RngKey(11, rng_purpose("test.crossbar.cell_access")), 31);
  arma::mat W(6, 3);
  for (auto& x : W) x = test::uniform(rng, -1.0, 1.0);
  WeightMappingParams wm;
  wm.g_min_S = 1e-6;  // a finite off state (on/off 25), so every device is a SPICE resistor
  const MappedWeights m = map_weights(W, wm);
  REQUIRE(m.G_S.n_cols == 6);
  CellAccessParams a;
  a.cell = "2T2R";
  CHECK(columns_per_weight(a) == 2);
  CHECK(has_access_transistor(a));
  const arma::mat Gc = effective_cell_conductance(m.G_S, a);
  arma::rowvec v(6);
  for (auto& x : v) x = test::uniform(rng, -0.5, 0.5);

  WireParams w;  // table defaults: 1 ohm everywhere
  const arma::mat I = LinearCrossbarSolver(Gc, w).currents(arma::mat(v));
  const arma::mat D = differential_currents(I);
  REQUIRE(D.n_cols == 3);
  const std::vector<double> spice = test::ngspice_crossbar("access_2t2r", m.G_S, w, v, {}, a.r_access_ohm);
  REQUIRE(spice.size() == 12);
  arma::rowvec d_spice(3);
  for (std::size_t j = 0; j < 3; ++j) d_spice(j) = spice[2 * j] - spice[2 * j + 1];
  const double dscale = arma::abs(d_spice).max();
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(D(0, j) == I(0, 2 * j) - I(0, 2 * j + 1));
    CHECK(std::abs(D(0, j) - d_spice(j)) <= 1e-6 * dscale);
  }

  WireParams ideal;
  ideal.r_row_ohm = ideal.r_col_ohm = ideal.r_source_ohm = ideal.r_sink_ohm = 1e-6;
  const arma::mat Di = differential_currents(LinearCrossbarSolver(Gc, ideal).currents(arma::mat(v)));
  const double r = a.r_access_ohm;
  for (std::size_t j = 0; j < 3; ++j) {
    double expected = 0.0;
    for (std::size_t i = 0; i < 6; ++i) {
      const double gp = m.G_S(i, 2 * j), gn = m.G_S(i, 2 * j + 1);
      expected += v(i) * (gp / (1.0 + gp * r) - gn / (1.0 + gn * r));
    }
    CHECK(Di(0, j) == Approx(expected).epsilon(1e-7).margin(1e-7 * dscale));
  }
  // A batch of two inputs: row-wise differences.
  const arma::mat batch = arma::join_cols(I, 2.0 * I);
  CHECK(arma::approx_equal(differential_currents(batch).row(1), 2.0 * D.row(0), "reldiff", 1e-15));
}

TEST_CASE("cell access validation errors name the key", "[crossbar][cell_access]") {
  const arma::mat G(3, 3, arma::fill::value(10e-6));
  CellAccessParams a;
  a.cell = "2T2R";
  try {
    effective_cell_conductance(G, a);
    FAIL("odd column count accepted for 2T2R");
  } catch (const ConfigError& e) {
    CHECK(first_key(e) == "cell_access.cell");
  }
  CHECK_THROWS_AS(check_cell_layout(a, 0), ConfigError);
  CHECK_NOTHROW(check_cell_layout(a, 4));
  a.cell = "1T1R";
  CHECK_NOTHROW(check_cell_layout(a, 3));
  a.r_access_ohm = -5.0;
  try {
    effective_cell_conductance(G, a, "tile.cell_access");
    FAIL("negative r_access accepted");
  } catch (const ConfigError& e) {
    CHECK(first_key(e) == "tile.cell_access.r_access_ohm");
  }
  a = CellAccessParams{};
  a.cell = "3T1R";
  try {
    check_cell_layout(a, 2);
    FAIL("unknown cell name accepted");
  } catch (const ConfigError& e) {
    CHECK(first_key(e) == "cell_access.cell");
  }
  // Unknown cell name and unknown key through the parameter table (TOML path).
  try {
    CellAccessParams::table().make({{"cell", std::string("1T2R")}, {"r_acces_ohm", 1.0}}, "cell_access");
    FAIL("bad overrides accepted");
  } catch (const ConfigError& e) {
    std::vector<std::string> keys;
    for (const auto& pr : e.problems()) keys.push_back(pr.where);
    CHECK(std::find(keys.begin(), keys.end(), "cell_access.cell") != keys.end());
    CHECK(std::find(keys.begin(), keys.end(), "cell_access.r_acces_ohm") != keys.end());
  }
  arma::mat bad = G;
  bad(0, 1) = -1e-6;
  try {
    effective_cell_conductance(bad, CellAccessParams{});
    FAIL("negative conductance accepted");
  } catch (const ConfigError& e) {
    CHECK(first_key(e) == "G(0, 1)");
  }
  try {
    differential_currents(arma::mat(2, 5, arma::fill::zeros));
    FAIL("odd column count accepted by differential_currents");
  } catch (const ConfigError& e) {
    CHECK(first_key(e) == "column_currents");
  }
  SelectorParams s;
  s.r_access_ohm = -1.0;
  try {
    NonlinearCrossbarSolver(G, WireParams{}, s);
    FAIL("negative selector r_access accepted");
  } catch (const ConfigError& e) {
    CHECK(first_key(e) == "selector.r_access_ohm");
  }
  // 0T1R: identity, and the access resistance is ignored.
  a = CellAccessParams{};
  a.cell = "0T1R";
  CHECK_FALSE(has_access_transistor(a));
  CHECK(columns_per_weight(a) == 1);
  CHECK(arma::approx_equal(effective_cell_conductance(G, a), G, "absdiff", 0.0));
}

TEST_CASE("0T1R sneak paths: linear cells versus a strong selector", "[crossbar][cell_access][nonlinear][ngspice]") {
  // Half-selected read in the canonical topology: word line 0 driven at V_r = 1 V, the
  // other word lines held at 0 V through the driver resistance, all bit lines sensed
  // through r_sink. Driver and sense resistances of 1 kOhm let unselected lines float up,
  // so current leaks WL0 -> (0, j) -> BL j -> (i, j) -> WL i -> (i, 0) -> BL0 into the
  // target's column. Target (0, 0) is 1 MOhm, every other cell 10 kOhm. Cells are
  // matched at V_r: the selector cell conducts G_lin V_r at V_r, so
  // G_sel = G_lin V_r / (V0 sinh(V_r / V0)), and its NL = I(V_r) / I(V_r / 2).
  // Reference: every sensed current below is checked against ngspice (resistor cells,
  // B-source sinh cells). The sneak background is the column-0 current with the target
  // cell opened (1e-15 S), i.e. the current that does not come through the target.
  test::require_ngspice();
  const std::size_t n = 4;
  const double vr = 1.0, g_low = 100e-6, g_target = 1e-6, g_open = 1e-15;
  WireParams w;
  w.r_source_ohm = 1e3;
  w.r_sink_ohm = 1e3;
  arma::rowvec v(n, arma::fill::zeros);
  v(0) = vr;
  auto array = [&](double gt) {
    arma::mat G(n, n, arma::fill::value(g_low));
    G(0, 0) = gt;
    return G;
  };
  // Column-0 current with and without the target, solver and ngspice; nl = 0: linear.
  struct Read {
    double sensed, background;
  };
  double worst = 0.0;
  auto read = [&](double nl) {
    Read out{};
    for (const bool open : {false, true}) {
      const arma::mat G_lin = array(open ? g_open : g_target);
      const std::string tag = "sneak_nl" + std::to_string(static_cast<int>(nl)) + (open ? "_open" : "");
      arma::rowvec I;
      std::vector<double> spice;
      if (nl == 0.0) {
        I = LinearCrossbarSolver(G_lin, w).currents(arma::mat(v)).row(0);
        spice = test::ngspice_crossbar(tag, G_lin, w, v);
      } else {
        SelectorParams s;
        s.v0_V = selector_v0_for_nonlinearity(nl, vr);
        const arma::mat G_sel = G_lin * (vr / (s.v0_V * std::sinh(vr / s.v0_V)));
        I = solve_nonlinear(G_sel, w, s, v).currents_A;
        spice = test::ngspice_crossbar(tag, G_sel, w, v, s.v0_V);
      }
      REQUIRE(spice.size() == 2 * n);
      const double err = worst_relative(I, spice, n);
      // Column 0 on its own scale (the selector's background is ~1e-5 of the others).
      const double err0 = std::abs(I(0) - spice[0]) / std::abs(spice[0]);
      CAPTURE(nl, open, I(0), spice[0]);
      CHECK(err <= 1e-6);
      CHECK(err0 <= 1e-6);
      worst = std::max({worst, err, err0});
      (open ? out.background : out.sensed) = I(0);
    }
    return out;
  };
  const Read lin = read(0.0), weak = read(10.0), strong = read(1000.0);
  INFO("sensed column-0 current: linear " << lin.sensed << " A, NL 10 " << weak.sensed << " A, NL 1000 "
                                          << strong.sensed << " A; ideal G_t V_r = " << g_target * vr << " A");
  INFO("sneak background / sensed: linear " << lin.background / lin.sensed << ", NL 10 "
                                            << weak.background / weak.sensed << ", NL 1000 "
                                            << strong.background / strong.sensed);
  INFO("worst relative error vs ngspice: " << worst);
  // The 1 MOhm cell reads more than its own 1 uA in the linear array (sneak), less with
  // selectors (the nonlinear cell also feels the word-line droop), ordered by NL.
  CHECK(lin.sensed > 2.0 * g_target * vr);
  CHECK(lin.sensed > weak.sensed);
  CHECK(weak.sensed > strong.sensed);
  // Sneak share of the read: most of it for linear cells, negligible with NL = 1000.
  CHECK(lin.background > 0.5 * lin.sensed);
  CHECK(weak.background < 0.2 * weak.sensed);
  CHECK(std::abs(strong.background) < 1e-3 * strong.sensed);
}

// Fast IR-drop model (ir_drop_model.hpp) against independent references: the exact
// transfer matrix (structured elimination, tied to CHOLMOD by test_transfer_matrix.cpp
// and to ngspice by test_solver_ngspice.cpp), ngspice itself, and closed forms.
// "Realistic" arrays: G uniform in [1, 25] uS (PCM/RRAM read range; 25 uS is the
// mapping's default g_max_S), wire segments, driver and sink 1-2.5 ohm (NeuroSim 22 nm:
// ~1 ohm per cell, device_physics.md 7.4; 2.5 ohm a narrower line).
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/ir_drop_model.hpp>
#include <xbarsim/crossbar/tile.hpp>
#include <xbarsim/crossbar/transfer_matrix.hpp>
#include <xbarsim/devices/rpu_step.hpp>

#include "ngspice_crossbar.hpp"

using namespace xbarsim;

namespace {

arma::mat uniform(arma::uword r, arma::uword c, double lo, double hi, const char* purpose, std::uint32_t stream) {
  std::vector<float> u(r * c);
  uniform_block(u.data(), u.size(), RngKey(5, rng_purpose(purpose)), {stream, 0, 0});
  arma::mat m(r, c);
  for (arma::uword k = 0; k < m.n_elem; ++k) m(k) = lo + (hi - lo) * u[k];
  return m;
}

arma::mat realistic_G(arma::uword r, arma::uword c, std::uint32_t stream = 0) {
  return uniform(r, c, 1e-6, 25e-6, "crossbar.test_ir_drop.G", stream);
}

WireParams all(double r_ohm) { return WireParams{r_ohm, r_ohm, r_ohm, r_ohm}; }

double rel(const arma::mat& a, const arma::mat& ref) { return arma::norm(a - ref, "fro") / arma::norm(ref, "fro"); }

/// Relative output errors ||V T_model - V T||_F / ||V T||_F of the ideal wires (G), the
/// fast model and the calibrated fast model, for 256 inputs in [0, 1] and in [-1, 1].
struct Errors {
  double ideal, fast, calibrated;
};
struct ErrorTable {
  Errors non_negative, signed_;
};
ErrorTable output_errors(const arma::mat& G, const WireParams& w, std::uint32_t stream) {
  const arma::mat T = crossbar_transfer_matrix(G, w);
  const arma::mat Tf = fast_transfer_matrix(G, w);
  const arma::mat Tc = Tf.each_row() % fast_column_calibration(G, w, Tf);
  auto errors = [&](const arma::mat& V) {
    const arma::mat I = V * T;
    return Errors{rel(V * G, I), rel(V * Tf, I), rel(V * Tc, I)};
  };
  const arma::mat V = uniform(256, G.n_rows, 0.0, 1.0, "crossbar.test_ir_drop.V", stream);
  return {errors(V), errors(2.0 * V - 1.0)};
}

}  // namespace

TEST_CASE("fast IR-drop model: closed forms and exact limits", "[crossbar][ir_drop]") {
  // 1 x 1: three resistors in series, T = 1 / (r_source + 1/G + r_sink) (hand).
  const WireParams w1{1.0, 1.0, 10.0, 20.0};
  CHECK(fast_transfer_matrix(arma::mat(1, 1, arma::fill::value(1e-4)), w1)(0, 0) ==
        Approx(1.0 / (10.0 + 1e4 + 20.0)).epsilon(1e-12));
  // 1 x 2 word line, bit-line side negligible: ladder by hand. Node 1 sees
  // Y1 = G1, node 0 Y0 = G0 + G1 / (1 + r G1); V0 = 1 / (1 + rs Y0), V1 = V0 / (1 + r G1).
  {
    const double g0 = 2e-3, g1 = 5e-3, r = 30.0, rs = 40.0;
    const arma::mat G = {{g0, g1}};
    const arma::mat T = fast_transfer_matrix(G, WireParams{r, 1e-12, rs, 1e-12});
    const double y0 = g0 + g1 / (1 + r * g1), v0 = 1 / (1 + rs * y0), v1 = v0 / (1 + r * g1);
    CHECK(T(0, 0) == Approx(g0 * v0).epsilon(1e-9));
    CHECK(T(0, 1) == Approx(g1 * v1).epsilon(1e-9));
  }
  // One line family with negligible resistance: the model is the exact ladder solution,
  // so it equals the exact transfer matrix (reference) with strong IR drop on the other.
  const arma::mat G = realistic_G(24, 40, 1);
  for (const WireParams& w : {WireParams{20.0, 1e-9, 50.0, 1e-9}, WireParams{1e-9, 20.0, 1e-9, 50.0}}) {
    const arma::mat T = crossbar_transfer_matrix(G, w);
    INFO("r_row " << w.r_row_ohm << " r_col " << w.r_col_ohm << ", IR drop " << 1.0 - arma::accu(T) / arma::accu(G));
    CHECK(1.0 - arma::accu(T) / arma::accu(G) > 0.05);  // the limit is not trivial
    CHECK(rel(fast_transfer_matrix(G, w), T) < 1e-7);
  }
}

TEST_CASE("fast IR-drop model: exact as r -> 0, error O(r^2)", "[crossbar][ir_drop]") {
  // Reference: exact transfer matrix. The model is exact to first order in the wire
  // resistances (ir_drop_model.hpp), so as r -> 0 its error vanishes faster than the
  // IR drop itself (ideal-wire error, O(r)).
  const arma::mat G = realistic_G(64, 64, 2);
  {
    const WireParams w = all(1e-3);
    const arma::mat T = crossbar_transfer_matrix(G, w);
    const double ideal = rel(G, T), fast = rel(fast_transfer_matrix(G, w), T);
    INFO("r = 1 mOhm: ideal " << ideal << ", fast " << fast);
    CHECK(ideal > 1e-5);  // the wires are visible at this r...
    CHECK(fast < 1e-9);   // ...the model's is not (issue 5 asks 1e-6; measured 3.7e-12)
  }
  // Halving r quarters the error (second order). With the IR drop at r = 0.2 ohm about
  // 1% the third-order terms are ~1% of the second-order ones; allow +-10%.
  const double r = 0.2;
  double err[2];
  for (int k = 0; k < 2; ++k) {
    const WireParams w = all(r / (1 << k));
    err[k] = rel(fast_transfer_matrix(G, w), crossbar_transfer_matrix(G, w));
  }
  INFO("error at r = " << r << ": " << err[0] << ", at r/2: " << err[1] << ", ratio " << err[0] / err[1]);
  CHECK(err[0] / err[1] == Approx(4.0).epsilon(0.1));
}

TEST_CASE("fast IR-drop model: output error on realistic 64 x 64 and 256 x 256 arrays", "[crossbar][ir_drop]") {
  // Reference: exact transfer matrix, 256 random input vectors each. Bounds are the
  // errors measured with this seed times ~1.5 (bench_ir_drop prints the same quantities
  // for another draw, also at 128 x 128). "ideal" is the error of ignoring the wires,
  // which the fast model must beat by a large factor.
  struct Bound {
    double fast_max, cal_max, min_gain;
  };
  struct Case {
    arma::uword n;
    double r_ohm;
    Bound non_negative, signed_;
  };
  const Case cases[] = {
      // measured: [0, 1] fast 2.5e-5, calibrated 2.4e-6; [-1, 1] 3.7e-5, 2.9e-5; ideal 9%
      {64, 2.5, {3.7e-5, 3.6e-6, 1000.0}, {5.6e-5, 4.3e-5, 1000.0}},
      // measured: [0, 1] 2.2e-3, 1.0e-4; [-1, 1] 3.0e-3, 2.5e-3; ideal 55%
      {256, 1.0, {3.3e-3, 1.6e-4, 100.0}, {4.5e-3, 3.8e-3, 100.0}},
      // measured: [0, 1] 1.3e-2, 5.8e-4; [-1, 1] 1.7e-2, 1.4e-2; ideal 130%
      {256, 2.5, {2.0e-2, 9.0e-4, 50.0}, {2.6e-2, 2.1e-2, 50.0}},
  };
  for (const Case& c : cases) {
    const arma::mat G = realistic_G(c.n, c.n, 3);
    const ErrorTable t = output_errors(G, all(c.r_ohm), 4);
    for (const bool signed_inputs : {false, true}) {
      const Errors& e = signed_inputs ? t.signed_ : t.non_negative;
      const Bound& b = signed_inputs ? c.signed_ : c.non_negative;
      INFO(c.n << " x " << c.n << ", r " << c.r_ohm << " ohm, inputs " << (signed_inputs ? "[-1, 1]" : "[0, 1]")
               << ": ideal " << e.ideal << ", fast " << e.fast << ", calibrated " << e.calibrated);
      CHECK(e.fast < b.fast_max);
      CHECK(e.calibrated < b.cal_max);
      CHECK(e.ideal / e.fast > b.min_gain);
    }
  }
}

TEST_CASE("fast IR-drop model: calibration reproduces the exact currents of its input", "[crossbar][ir_drop]") {
  // Reference: exact transfer matrix; all rows at one voltage is the calibration input,
  // so v T_fast diag(c) == v T up to the line solver's bound (rel_tol 1e-9).
  const arma::mat G = realistic_G(96, 80, 5);
  const WireParams w = all(2.0);
  const arma::mat Tf = fast_transfer_matrix(G, w);
  const arma::rowvec c = fast_column_calibration(G, w, Tf);
  const arma::rowvec v(96, arma::fill::ones);
  const arma::rowvec exact = v * crossbar_transfer_matrix(G, w);
  CHECK(arma::abs(v * (Tf.each_row() % c) - exact).max() / arma::abs(exact).max() < 1e-8);
  CHECK(arma::abs(v * Tf - exact).max() / arma::abs(exact).max() > 1e-6);  // there was something to fix
  // Another non-negative pattern through its own overload; zero columns keep factor 1.
  arma::mat G0 = G;
  G0.col(3).zeros();
  const arma::rowvec v2 = uniform(1, 96, 0.0, 1.0, "crossbar.test_ir_drop.V", 6);
  const arma::mat Tf0 = fast_transfer_matrix(G0, w);
  const arma::rowvec c2 = fast_column_calibration(G0, w, Tf0, v2);
  const arma::rowvec exact2 = v2 * crossbar_transfer_matrix(G0, w);
  CHECK(c2(3) == 1.0);
  CHECK(arma::abs(v2 * (Tf0.each_row() % c2) - exact2).max() / arma::abs(exact2).max() < 1e-8);
  CHECK_THROWS_AS(fast_column_calibration(G, w, Tf, -v), ConfigError);
  CHECK_THROWS_AS(fast_column_calibration(G, w, Tf.cols(0, 9)), ConfigError);
}

TEST_CASE("fast IR-drop model agrees with ngspice", "[crossbar][ir_drop][ngspice]") {
  // Reference: ngspice DC operating point of the same network (one 48 x 48 array, one
  // random input, IR drop ~4%); measured: fast 9.3e-6, ideal 4.3e-2.
  test::require_ngspice();
  const arma::mat G = realistic_G(48, 48, 7);
  const WireParams w = all(2.5);
  const arma::rowvec v = uniform(1, 48, -1.0, 1.0, "crossbar.test_ir_drop.V", 8);
  const std::vector<double> spice = test::ngspice_crossbar("ir_drop_fast_48", G, w, v);
  REQUIRE(spice.size() == 96);
  const arma::rowvec I_spice(std::vector<double>(spice.begin(), spice.begin() + 48));
  const arma::rowvec fast = v * fast_transfer_matrix(G, w), ideal = v * G;
  const double err_fast = arma::norm(fast - I_spice) / arma::norm(I_spice);
  const double err_ideal = arma::norm(ideal - I_spice) / arma::norm(I_spice);
  INFO("relative error vs ngspice: ideal " << err_ideal << ", fast " << err_fast);
  CHECK(err_fast < 1.5e-5);
  CHECK(err_ideal > 2e3 * err_fast);
}

TEST_CASE("fast IR-drop model: float path, thread independence, validation", "[crossbar][ir_drop]") {
  const arma::mat G = realistic_G(130, 70, 9);  // not a multiple of the block sizes
  const WireParams w = all(1.5);
  const arma::mat T = fast_transfer_matrix(G, w);
  // Float input: the same arithmetic in double, rounded once (reference: the double path).
  const arma::fmat Tf = fast_transfer_matrix(arma::conv_to<arma::fmat>::from(G), w);
  CHECK(arma::abs(arma::conv_to<arma::mat>::from(Tf) - T).max() / T.max() < 1e-6);
  // Lines are independent tasks in fixed blocks: bit-identical for 1 and 2 threads.
  arma::mat T1, T2;
  {
    const ThreadLimit one(1);
    T1 = fast_transfer_matrix(G, w);
  }
  {
    const ThreadLimit two(2);
    T2 = fast_transfer_matrix(G, w);
  }
  CHECK(arma::approx_equal(T1, T2, "absdiff", 0.0));
  arma::mat bad = G;
  bad(2, 5) = -1e-6;
  CHECK_THROWS_WITH(fast_transfer_matrix(bad, w), Catch::Contains("G(2, 5)"));
  CHECK_THROWS_AS(fast_transfer_matrix(G, WireParams{0.0, 1.0, 1.0, 1.0}), ConfigError);
  CHECK_THROWS_AS(fast_transfer_matrix(arma::mat(), w), ConfigError);
}

namespace {
/// rpu-step constant-step devices with every spread off (as test_tile.cpp): programming
/// hits each target exactly, so the tile's wire model is what is compared.
std::unique_ptr<DeviceModel> exact_device() {
  RpuStepParams p;
  p.g_min_S = 1e-6;
  p.g_max_S = 25e-6;
  p.dw_min_dtod = p.dw_min_std = p.up_down_dtod = p.w_max_dtod = p.w_min_dtod = 0.0;
  return std::make_unique<RpuStepModel>(p);
}
}  // namespace

TEST_CASE("tile forward with wire_model fast vs exact on a 128 x 128 array", "[crossbar][ir_drop][tile]") {
  // Reference: the same tile with wire_model "exact" (the exact transfer matrix, tied to
  // CHOLMOD by test_tile.cpp). 128 inputs x 64 outputs, differential: 128 x 128 cells.
  // Perfect periphery, so the outputs are the analog products themselves.
  TileConfig c;
  c.cell_access.cell = "0T1R";
  c.forward_io.is_perfect = c.backward_io.is_perfect = true;
  c.wires = all(2.0);
  const std::size_t rows = 128, outputs = 64;
  const arma::mat W = uniform(rows, outputs, -1.0, 1.0, "crossbar.test_ir_drop.W", 10);
  const arma::fmat x = arma::conv_to<arma::fmat>::from(uniform(32, rows, 0.0, 1.0, "crossbar.test_ir_drop.x", 11));
  auto forward = [&](const std::string& model, const std::string& read_noise = "off") {
    TileConfig cm = c;
    cm.tile.wire_model = model;
    cm.tile.device_read_noise = read_noise;
    AnalogTile tile(exact_device(), cm, rows, outputs, 12);
    tile.set_weights(W);
    arma::fmat y;
    tile.forward(x, y);
    return arma::conv_to<arma::mat>::from(y);
  };
  const arma::mat exact = forward("exact"), fast = forward("fast"), cal = forward("fast-calibrated"),
                  ideal = forward("ideal");
  const double e_ideal = rel(ideal, exact), e_fast = rel(fast, exact), e_cal = rel(cal, exact);
  INFO("tile output error vs exact wires: ideal " << e_ideal << ", fast " << e_fast << ", fast-calibrated " << e_cal);
  // Measured: ideal 0.22, fast 5.1e-4, fast-calibrated 1.3e-4 (differential outputs
  // are differences of two attenuated columns: larger relative errors than per column).
  CHECK(e_ideal > 0.15);
  CHECK(e_fast < 8e-4);
  CHECK(e_cal < 2e-4);
  CHECK(e_ideal / e_fast > 250.0);
  // The noisy-read paths apply the same model to every fresh read. rpu-step devices
  // have no read noise (rpu_step.hpp), so a fresh read is the noise-free one and the
  // outputs must equal the cached-matrix path (float rounding of a different summation
  // order only); the ideal-wire product would be 22% off.
  for (const char* noise : {"per-batch", "per-mvm"})
    for (const char* model : {"fast", "fast-calibrated"}) {
      INFO(model << ", device_read_noise " << noise);
      CHECK(rel(forward(model, noise), std::string(model) == "fast" ? fast : cal) < 1e-5);
    }
}

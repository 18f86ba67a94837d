// AnalogTile: composition of device state, mapping, DAC, ADC, wires and periphery
// management (crossbar/tile.hpp). References: exact matrix products (ideal periphery),
// the CHOLMOD nodal solver (exact wires), hand-derived quantisation bounds, and the
// variance of independently drawn per-cell noise (weight noise).
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/tile.hpp>
#include <xbarsim/devices/rpu_step.hpp>
#include <xbarsim/devices/rram_pulse.hpp>

#include "ngspice_crossbar.hpp"

using namespace xbarsim;

namespace {

/// rpu-step constant-step devices with every spread off: program() sets each device to
/// its target conductance exactly, so the tile's own arithmetic is what is tested.
std::unique_ptr<DeviceModel> exact_device(double g_min_S = RpuStepParams{}.g_min_S,
                                          double g_max_S = RpuStepParams{}.g_max_S) {
  RpuStepParams p;
  p.g_min_S = g_min_S;
  p.g_max_S = g_max_S;
  p.dw_min_dtod = p.dw_min_std = p.up_down_dtod = p.w_max_dtod = p.w_min_dtod = 0.0;
  return std::make_unique<RpuStepModel>(p);
}

TileConfig perfect_config() {
  TileConfig c;
  c.cell_access.cell = "0T1R";
  c.forward_io.is_perfect = true;
  c.backward_io.is_perfect = true;
  return c;
}

arma::mat random_weights(std::size_t r, std::size_t c, int seed) {
  arma::arma_rng::set_seed(seed);
  return arma::mat(r, c, arma::fill::randu) * 2.0 - 1.0;
}

arma::fmat random_inputs(std::size_t b, std::size_t r, int seed) {
  arma::arma_rng::set_seed(seed);
  return arma::fmat(b, r, arma::fill::randu) * 2.0f - 1.0f;
}

double max_rel(const arma::fmat& a, const arma::mat& ref) {
  return arma::abs(arma::conv_to<arma::mat>::from(a) - ref).max() / arma::abs(ref).max();
}

}  // namespace

TEST_CASE("perfect periphery: forward, backward and read-back equal the exact products", "[crossbar][tile]") {
  const arma::mat W = random_weights(40, 24, 1);
  const arma::fmat x = random_inputs(16, 40, 2);
  const arma::fmat d = random_inputs(16, 24, 3);
  for (const std::string scheme : {"differential", "reference-column"}) {
    TileConfig c = perfect_config();
    c.mapping.scheme = scheme;
    c.mapping.scale = "per-column";
    AnalogTile tile(exact_device(), c, 40, 24, 7);
    tile.set_weights(W);
    // Reference: arma's double products; float storage limits agreement to ~1e-6.
    CHECK(arma::abs(tile.weights() - W).max() < 1e-5);
    arma::fmat y, dx;
    tile.forward(x, y);
    CHECK(max_rel(y, arma::conv_to<arma::mat>::from(x) * W) < 1e-5);
    tile.backward(d, dx);
    CHECK(max_rel(dx, arma::conv_to<arma::mat>::from(d) * W.t()) < 1e-5);
  }
}

TEST_CASE("bit-sliced tile with perfect periphery is within the weight LSB bound", "[crossbar][tile]") {
  const arma::mat W = random_weights(32, 8, 4);
  const arma::fmat x = random_inputs(8, 32, 5);
  TileConfig c = perfect_config();
  c.mapping.scheme = "bit-sliced";
  c.mapping.weight_bits = 8;
  c.mapping.slices = 4;
  c.mapping.bits_per_slice = 2;
  AnalogTile tile(exact_device(), c, 32, 8, 7);
  tile.set_weights(W);
  // Each weight is rounded to s / Q with Q = 2^8 - 1 (weight_mapping.hpp), so
  // |y - x W| <= sum_i |x_i| s / (2 Q) per output; s = max |W|.
  const double s = arma::abs(W).max();
  const arma::vec bound = arma::sum(arma::abs(arma::conv_to<arma::mat>::from(x)), 1) * s / (2.0 * 255.0);
  arma::fmat y;
  tile.forward(x, y);
  const arma::mat err = arma::abs(arma::conv_to<arma::mat>::from(y) - arma::conv_to<arma::mat>::from(x) * W);
  for (arma::uword b = 0; b < x.n_rows; ++b) CHECK(err.row(b).max() <= bound(b) * (1 + 1e-4) + 1e-6);
  arma::fmat dx;
  CHECK_THROWS_AS(tile.backward(arma::fmat(2, 8, arma::fill::ones), dx), ConfigError);
}

TEST_CASE("quantised periphery stays within the DAC + ADC error bound", "[crossbar][tile]") {
  TileConfig c;  // noise management abs-max, 7-bit DAC, ADC range 12
  c.forward_io.out_noise = 0.0;
  c.forward_adc.bits = 9;
  c.forward_adc.range = 12.0;
  AnalogTile tile(exact_device(), c, 64, 16, 3);
  const arma::mat W = random_weights(64, 16, 6) * 0.5;
  tile.set_weights(W);
  const arma::fmat x = random_inputs(32, 64, 7);
  arma::fmat y;
  tile.forward(x, y);
  // Hand bound per output (normalised units, then times alpha s): DAC rounding
  // |dx| <= LSB_dac / 2 on every input -> sum_i |w_i| LSB_dac / 2; ADC rounding LSB_adc / 2.
  const double s = arma::abs(W).max();
  const double lsb_dac = 2.0 / 126.0, lsb_adc = 24.0 / 511.0;
  const arma::mat xd = arma::conv_to<arma::mat>::from(x);
  const arma::mat ref = xd * W;
  for (arma::uword b = 0; b < x.n_rows; ++b) {
    const double alpha = arma::abs(xd.row(b)).max();
    for (arma::uword j = 0; j < W.n_cols; ++j) {
      const double bound = alpha * s * (arma::accu(arma::abs(W.col(j))) / s * lsb_dac / 2 + lsb_adc / 2);
      CHECK(std::abs(y(b, j) - ref(b, j)) <= bound * 1.0001 + 1e-6);
    }
  }
  CHECK(tile.last_stats().bm_reruns == 0);
}

TEST_CASE("iterative bound management removes clipping", "[crossbar][tile]") {
  // All-positive inputs and weights: the normalised output sum_i x_i w_i reaches ~32,
  // far beyond the ADC range of 12.
  TileConfig c;
  c.forward_io.out_noise = 0.0;
  c.forward_adc.bits = 12;
  const arma::mat W(64, 4, arma::fill::value(0.9));
  const arma::fmat x(8, 64, arma::fill::value(0.6f));
  const arma::mat ref = arma::conv_to<arma::mat>::from(x) * W;  // 34.56 everywhere
  arma::fmat y;

  c.forward_io.bound_management = "none";
  AnalogTile clipped(exact_device(), c, 64, 4, 1);
  clipped.set_weights(W);
  clipped.forward(x, y);
  // Without bound management the output saturates at the range: 12 * alpha * s = 12 * 0.6 * 0.9.
  CHECK(y(0, 0) == Approx(12 * 0.6 * 0.9).epsilon(1e-3));
  CHECK(clipped.last_stats().clipped_vectors == 8);

  c.forward_io.bound_management = "iterative";
  AnalogTile managed(exact_device(), c, 64, 4, 1);
  managed.set_weights(W);
  managed.forward(x, y);
  CHECK(managed.last_stats().clipped_vectors == 0);
  // Normalised input 1 (alpha = 0.6), weights 1 (s = 0.9): output 64 -> 32 -> 16 (still
  // clipped) -> 8 (in range), so 3 re-runs per vector.
  CHECK(managed.last_stats().bm_reruns == 8 * 3);
  // The halved inputs 1/8 are re-quantised by the 7-bit DAC: round(0.125 / LSB) LSB with
  // LSB = 2/126 gives 8/63, so y = 64 * (8/63) * 8 * alpha * s, within one 12-bit ADC LSB
  // (24/4095, times the factor 8 alpha s) of it.
  const double expected = 64.0 * (8.0 / 63.0) * 8.0 * 0.6 * 0.9;
  CHECK(std::abs(y(0, 0) - expected) <= 24.0 / 4095.0 * 8 * 0.6 * 0.9);
  CHECK(max_rel(y, ref) < 0.0635);  // the DAC's relative resolution at input 1/8: (LSB/2)/(1/8)
}

TEST_CASE("output noise has the configured standard deviation", "[crossbar][tile]") {
  TileConfig c;
  c.forward_io.noise_management = "none";
  c.forward_io.out_noise = 0.1;
  c.forward_adc.bits = 16;
  c.forward_dac.bits = 16;
  AnalogTile tile(exact_device(), c, 16, 64, 5);
  const arma::mat W = random_weights(16, 64, 8) * 0.5;
  tile.set_weights(W);
  const arma::fmat x = random_inputs(256, 16, 9) * 0.5f;
  arma::fmat y;
  tile.forward(x, y);
  // y - x W = s * out_noise * xi (s = max|W|, alpha = 1) up to 16-bit quantisation.
  const double s = arma::abs(W).max();
  const arma::mat r = (arma::conv_to<arma::mat>::from(y) - arma::conv_to<arma::mat>::from(x) * W) / s;
  const double sd = arma::stddev(arma::vectorise(r));
  // 16384 samples: the std's relative standard error is 1/sqrt(2 n) = 0.55%; 4 sigma.
  CHECK(sd == Approx(0.1).epsilon(0.022));
  CHECK(std::abs(arma::mean(arma::vectorise(r))) < 4 * 0.1 / std::sqrt(16384.0));
}

TEST_CASE("pcm-read weight noise equals independent per-cell noise in distribution", "[crossbar][tile]") {
  // Reference: draw sigma_ij = w_noise sqrt|w_ij| on every cell independently (arma's own
  // generator, unrelated to ours) and compare the per-output variance with the tile's.
  const std::size_t rows = 32, cols = 8, reps = 4000;
  TileConfig c;
  c.forward_io.noise_management = "none";
  c.forward_io.out_noise = 0.0;
  c.forward_io.w_noise_type = "pcm-read";
  c.forward_io.w_noise = 0.05;
  c.forward_dac.bits = 16;
  c.forward_adc.bits = 16;
  c.forward_adc.range = 40;
  const arma::mat W = random_weights(rows, cols, 10);
  AnalogTile tile(exact_device(), c, rows, cols, 11);
  tile.set_weights(W);
  const double s = arma::abs(W).max();
  const arma::mat Wn = W / s;
  const arma::frowvec x = random_inputs(1, rows, 12).row(0) * 0.8f;
  const arma::fmat X = arma::repmat(x, reps, 1);
  arma::fmat y;
  tile.forward(X, y);
  const arma::rowvec var_tile = arma::var(arma::conv_to<arma::mat>::from(y) / s, 0, 0);
  arma::arma_rng::set_seed(99);
  arma::mat ymc(reps, cols);
  const arma::rowvec xd = arma::conv_to<arma::rowvec>::from(x);
  for (std::size_t k = 0; k < reps; ++k)
    ymc.row(k) = xd * (Wn + 0.05 * arma::sqrt(arma::abs(Wn)) % arma::mat(rows, cols, arma::fill::randn));
  const arma::rowvec var_mc = arma::var(ymc, 0, 0);
  // Both variances have relative standard error sqrt(2 / 4000) = 2.2%; their ratio
  // within 4 sigma of the combined error (3.2%).
  for (std::size_t j = 0; j < cols; ++j) CHECK(var_tile(j) / var_mc(j) == Approx(1.0).margin(0.13));
}

TEST_CASE("exact wires: the tile's forward equals the sparse nodal solve", "[crossbar][tile]") {
  TileConfig c = perfect_config();
  c.tile.wire_model = "exact";
  c.wires = WireParams{2.5, 2.5, 10.0, 10.0};
  const std::size_t rows = 24, cols = 12;
  const arma::mat W = random_weights(rows, cols, 13);
  AnalogTile tile(exact_device(1e-5, 1e-4), c, rows, cols, 14);  // ~10-100 kOhm cells: visible IR drop
  tile.set_weights(W);
  const arma::fmat x = random_inputs(6, rows, 15);
  arma::fmat y;
  tile.forward(x, y);
  // Independent path: CHOLMOD on the physical conductances, then the mapping's inverse.
  const LinearCrossbarSolver solver(arma::conv_to<arma::mat>::from(tile.conductances()), c.wires);
  const double v_read = c.tile.v_read_V;
  const arma::mat I = solver.currents(arma::conv_to<arma::mat>::from(x) * v_read);
  const arma::mat ref = unmap_outputs(I, tile.mapping(), v_read);
  CHECK(max_rel(y, ref) < 1e-5);
  // ...and the IR drop is visible: differs from the ideal product by more than float noise.
  CHECK(max_rel(y, arma::conv_to<arma::mat>::from(x) * W) > 1e-3);
}

TEST_CASE("tile results are identical for any thread count and repeat with the seed", "[crossbar][tile]") {
  TileConfig c;
  c.forward_io.w_noise_type = "additive-constant";
  c.forward_io.w_noise = 0.02;
  const arma::mat W = random_weights(300, 40, 16);
  const arma::fmat x = random_inputs(64, 300, 17) * 3.0f;
  auto run = [&](std::size_t threads) {
    ThreadLimit limit(threads);
    AnalogTile tile(exact_device(), c, 300, 40, 21);
    tile.set_weights(W);
    arma::fmat y;
    tile.forward(x, y);
    return y;
  };
  const arma::fmat a = run(1), b = run(2);
  CHECK(arma::approx_equal(a, b, "absdiff", 0.0f));
  AnalogTile other(exact_device(), c, 300, 40, 22);
  other.set_weights(W);
  arma::fmat y;
  other.forward(x, y);
  CHECK_FALSE(arma::approx_equal(a, y, "absdiff", 0.0f));
}

TEST_CASE("bad tile input is a ConfigError naming the argument", "[crossbar][tile]") {
  AnalogTile tile(exact_device(), TileConfig{}, 8, 4, 1);
  arma::fmat y;
  try {
    tile.forward(arma::fmat(2, 7, arma::fill::ones), y);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("forward.x") != std::string::npos);
  }
  arma::fmat bad(2, 8, arma::fill::ones);
  bad(1, 3) = std::nanf("");
  CHECK_THROWS_AS(tile.forward(bad, y), ConfigError);
  CHECK_THROWS_AS(tile.set_weights(arma::mat(8, 5)), ConfigError);
  TileConfig c;
  c.forward_io.noise_management = "sometimes";
  c.tile.v_read_V = -1;
  try {
    AnalogTile t2(exact_device(), c, 8, 4, 1);
    FAIL("no error");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("forward_io.noise_management") != std::string::npos);
    CHECK(what.find("tile.v_read_V") != std::string::npos);
  }
}

TEST_CASE("1T1R tile: write-verify through the transistor, forward equals ngspice", "[crossbar][tile]") {
  test::require_ngspice();
  // 10-100 kOhm devices behind a 10 kOhm access transistor: G r_access up to 1, so the
  // series resistance halves the largest cell conductance.
  TileConfig c = perfect_config();
  c.cell_access.cell = "1T1R";
  c.cell_access.r_access_ohm = 10e3;
  c.tile.wire_model = "exact";
  c.wires = WireParams{5.0, 5.0, 50.0, 50.0};
  const std::size_t rows = 6, cols = 4;
  const arma::mat W = random_weights(rows, cols, 30);
  AnalogTile tile(exact_device(1e-5, 1e-4), c, rows, cols, 31);
  tile.set_weights(W);
  // The mapping range is the cell range: G / (1 + G r) at both ends (hand computation).
  CHECK(tile.mapping().G_S.max() == Approx(1e-4 / 2.0).epsilon(1e-9));
  arma::fmat y;
  const arma::fmat x = random_inputs(2, rows, 32);
  tile.forward(x, y);
  // Independent path: the device conductances as programmed, each in series with an
  // explicit 10 kOhm resistor, solved by ngspice; the mapping's inverse gives W units.
  arma::fmat G_dev;
  read_all(tile.model(), tile.state(), c.tile.v_read_V, false, 0, G_dev);
  const double v_read = c.tile.v_read_V;
  for (arma::uword b = 0; b < x.n_rows; ++b) {
    const arma::rowvec v = arma::conv_to<arma::rowvec>::from(x.row(b)) * v_read;
    const std::vector<double> spice = test::ngspice_crossbar(
        "tile1t1r_" + std::to_string(b), arma::conv_to<arma::mat>::from(G_dev), c.wires, v, {}, 10e3);
    REQUIRE(spice.size() >= G_dev.n_cols);
    arma::mat I(1, G_dev.n_cols);
    for (arma::uword k = 0; k < G_dev.n_cols; ++k) I(0, k) = spice[k];
    const arma::mat ref = unmap_outputs(I, tile.mapping(), v_read);
    for (arma::uword j = 0; j < cols; ++j) CHECK(y(b, j) == Approx(ref(0, j)).epsilon(1e-5));
  }
  // Write-verify read through the transistor: the weights come back as requested.
  CHECK(arma::abs(tile.weights() - W).max() < 1e-4);
}

TEST_CASE("2T2R needs the differential mapping", "[crossbar][tile]") {
  TileConfig c;
  c.cell_access.cell = "2T2R";
  c.mapping.scheme = "reference-column";
  CHECK_THROWS_AS(AnalogTile(exact_device(), c, 4, 4, 1), ConfigError);
  c.mapping.scheme = "differential";
  CHECK_NOTHROW(AnalogTile(exact_device(), c, 4, 4, 1));
}

TEST_CASE("probe-measured dw_min equals the device step by hand", "[crossbar][tile][update]") {
  // Quiet constant-step device: one SET moves w by dw_min = 0.001 over the nominal span
  // w_max - w_min = 1.2, i.e. G by 0.001 / 1.2 of the device's range (rpu_step.hpp);
  // 0T1R, so the cell range is the device range.
  TileConfig c = perfect_config();
  AnalogTile tile(exact_device(), c, 4, 4, 1);
  CHECK(tile.dw_min() == Approx(0.001 / 1.2).epsilon(1e-4));
}

TEST_CASE("pulsed update: mean weight change is -lr x d, spread as binomial", "[crossbar][tile][update]") {
  // Reference: aihwkit's pulsed update (aihwkit.md 1.7) makes n_ij ~ Binomial(BL, p_ij),
  // p_ij = p_x p_d, per sample, with dw_min E[n] = lr |x d|. Over K repetitions from the
  // same weights the mean change is -lr x_i d_j within 4 standard errors
  // sqrt(BL p (1 - p) / K) dw per cell, and the least-squares slope of mean against
  // expected is 1 within 4 of its standard errors (sensitive to a 2% bias).
  const std::size_t rows = 8, cols = 6, K = 2000;
  for (const std::string scheme : {"reference-column", "differential"}) {
    TileConfig c = perfect_config();
    c.mapping.scheme = scheme;
    c.mapping.scale = "per-column";
    c.update.update_bl_management = false;  // fixed BL = 31, A = B = sqrt(lr / (dw BL))
    c.update.update_management = false;
    AnalogTile tile(exact_device(), c, rows, cols, 3);
    arma::mat W0 = random_weights(rows, cols, 40) * 0.3;
    const arma::fmat x = random_inputs(1, rows, 41);
    const arma::fmat d = random_inputs(1, cols, 42);
    tile.set_weights(W0);
    W0 = tile.weights();  // as programmed
    const arma::vec s = tile.mapping().column_scale;
    const double dw = tile.dw_min();
    const double lr = 10 * dw * s.min();  // p_ij <= 10 / 31 (|x d| <= 1): no clipping at 1
    arma::mat sum(rows, cols, arma::fill::zeros);
    for (std::size_t k = 0; k < K; ++k) {
      tile.set_weights(W0);
      const TileUpdateReport rep = tile.update(x, d, lr);
      CHECK(rep.pulses.bl_max == 31);
      sum += tile.weights() - W0;
    }
    const arma::mat mean = sum / static_cast<double>(K);
    const arma::mat expected = -lr * arma::conv_to<arma::mat>::from(x).t() * arma::conv_to<arma::mat>::from(d);
    double num = 0, den = 0, var_num = 0;
    for (arma::uword i = 0; i < rows; ++i)
      for (arma::uword j = 0; j < cols; ++j) {
        // Each column's largest |W| sits at the device bound, where steps outwards clip.
        if (std::abs(W0(i, j)) > 0.9 * s(j)) continue;
        // Per coincidence the weight moves by dw * factor_j: dw s_j (differential) or
        // 2 dw s_j (reference column).
        const double step = dw * s(j) * (scheme == "differential" ? 1.0 : 2.0);
        const double p = std::abs(expected(i, j)) / (31.0 * step);
        const double var = step * step * 31.0 * p * (1 - p) / K;
        CHECK(std::abs(mean(i, j) - expected(i, j)) <= 4 * std::sqrt(var) + 1e-12);
        num += mean(i, j) * expected(i, j);
        den += expected(i, j) * expected(i, j);
        var_num += expected(i, j) * expected(i, j) * var;
      }
    CHECK(std::abs(num / den - 1.0) <= 4 * std::sqrt(var_num) / den);
    CHECK(4 * std::sqrt(var_num) / den < 0.03);  // the test can see a 3% bias
  }
}

TEST_CASE("update errors name the argument", "[crossbar][tile][update]") {
  AnalogTile tile(exact_device(), perfect_config(), 4, 3, 1);
  CHECK_THROWS_AS(tile.update(arma::fmat(2, 4), arma::fmat(3, 3), 0.1), ConfigError);
  TileConfig c = perfect_config();
  c.mapping.scheme = "bit-sliced";
  AnalogTile sliced(exact_device(), c, 4, 3, 1);
  CHECK_THROWS_AS(sliced.update(arma::fmat(2, 4, arma::fill::ones), arma::fmat(2, 3, arma::fill::ones), 0.1),
                  ConfigError);
}

TEST_CASE("tile write-verify report: pulses as counted by hand, weights within tolerance", "[crossbar][tile]") {
  // Linear rram-pulse devices (NL = 0, 64 equal steps of dG / 64, no variation). A fresh
  // device sits at g_min; write-verify (rram_pulse.hpp program()) inverts the curve and
  // applies round(64 (G_t - g_min) / dG) SET pulses in one round unless the device is
  // already within tol dG, and the grid error dG / 128 < tol ends it. Energy per pulse
  // V^2 G t at the pre-pulse conductance g_min: 2 V, 10 ns.
  RramPulseParams p;
  TileConfig c = perfect_config();
  c.tile.program_tolerance_rel = 0.02;
  AnalogTile tile(std::make_unique<RramPulseModel>(p), c, 12, 5, 9);
  const arma::mat W = random_weights(12, 5, 50);
  const TileProgramReport rep = tile.set_weights(W);
  const double dG = p.g_max_S - p.g_min_S;
  std::uint64_t expected = 0;
  for (const double g : arma::vec(arma::vectorise(tile.mapping().G_S)))
    if (g - p.g_min_S > 0.02 * dG) expected += static_cast<std::uint64_t>(std::lround(64.0 * (g - p.g_min_S) / dG));
  CHECK(rep.device.pulses == expected);
  CHECK(rep.device.energy_J == Approx(expected * 2.0 * 2.0 * p.g_min_S * 10e-9).epsilon(1e-5));
  CHECK(rep.device.unconverged == 0);
  // Each of a pair's two devices is within tol dG, so |dW| <= 2 tol s (s = max |W|).
  CHECK(rep.weight_max_error <= 2 * 0.02 * arma::abs(W).max() * (1 + 1e-6));
  CHECK(rep.weight_rms_error <= rep.weight_max_error);
}

TEST_CASE("bit-serial DAC: shift-added planes equal the multi-level conversion", "[crossbar][tile]") {
  // Both modes quantise x to the same code * LSB (dac.hpp); with a 16-bit ADC the only
  // difference is the ADC rounding of each of the 6 planes, at most LSB_adc / 2 times the
  // plane weight 2^b LSB_dac (sum over b: 63 LSB_dac = 1 for 7 bits), times alpha s.
  TileConfig c;
  c.cell_access.cell = "0T1R";
  c.forward_io.out_noise = 0.0;
  c.forward_adc.bits = 16;
  c.forward_adc.range = 40;
  const arma::mat W = random_weights(32, 8, 60);
  const arma::fmat x = random_inputs(10, 32, 61);
  arma::fmat y_ml, y_bs;
  AnalogTile ml(exact_device(), c, 32, 8, 1);
  ml.set_weights(W);
  ml.forward(x, y_ml);
  c.forward_dac.mode = "bit-serial";
  AnalogTile bs(exact_device(), c, 32, 8, 1);
  bs.set_weights(W);
  bs.forward(x, y_bs);
  CHECK(bs.last_stats().analog_mvms == 6);
  const double s = arma::abs(W).max(), lsb_adc = 80.0 / 65535.0;
  for (arma::uword b = 0; b < x.n_rows; ++b) {
    const double alpha = arma::abs(x.row(b)).max();
    for (arma::uword j = 0; j < 8; ++j)
      CHECK(std::abs(y_bs(b, j) - y_ml(b, j)) <= alpha * s * (1.0 * lsb_adc / 2 + lsb_adc / 2) * 1.001);
  }
}

TEST_CASE("integrator saturation clips before the ADC and triggers bound management", "[crossbar][tile]") {
  TileConfig c = TileConfig{};
  c.cell_access.cell = "0T1R";
  c.forward_io.out_noise = 0.0;
  c.forward_io.integrator_saturation = 5.0;
  c.forward_io.bound_management = "none";
  c.forward_adc.bits = 12;
  const arma::mat W(16, 2, arma::fill::value(0.5));
  const arma::fmat x(3, 16, arma::fill::value(1.0f));  // normalised output 16 > 5
  AnalogTile tile(exact_device(), c, 16, 2, 1);
  tile.set_weights(W);
  arma::fmat y;
  tile.forward(x, y);
  // Clipped at 5 (normalised) times alpha s = 0.5, within the 12-bit ADC's half LSB.
  CHECK(std::abs(y(0, 0) - 5.0 * 0.5) <= 0.5 * 12.0 / 4095.0);
  CHECK(tile.last_stats().clipped_vectors == 3);
  c.forward_io.bound_management = "iterative";
  AnalogTile managed(exact_device(), c, 16, 2, 1);
  managed.set_weights(W);
  managed.forward(x, y);
  CHECK(managed.last_stats().clipped_vectors == 0);
  CHECK(y(0, 0) == Approx(8.0).epsilon(0.02));  // 16 x 0.5, after halving to 16 -> 8 -> 4
}

TEST_CASE("device read noise: per-batch shares one read, per-mvm redraws for every vector", "[crossbar][tile]") {
  RramPulseParams p;
  p.read_noise_rel = 0.05;
  TileConfig c = perfect_config();
  const arma::mat W = random_weights(16, 4, 70);
  const arma::fmat x = arma::repmat(random_inputs(1, 16, 71), 1024, 1);  // one vector, 1024 times
  arma::fmat y;
  c.tile.device_read_noise = "per-batch";
  AnalogTile batch(std::make_unique<RramPulseModel>(p), c, 16, 4, 2);
  batch.set_weights(W);
  batch.forward(x, y);
  CHECK(arma::abs(y.each_row() - y.row(0)).max() == 0.0f);
  const arma::frowvec first = y.row(0);
  batch.forward(x, y);
  CHECK(arma::abs(y.row(0) - first).max() > 0.0f);  // a new call reads anew
  c.tile.device_read_noise = "per-mvm";
  AnalogTile mvm(std::make_unique<RramPulseModel>(p), c, 16, 4, 2);
  mvm.set_weights(W);
  mvm.forward(x, y);
  // Reference spread: each cell reads G (1 + 0.05 xi) (rram_common.hpp), so output j has
  // std 0.05 s / dG sqrt(sum_i x_i^2 (G+_ij^2 + G-_ij^2)) (differential pair, s = max|W|).
  const arma::mat G = arma::conv_to<arma::mat>::from(mvm.conductances());
  const arma::vec x2 = arma::square(arma::conv_to<arma::vec>::from(x.row(0).t()));
  const double s = arma::abs(W).max(), dG = p.g_max_S - p.g_min_S;
  const arma::mat ys = arma::conv_to<arma::mat>::from(y);
  for (arma::uword j = 0; j < 4; ++j) {
    const double sd =
        0.05 * s / dG * std::sqrt(arma::dot(x2, arma::square(G.col(2 * j)) + arma::square(G.col(2 * j + 1))));
    // 1024 samples: the sample std is within 4 / sqrt(2 x 1023) = 12.5% of the true one.
    CHECK(arma::stddev(ys.col(j)) == Approx(sd).epsilon(0.125));
  }
}

TEST_CASE("per-vector conductances with exact wires: the CG path equals the transfer matrix", "[crossbar][tile]") {
  // With a noise-free device, "per-mvm" reads the same conductances for every vector and
  // solves each by line-preconditioned CG (line_solver.hpp); the reference is the exact
  // transfer-matrix path of "off" (transfer_matrix.hpp), a different algorithm.
  RramPulseParams p;  // read_noise_rel = 0
  p.g_min_S = 1e-5;
  p.g_max_S = 1e-4;
  TileConfig c = perfect_config();
  c.tile.wire_model = "exact";
  c.wires = WireParams{2.0, 2.0, 20.0, 20.0};
  const arma::mat W = random_weights(20, 6, 80);
  const arma::fmat x = random_inputs(5, 20, 81);
  arma::fmat y_ref, y_cg;
  AnalogTile ref(std::make_unique<RramPulseModel>(p), c, 20, 6, 3);
  ref.set_weights(W);
  ref.forward(x, y_ref);
  c.tile.device_read_noise = "per-mvm";
  AnalogTile cg(std::make_unique<RramPulseModel>(p), c, 20, 6, 3);
  cg.set_weights(W);
  cg.forward(x, y_cg);
  CHECK(max_rel(y_cg, arma::conv_to<arma::mat>::from(y_ref)) < 1e-5);
  CHECK(max_rel(y_ref, arma::conv_to<arma::mat>::from(x) * W) > 1e-3);  // IR drop is present
}

TEST_CASE("per-column ADC ranges calibrate on the first batch's noise-managed outputs", "[crossbar][tile]") {
  // The range of column j becomes max_b |(x_b / alpha_b) W_j / s| (adc.hpp per-column mode),
  // calibrated on the ideal outputs: the DAC-quantised outputs can exceed it by at most
  // the DAC error and saturate there, so each output is within half a 6-bit LSB of that
  // range (times alpha s) plus the 16-bit DAC error bound of the quantisation test above.
  TileConfig c;
  c.cell_access.cell = "0T1R";
  c.forward_io.out_noise = 0.0;
  c.forward_io.bound_management = "none";
  c.forward_dac.bits = 16;  // a fine DAC and a coarse ADC: the ADC range decides the error
  c.forward_adc.bits = 6;
  c.forward_adc.range_mode = "per-column";
  const arma::mat W = random_weights(48, 6, 90) * 0.7;
  const arma::fmat x = random_inputs(20, 48, 91);
  AnalogTile tile(exact_device(), c, 48, 6, 5);
  tile.set_weights(W);
  arma::fmat y;
  tile.forward(x, y);
  const double s = arma::abs(W).max(), lsb_dac = 2.0 / 65534.0;
  const arma::mat xd = arma::conv_to<arma::mat>::from(x);
  arma::mat xn = xd;
  xn.each_col() /= arma::max(arma::abs(xd), 1);
  const arma::mat ideal = xn * W / s;  // the calibration data, normalised
  const arma::mat ref = xd * W;
  for (arma::uword b = 0; b < x.n_rows; ++b) {
    const double alpha = arma::abs(xd.row(b)).max();
    for (arma::uword j = 0; j < W.n_cols; ++j) {
      const double range = arma::abs(ideal.col(j)).max();
      const double bound = alpha * s * (arma::accu(arma::abs(W.col(j))) / s * lsb_dac / 2 + range / 63.0);
      CHECK(std::abs(y(b, j) - ref(b, j)) <= bound * 1.0001 + 1e-6);
    }
  }
}

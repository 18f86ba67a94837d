// TransferTile: Tiki-Taka v1 on two analog tiles (crossbar/transfer_tile.hpp). References:
// aihwkit's TransferRPUDevice (rpu_transfer_device.cpp: getTransferEvery, transfer,
// readAndUpdate; shared/reference/aihwkit.md 1.4) for the schedule, evaluated by hand in
// each test; the binomial law of the pulsed update (aihwkit.md 1.7) for the transferred
// amounts; exact matrix products for the gamma-weighted reads.
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/crossbar/transfer_tile.hpp>
#include <xbarsim/devices/rpu_step.hpp>

using namespace xbarsim;

namespace {

/// aihwkit ConstantStep with every spread and the cycle-to-cycle noise off: one
/// coincidence moves w by exactly dw_min = 0.001.
std::unique_ptr<DeviceModel> ideal_constant_step() {
  RpuStepParams p;
  p.dw_min_dtod = p.dw_min_std = p.up_down_dtod = p.w_max_dtod = p.w_min_dtod = 0.0;
  return std::make_unique<RpuStepModel>(p);
}

/// One device per weight against a reference column, weights in device units (fixed
/// scale 0.6 = w_max): one coincidence changes a weight by q = 2 * 0.6 * (0.001 / 1.2)
/// = 0.001 (weight_mapping.hpp reference-column factor 2 s; rpu_step dw_min / span).
TileConfig device_unit_tiles(bool perfect) {
  TileConfig c;
  c.cell_access.cell = "0T1R";
  c.mapping.scheme = "reference-column";
  c.mapping.scale = "fixed";
  c.mapping.fixed_scale = 0.6;
  c.forward_io.is_perfect = c.backward_io.is_perfect = perfect;
  return c;
}

arma::mat uniform(std::size_t r, std::size_t c, double half, int seed) {
  arma::arma_rng::set_seed(seed);
  return (arma::mat(r, c, arma::fill::randu) * 2.0 - 1.0) * half;
}

}  // namespace

TEST_CASE("Tiki-Taka transfers follow aihwkit's schedule, one input line at a time", "[crossbar][transfer]") {
  // Hand-evaluated schedule (aihwkit TransferRPUDevice: u counts mat-vecs, period
  // P = ceil(transfer_every * m_batch) with units_in_mbatch, a transfer whenever u % P == 0,
  // n_reads_per_transfer consecutive columns from the one after the last, wrapping).
  // 5 inputs, batch 3, transfer_every 2 mini-batches, 2 reads: P = 6, so transfers after
  // updates 2, 4, 6 (u = 6, 12, 18) reading columns {0, 1}, {2, 3}, {4, 0}; next is 1.
  TransferConfig tc;
  tc.transfer.transfer_every = 2.0;
  tc.transfer.n_reads_per_transfer = 2;
  tc.transfer_io.is_perfect = true;
  TransferTile tile(ideal_constant_step(), ideal_constant_step(), device_unit_tiles(true), tc, 5, 3, 7);
  tile.set_weights(uniform(5, 3, 0.3, 1));
  const arma::fmat x = arma::conv_to<arma::fmat>::from(uniform(3, 5, 1.0, 2));
  const arma::fmat d = arma::conv_to<arma::fmat>::from(uniform(3, 3, 1.0, 3));
  const std::vector<std::vector<std::size_t>> expected = {{}, {0, 1}, {}, {2, 3}, {}, {4, 0}};
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const arma::mat C0 = tile.slow().weights();
    const TransferUpdateReport rep = tile.update(x, d, 0.05);
    CHECK(rep.columns == expected[k]);
    CHECK(rep.transfers == (expected[k].empty() ? 0u : 1u));
    // Only the transferred input lines of C change (A is non-zero after the first update).
    const arma::mat dC = tile.slow().weights() - C0;
    for (std::size_t i = 0; i < 5; ++i) {
      const bool read = std::find(expected[k].begin(), expected[k].end(), i) != expected[k].end();
      if (!read) CHECK(arma::abs(dC.row(i)).max() == 0.0);
    }
  }
  CHECK(tile.update_count() == 18);
  CHECK(tile.transfer_count() == 3);
  CHECK(tile.next_column() == 1);

  // Mat-vec units (units_in_mbatch = false): P = round(4) = 4 samples; with batch 3 the
  // counter runs 3, 6, 9, 12, crossing multiples of 4 in (3, 6], (6, 9], (9, 12]: no
  // transfer after the first update, one after each of the next three.
  tc.transfer.units_in_mbatch = false;
  tc.transfer.transfer_every = 4.0;
  tc.transfer.n_reads_per_transfer = 1;
  TransferTile t2(ideal_constant_step(), ideal_constant_step(), device_unit_tiles(true), tc, 5, 3, 7);
  t2.set_weights(uniform(5, 3, 0.3, 1));
  const std::vector<std::size_t> n_transfers = {0, 1, 1, 1};
  for (std::size_t k = 0; k < n_transfers.size(); ++k) CHECK(t2.update(x, d, 0.05).transfers == n_transfers[k]);
  CHECK(t2.next_column() == 3);

  // transfer_every = 0: no transfer (aihwkit: "If transfer_every is 0.0 no transfer will be made").
  tc.transfer.transfer_every = 0.0;
  TransferTile t3(ideal_constant_step(), ideal_constant_step(), device_unit_tiles(true), tc, 5, 3, 7);
  t3.set_weights(uniform(5, 3, 0.3, 1));
  for (int k = 0; k < 4; ++k) CHECK(t3.update(x, d, 0.05).transfers == 0);
}

TEST_CASE("a transfer adds transfer_lr times the read column of A to C, binomially", "[crossbar][transfer]") {
  // gamma = 0, noise-free ConstantStep devices, perfect transfer read: a transfer of
  // input line 0 pulses C row 0 with x = e_0, d = -r, r = A's row 0 (the noise-free read
  // A.weights().row(0) is the reference). aihwkit's update-BL management (aihwkit.md 1.7)
  // gives k = lr_T max|r| / q, BL = ceil(k) (<= 31 here) and per slot p_x = sqrt(k / BL),
  // p_d,j = sqrt(k / BL) |r_j| / max|r|, so the coincidence count is n_j ~ Binomial(BL,
  // p_j) with p_j = lr_T |r_j| / (q BL): E[dC_j] = lr_T r_j and Var = q^2 BL p_j (1 - p_j),
  // q = 0.001. Over K repetitions from the same state, every mean is within 4.5 standard
  // errors, and the least-squares slope of mean against lr_T r is 1 within 4 of its
  // standard errors (which the test requires to be below 2%). Other rows do not move.
  const std::size_t in = 4, out = 48, K = 60;
  const double q = 0.001;
  TransferConfig tc;
  tc.transfer.transfer_lr = 0.5;  // scale_transfer_lr: lr_T = 0.5 * lr
  tc.transfer_io.is_perfect = true;
  const double lr = 0.1, lr_t = 0.05;
  TransferTile tile(ideal_constant_step(), ideal_constant_step(), device_unit_tiles(true), tc, in, out, 11);
  const arma::mat A0 = uniform(in, out, 0.3, 12), C0 = uniform(in, out, 0.3, 13);
  const arma::fmat x(1, in, arma::fill::ones), zero_d(1, out, arma::fill::zeros);  // d = 0: no pulses on A
  arma::rowvec sum(out, arma::fill::zeros);
  arma::rowvec r;
  arma::mat C_start;
  for (std::size_t k = 0; k < K; ++k) {
    tile.set_weights(C0);
    tile.fast().set_weights(A0);
    C_start = tile.slow().weights();
    r = tile.fast().weights().row(0);
    const TransferUpdateReport rep = tile.update(x, zero_d, lr);
    REQUIRE(rep.columns == std::vector<std::size_t>{0});
    CHECK(arma::abs(tile.fast().weights() - A0).max() < 1e-5);  // A untouched (d = 0)
    const arma::mat dC = tile.slow().weights() - C_start;
    CHECK(arma::abs(dC.rows(1, in - 1)).max() == 0.0);
    sum += dC.row(0);
  }
  const arma::rowvec mean = sum / static_cast<double>(K);
  const arma::rowvec expect = lr_t * r;
  const double k_bl = lr_t * arma::abs(r).max() / q;
  const double bl = std::ceil(k_bl);
  REQUIRE(bl <= 31);
  double num = 0, den = 0, var_num = 0;
  for (std::size_t j = 0; j < out; ++j) {
    const double p = std::abs(expect(j)) / (q * bl);
    const double var = q * q * bl * p * (1 - p) / K;
    CHECK(std::abs(mean(j) - expect(j)) <= 4.5 * std::sqrt(var) + 1e-7);
    num += mean(j) * expect(j);
    den += expect(j) * expect(j);
    var_num += expect(j) * expect(j) * var;
  }
  CHECK(std::abs(num / den - 1.0) <= 4 * std::sqrt(var_num) / den);
  CHECK(4 * std::sqrt(var_num) / den < 0.02);
}

TEST_CASE("Tiki-Taka learning rates: fast_lr on A, scaled or absolute", "[crossbar][transfer]") {
  // A's update rate (aihwkit getPulseCountLearningRate / scale_fast_lr): fast_lr * lr when
  // scaled, fast_lr when not. With x, d fixed, E[dA] = -lr_A x^T d; the least-squares
  // slope of dA against -x^T d estimates lr_A (binomial spread as above, q = 0.001; the
  // 4-sigma band is required to be below 15% of lr_A, so 0.01 and 0.02 are told apart).
  // lr_A max|x| max|d| / q <= 20 < 31: no pulse train is capped at desired_bl.
  const std::size_t in = 16, out = 64;
  const arma::fmat x = arma::conv_to<arma::fmat>::from(uniform(1, in, 1.0, 21));
  const arma::fmat d = arma::conv_to<arma::fmat>::from(uniform(1, out, 1.0, 22));
  const arma::mat g = arma::conv_to<arma::mat>::from(x).t() * arma::conv_to<arma::mat>::from(d);
  for (const bool scaled : {true, false}) {
    TransferConfig tc;
    tc.transfer.transfer_every = 0.0;  // no transfers: only A moves
    tc.transfer.fast_lr = 0.02;
    tc.transfer.scale_fast_lr = scaled;
    const double lr = 0.5, lr_a = scaled ? 0.01 : 0.02;
    TransferTile tile(ideal_constant_step(), ideal_constant_step(), device_unit_tiles(true), tc, in, out, 23);
    tile.set_weights(arma::mat(in, out, arma::fill::zeros));
    const arma::mat A0 = tile.fast().weights();
    tile.update(x, d, lr);
    const arma::mat dA = tile.fast().weights() - A0;
    const double slope = -arma::accu(dA % g) / arma::accu(g % g);
    // Var(dA_ij) <= q lr_A |g_ij| (binomial, p <= 1): the slope's variance bound.
    const double var = 0.001 * lr_a * arma::accu(arma::abs(g) % g % g) / std::pow(arma::accu(g % g), 2);
    INFO("scaled " << scaled << " slope " << slope << " expected " << lr_a);
    CHECK(std::abs(slope - lr_a) <= 4 * std::sqrt(var));
    CHECK(4 * std::sqrt(var) < 0.15 * lr_a);
    CHECK(arma::abs(tile.slow().weights()).max() < 1e-5);  // C untouched without transfers
  }
}

TEST_CASE("gamma weights the fast tile in the reads: W = gamma A + C", "[crossbar][transfer]") {
  // Exact products with perfect periphery (reference: arma GEMM of gamma A + C); A's
  // forward is the transfer read periphery, made perfect too.
  TransferConfig tc;
  tc.transfer.gamma = 0.5;
  tc.transfer_io.is_perfect = true;
  TransferTile tile(ideal_constant_step(), ideal_constant_step(), device_unit_tiles(true), tc, 6, 5, 31);
  tile.set_weights(uniform(6, 5, 0.3, 32));
  tile.fast().set_weights(uniform(6, 5, 0.3, 33));
  const arma::mat W = 0.5 * tile.fast().weights() + tile.slow().weights();
  CHECK(arma::abs(tile.weights() - W).max() < 1e-12);
  const arma::fmat x = arma::conv_to<arma::fmat>::from(uniform(3, 6, 1.0, 34));
  const arma::fmat d = arma::conv_to<arma::fmat>::from(uniform(3, 5, 1.0, 35));
  arma::fmat y, dx;
  tile.forward(x, y);
  tile.backward(d, dx);
  CHECK(arma::abs(arma::conv_to<arma::mat>::from(y) - arma::conv_to<arma::mat>::from(x) * W).max() < 1e-5);
  CHECK(arma::abs(arma::conv_to<arma::mat>::from(dx) - arma::conv_to<arma::mat>::from(d) * W.t()).max() < 1e-5);
  // gamma = 0 (aihwkit's default): the reads see C only.
  TransferTile c_only(ideal_constant_step(), ideal_constant_step(), device_unit_tiles(true), TransferConfig{}, 6, 5,
                      31);
  c_only.set_weights(uniform(6, 5, 0.3, 32));
  c_only.fast().set_weights(uniform(6, 5, 0.3, 33));
  CHECK(arma::abs(c_only.weights() - c_only.slow().weights()).max() == 0.0);
}

TEST_CASE("Tiki-Taka tiles repeat bit for bit with the seed, for 1 and 2 threads", "[crossbar][transfer]") {
  // Noisy aihwkit-default periphery and ConstantStep spreads; 20 updates with transfers.
  auto run = [](std::size_t threads, std::uint64_t seed) {
    ThreadLimit limit(threads);
    TransferConfig tc;
    tc.transfer.n_reads_per_transfer = 3;
    TransferTile tile(std::make_unique<RpuStepModel>(RpuStepParams{}), std::make_unique<RpuStepModel>(RpuStepParams{}),
                      device_unit_tiles(false), tc, 40, 12, seed);
    tile.set_weights(uniform(40, 12, 0.3, 41));
    const arma::fmat x = arma::conv_to<arma::fmat>::from(uniform(8, 40, 1.0, 42));
    const arma::fmat d = arma::conv_to<arma::fmat>::from(uniform(8, 12, 1.0, 43));
    for (int k = 0; k < 20; ++k) tile.update(x, d, 0.05);
    return tile.weights();
  };
  const arma::mat a = run(1, 5), b = run(2, 5), c = run(1, 6);
  CHECK(arma::approx_equal(a, b, "absdiff", 0.0));
  CHECK_FALSE(arma::approx_equal(a, c, "absdiff", 0.0));
}

TEST_CASE("Tiki-Taka configuration errors name the key", "[crossbar][transfer]") {
  auto make = [](const TransferConfig& tc, const TileConfig& c) {
    TransferTile t(ideal_constant_step(), ideal_constant_step(), c, tc, 4, 3, 1);
  };
  auto message = [&](const TransferConfig& tc, const TileConfig& c) -> std::string {
    try {
      make(tc, c);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  };
  TransferConfig rows;
  rows.transfer.transfer_columns = false;
  CHECK(message(rows, device_unit_tiles(true)).find("transfer.transfer_columns") != std::string::npos);
  TransferConfig neg;
  neg.transfer.transfer_every = -1.0;
  CHECK(message(neg, device_unit_tiles(true)).find("transfer.transfer_every") != std::string::npos);
  TransferConfig bm;
  bm.transfer_io.bound_management = "iterative";
  CHECK(message(bm, device_unit_tiles(true)).find("transfer_io.bound_management") != std::string::npos);
  TransferConfig adc;
  adc.transfer_adc.bits = 0;
  CHECK(message(adc, device_unit_tiles(true)).find("transfer_adc.bits") != std::string::npos);
  TileConfig sliced = device_unit_tiles(true);
  sliced.mapping.scheme = "bit-sliced";
  CHECK(message(TransferConfig{}, sliced).find("mapping.scheme") != std::string::npos);
}

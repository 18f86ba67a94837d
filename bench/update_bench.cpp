#include "update_bench.hpp"

#include "bench_util.hpp"

#include <algorithm>
#include <chrono>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/pulsed_update.hpp>
#include <xbarsim/crossbar/tile.hpp>
#include <xbarsim/devices/rpu_step.hpp>

namespace xbarsim::bench {

UpdateBenchResult run_update_bench(std::size_t rows, std::size_t cols, std::size_t batch, int repeats,
                                   const UpdateBenchOptions& options) {
  ThreadLimit one_thread(1);
  repeats = std::max(repeats, 1);
  const arma::fmat X =
      arma::conv_to<arma::fmat>::from(uniform_matrix(batch, rows, -1.0, 1.0, rng_purpose("bench.update.x")));
  const arma::fmat D = arma::conv_to<arma::fmat>::from(
      uniform_matrix(batch, cols, -options.d_scale, options.d_scale, rng_purpose("bench.update.d")));

  RpuStepParams dp;  // aihwkit ConstantStep defaults: dw_min 0.001, dw_min_std 0.3, d2d 0.3
  dp.step = "constant";
  const RpuStepModel model(dp);
  DeviceState state = model.create_state(rows, cols, 1, 0);

  PulsedUpdateParams up;
  up.desired_bl = options.desired_bl;
  const PulsedUpdater updater(up);

  UpdateBenchResult r;
  r.update_s = r.count_s = r.apply_s = r.sgemm_s = 1e300;
  arma::Mat<std::int32_t> net(rows, cols, arma::fill::zeros);
  for (int k = 0; k < repeats; ++k) {
    double apply_s = 0.0;
    const auto t0 = std::chrono::steady_clock::now();
    const PulsedUpdateStats st = updater.update(X, D, options.lr, dp.dw_min, {1, 0, static_cast<std::uint64_t>(k)},
                                                [&](std::size_t, std::size_t, const PulseCounts& counts) {
                                                  const auto t1 = std::chrono::steady_clock::now();
                                                  apply_pulses_all(model, state, counts);
                                                  apply_s += seconds_since(t1);
                                                  if (k == 0)
                                                    net += arma::conv_to<arma::Mat<std::int32_t>>::from(counts);
                                                });
    const double total = seconds_since(t0);
    r.update_s = std::min(r.update_s, total);
    r.apply_s = std::min(r.apply_s, apply_s);
    r.count_s = std::min(r.count_s, total - apply_s);
    if (k == 0) {
      r.bl_max = st.bl_max;
      r.bl_mean = static_cast<double>(st.bl_sum) / static_cast<double>(std::max<std::size_t>(batch, 1));
      r.mean_abs_count = static_cast<double>(st.net_abs_count) / static_cast<double>(rows * cols);
      r.coincidences_per_cell = static_cast<double>(st.coincidences) / static_cast<double>(rows * cols);
    }
  }

  arma::fmat W(rows, cols, arma::fill::zeros);
  const float lr = static_cast<float>(options.lr);
  for (int k = 0; k < std::max(repeats, 5); ++k) {  // at least best of 5: do not penalise the baseline by noise
    const auto t0 = std::chrono::steady_clock::now();
    W -= lr * X.t() * D;
    r.sgemm_s = std::min(r.sgemm_s, seconds_since(t0));
  }
  // Stochastic error of one pulsed update against the exact step (W after k steps is k times it).
  const arma::fmat exact = W / static_cast<float>(std::max(repeats, 5));
  const arma::fmat pulsed = static_cast<float>(dp.dw_min) * arma::conv_to<arma::fmat>::from(net);
  r.rel_err = arma::norm(pulsed - exact, "fro") / std::max(1e-30, static_cast<double>(arma::norm(exact, "fro")));
  r.ratio = r.update_s / r.sgemm_s;

  TileConfig tc;
  tc.cell_access.cell = "0T1R";
  tc.mapping.scheme = "reference-column";
  tc.update.desired_bl = options.desired_bl;
  AnalogTile tile(std::make_unique<RpuStepModel>(dp), tc, rows, cols, 1);
  tile.set_weights(arma::mat(rows, cols, arma::fill::zeros));
  tile.dw_min();  // the one-off probe is set-up, not part of an update
  r.tile_s = 1e300;
  for (int k = 0; k < repeats; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    tile.update(X, D, options.lr);
    r.tile_s = std::min(r.tile_s, seconds_since(t0));
  }
  r.tile_ratio = r.tile_s / r.sgemm_s;
  return r;
}

}  // namespace xbarsim::bench

// Analog forward MVM vs SGEMM (see mvm_bench.hpp).
#include "mvm_bench.hpp"

#include <algorithm>
#include <cmath>
#include <vector>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/crossbar/tile.hpp>
#include <xbarsim/devices/rpu_step.hpp>

#include "bench_util.hpp"

namespace xbarsim::bench {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

MvmBenchResult run_mvm_bench(std::size_t rows, std::size_t cols, std::size_t batch, bool read_noise, int repeats) {
  ThreadLimit one(1);
  TileConfig config;  // the defaults are aihwkit's forward IOParameters
  config.forward_adc.bits = 9;
  config.forward_adc.range = 12.0;
  if (read_noise) {
    config.forward_io.w_noise_type = "pcm-read";
    config.forward_io.w_noise = 0.0175;
  }
  AnalogTile tile(std::make_unique<RpuStepModel>(RpuStepParams{}), config, rows, cols, 1);
  // Bell-shaped weights like a trained layer's (Kaiming-normal std sqrt(2 / rows)).
  tile.set_weights(normal_matrix(rows, cols, std::sqrt(2.0 / static_cast<double>(rows)), rng_purpose("bench.mvm.w")));
  const arma::fmat x = arma::conv_to<arma::fmat>::from(uniform_matrix(batch, rows, -1, 1, rng_purpose("bench.mvm.x")));
  const arma::fmat W = arma::conv_to<arma::fmat>::from(tile.weights());
  arma::fmat y, y_ref;
  std::vector<double> analog, sgemm;
  MvmBenchResult r;
  for (int k = 0; k < repeats; ++k) {
    auto t0 = std::chrono::steady_clock::now();
    tile.forward(x, y);
    analog.push_back(seconds_since(t0));
    r.bm_reruns_per_vector = static_cast<double>(tile.last_stats().bm_reruns) / static_cast<double>(batch);
    t0 = std::chrono::steady_clock::now();
    y_ref = x * W;
    sgemm.push_back(seconds_since(t0));
  }
  r.analog_s = median(analog);
  r.sgemm_s = median(sgemm);
  r.ratio = r.analog_s / r.sgemm_s;
  return r;
}

}  // namespace xbarsim::bench

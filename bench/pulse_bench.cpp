// rpu-step pulse benchmark; see pulse_bench.hpp.
#include "pulse_bench.hpp"

#include <algorithm>
#include <chrono>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/rpu_step.hpp>

namespace xbarsim::bench {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The plain pass: reads every array the soft-bounds update reads (counts, w, both
// step scales, both bounds) and writes w, with no random numbers. Kept out of line so
// the compiler cannot fold it into the timing loop.
[[gnu::noinline]] void plain_pass(const std::int16_t* cnt, float* __restrict w, const float* su, const float* sd,
                                  const float* bx, const float* bn, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const float up = cnt[i] > 0 ? 1.0f : 0.0f;  // selects constants only, so the loop vectorises
    const float s = up * su[i] - (1.0f - up) * sd[i];
    w[i] = std::min(std::max(w[i] + 1e-3f * s * (bx[i] - w[i]), bn[i]), bx[i]);
  }
}

PulseBenchResult run(std::size_t rows, std::size_t cols, int repeats, bool single_call) {
  if (rows == 0 || cols == 0 || repeats < 1) throw ConfigError("bench pulse", "expected rows, cols and repeats >= 1");
  ThreadLimit one_thread(1);
  RpuStepParams p;  // aihwkit PulsedDevice defaults: dw_min_dtod 0.3, dw_min_std 0.3, bounds +-0.6 with 30 % d2d
  p.step = "soft-bounds";
  const RpuStepModel model(p);
  DeviceState state = model.create_state(rows, cols, 42, 0);
  const PulseCounts up(rows, cols, arma::fill::value(std::int16_t{1}));
  const PulseCounts down(rows, cols, arma::fill::value(std::int16_t{-1}));
  float* w = state.field("w").memptr();
  const float* su = state.field("scale_up").memptr();
  const float* sd = state.field("scale_down").memptr();
  const float* bx = state.field("w_max_bound").memptr();
  const float* bn = state.field("w_min_bound").memptr();
  using clock = std::chrono::steady_clock;
  std::vector<double> t_pulse, t_plain;
  for (int r = -1; r < repeats; ++r) {  // r = -1 warms caches and page tables
    const PulseCounts& c = r % 2 == 0 ? up : down;
    const auto t0 = clock::now();
    if (single_call) {
      model.apply_pulses(state, c, state.pulse_step, state.all_rows());
      ++state.pulse_step;
    } else {
      apply_pulses_all(model, state, c);
    }
    const auto t1 = clock::now();
    plain_pass(c.memptr(), w, su, sd, bx, bn, rows * cols);
    const auto t2 = clock::now();
    if (r >= 0) {
      t_pulse.push_back(std::chrono::duration<double>(t1 - t0).count());
      t_plain.push_back(std::chrono::duration<double>(t2 - t1).count());
    }
  }
  PulseBenchResult out;
  out.pulse_s = median(t_pulse);
  out.baseline_s = median(t_plain);
  out.ratio = out.pulse_s / out.baseline_s;
  return out;
}

}  // namespace

PulseBenchResult run_pulse_bench(std::size_t rows, std::size_t cols, int repeats) {
  return run(rows, cols, repeats, true);
}

PulseBenchResult run_pulse_bench_row_blocks(std::size_t rows, std::size_t cols, int repeats) {
  return run(rows, cols, repeats, false);
}

}  // namespace xbarsim::bench

// Prints the pulsed-update benchmark: bench_update [--rows N] [--cols N] [--batch N]
// [--repeats N] [--lr X] [--d-scale X] [--bl N].
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "bench_util.hpp"
#include "update_bench.hpp"

int main(int argc, char** argv) {
  xbarsim::bench::use_matching_blas_kernels(argv);
  std::size_t rows = 512, cols = 512, batch = 1024;
  int repeats = 5;
  xbarsim::bench::UpdateBenchOptions opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char* k = argv[i];
    const char* v = argv[i + 1];
    if (!std::strcmp(k, "--rows"))
      rows = std::strtoul(v, nullptr, 10);
    else if (!std::strcmp(k, "--cols"))
      cols = std::strtoul(v, nullptr, 10);
    else if (!std::strcmp(k, "--batch"))
      batch = std::strtoul(v, nullptr, 10);
    else if (!std::strcmp(k, "--repeats"))
      repeats = std::atoi(v);
    else if (!std::strcmp(k, "--lr"))
      opt.lr = std::strtod(v, nullptr);
    else if (!std::strcmp(k, "--d-scale"))
      opt.d_scale = std::strtod(v, nullptr);
    else if (!std::strcmp(k, "--bl"))
      opt.desired_bl = std::atoi(v);
    else {
      std::fprintf(stderr, "bench_update: unknown option %s\n", k);
      return 2;
    }
  }
  try {
    const auto r = xbarsim::bench::run_update_bench(rows, cols, batch, repeats, opt);
    std::printf("pulsed update (batch-net, rpu-step constant), %zu x %zu, batch %zu, one thread, best of %d\n", rows,
                cols, batch, repeats);
    std::printf("  lr %.4g, x ~ U(-1,1), d ~ U(-%.4g,%.4g), dw_min 0.001, desired_bl %d\n", opt.lr, opt.d_scale,
                opt.d_scale, opt.desired_bl);
    std::printf("  BL max %d, mean %.2f; coincidences/cell %.2f; mean |net count| %.2f; rel. error %.3f\n", r.bl_max,
                r.bl_mean, r.coincidences_per_cell, r.mean_abs_count, r.rel_err);
    std::printf("  pulsed update %.3f ms (counts %.3f ms + device apply %.3f ms)\n", r.update_s * 1e3, r.count_s * 1e3,
                r.apply_s * 1e3);
    std::printf("  digital SGD step (one SGEMM) %.3f ms; ratio %.2f (goal <= 2)\n", r.sgemm_s * 1e3, r.ratio);
    std::printf("  through AnalogTile::update (reference-column tile) %.3f ms; ratio %.2f\n", r.tile_s * 1e3,
                r.tile_ratio);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_update: %s\n", e.what());
    return 1;
  }
  return 0;
}

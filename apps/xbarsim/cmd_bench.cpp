// `xbarsim bench pulse`: the device-update benchmark, callable on any machine without
// the bench/ executables. Prints the ratio against the baseline measured in the same run.
#include <cstdio>
#include <iostream>
#include <mvm_bench.hpp>
#include <pulse_bench.hpp>
#include <solve_bench.hpp>
#include <update_bench.hpp>

#include "commands.hpp"

namespace xbarsim::cli {
namespace {
struct PulseOptions {
  std::size_t rows = 1024, cols = 1024;
  int repeats = 20;
  bool json = false;
};

int run_pulse(const PulseOptions& o) {
  const auto r = bench::run_pulse_bench(o.rows, o.cols, o.repeats);
  if (o.json) {
    std::cout << nlohmann::json{{"pulse_s", r.pulse_s}, {"baseline_s", r.baseline_s}, {"ratio", r.ratio}}.dump()
              << '\n';
  } else {
    std::printf("one SoftBounds pulse on %zu x %zu cells (d2d + c2c variation, 1 thread), median of %d\n", o.rows,
                o.cols, o.repeats);
    std::printf(
        "  pulse     %8.3f ms\n  baseline  %8.3f ms  (plain read-modify-write pass over the same arrays)\n"
        "  ratio     %8.2f\n",
        r.pulse_s * 1e3, r.baseline_s * 1e3, r.ratio);
  }
  return kOk;
}

struct SolveOptions {
  std::size_t rows = 256, cols = 256, inputs = 1000;
  bool json = false, no_sparse = false;
};

int run_solve(const SolveOptions& o) {
  const auto r = bench::run_solve_bench(o.rows, o.cols, o.inputs, !o.no_sparse);
  if (o.json) {
    std::cout << nlohmann::json{{"analog_s", r.solve_s},          {"solve_s", r.solve_s},
                                {"sgemm_s", r.sgemm_s},           {"ratio", r.ratio},
                                {"sparse_s", r.sparse_s},         {"factor_s", r.factor_s},
                                {"max_rel_diff", r.max_rel_diff}, {"method", r.method}}
                     .dump()
              << '\n';
  } else {
    std::printf("exact IR-drop solve, %zu x %zu array, %zu inputs, 1 thread\n", o.rows, o.cols, o.inputs);
    std::printf("  exact      %9.4f s (%s)\n", r.solve_s, r.method.c_str());
    if (!o.no_sparse)
      std::printf("  sparse     %9.4f s (CHOLMOD: factorise %.4f s + the solves), max rel. difference %.2g\n",
                  r.sparse_s, r.factor_s, r.max_rel_diff);
    std::printf("  SGEMM      %9.4f s (ideal MVM of the same batch)\n  ratio      %9.1f (exact / SGEMM)\n", r.sgemm_s,
                r.ratio);
  }
  return kOk;
}
struct MvmOptions {
  std::size_t rows = 512, cols = 512, batch = 1024;
  int repeats = 5;
  bool read_noise = false, json = false;
};

int run_mvm(const MvmOptions& o) {
  const auto r = bench::run_mvm_bench(o.rows, o.cols, o.batch, o.read_noise, o.repeats);
  if (o.json) {
    std::cout << nlohmann::json{{"analog_s", r.analog_s},
                                {"sgemm_s", r.sgemm_s},
                                {"ratio", r.ratio},
                                {"bm_reruns_per_vector", r.bm_reruns_per_vector}}
                     .dump()
              << '\n';
  } else {
    std::printf(
        "analog forward MVM, %zu x %zu tile, batch %zu, 1 thread, median of %d\n"
        "  (7-bit DAC, 9-bit ADC over +-12, output noise 0.06, abs-max noise and iterative bound management%s)\n",
        o.rows, o.cols, o.batch, o.repeats, o.read_noise ? ", fresh pcm-read weight noise 0.0175 on every cell" : "");
    std::printf("  analog  %9.2f ms  (%.3f bound-management re-runs per vector)\n  SGEMM   %9.2f ms\n  ratio   %9.2f\n",
                r.analog_s * 1e3, r.bm_reruns_per_vector, r.sgemm_s * 1e3, r.ratio);
  }
  return kOk;
}
struct UpdateOptions {
  std::size_t rows = 512, cols = 512, batch = 1024;
  int repeats = 5;
  bench::UpdateBenchOptions bench;
  bool json = false;
};

int run_update(const UpdateOptions& o) {
  const auto r = bench::run_update_bench(o.rows, o.cols, o.batch, o.repeats, o.bench);
  if (o.json) {
    std::cout << nlohmann::json{{"analog_s", r.tile_s},
                                {"sgemm_s", r.sgemm_s},
                                {"ratio", r.tile_ratio},
                                {"counts_s", r.count_s},
                                {"apply_s", r.apply_s},
                                {"bl_max", r.bl_max},
                                {"coincidences_per_cell", r.coincidences_per_cell}}
                     .dump()
              << '\n';
  } else {
    std::printf("pulsed update W -= lr x^T d, %zu x %zu rpu-step ConstantStep tile, batch %zu, 1 thread, best of %d\n",
                o.rows, o.cols, o.batch, o.repeats);
    std::printf("  lr %g, x ~ U(-1, 1), d ~ U(-%g, %g), desired BL %d: BL %d, %.1f coincidences per cell\n", o.bench.lr,
                o.bench.d_scale, o.bench.d_scale, o.bench.desired_bl, r.bl_max, r.coincidences_per_cell);
    std::printf("  analog  %9.2f ms  (tile update; pulse counts %.2f ms + device apply %.2f ms)\n", r.tile_s * 1e3,
                r.count_s * 1e3, r.apply_s * 1e3);
    std::printf("  SGEMM   %9.2f ms  (digital SGD step)\n  ratio   %9.2f\n", r.sgemm_s * 1e3, r.tile_ratio);
  }
  return kOk;
}
}  // namespace

void register_bench_commands(CLI::App& app, const Globals&, Action& action) {
  auto* bench = app.add_subcommand("bench", "performance benchmarks (ratios against in-run baselines)");
  bench->require_subcommand(1);
  auto opts = std::make_shared<PulseOptions>();
  auto* pulse = bench->add_subcommand("pulse", "one SoftBounds pulse on every cell of a tile vs a plain pass");
  pulse->add_option("--rows", opts->rows, "tile rows (default 1024)")->check(CLI::Range(1, 1 << 16));
  pulse->add_option("--cols", opts->cols, "tile columns (default 1024)")->check(CLI::Range(1, 1 << 16));
  pulse->add_option("--repeats", opts->repeats, "timed repetitions, median reported (default 20)")
      ->check(CLI::Range(1, 10000));
  pulse->add_flag("--json", opts->json, "print {\"pulse_s\", \"baseline_s\", \"ratio\"}");
  pulse->callback([&action, opts] { action = [opts] { return run_pulse(*opts); }; });

  auto sopts = std::make_shared<SolveOptions>();
  auto* solve = bench->add_subcommand("solve", "exact IR-drop solve (factorise once, K inputs) vs an SGEMM");
  solve->add_option("--rows", sopts->rows, "array rows (default 256)")->check(CLI::Range(1, 1 << 14));
  solve->add_option("--cols", sopts->cols, "array columns (default 256)")->check(CLI::Range(1, 1 << 14));
  solve->add_option("--inputs", sopts->inputs, "input vectors (default 1000)")->check(CLI::Range(1, 1 << 20));
  solve->add_flag("--no-sparse", sopts->no_sparse, "skip the general sparse solver (slow for large arrays)");
  solve->add_flag("--json", sopts->json,
                  "print {\"solve_s\", \"sgemm_s\", \"ratio\", \"sparse_s\", \"factor_s\", \"max_rel_diff\"}");
  solve->callback([&action, sopts] { action = [sopts] { return run_solve(*sopts); }; });

  auto mopts = std::make_shared<MvmOptions>();
  auto* mvm = bench->add_subcommand("mvm", "analog forward MVM with aihwkit's default periphery vs an SGEMM");
  mvm->add_option("--rows", mopts->rows, "tile rows (default 512)")->check(CLI::Range(1, 1 << 16));
  mvm->add_option("--cols", mopts->cols, "tile columns (default 512)")->check(CLI::Range(1, 1 << 16));
  mvm->add_option("--batch", mopts->batch, "input vectors (default 1024)")->check(CLI::Range(1, 1 << 20));
  mvm->add_option("--repeats", mopts->repeats, "timed repetitions, median reported (default 5)")
      ->check(CLI::Range(1, 10000));
  mvm->add_flag("--read-noise", mopts->read_noise, "fresh read noise on every cell for every MVM");
  mvm->add_flag("--json", mopts->json, "print {\"analog_s\", \"sgemm_s\", \"ratio\", \"bm_reruns_per_vector\"}");
  mvm->callback([&action, mopts] { action = [mopts] { return run_mvm(*mopts); }; });

  auto uopts = std::make_shared<UpdateOptions>();
  auto* update = bench->add_subcommand("update", "pulsed outer-product update of a tile vs a digital SGD step");
  update->add_option("--rows", uopts->rows, "tile rows (default 512)")->check(CLI::Range(1, 1 << 16));
  update->add_option("--cols", uopts->cols, "tile columns (default 512)")->check(CLI::Range(1, 1 << 16));
  update->add_option("--batch", uopts->batch, "batch size (default 1024)")->check(CLI::Range(1, 1 << 20));
  update->add_option("--lr", uopts->bench.lr, "learning rate (default 0.1)")->check(CLI::PositiveNumber);
  update->add_option("--d-scale", uopts->bench.d_scale, "errors d ~ U(-s, s) (default 0.001)")
      ->check(CLI::PositiveNumber);
  update->add_option("--bl", uopts->bench.desired_bl, "desired pulse-train length (default 31)")
      ->check(CLI::Range(1, 1024));
  update->add_option("--repeats", uopts->repeats, "timed repetitions, best reported (default 5)")
      ->check(CLI::Range(1, 10000));
  update->add_flag("--json", uopts->json, "print {\"analog_s\", \"sgemm_s\", \"ratio\", ...}");
  update->callback([&action, uopts] { action = [uopts] { return run_update(*uopts); }; });
}

}  // namespace xbarsim::cli

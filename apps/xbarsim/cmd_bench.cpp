// `xbarsim bench pulse`: the device-update benchmark, callable on any machine without
// the bench/ executables. Prints the ratio against the baseline measured in the same run.
#include <cstdio>
#include <iostream>
#include <pulse_bench.hpp>
#include <solve_bench.hpp>

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
    std::cout << nlohmann::json{{"solve_s", r.solve_s},   {"sgemm_s", r.sgemm_s},   {"ratio", r.ratio},
                                {"sparse_s", r.sparse_s}, {"factor_s", r.factor_s}, {"max_rel_diff", r.max_rel_diff}}
                     .dump()
              << '\n';
  } else {
    std::printf("exact IR-drop solve, %zu x %zu array, %zu inputs, 1 thread\n", o.rows, o.cols, o.inputs);
    std::printf("  structured %9.4f s (exact transfer matrix + one GEMM)\n", r.solve_s);
    if (!o.no_sparse)
      std::printf("  sparse     %9.4f s (CHOLMOD: factorise %.4f s + the solves), max rel. difference %.2g\n",
                  r.sparse_s, r.factor_s, r.max_rel_diff);
    std::printf("  SGEMM      %9.4f s (ideal MVM of the same batch)\n  ratio      %9.1f (structured / SGEMM)\n",
                r.sgemm_s, r.ratio);
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
}

}  // namespace xbarsim::cli

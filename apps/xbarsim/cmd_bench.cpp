// `xbarsim bench pulse`: the device-update benchmark, callable on any machine without
// the bench/ executables. Prints the ratio against the baseline measured in the same run.
#include <cstdio>
#include <iostream>
#include <pulse_bench.hpp>

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
}

}  // namespace xbarsim::cli

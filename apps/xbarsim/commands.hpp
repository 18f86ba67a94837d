#pragma once
// Subcommand registration. Each register_* adds its subcommands to the app and, when
// one is chosen, stores its work in `action` (run after parsing, inside error handling).
#include <CLI/CLI.hpp>
#include <functional>

#include "cli_support.hpp"

namespace xbarsim::cli {
using Action = std::function<int()>;
void register_device_commands(CLI::App& app, const Globals& globals, Action& action);
void register_device_fit_command(CLI::App& device, const Globals& globals, Action& action);
void register_solve_command(CLI::App& app, const Globals& globals, Action& action);
void register_tile_commands(CLI::App& app, const Globals& globals, Action& action);
void register_bench_commands(CLI::App& app, const Globals& globals, Action& action);
void register_model_commands(CLI::App& app, const Globals& globals, Action& action);
void register_train_command(CLI::App& app, const Globals& globals, Action& action);
void register_run_command(CLI::App& app, const Globals& globals, Action& action);
void register_map_commands(CLI::App& app, const Globals& globals, Action& action);
void register_compress_command(CLI::App& app, const Globals& globals, Action& action);
void register_sweep_commands(CLI::App& app, const Globals& globals, Action& action);
}  // namespace xbarsim::cli

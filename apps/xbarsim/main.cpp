// xbarsim command line: parses arguments, runs one subcommand, and turns every error
// into `error: <where>: <what>` with exit code 2 (bad input) or 1 (runtime failure).
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/version.hpp>

#include "cli_support.hpp"
#include "commands.hpp"

using namespace xbarsim;
using namespace xbarsim::cli;

int main(int argc, char** argv) {
  // Give OpenBLAS the kernels of this CPU if it fell back to generic ones (see
  // blas_coretype_fix); if the re-exec fails, run on with the slower kernels.
  if (const std::string core = blas_coretype_fix(); !core.empty()) {
    ::setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
    ::execv("/proc/self/exe", argv);
  }
  CLI::App app{"xbarsim: analog in-memory computing and neuromorphic hardware simulator"};
  app.set_version_flag("--version",
                       std::string("xbarsim ") + std::string(version()) + " (" + std::string(git_revision()) + ")");
  Globals globals;
  app.add_option("--threads", globals.threads, "worker threads (default: all cores)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1024}));
  app.add_option("--seed", globals.seed, "master random seed (default 1)");
  app.require_subcommand(1);
  Action action;
  register_device_commands(app, globals, action);
  register_tile_commands(app, globals, action);
  register_solve_command(app, globals, action);
  register_bench_commands(app, globals, action);
  register_model_commands(app, globals, action);
  register_train_command(app, globals, action);
  register_run_command(app, globals, action);
  register_map_commands(app, globals, action);
  register_compress_command(app, globals, action);
  register_sweep_commands(app, globals, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error("command line", e.what());
    std::cerr << "run 'xbarsim --help' for usage\n";
    return kBadInput;
  }
  if (!action) {
    print_error("command line", "expected a subcommand");
    return kBadInput;
  }

  install_interrupt_handler();
  try {
    ThreadLimit limit(globals.threads);
    return action();
  } catch (const ConfigError& e) {
    for (const auto& p : e.problems()) print_error(p.where, p.what);
    return kBadInput;
  } catch (const IoError& e) {
    print_error(e.path() + (e.offset() ? " (offset " + std::to_string(*e.offset()) + ")" : ""), e.detail());
    return kBadInput;
  } catch (const Cancelled&) {
    print_error("", "interrupted; nothing further was written");
    return kInterrupted;
  } catch (const Error& e) {
    print_error("", e.what());
    return kRuntimeFailure;
  } catch (const std::exception& e) {
    print_error("internal error", e.what());
    return kRuntimeFailure;
  }
}

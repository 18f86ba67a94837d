#pragma once
// What the CLI adds on top of the libraries: error presentation with exit codes, a
// terminal progress bar, Ctrl-C as a cancellation token, JSON printing.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <xbarsim/core/params.hpp>
#include <xbarsim/core/progress.hpp>
#include <xbarsim/io/result_file.hpp>

namespace xbarsim::cli {

/// Exit codes: 0 success, 1 runtime failure, 2 bad input, 130 interrupted (Ctrl-C).
enum ExitCode : int { kOk = 0, kRuntimeFailure = 1, kBadInput = 2, kInterrupted = 130 };

/// Options every subcommand sees.
struct Globals {
  std::size_t threads = 0;  // 0 = all cores
  std::uint64_t seed = 1;
};

/// Set by SIGINT; library loops poll it and throw Cancelled.
CancellationToken& interrupt_token();
/// Installs the SIGINT handler that sets interrupt_token().
void install_interrupt_handler();

/// Prints `error: <where>: <what>` lines to stderr.
void print_error(const std::string& where, const std::string& what);

/// A progress bar with ETA on a terminal (stderr), plain lines every 10% otherwise.
class TerminalProgress final : public ProgressSink {
 public:
  explicit TerminalProgress(std::string label);
  ~TerminalProgress() override;
  void update(std::size_t done, std::size_t total, std::string_view what) override;

 private:
  std::string label_;
  bool tty_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  int last_decile_ = -1;
  bool drawn_ = false;
};

/// Writes an HDF5 result atomically. OUTPUT.partial is created first (ConfigError at
/// "-o OUTPUT" if it cannot be, so an unwritable path fails before any work), `fill`
/// writes into it, and it is renamed to OUTPUT when complete. On any exception the
/// partial file is removed: a failure or Ctrl-C never leaves a file that looks finished,
/// nor clobbers an existing one.
void write_result(const std::string& output, const io::RunInfo& info, const std::function<void(io::ResultFile&)>& fill);

/// JSON value of a parameter value.
nlohmann::json to_json(const ParamValue& value);

}  // namespace xbarsim::cli

#include "cli_support.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <xbarsim/core/error.hpp>

namespace xbarsim::cli {

CancellationToken& interrupt_token() {
  static CancellationToken token;
  return token;
}

namespace {
extern "C" void on_sigint(int) {
  interrupt_token().cancel();  // std::atomic<bool> store: async-signal-safe (lock-free)
}

std::string clock(double seconds) {
  if (!(seconds >= 0) || seconds > 359999) return "--:--";
  const long s = static_cast<long>(seconds + 0.5);
  char buf[64];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}
}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
}

void print_error(const std::string& where, const std::string& what) {
  std::cerr << "error: " << (where.empty() ? "" : where + ": ") << what << '\n';
}

TerminalProgress::TerminalProgress(std::string label)
    : label_(std::move(label)), tty_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

TerminalProgress::~TerminalProgress() {
  if (tty_ && drawn_) std::fputc('\n', stderr);
}

void TerminalProgress::update(std::size_t done, std::size_t total, std::string_view what) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : -1.0;
  if (tty_) {
    if (done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%s [%s] %3d%% %zu/%zu %.*s  %s  ETA %s ", label_.c_str(), bar.c_str(),
                 static_cast<int>(frac * 100), done, total, static_cast<int>(what.size()), what.data(),
                 clock(elapsed).c_str(), clock(eta).c_str());
    std::fflush(stderr);
    drawn_ = true;
  } else {
    const int decile = static_cast<int>(frac * 10);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "%s: %d%% (%zu/%zu %.*s), elapsed %s, ETA %s\n", label_.c_str(), decile * 10, done, total,
                 static_cast<int>(what.size()), what.data(), clock(elapsed).c_str(), clock(eta).c_str());
  }
}

void write_result(const std::string& output, const io::RunInfo& info,
                  const std::function<void(io::ResultFile&)>& fill) {
  const std::string partial = output + ".partial";
  std::optional<io::ResultFile> out;
  try {
    out.emplace(partial, info);
  } catch (const IoError& e) {
    throw ConfigError("-o " + output, "cannot create the output file: " + e.detail());
  }
  try {
    fill(*out);
    out->flush();
    out.reset();
    std::filesystem::rename(partial, output);
  } catch (...) {
    out.reset();
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    throw;
  }
}

nlohmann::json to_json(const ParamValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

}  // namespace xbarsim::cli

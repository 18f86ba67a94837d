#pragma once
// Error types shared by every module. Libraries throw these and never print or exit;
// the CLI and GUI turn them into messages. Each carries data (key path, file, offset),
// not only text, so callers can present or test them precisely.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace xbarsim {

/// Base of every recoverable failure (bad input, I/O, numerics, mapping).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One validation problem: where (a dotted key path, optionally prefixed by a file) and
/// what was expected versus found.
struct Problem {
  std::string where;
  std::string what;
};

/// Invalid configuration. Collects every problem found, not only the first.
class ConfigError : public Error {
 public:
  explicit ConfigError(std::vector<Problem> problems);
  ConfigError(std::string where, std::string what);
  const std::vector<Problem>& problems() const noexcept { return problems_; }

 private:
  std::vector<Problem> problems_;
};

/// A file could not be read or written, or its content is malformed.
class IoError : public Error {
 public:
  IoError(std::string path, std::string what, std::optional<std::uint64_t> offset = {});
  const std::string& path() const noexcept { return path_; }
  std::optional<std::uint64_t> offset() const noexcept { return offset_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  std::string path_;
  std::string detail_;
  std::optional<std::uint64_t> offset_;
};

/// A numerical method failed (no convergence, non-finite state).
class NumericalError : public Error {
 public:
  using Error::Error;
};

/// A network could not be placed on the given hardware in a way that is an error
/// (infeasible mappings that are expected outcomes are reported as values instead).
class MappingError : public Error {
 public:
  using Error::Error;
};

/// Long work was stopped through a CancellationToken.
class Cancelled : public Error {
 public:
  Cancelled() : Error("cancelled") {}
};

/// A broken invariant inside xbarsim: a bug, never a user mistake.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Collects problems during validation; throws one ConfigError at the end.
class ProblemList {
 public:
  void add(std::string where, std::string what) { items_.push_back({std::move(where), std::move(what)}); }
  void append(const std::vector<Problem>& more) { items_.insert(items_.end(), more.begin(), more.end()); }
  bool empty() const noexcept { return items_.empty(); }
  const std::vector<Problem>& items() const noexcept { return items_; }
  /// Throws ConfigError if any problem was collected.
  void throw_if_any() const;

 private:
  std::vector<Problem> items_;
};

}  // namespace xbarsim

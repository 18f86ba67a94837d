#pragma once
// Progress reporting and cooperative cancellation for long work. Libraries report
// through a ProgressSink (the CLI draws a bar, the GUI a widget) and poll a
// CancellationToken; when it is set they throw xbarsim::Cancelled at a safe point.
#include <atomic>
#include <cstddef>
#include <string_view>

namespace xbarsim {

class CancellationToken {
 public:
  void cancel() noexcept { flag_.store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return flag_.load(std::memory_order_relaxed); }
  /// Throws Cancelled if cancellation was requested.
  void check() const;

 private:
  std::atomic<bool> flag_{false};
};

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  /// `done` of `total` work units finished; called from any thread.
  virtual void update(std::size_t done, std::size_t total, std::string_view what) = 0;
};

/// Shared context passed into long-running library calls; both members may be null.
struct RunControl {
  ProgressSink* progress = nullptr;
  const CancellationToken* cancel = nullptr;
  void report(std::size_t done, std::size_t total, std::string_view what) const {
    if (progress) progress->update(done, total, what);
  }
  void check() const {
    if (cancel) cancel->check();
  }
};

}  // namespace xbarsim

// Running a sweep's points in one process (see execute.hpp).
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/sweep/execute.hpp>

namespace xbarsim::sweep {

LocalQueue::LocalQueue(std::vector<std::size_t> ids, const CancellationToken* cancel)
    : ids_(std::move(ids)), cancel_(cancel) {}

std::optional<std::size_t> LocalQueue::next() {
  std::lock_guard lock(mutex_);
  if ((cancel_ && cancel_->cancelled()) || next_ >= ids_.size()) return std::nullopt;
  return ids_[next_++];
}

std::vector<std::size_t> unfinished(const SweepStore& store) {
  std::vector<std::size_t> ids;
  const std::vector<bool> done = store.finished();
  for (std::size_t i = 0; i < done.size(); ++i)
    if (!done[i]) ids.push_back(i);
  return ids;
}

PointOutcome run_point(const Job& job, const SweepPoint& point, const CancellationToken* cancel) {
  PointOutcome o;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    std::istringstream in(point.config_toml);
    const toml::value config = toml::parse(in, "point " + std::to_string(point.id));
    o.result = job.run(config, "point " + std::to_string(point.id), point.seed, RunControl{nullptr, cancel});
    o.ok = true;
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    o.ok = false;
    o.error = e.what();
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

ExecuteSummary execute_points(const Job& job, const std::vector<SweepPoint>& points, PointQueue& queue,
                              SweepStore& store, const ExecuteOptions& o) {
  if (o.threads < 1) throw ConfigError("threads", "expected at least one worker");
  ExecuteSummary summary;
  const auto t0 = std::chrono::steady_clock::now();
  std::mutex report_mutex;
  std::atomic<bool> cancelled{false};
  // One long-running task per worker, each taking points until the queue is empty.
  tbb::task_arena arena(o.threads);
  arena.execute([&] {
    tbb::parallel_for(0, o.threads, 1, [&](int) {
      while (const auto id = queue.next()) {
        const SweepPoint& p = points.at(*id);
        PointOutcome outcome;
        try {
          outcome = run_point(job, p, o.cancel);
        } catch (const Cancelled&) {
          cancelled = true;  // not stored: --resume runs it again
          return;
        }
        store.write_point(p, outcome);
        std::lock_guard lock(report_mutex);
        ++summary.ran;
        if (!outcome.ok) ++summary.failed;
        if (o.on_point) o.on_point(p, outcome);
      }
    });
  });
  summary.cancelled = cancelled || (o.cancel && o.cancel->cancelled());
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace xbarsim::sweep

#pragma once
// Running a sweep's points (issue 6). In one process, `threads` workers (TBB tasks in a
// task arena of that many threads) take the next unfinished point in plan order until
// none is left: dynamic load balancing, so a slow point never holds up the others.
// Across processes (mpirun), rank 0 hands out point ids on request (mpi_execute.hpp).
// Every finished point goes to the store at once; a point that throws is stored as
// failed with its error and the sweep goes on. Cancellation (Ctrl-C) stops handing out
// points; the points running then stop at their next safe point and are not stored, so
// --resume runs them again. A point's result depends only on its configuration and seed.
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>
#include <xbarsim/core/progress.hpp>
#include <xbarsim/sweep/jobs.hpp>
#include <xbarsim/sweep/point.hpp>
#include <xbarsim/sweep/store.hpp>

namespace xbarsim::sweep {

struct ExecuteOptions {
  int threads = 1;                            // workers in this process
  const CancellationToken* cancel = nullptr;  // stop handing out points when set
  /// Called once per stored point (from worker threads, serialised), e.g. for progress.
  std::function<void(const SweepPoint&, const PointOutcome&)> on_point;
};

struct ExecuteSummary {
  std::size_t ran = 0, failed = 0;  // points run and stored by this process; failed among them
  bool cancelled = false;
  double seconds = 0.0;
};

/// Source of the next point id to run: none left (or cancelled) -> nullopt. Thread-safe.
class PointQueue {
 public:
  virtual ~PointQueue() = default;
  virtual std::optional<std::size_t> next() = 0;
};

/// The ids of `points` not finished in `store`, in plan order, handed out once each.
class LocalQueue final : public PointQueue {
 public:
  LocalQueue(std::vector<std::size_t> ids, const CancellationToken* cancel);
  std::optional<std::size_t> next() override;

 private:
  std::vector<std::size_t> ids_;
  std::size_t next_ = 0;
  const CancellationToken* cancel_;
  std::mutex mutex_;
};

/// Ids of the points that `store` has not finished.
std::vector<std::size_t> unfinished(const SweepStore& store);

/// Runs one point: the job's result, or its error; Cancelled propagates.
PointOutcome run_point(const Job& job, const SweepPoint& point, const CancellationToken* cancel);

/// Runs the points `queue` hands out with `o.threads` workers, storing each at once.
ExecuteSummary execute_points(const Job& job, const std::vector<SweepPoint>& points, PointQueue& queue,
                              SweepStore& store, const ExecuteOptions& o);

}  // namespace xbarsim::sweep

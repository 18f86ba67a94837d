#pragma once
// A sweep across processes (issue 6): `mpirun -np N xbarsim sweep SPEC -o R.h5`. Every
// rank expands the same plan; rank 0 owns the queue of unfinished point ids and hands
// out one id per request (dynamic load balancing), each rank runs its points with its
// own workers (execute.hpp) and writes them to the shared journal, and rank 0 merges the
// result when every rank has said goodbye. Only each rank's main thread calls MPI
// (MPI_THREAD_FUNNELED): on rank 0 it serves requests while a worker thread computes; on
// the others it forwards its workers' requests. Requests carry the ids of the points the
// rank finished since its last message, so rank 0 shows progress for the whole sweep.
#include <functional>
#include <vector>
#include <xbarsim/sweep/execute.hpp>

namespace xbarsim::sweep {

/// MPI for this process: initialised when started by mpirun (OMPI_COMM_WORLD_SIZE or
/// PMI_SIZE set), inactive (rank 0 of 1) otherwise. One per process.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  bool active() const { return active_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  void barrier() const;
  /// Rank 0's value of `v` on every rank.
  long long broadcast(long long v) const;
  /// Ends every rank with `code` (MPI_Abort): a rank that fails alone must not leave the
  /// others waiting in a collective call.
  [[noreturn]] void abort(int code) const;

 private:
  bool active_ = false;
  int rank_ = 0, size_ = 1;
};

/// Runs the sweep over all ranks. `ids` (the unfinished points) is used on rank 0 only.
/// `on_remote_point(id, ok)` is called on rank 0 (main thread) for points other ranks
/// finished; ExecuteOptions::on_point for this rank's own points. Returns this rank's summary.
ExecuteSummary execute_points_mpi(const MpiSession& mpi, const Job& job, const std::vector<SweepPoint>& points,
                                  const std::vector<std::size_t>& ids, SweepStore& store, const ExecuteOptions& o,
                                  const std::function<void(std::size_t, bool)>& on_remote_point);

}  // namespace xbarsim::sweep

// Sweeps across MPI ranks (see mpi_execute.hpp).
#include <mpi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <utility>
#include <xbarsim/core/error.hpp>
#include <xbarsim/sweep/mpi_execute.hpp>

namespace xbarsim::sweep {
namespace {

constexpr int kTagRequest = 11, kTagReply = 12;
constexpr long long kAsk = 0, kGoodbye = 1;

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw InternalError(std::string("MPI call failed: ") + what);
}

// Ids finished by this rank's workers and not yet reported to rank 0, with their status.
class FinishedLog {
 public:
  void add(std::size_t id, bool ok) {
    std::lock_guard lock(mutex_);
    items_.push_back(static_cast<long long>(id));
    items_.push_back(ok ? 1 : 0);
  }
  std::vector<long long> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(items_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<long long> items_;
};

// A worker's request forwarded by the main thread of a rank > 0.
class RemoteQueue final : public PointQueue {
 public:
  explicit RemoteQueue(const CancellationToken* cancel) : cancel_(cancel) {}
  std::optional<std::size_t> next() override {
    std::unique_lock lock(mutex_);
    if (exhausted_ || (cancel_ && cancel_->cancelled())) return std::nullopt;
    ++waiting_;
    cv_.notify_all();
    const std::uint64_t ticket = served_ + waiting_;
    cv_.wait(lock, [&] { return served_ >= ticket || exhausted_; });
    if (served_ < ticket) return std::nullopt;  // woken by exhaustion
    return answers_[ticket - 1];
  }
  // Main thread: waits until a worker asks or the workers are done.
  bool wait_for_request(const std::atomic<bool>& workers_done) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return waiting_ > 0 || workers_done; });
    return waiting_ > 0;
  }
  void answer(long long id) {
    std::lock_guard lock(mutex_);
    if (id < 0) {
      exhausted_ = true;
      waiting_ = 0;
    } else {
      answers_.push_back(static_cast<std::size_t>(id));
      ++served_;
      --waiting_;
    }
    cv_.notify_all();
  }
  void wake() {
    std::lock_guard lock(mutex_);
    cv_.notify_all();
  }

 private:
  const CancellationToken* cancel_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::size_t> answers_;
  std::uint64_t served_ = 0;
  std::uint64_t waiting_ = 0;
  bool exhausted_ = false;
};

}  // namespace

MpiSession::MpiSession() {
  if (!std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("PMI_SIZE")) return;
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_FUNNELED) throw InternalError("MPI does not provide MPI_THREAD_FUNNELED");
  active_ = true;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiSession::~MpiSession() {
  if (active_) MPI_Finalize();
}

void MpiSession::barrier() const {
  if (active_) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void MpiSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; this satisfies [[noreturn]]
}

long long MpiSession::broadcast(long long v) const {
  if (active_) check(MPI_Bcast(&v, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return v;
}

ExecuteSummary execute_points_mpi(const MpiSession& mpi, const Job& job, const std::vector<SweepPoint>& points,
                                  const std::vector<std::size_t>& ids, SweepStore& store, const ExecuteOptions& o,
                                  const std::function<void(std::size_t, bool)>& on_remote_point) {
  ExecuteSummary summary;
  std::atomic<bool> workers_done{false};
  std::exception_ptr worker_error;
  auto run_workers = [&](PointQueue& queue, const ExecuteOptions& opts) {
    try {
      summary = execute_points(job, points, queue, store, opts);
    } catch (...) {
      worker_error = std::current_exception();
    }
  };

  if (mpi.rank() == 0) {
    LocalQueue queue(ids, o.cancel);
    std::thread workers([&] {
      run_workers(queue, o);
      workers_done = true;
    });
    int goodbyes = 0;
    while (!(workers_done && goodbyes == mpi.size() - 1)) {
      int flag = 0;
      MPI_Status st;
      check(MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
      if (!flag) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      int count = 0;
      check(MPI_Get_count(&st, MPI_LONG_LONG, &count), "MPI_Get_count");
      std::vector<long long> msg(static_cast<std::size_t>(count));
      check(MPI_Recv(msg.data(), count, MPI_LONG_LONG, st.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
            "MPI_Recv");
      // msg = {kind, id, ok, id, ok, ...}: the points the rank finished since its last message.
      for (std::size_t k = 1; k + 1 < msg.size(); k += 2)
        if (on_remote_point) on_remote_point(static_cast<std::size_t>(msg[k]), msg[k + 1] != 0);
      if (msg.at(0) == kGoodbye) {
        ++goodbyes;
        continue;
      }
      const auto id = queue.next();
      const long long reply = id ? static_cast<long long>(*id) : -1;
      check(MPI_Send(&reply, 1, MPI_LONG_LONG, st.MPI_SOURCE, kTagReply, MPI_COMM_WORLD), "MPI_Send");
    }
    workers.join();
  } else {
    RemoteQueue queue(o.cancel);
    FinishedLog finished;
    ExecuteOptions local = o;
    local.on_point = [&](const SweepPoint& p, const PointOutcome& out) {
      finished.add(p.id, out.ok);
      if (o.on_point) o.on_point(p, out);
    };
    std::thread workers([&] {
      run_workers(queue, local);
      workers_done = true;
      queue.wake();
    });
    bool exhausted = false;
    while (true) {
      const bool asked = queue.wait_for_request(workers_done);
      if (!asked) {
        if (workers_done) break;
        continue;
      }
      if (exhausted) {
        queue.answer(-1);
        continue;
      }
      std::vector<long long> msg{kAsk};
      const std::vector<long long> done = finished.take();
      msg.insert(msg.end(), done.begin(), done.end());
      check(MPI_Send(msg.data(), static_cast<int>(msg.size()), MPI_LONG_LONG, 0, kTagRequest, MPI_COMM_WORLD),
            "MPI_Send");
      long long reply = -1;
      check(MPI_Recv(&reply, 1, MPI_LONG_LONG, 0, kTagReply, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
      if (reply < 0) exhausted = true;
      queue.answer(reply);
    }
    workers.join();
    std::vector<long long> bye{kGoodbye};
    const std::vector<long long> done = finished.take();
    bye.insert(bye.end(), done.begin(), done.end());
    check(MPI_Send(bye.data(), static_cast<int>(bye.size()), MPI_LONG_LONG, 0, kTagRequest, MPI_COMM_WORLD),
          "MPI_Send");
  }
  mpi.barrier();
  if (worker_error) std::rethrow_exception(worker_error);
  return summary;
}

}  // namespace xbarsim::sweep

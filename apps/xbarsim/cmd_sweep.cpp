// `xbarsim sweep SPEC.toml -o R.h5 [--resume] [--threads N]`, `xbarsim sweep plan SPEC.toml
// [--json]` and `xbarsim results summary R.h5 [--csv]` (issue 6). Under mpirun every rank
// runs the same command; rank 0 hands out the points and writes the result.
// Exit codes of `sweep`: 0 when every point is stored, including points that failed (each
// is recorded with its error; the last line and the result's `failed` attribute count
// them); 2 for a bad spec or an output that exists (without --resume) or is foreign;
// 130 after Ctrl-C (finished points stay in R.h5.partial/ for --resume); 1 otherwise.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/sweep/execute.hpp>
#include <xbarsim/sweep/jobs.hpp>
#include <xbarsim/sweep/mpi_execute.hpp>
#include <xbarsim/sweep/spec.hpp>
#include <xbarsim/sweep/store.hpp>

#include "commands.hpp"

namespace xbarsim::cli {
namespace {

using namespace xbarsim::sweep;

struct SweepOptions {
  std::string spec, output;
  bool resume = false;
  std::size_t threads = 0;  // 0: --threads before the subcommand, else the cores
};

// The spec, its points, and every point checked by its job before anything runs.
struct Plan {
  SweepSpec spec;
  std::vector<SweepPoint> points;
  std::unique_ptr<Job> job;
};
Plan make_plan(const std::string& file) {
  Plan p{load_sweep_spec(file), {}, nullptr};
  p.job = make_job(p.spec.job);  // the spec names a known job (checked when loading)
  p.points = expand_points(p.spec);
  validate_points(p.spec, p.points,
                  [&](const toml::value& config, const std::string& where) { p.job->validate(config, where); });
  return p;
}

// Workers of this process: --threads of the sweep, else the global --threads, else the
// cores shared by the ranks on this node. The global limit also caps the sweep's.
std::size_t workers(const SweepOptions& o, const Globals& g) {
  if (o.threads && g.threads && o.threads > g.threads)
    throw ConfigError("--threads", "the sweep's --threads " + std::to_string(o.threads) +
                                       " exceeds the global --threads " + std::to_string(g.threads));
  if (o.threads) return o.threads;
  if (g.threads) return g.threads;
  std::size_t ranks_here = 1;
  if (const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE")) ranks_here = std::max(1, std::atoi(local));
  return std::max<std::size_t>(1, std::thread::hardware_concurrency() / ranks_here);
}

int run_sweep_ranks(const MpiSession& mpi, const SweepOptions& o, const Globals& g);

// Under mpirun an error on one rank (e.g. rank 0 refusing an existing output) would leave
// the others waiting for it: the failing rank prints the error and ends them all.
int run_sweep(const SweepOptions& o, const Globals& g) {
  MpiSession mpi;
  if (!mpi.active() || mpi.size() == 1) return run_sweep_ranks(mpi, o, g);
  try {
    return run_sweep_ranks(mpi, o, g);
  } catch (const ConfigError& e) {
    for (const auto& p : e.problems()) print_error("rank " + std::to_string(mpi.rank()) + ": " + p.where, p.what);
    mpi.abort(kBadInput);
  } catch (const IoError& e) {
    print_error("rank " + std::to_string(mpi.rank()) + ": " + e.path(), e.detail());
    mpi.abort(kBadInput);
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    print_error("rank " + std::to_string(mpi.rank()), e.what());
    mpi.abort(kRuntimeFailure);
  }
}

int run_sweep_ranks(const MpiSession& mpi, const SweepOptions& o, const Globals& g) {
  const int threads = static_cast<int>(workers(o, g));  // checked before anything is written
  const std::string start = utc_now_iso8601();
  const Plan plan = make_plan(o.spec);
  const std::vector<std::string> keys = axis_keys(plan.spec);
  const std::size_t n = plan.points.size();
  // Rank 0 opens (or creates) the journal first; the others attach to it.
  std::optional<SweepStore> store;
  if (mpi.rank() == 0)
    store = o.resume ? SweepStore::resume(o.output, plan.spec.text, n, keys)
                     : SweepStore::create(o.output, plan.spec.text, n, keys);
  const bool complete = mpi.broadcast(store && store->complete() ? 1 : 0) != 0;
  if (complete) {
    if (mpi.rank() == 0) std::printf("%s is complete: all %zu points\n", o.output.c_str(), n);
    return kOk;
  }
  if (mpi.rank() != 0) store = SweepStore::attach(o.output, plan.spec.text, n, keys);
  mpi.barrier();

  const std::vector<std::size_t> todo = mpi.rank() == 0 ? unfinished(*store) : std::vector<std::size_t>{};
  const std::size_t already = n - todo.size();
  ExecuteOptions eo;
  eo.threads = threads;
  eo.cancel = &interrupt_token();
  TerminalProgress progress("sweep");
  std::mutex mutex;
  std::size_t done = already, failed = 0;
  auto count = [&](bool ok) {
    std::lock_guard lock(mutex);
    ++done;
    if (!ok) ++failed;
    progress.update(done, n, failed ? "points, " + std::to_string(failed) + " failed" : std::string("points"));
  };
  if (mpi.rank() == 0) {
    progress.update(done, n, "points");
    eo.on_point = [&](const SweepPoint&, const PointOutcome& out) { count(out.ok); };
  }
  const ExecuteSummary s = mpi.active() ? execute_points_mpi(mpi, *plan.job, plan.points, todo, *store, eo,
                                                             [&](std::size_t, bool ok) { count(ok); })
                                        : [&] {
                                            LocalQueue queue(todo, eo.cancel);
                                            return execute_points(*plan.job, plan.points, queue, *store, eo);
                                          }();
  if (mpi.rank() != 0) return kOk;
  if (s.cancelled || interrupt_token().cancelled()) {
    std::fprintf(stderr, "\ninterrupted: %zu of %zu points are stored in %s; continue with --resume\n", done, n,
                 store->journal().c_str());
    return kInterrupted;
  }
  const std::vector<std::size_t> left = unfinished(*store);
  if (!left.empty())
    throw InternalError("sweep ended with " + std::to_string(left.size()) + " points not stored (first id " +
                        std::to_string(left.front()) + ")");
  store->finalize(start);
  std::printf("%s: %zu points (%zu run now, %zu failed), %s\n", o.output.c_str(), n, done - already, failed,
              mpi.active() ? ("ranks " + std::to_string(mpi.size())).c_str() : "one process");
  return kOk;
}

int run_plan(const std::string& file, bool json) {
  const Plan plan = make_plan(file);
  if (json) {
    nlohmann::json j{{"job", plan.spec.job}, {"points", plan.points.size()}, {"axes", axis_keys(plan.spec)}};
    for (const auto& p : plan.points) {
      nlohmann::json values;
      for (const auto& [k, v] : p.axis_values) values[k] = to_json(v);
      j["plan"].push_back({{"id", p.id}, {"repeat", p.repeat}, {"seed", p.seed}, {"values", values}});
    }
    std::cout << j.dump(2) << '\n';
    return kOk;
  }
  std::printf("%s: job %s, %zu points, all valid\n", file.c_str(), plan.spec.job.c_str(), plan.points.size());
  for (const auto& p : plan.points) std::printf("%6zu  %s\n", p.id, point_label(p).c_str());
  return kOk;
}

}  // namespace

void register_sweep_commands(CLI::App& app, const Globals& globals, Action& action) {
  auto o = std::make_shared<SweepOptions>();
  auto* sweep = app.add_subcommand("sweep", "run a sweep spec: points in parallel (TBB, MPI), one HDF5 result");
  sweep->add_option("spec", o->spec, "sweep spec (.toml)");
  sweep->add_option("-o,--output", o->output, "HDF5 result (R.h5; finished points wait in R.h5.partial/)");
  sweep->add_flag("--resume", o->resume, "continue an interrupted sweep, skipping finished points");
  sweep->add_option("--threads", o->threads, "points run at once in this process (default: all cores)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1024}));
  auto plan_file = std::make_shared<std::string>();
  auto plan_json = std::make_shared<bool>(false);
  auto* plan = sweep->add_subcommand("plan", "list and validate a spec's points without running them");
  plan->add_option("spec", *plan_file, "sweep spec (.toml)")->required();
  plan->add_flag("--json", *plan_json, "print the points as JSON");
  plan->callback([&action, plan_file, plan_json] { action = [=] { return run_plan(*plan_file, *plan_json); }; });
  sweep->callback([&action, o, &globals, sweep, plan] {
    if (plan->parsed()) return;
    if (o->spec.empty()) throw CLI::ValidationError("spec", "a sweep spec is required");
    if (o->output.empty()) throw CLI::ValidationError("--output", "-o R.h5 is required");
    action = [o, &globals] { return run_sweep(*o, globals); };
  });

  auto csv = std::make_shared<bool>(false);
  auto file = std::make_shared<std::string>();
  auto* results = app.add_subcommand("results", "read sweep results");
  results->require_subcommand(1);
  auto* summary = results->add_subcommand("summary", "one row per point: axis values and scalar metrics");
  summary->add_option("file", *file, "sweep result (.h5)")->required();
  summary->add_flag("--csv", *csv, "comma-separated values");
  summary->callback([&action, file, csv] {
    action = [=] {
      const SummaryTable t = read_summary(*file);
      std::cout << (*csv ? summary_csv(t) : summary_text(t));
      return kOk;
    };
  });
}

}  // namespace xbarsim::cli

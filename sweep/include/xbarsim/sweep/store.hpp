#pragma once
// The crash-safe HDF5 store of a sweep's results (issue 6).
//
// HDF5 1.10 has no journaling: a file killed in the middle of a write may be unreadable.
// So a running sweep never writes into its result file. It keeps a journal directory
// `OUT.partial/` next to the output OUT:
//   sweep.toml    the spec text
//   fingerprint   text: journal format, spec hash (FNV-1a 64), points, xbarsim version,
//                 start time, axis keys. Written last of the header (tmp + rename), so a
//                 journal without it is an interrupted create and holds no point
//   point-<id>.h5 one small HDF5 file per finished point, written as point-<id>.h5.tmp,
//                 closed and renamed: it exists complete or not at all (syncing to disk:
//                 StoreOptions)
// finalize() merges the spec, every point and a summary into OUT.partial/result.h5.tmp,
// renames that to OUT (never replacing an existing OUT) and removes the journal. A SIGKILL
// at any moment leaves either the journal (resume runs the missing points) or the
// complete OUT (resume reports complete()).
//
// Final layout (h5py reads it without xbarsim):
//   root attributes  xbarsim_sweep = 1 (int64 marker), spec (TOML text), version,
//                    git_revision, start_time, end_time (ISO 8601 UTC), points, failed
//                    (int64), axes (string array, axis key paths in spec order)
//   /points/<id>/    id zero-padded to the digits of the point count (sorts by name);
//                    attributes id, config (TOML), seed (uint64), repeat (int64),
//                    status ("ok"|"failed"), error ("" when ok), seconds, and one
//                    attribute per axis value named by its key path (double, int64,
//                    uint8 for bools, string); datasets: each Metric a scalar float64,
//                    each Curve an N-d float64, each with `units` and `description`
//   /summary         compound dataset, one row per point in id order: id (int64),
//                    status (fixed-length string), one field per axis (float64 for
//                    numbers and bools, fixed-length string when any value is a string),
//                    one float64 field per scalar metric name (union over the ok points in
//                    id order of first appearance; NaN where a point lacks it, and for
//                    failed points), seconds. Attribute `units`: a string array with one
//                    unit per field, in field order ("" for axes, "1" for id, "s" for
//                    seconds, a metric's unit as first seen); `description`: text.
// Name clashes: an axis key equal to a reserved name (id, config, seed, repeat, status,
// error, seconds) is written as "axis:<key>"; a metric whose summary field would clash
// with an axis or reserved field is written as "metric:<name>" in /summary.
//
// Processes: under MPI every rank opens the journal (rank 0 with create() or resume(),
// then the others with attach(); resume() works too, before any point is written) and writes its own points into it;
// finished() and finalize() see every point file in the journal, whichever process wrote it. So there is no lock
// against a second sweep on the same journal: two concurrent `--resume` runs of one output compute points twice (same
// values; the rename keeps one) and the second to finish fails, with OUT intact. Two concurrent new sweeps cannot both
// start: the journal's mkdir is atomic.
//
// Threads: Debian's HDF5 is built thread-safe for the C API, but the C++ API on top is
// not; every HDF5 call of this module holds hdf5_mutex(). Other code that calls HDF5 while
// workers run (e.g. a job writing a file) must hold it too.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <xbarsim/sweep/point.hpp>

namespace xbarsim::sweep {

/// The one mutex that serialises this module's HDF5 calls.
std::mutex& hdf5_mutex();

/// How often finished points are forced to stable storage. Against a killed process
/// (SIGKILL, OOM killer, Ctrl-C) no sync is needed: a point file appears only by
/// rename() after it was closed, and the kernel keeps what a dead process wrote. A sync
/// protects against an OS crash or power loss, and costs one disk cache flush (measured
/// 7 ms per fsync on the ext4 development VM, 14 ms per point with the directory).
struct StoreOptions {
  /// 0: fsync each point file before its rename and the journal directory after it,
  /// before write_point returns. > 0 (default): syncfs() of the journal's filesystem at
  /// most once per this many seconds from write_point; a power loss then loses at most
  /// the points of the last interval, and a point file it left damaged fails its check
  /// on resume and runs again. Infinity: never (point files reach the disk when the
  /// kernel writes them back). finalize() always fsyncs OUT before renaming it into place.
  double sync_interval_s = 1.0;
};

class SweepStore {
 public:
  /// New sweep. IoError "exists; use --resume or another output" if OUT or OUT.partial/
  /// exists (neither is touched); IoError naming the path if the journal cannot be made.
  static SweepStore create(const std::filesystem::path& out, const std::string& spec_text, std::size_t points,
                           const std::vector<std::string>& axis_keys, const StoreOptions& options = {});
  /// Resume. If OUT exists it must be a sweep result of the same spec text:
  /// complete() is then true (a leftover journal of it is removed). Else OUT.partial/ is
  /// opened, leftover .tmp files removed and its point files checked; a point file that
  /// cannot be read is removed and its point runs again. With neither OUT nor
  /// OUT.partial/ this is create().
  /// ConfigError naming the journal's sweep.toml (or OUT) if the spec text differs;
  /// IoError "not an xbarsim sweep result" for a foreign or corrupt OUT, "not an xbarsim
  /// sweep journal" for a foreign OUT.partial/, and for another xbarsim version.
  static SweepStore resume(const std::filesystem::path& out, const std::string& spec_text, std::size_t points,
                           const std::vector<std::string>& axis_keys, const StoreOptions& options = {});
  /// For MPI ranks other than 0, after rank 0's create() or resume(): opens the same
  /// journal to write this rank's points into (never finalize() from here). Checks the
  /// fingerprint and spec like resume() but removes nothing, and IoError if there is no
  /// journal (the output's directory must be shared by all ranks). complete() if OUT is.
  static SweepStore attach(const std::filesystem::path& out, const std::string& spec_text, std::size_t points,
                           const std::vector<std::string>& axis_keys, const StoreOptions& options = {});

  SweepStore(SweepStore&&) noexcept;
  SweepStore& operator=(SweepStore&&) noexcept;
  ~SweepStore();

  /// OUT is already final (resume of a finished sweep); nothing to run or write.
  bool complete() const;
  /// Per point id: its result is on disk (written by this store or by another process on
  /// the same journal).
  std::vector<bool> finished() const;
  std::size_t points() const;
  const std::filesystem::path& output() const;
  /// The journal directory, OUT.partial/.
  std::filesystem::path journal() const;

  /// Stores one point atomically (thread-safe; workers call it concurrently). A failed
  /// outcome stores its error and no datasets. InternalError for an id out of range or
  /// already stored, an axis key not in the sweep's axes, a metric/curve name that is
  /// empty, contains '/' or repeats, or a curve whose shape does not match its values.
  /// IoError naming the file if it cannot be written (the point stays unfinished).
  void write_point(const SweepPoint& p, const PointOutcome& o);

  /// Merges the journal into OUT and removes the journal. Every point must be finished
  /// (InternalError otherwise). `start_time` (ISO 8601) empty: the time the journal was
  /// created. No-op when complete().
  void finalize(const std::string& start_time = "");

  struct Impl;  // opaque (defined in store.cpp)

 private:
  explicit SweepStore(std::unique_ptr<Impl> impl);
  static SweepStore open_existing(const std::filesystem::path& out, const std::string& spec_text, std::size_t points,
                                  const std::vector<std::string>& axis_keys, const StoreOptions& options, bool attach);
  std::unique_ptr<Impl> impl_;
};

/// /summary as text, for `xbarsim results summary R.h5 [--csv]`. Numbers are written in
/// the shortest form that reads back exactly (NaN as "nan"), strings as stored.
struct SummaryTable {
  std::vector<std::string> columns, units;
  std::vector<std::vector<std::string>> rows;
};
/// IoError naming the file if it is not an xbarsim sweep result or cannot be read.
SummaryTable read_summary(const std::filesystem::path& out);
/// RFC 4180 CSV: one header line of column names (units are not in the CSV), one line per
/// row; fields with a comma, quote, CR or LF are quoted with quotes doubled.
std::string summary_csv(const SummaryTable& table);
/// Aligned plain-text table: column names, then units in brackets, then the rows.
std::string summary_text(const SummaryTable& table);

}  // namespace xbarsim::sweep

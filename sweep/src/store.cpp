// The crash-safe sweep store: journal directory, atomic point files, merge into OUT.
// Layout and guarantees: store.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/core/version.hpp>

#include "store_hdf5.hpp"

namespace xbarsim::sweep {
namespace fs = std::filesystem;
using detail::Hdf5Lock;

namespace {

constexpr const char* kJournalMagic = "xbarsim sweep journal 1";
constexpr const char* kSpecFile = "sweep.toml";
constexpr const char* kFingerprintFile = "fingerprint";
constexpr const char* kMergedFile = "result.h5.tmp";

std::uint64_t fnv1a64(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::size_t digits(std::size_t n) {
  std::size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

std::string padded(std::size_t id, std::size_t count) {
  std::string s = std::to_string(id);
  const std::size_t width = digits(count);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

fs::path journal_of(const fs::path& out) {
  fs::path dir = out;
  dir += ".partial";
  return dir;
}

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() != fs::file_type::not_found;
}

std::string errno_text() { return std::strerror(errno); }

void fsync_file(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(p.string(), "cannot open to sync (" + errno_text() + ")");
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw IoError(p.string(), std::string("cannot sync (") + std::strerror(err) + ")");
}

// Makes a rename in `dir` durable across a power loss. Best effort: a SIGKILL cannot undo
// a completed rename, so crash safety against killed processes does not depend on it.
void fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

/// Flushes the filesystem holding `dir` (one disk cache flush for every file written
/// since the last). Best effort, like fsync_dir.
void syncfs_of(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::syncfs(fd);
  ::close(fd);
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw IoError(to.string(), "cannot rename " + from.filename().string() + " to it (" + ec.message() + ")");
}

/// Writes `text` to `path` atomically: path.tmp, fsync, rename.
void write_text_atomic(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) throw IoError(tmp.string(), "cannot write");
  }
  fsync_file(tmp);
  rename_or_throw(tmp, path);
  fsync_dir(path.parent_path());
}

std::optional<std::string> read_text(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

struct Fingerprint {
  std::string spec_hash, version, start_time;
  std::size_t points = 0;
  std::vector<std::string> axes;
};

std::string fingerprint_text(const Fingerprint& fp) {
  std::string t = std::string(kJournalMagic) + "\n";
  t += "spec_fnv1a64 = " + fp.spec_hash + "\n";
  t += "points = " + std::to_string(fp.points) + "\n";
  t += "version = " + fp.version + "\n";
  t += "start_time = " + fp.start_time + "\n";
  for (const auto& a : fp.axes) t += "axis = " + a + "\n";
  return t;
}

std::optional<Fingerprint> parse_fingerprint(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kJournalMagic) return std::nullopt;
  Fingerprint fp;
  bool has_points = false;
  while (std::getline(in, line)) {
    const std::size_t eq = line.find(" = ");
    if (eq == std::string::npos) return std::nullopt;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 3);
    if (key == "spec_fnv1a64")
      fp.spec_hash = value;
    else if (key == "points") {
      try {
        fp.points = static_cast<std::size_t>(std::stoull(value));
        has_points = true;
      } catch (const std::exception&) {
        return std::nullopt;
      }
    } else if (key == "version")
      fp.version = value;
    else if (key == "start_time")
      fp.start_time = value;
    else if (key == "axis")
      fp.axes.push_back(value);
    else
      return std::nullopt;
  }
  if (!has_points || fp.spec_hash.empty()) return std::nullopt;
  return fp;
}

/// "point-<digits>.h5" -> id.
std::optional<std::size_t> point_file_id(const std::string& name) {
  constexpr std::string_view prefix = "point-", suffix = ".h5";
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  const std::string num = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (num.find_first_not_of("0123456789") != std::string::npos || num.size() > 18) return std::nullopt;
  return static_cast<std::size_t>(std::stoull(num));
}

void check_name(const std::string& name, const std::string& what, std::size_t id) {
  if (name.empty() || name.find('/') != std::string::npos || name == ".")
    throw InternalError("sweep point " + std::to_string(id) + ": " + what + " name '" + name +
                        "' is not a valid HDF5 dataset name");
}

/// Group with link creation order tracked, so metrics keep the job's order.
/// (The C++ API of HDF5 1.10 has no group creation property list: C calls, then the
/// group is opened again through the C++ API.)
H5::Group create_ordered_group(H5::H5File& file, const std::string& name) {
  const hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
  if (gcpl < 0) throw H5::PropListIException("H5Pcreate", "cannot create a group property list");
  H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  const hid_t g = H5Gcreate2(file.getId(), name.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT);
  H5Pclose(gcpl);
  if (g < 0) throw H5::GroupIException("H5Gcreate2", "cannot create group " + name);
  H5Gclose(g);
  return file.openGroup(name);
}

H5::DataSet write_dataset(H5::Group& g, const std::string& name, const H5::DataSpace& space, const double* values,
                          bool any, const std::string& units, const std::string& description) {
  H5::DataSet ds = g.createDataSet(name, H5::PredType::IEEE_F64LE, space);
  if (any) ds.write(values, H5::PredType::NATIVE_DOUBLE);
  detail::put_string(ds, "units", units);
  detail::put_string(ds, "description", description);
  return ds;
}

// One point's file: everything under /point, so finalize can H5Ocopy it whole.
void write_point_file(const fs::path& path, const SweepPoint& p, const PointOutcome& o) {
  H5::H5File file(path.string(), H5F_ACC_TRUNC);
  H5::Group g = create_ordered_group(file, "point");
  detail::put_value(g, "id", static_cast<std::int64_t>(p.id));
  detail::put_string(g, "config", p.config_toml);
  detail::put_uint64(g, "seed", p.seed);
  detail::put_value(g, "repeat", static_cast<std::int64_t>(p.repeat));
  detail::put_string(g, "status", o.ok ? "ok" : "failed");
  detail::put_string(g, "error", o.ok ? std::string() : o.error);
  detail::put_value(g, "seconds", o.seconds);
  for (const auto& [key, value] : p.axis_values) detail::put_value(g, detail::axis_field(key), value);
  if (!o.ok) return;
  for (const auto& m : o.result.metrics)
    write_dataset(g, m.name, H5::DataSpace(H5S_SCALAR), &m.value, true, m.unit, m.description);
  for (const auto& c : o.result.curves) {
    const std::vector<hsize_t> dims(c.shape.begin(), c.shape.end());
    write_dataset(g, c.name, H5::DataSpace(static_cast<int>(dims.size()), dims.data()), c.values.data(),
                  !c.values.empty(), c.unit, c.description);
  }
}

/// True if the point file holds a complete point `id` (it was renamed into place after
/// closing, so this fails only for damage from outside: disk full, media errors, edits).
bool point_file_ok(const fs::path& path, std::size_t id) {
  try {
    Hdf5Lock lock;
    if (!H5::H5File::isHdf5(path.string())) return false;
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    if (!file.nameExists("point")) return false;
    H5::Group g = file.openGroup("point");
    if (!g.attrExists("id") || !g.attrExists("status") || !g.attrExists("seconds")) return false;
    return static_cast<std::size_t>(detail::get_number(g, "id")) == id;
  } catch (const H5::Exception&) {
    return false;
  }
}

/// What the summary needs of one point, read back from its point file.
struct PointSummary {
  bool ok = false;
  double seconds = 0.0;
  std::map<std::string, ParamValue> axes;                             // by axis key
  std::vector<std::tuple<std::string, std::string, double>> metrics;  // name, unit, value
};

PointSummary summarise(const H5::Group& g, const std::vector<std::string>& axis_keys) {
  PointSummary s;
  s.ok = detail::get_string(g, "status") == "ok";
  s.seconds = detail::get_number(g, "seconds");
  for (const auto& key : axis_keys) {
    const std::string attr = detail::axis_field(key);
    if (g.attrExists(attr)) s.axes[key] = detail::get_value(g, attr);
  }
  const hsize_t n = g.getNumObjs();
  for (hsize_t k = 0; k < n; ++k) {
    const ssize_t len = H5Lget_name_by_idx(g.getId(), ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT);
    if (len < 0) throw H5::GroupIException("H5Lget_name_by_idx", "cannot read a link name");
    std::string name(static_cast<std::size_t>(len) + 1, '\0');
    H5Lget_name_by_idx(g.getId(), ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, k, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<std::size_t>(len));
    if (g.childObjType(name) != H5O_TYPE_DATASET) continue;
    H5::DataSet ds = g.openDataSet(name);
    if (ds.getSpace().getSimpleExtentType() != H5S_SCALAR) continue;  // a curve
    double v = 0.0;
    ds.read(&v, H5::PredType::NATIVE_DOUBLE);
    s.metrics.emplace_back(name, ds.attrExists("units") ? detail::get_string(ds, "units") : "", v);
  }
  return s;
}

/// A summary cell of a text axis: strings as they are, numbers as format_value.
std::string value_text(const ParamValue& v) {
  if (const auto* text = std::get_if<std::string>(&v)) return *text;
  return format_value(v);
}

void write_summary(H5::H5File& file, const std::vector<PointSummary>& pts, const std::vector<std::string>& axis_keys) {
  struct Field {
    std::string name, unit;
    enum Kind { Int, Real, Text } kind = Real;
    std::size_t size = 8, offset = 0;
  };
  std::vector<Field> fields;
  std::set<std::string> used{"id", "status", "seconds"};
  std::size_t status_len = 1;
  for (const auto& p : pts) status_len = std::max(status_len, std::string(p.ok ? "ok" : "failed").size());
  fields.push_back({"id", "1", Field::Int});
  fields.push_back({"status", "", Field::Text, status_len});
  // Axes: float64 unless some value is a string; then every value as text.
  const std::size_t first_axis = fields.size();
  for (const auto& key : axis_keys) {
    Field f{detail::axis_field(key), "", Field::Real};
    for (const auto& p : pts) {
      const auto it = p.axes.find(key);
      if (it != p.axes.end() && std::holds_alternative<std::string>(it->second)) f.kind = Field::Text;
    }
    if (f.kind == Field::Text) {
      f.size = 1;
      for (const auto& p : pts) {
        const auto it = p.axes.find(key);
        if (it != p.axes.end()) f.size = std::max(f.size, value_text(it->second).size());
      }
    }
    used.insert(f.name);
    fields.push_back(f);
  }
  // Metrics: union over the ok points in order of first appearance.
  const std::size_t first_metric = fields.size();
  std::map<std::string, std::size_t> metric_field;  // metric name -> field index
  for (const auto& p : pts)
    for (const auto& [name, unit, value] : p.metrics)
      if (!metric_field.count(name)) {
        metric_field[name] = fields.size();
        fields.push_back({used.count(name) ? "metric:" + name : name, unit, Field::Real});
      }
  fields.push_back({"seconds", "s", Field::Real});

  std::size_t row_size = 0;
  for (auto& f : fields) {
    f.offset = row_size;
    row_size += f.size;
  }
  H5::CompType type(row_size);
  for (const auto& f : fields) {
    if (f.kind == Field::Int)
      type.insertMember(f.name, f.offset, H5::PredType::NATIVE_INT64);
    else if (f.kind == Field::Real)
      type.insertMember(f.name, f.offset, H5::PredType::NATIVE_DOUBLE);
    else {
      H5::StrType st(H5::PredType::C_S1, f.size);
      st.setStrpad(H5T_STR_NULLPAD);
      st.setCset(H5T_CSET_UTF8);
      type.insertMember(f.name, f.offset, st);
    }
  }
  std::vector<char> buf(row_size * pts.size(), '\0');
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t r = 0; r < pts.size(); ++r) {
    char* row = buf.data() + r * row_size;
    const auto put_real = [&](const Field& f, double v) { std::memcpy(row + f.offset, &v, sizeof v); };
    const auto put_text = [&](const Field& f, const std::string& t) {
      std::memcpy(row + f.offset, t.data(), std::min(t.size(), f.size));
    };
    const auto id = static_cast<std::int64_t>(r);
    std::memcpy(row + fields[0].offset, &id, sizeof id);
    put_text(fields[1], pts[r].ok ? "ok" : "failed");
    for (std::size_t a = 0; a < axis_keys.size(); ++a) {
      const Field& f = fields[first_axis + a];
      const auto it = pts[r].axes.find(axis_keys[a]);
      if (f.kind == Field::Text)
        put_text(f, it == pts[r].axes.end() ? std::string() : value_text(it->second));
      else if (it == pts[r].axes.end())
        put_real(f, nan);
      else
        put_real(f, std::visit(
                        [](const auto& v) -> double {
                          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>)
                            return 0.0;  // unreachable: a string makes the field Text
                          else
                            return static_cast<double>(v);
                        },
                        it->second));
    }
    for (std::size_t m = first_metric; m + 1 < fields.size(); ++m) put_real(fields[m], nan);
    for (const auto& [name, unit, value] : pts[r].metrics) put_real(fields[metric_field.at(name)], value);
    put_real(fields.back(), pts[r].seconds);
  }
  const hsize_t n = pts.size();
  H5::DataSet ds = file.createDataSet("summary", type, H5::DataSpace(1, &n));
  if (n) ds.write(buf.data(), type);
  std::vector<std::string> units;
  for (const auto& f : fields) units.push_back(f.unit);
  detail::put_strings(ds, "units", units);
  detail::put_string(ds, "description",
                     "one row per point in id order: id, status, axis values, scalar metrics (NaN where a point "
                     "has none), seconds; `units` lists one unit per field in field order");
}

/// Removes the journal's own files (never anything else) and the directory if then empty.
void remove_journal(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> ours;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const bool tmp = name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0;
    const std::string base = tmp ? name.substr(0, name.size() - 4) : name;
    if (point_file_id(base) || base == kSpecFile || base == kFingerprintFile || base == "result.h5")
      ours.push_back(e.path());
  }
  for (const auto& p : ours) fs::remove(p, ec);
  fs::remove(dir, ec);  // fails (harmlessly) if something foreign is left in it
  fsync_dir(dir.parent_path().empty() ? fs::path(".") : dir.parent_path());
}

/// True if every entry of `dir` is a file the journal makes: its header files
/// (sweep.toml, fingerprint and their .tmp), and with `with_points` also point files and
/// the merge's result.h5.tmp.
bool looks_like_journal(const fs::path& dir, bool with_points) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const bool tmp = name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0;
    const std::string base = tmp ? name.substr(0, name.size() - 4) : name;
    const bool header = base == kSpecFile || base == kFingerprintFile;
    const bool data = point_file_id(base).has_value() || name == kMergedFile;
    if (!header && !(with_points && data)) return false;
  }
  return !ec;
}

/// rename() that never replaces `to` (RENAME_NOREPLACE; a plain rename after a check
/// where the filesystem lacks it).
void rename_noreplace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  const int err = errno;
  if (err == EEXIST)
    throw IoError(to.string(), "exists; not replaced (the merged result is left in " + from.string() + ")");
  if (err != EINVAL && err != ENOSYS)
    throw IoError(to.string(), "cannot rename " + from.string() + " to it (" + std::strerror(err) + ")");
  if (present(to))
    throw IoError(to.string(), "exists; not replaced (the merged result is left in " + from.string() + ")");
  rename_or_throw(from, to);
}

}  // namespace

struct SweepStore::Impl {
  fs::path out, dir;
  std::string spec_text;
  std::size_t points = 0;
  std::vector<std::string> axis_keys;
  std::string start_time;
  StoreOptions options;
  std::mutex sync_m;  // one periodic sync at a time
  std::chrono::steady_clock::time_point last_sync;
  bool complete = false;
  mutable std::mutex m;  // guards finished and busy
  std::vector<bool> finished, busy;

  fs::path point_path(std::size_t id) const { return dir / ("point-" + padded(id, points) + ".h5"); }

  /// Points whose file is in the journal, whoever wrote it: under MPI every rank has its
  /// own SweepStore on the shared journal, and rank 0 merges what all of them stored. A
  /// point file appears only complete (rename), so its name is enough here.
  std::vector<bool> on_disk() const {
    std::vector<bool> done(points, false);
    if (complete) return std::vector<bool>(points, true);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (const auto id = point_file_id(e.path().filename().string()); id && *id < points) done[*id] = true;
    return done;
  }

  void write_header() {
    write_text_atomic(dir / kSpecFile, spec_text);
    start_time = utc_now_iso8601();
    Fingerprint fp{hex64(fnv1a64(spec_text)), std::string(version()), start_time, points, axis_keys};
    write_text_atomic(dir / kFingerprintFile, fingerprint_text(fp));  // last: the header is complete
  }
};

SweepStore::SweepStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SweepStore::SweepStore(SweepStore&&) noexcept = default;
SweepStore& SweepStore::operator=(SweepStore&&) noexcept = default;
SweepStore::~SweepStore() = default;

namespace {
std::unique_ptr<SweepStore::Impl> new_impl(const fs::path& out, const std::string& spec_text, std::size_t points,
                                           const std::vector<std::string>& axis_keys, const StoreOptions& options) {
  std::set<std::string> seen;
  for (const auto& k : axis_keys)
    if (!seen.insert(k).second) throw InternalError("sweep store: axis key '" + k + "' given twice");
  auto impl = std::make_unique<SweepStore::Impl>();
  impl->out = out;
  impl->dir = journal_of(out);
  impl->spec_text = spec_text;
  impl->points = points;
  impl->axis_keys = axis_keys;
  impl->options = options;
  impl->last_sync = std::chrono::steady_clock::now();
  impl->finished.assign(points, false);
  impl->busy.assign(points, false);
  return impl;
}
}  // namespace

SweepStore SweepStore::create(const fs::path& out, const std::string& spec_text, std::size_t points,
                              const std::vector<std::string>& axis_keys, const StoreOptions& options) {
  auto impl = new_impl(out, spec_text, points, axis_keys, options);
  if (present(out)) throw IoError(out.string(), "exists; use --resume or another output");
  std::error_code ec;
  // create_directory is atomic: of two sweeps started on the same output one fails here.
  if (!fs::create_directory(impl->dir, ec)) {
    if (!ec || present(impl->dir)) throw IoError(impl->dir.string(), "exists; use --resume or another output");
    throw IoError(impl->dir.string(), "cannot create the sweep journal (" + ec.message() + ")");
  }
  impl->write_header();
  return SweepStore(std::move(impl));
}

SweepStore SweepStore::resume(const fs::path& out, const std::string& spec_text, std::size_t points,
                              const std::vector<std::string>& axis_keys, const StoreOptions& options) {
  return open_existing(out, spec_text, points, axis_keys, options, false);
}

SweepStore SweepStore::attach(const fs::path& out, const std::string& spec_text, std::size_t points,
                              const std::vector<std::string>& axis_keys, const StoreOptions& options) {
  return open_existing(out, spec_text, points, axis_keys, options, true);
}

SweepStore SweepStore::open_existing(const fs::path& out, const std::string& spec_text, std::size_t points,
                                     const std::vector<std::string>& axis_keys, const StoreOptions& options,
                                     bool attach) {
  auto impl = new_impl(out, spec_text, points, axis_keys, options);
  const fs::path& dir = impl->dir;
  if (present(out)) {
    std::optional<std::string> spec;
    {
      Hdf5Lock lock;
      spec = detail::sweep_result_spec(out);
    }
    if (!spec) throw IoError(out.string(), "not an xbarsim sweep result; refusing to touch it");
    if (*spec != spec_text)
      throw ConfigError(out.string(), "--resume with a different spec than the one this result was made from");
    impl->complete = true;
    impl->finished.assign(points, true);
    // A kill between the final rename and the journal's removal leaves both: finish the
    // cleanup (only the journal's own files).
    std::error_code ec;
    if (!attach && fs::is_directory(dir, ec) && looks_like_journal(dir, true)) remove_journal(dir);
    return SweepStore(std::move(impl));
  }
  if (!present(dir)) {
    if (attach)
      throw IoError(dir.string(), "no sweep journal to attach to (do all MPI ranks see the output's directory?)");
    return create(out, spec_text, points, axis_keys, options);
  }
  std::error_code dir_ec;
  if (!fs::is_directory(dir, dir_ec)) throw IoError(dir.string(), "not an xbarsim sweep journal (not a directory)");
  const fs::path fp_path = dir / kFingerprintFile;
  // No fingerprint: either a create that was killed before finishing its header (then
  // only header files are here and no point was written) or something foreign, which is
  // refused before anything is written into it.
  const auto check_interrupted_create = [&] {
    if (!looks_like_journal(dir, false))
      throw IoError(dir.string(),
                    "not an xbarsim sweep journal (no fingerprint, and files that are not the journal's)");
  };
  if (!present(fp_path)) {
    if (attach) throw IoError(dir.string(), "no sweep journal to attach to (no fingerprint)");
    check_interrupted_create();
    impl->write_header();
    return SweepStore(std::move(impl));
  }
  const auto fp_text = read_text(fp_path);
  const auto fp = fp_text ? parse_fingerprint(*fp_text) : std::nullopt;
  if (!fp) throw IoError(fp_path.string(), "not an xbarsim sweep journal fingerprint");
  if (fp->version != version())
    throw IoError(fp_path.string(), "the sweep was started by xbarsim " + fp->version + ", this is " +
                                        std::string(version()) + "; resume it with that version or use another output");
  const fs::path spec_path = dir / kSpecFile;
  const auto journal_spec = read_text(spec_path);
  if (!journal_spec || hex64(fnv1a64(*journal_spec)) != fp->spec_hash)
    throw IoError(spec_path.string(), "missing or does not match the journal's fingerprint");
  if (*journal_spec != spec_text)
    throw ConfigError(spec_path.string(), "--resume with a different spec than the one the sweep was started with");
  if (fp->points != points)
    throw ConfigError(fp_path.string(), "points: the journal has " + std::to_string(fp->points) +
                                            ", the spec expands to " + std::to_string(points));
  if (fp->axes != axis_keys) throw ConfigError(fp_path.string(), "axes: differ from the journal's");
  impl->start_time = fp->start_time;
  if (attach) return SweepStore(std::move(impl));  // the owner checked and cleaned the journal

  std::error_code ec;
  std::vector<fs::path> leftovers;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      leftovers.push_back(e.path());  // a write the kill interrupted: never renamed, so ignored
      continue;
    }
    const auto id = point_file_id(name);
    if (!id || *id >= points) continue;  // not a point file of this sweep: left alone
    if (point_file_ok(e.path(), *id))
      impl->finished[*id] = true;
    else
      // Cannot happen through a kill (a point file appears only by rename after it was
      // closed), but can through a power loss without sync, a full disk or damage from
      // outside: run the point again.
      leftovers.push_back(e.path());
  }
  for (const auto& p : leftovers) fs::remove(p, ec);
  if (ec) throw IoError(dir.string(), "cannot remove an unfinished file (" + ec.message() + ")");
  return SweepStore(std::move(impl));
}

bool SweepStore::complete() const { return impl_->complete; }

std::vector<bool> SweepStore::finished() const {
  std::vector<bool> done = impl_->on_disk();
  std::lock_guard lock(impl_->m);
  for (std::size_t id = 0; id < done.size(); ++id) done[id] = done[id] || impl_->finished[id];
  return done;
}

std::size_t SweepStore::points() const { return impl_->points; }
const fs::path& SweepStore::output() const { return impl_->out; }
fs::path SweepStore::journal() const { return impl_->dir; }

void SweepStore::write_point(const SweepPoint& p, const PointOutcome& o) {
  Impl& s = *impl_;
  const std::string where = "sweep point " + std::to_string(p.id);
  if (p.id >= s.points) throw InternalError(where + ": id out of range (" + std::to_string(s.points) + " points)");
  std::set<std::string> names;
  for (const auto& [key, value] : p.axis_values)
    if (std::find(s.axis_keys.begin(), s.axis_keys.end(), key) == s.axis_keys.end())
      throw InternalError(where + ": axis '" + key + "' is not an axis of the sweep");
  if (o.ok) {
    for (const auto& m : o.result.metrics) {
      check_name(m.name, "metric", p.id);
      if (!names.insert(m.name).second) throw InternalError(where + ": result name '" + m.name + "' repeats");
    }
    for (const auto& c : o.result.curves) {
      check_name(c.name, "curve", p.id);
      if (!names.insert(c.name).second) throw InternalError(where + ": result name '" + c.name + "' repeats");
      std::size_t count = 1;
      for (auto n : c.shape) count *= n;
      if (c.shape.empty() || count != c.values.size())
        throw InternalError(where + ": curve '" + c.name + "' has " + std::to_string(c.values.size()) +
                            " values for its shape");
    }
  }
  {
    std::lock_guard lock(s.m);
    if (s.complete) throw InternalError(where + ": the sweep result is already final");
    if (s.finished[p.id] || s.busy[p.id]) throw InternalError(where + ": already stored");
    s.busy[p.id] = true;
  }
  const fs::path final_path = s.point_path(p.id);
  fs::path tmp = final_path;
  tmp += ".tmp";
  try {
    try {
      Hdf5Lock lock;
      write_point_file(tmp, p, o);  // every HDF5 object is closed on return
    } catch (const H5::Exception& e) {
      throw IoError(tmp.string(), "cannot write " + where + " (" + e.getDetailMsg() + ")");
    }
    if (s.options.sync_interval_s <= 0) fsync_file(tmp);
    rename_or_throw(tmp, final_path);
    if (s.options.sync_interval_s <= 0) fsync_dir(s.dir);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    std::lock_guard lock(s.m);
    s.busy[p.id] = false;
    throw;
  }
  {
    std::lock_guard lock(s.m);
    s.busy[p.id] = false;
    s.finished[p.id] = true;
  }
  if (s.options.sync_interval_s > 0 && std::isfinite(s.options.sync_interval_s)) {
    std::unique_lock sync(s.sync_m, std::try_to_lock);  // another worker syncing covers this point too
    const auto now = std::chrono::steady_clock::now();
    if (sync.owns_lock() && std::chrono::duration<double>(now - s.last_sync).count() >= s.options.sync_interval_s) {
      syncfs_of(s.dir);
      s.last_sync = now;
    }
  }
}

void SweepStore::finalize(const std::string& start_time) {
  Impl& s = *impl_;
  if (s.complete) return;
  std::size_t missing = 0;
  for (bool f : finished()) missing += f ? 0 : 1;
  if (missing)
    throw InternalError("sweep store: finalize with " + std::to_string(missing) + " of " + std::to_string(s.points) +
                        " points unfinished");
  const fs::path merged = s.dir / kMergedFile;
  try {
    Hdf5Lock lock;
    H5::H5File file(merged.string(), H5F_ACC_TRUNC);
    H5::Group root = file.openGroup("/");
    detail::put_value(root, "xbarsim_sweep", std::int64_t{1});
    detail::put_string(root, "spec", s.spec_text);
    detail::put_string(root, "version", std::string(version()));
    detail::put_string(root, "git_revision", std::string(git_revision()));
    detail::put_string(root, "start_time", start_time.empty() ? s.start_time : start_time);
    detail::put_value(root, "points", static_cast<std::int64_t>(s.points));
    detail::put_strings(root, "axes", s.axis_keys);
    H5::Group points = file.createGroup("points");
    std::vector<PointSummary> rows;
    rows.reserve(s.points);
    std::int64_t failed = 0;
    for (std::size_t id = 0; id < s.points; ++id) {
      const fs::path pf = s.point_path(id);
      H5::H5File src(pf.string(), H5F_ACC_RDONLY);
      const std::string name = padded(id, s.points);
      if (H5Ocopy(src.getId(), "point", points.getId(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
        throw H5::GroupIException("H5Ocopy", "cannot copy " + pf.string());
      rows.push_back(summarise(src.openGroup("point"), s.axis_keys));
      failed += rows.back().ok ? 0 : 1;
    }
    detail::put_value(root, "failed", failed);
    write_summary(file, rows, s.axis_keys);
    detail::put_string(root, "end_time", utc_now_iso8601());
  } catch (const H5::Exception& e) {
    throw IoError(merged.string(), "cannot merge the sweep journal (" + e.getDetailMsg() + ")");
  }
  // OUT must be on disk before its name appears and the journal goes; the point files
  // need not be (syncing them first would also make their removal slow on filesystems
  // mounted with `discard`: measured 3.7 ms per unlink of a synced file on the dev VM).
  fsync_file(merged);
  rename_noreplace(merged, s.out);
  fsync_dir(s.out.parent_path().empty() ? fs::path(".") : s.out.parent_path());
  {
    std::lock_guard lock(s.m);
    s.complete = true;
  }
  remove_journal(s.dir);
}

}  // namespace xbarsim::sweep

// The crash-safe sweep store (issue 6): layout read back by h5py (the independent reader,
// tests/sweep/store_h5py_dump.py), refusal of foreign output, resume after simulated
// crashes and after real SIGKILLs at random moments.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/version.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/sweep/store.hpp>

namespace fs = std::filesystem;
using namespace xbarsim;
using namespace xbarsim::sweep;

namespace {

const std::string kSpec = "[sweep]\nname = \"test\"\n\n[[axis]]\nkey = \"crossbar.adc.bits\"\nvalues = [4, 5, 6]\n";
const std::vector<std::string> kAxes{"crossbar.adc.bits", "device.preset", "drift.time_s"};

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / ("xbarsim_store_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The synthetic sweep of these tests: point `id` of the hand tables below.
SweepPoint make_point(std::size_t id) {
  SweepPoint p;
  p.id = id;
  p.repeat = id % 2;
  p.seed = 1000 + 7 * id;
  const auto bits = static_cast<std::int64_t>(4 + id % 3);
  p.axis_values = {{"crossbar.adc.bits", bits},
                   {"device.preset", std::string(id % 2 ? "pcm" : "rram")},
                   {"drift.time_s", 0.5 * static_cast<double>(id)}};
  p.config_toml = "[crossbar.adc]\nbits = " + std::to_string(bits) + "\n";
  return p;
}

// Every 4th point (id % 4 == 3) fails; latency_s only for even ids (NaN in /summary else).
PointOutcome make_outcome(std::size_t id) {
  PointOutcome o;
  const double x = static_cast<double>(id);
  o.seconds = 0.125 * (x + 1);
  if (id % 4 == 3) {
    o.ok = false;
    o.error = "tile too small: 3 < 8";
    return o;
  }
  o.ok = true;
  o.result.metrics.push_back({"analog_accuracy", "1", "accuracy with analog tiles", 0.5 + 0.25 * x});
  o.result.metrics.push_back({"energy_j", "J", "energy per inference", 1e-9 * (x + 1)});
  if (id % 2 == 0) o.result.metrics.push_back({"latency_s", "s", "latency per inference", 1e-6 * x});
  sweep::Curve c{"accuracy_vs_time", "1", "accuracy after drift", {2, 3}, {}};
  for (int k = 0; k < 6; ++k) c.values.push_back(x + 0.25 * k);
  o.result.curves.push_back(c);
  return o;
}

void write_all(SweepStore& store, const std::vector<std::size_t>& ids) {
  for (auto id : ids) store.write_point(make_point(id), make_outcome(id));
}

std::vector<std::size_t> iota(std::size_t n) {
  std::vector<std::size_t> v(n);
  for (std::size_t k = 0; k < n; ++k) v[k] = k;
  return v;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << bytes;
}

// Runs the h5py dumper over files; returns one map key -> value per file.
std::vector<std::map<std::string, std::string>> h5py_dump(const std::vector<fs::path>& files) {
  std::string cmd = "/usr/bin/python3 " XBARSIM_SOURCE_DIR "/tests/sweep/store_h5py_dump.py";
  for (const auto& f : files) cmd += " '" + f.string() + "'";
  cmd += " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int rc = ::pclose(pipe);
  INFO(out);
  REQUIRE(rc == 0);
  std::vector<std::map<std::string, std::string>> dumps;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("== ", 0) == 0) {
      dumps.emplace_back();
      continue;
    }
    REQUIRE(!dumps.empty());
    const auto eq = line.find('=');
    dumps.back()[line.substr(0, eq)] = line.substr(eq + 1);
  }
  REQUIRE(dumps.size() == files.size());
  return dumps;
}

std::vector<std::string> split(const std::string& s, char sep = ',') {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else
      cur += c;
  }
  out.push_back(cur);
  return out;
}

// A summary cell (h5py repr or our text) against an expected number; NaN equals NaN.
void check_number(const std::string& cell, double expected) {
  INFO("cell '" << cell << "' expected " << expected);
  const double v = std::stod(cell);
  if (std::isnan(expected))
    CHECK(std::isnan(v));
  else
    CHECK(v == expected);  // exact: both texts are shortest round-trip forms
}

const double nan = std::nan("");

// Hand table of the 6-point sweep (make_point/make_outcome): columns after id and status
// are bits, preset, drift time, analog_accuracy (0.5 + 0.25 id), energy_j (1e-9 (id+1)),
// latency_s (1e-6 id, even ids only), seconds (0.125 (id+1)); point 3 failed.
struct Row {
  const char* status;
  double bits;
  const char* preset;
  double drift, acc, energy, latency, seconds;
};
const std::vector<Row> kRows{
    {"ok", 4, "rram", 0.0, 0.5, 1e-9 * 1, 0.0, 0.125},      {"ok", 5, "pcm", 0.5, 0.75, 1e-9 * 2, nan, 0.25},
    {"ok", 6, "rram", 1.0, 1.0, 1e-9 * 3, 2e-6, 0.375},     {"failed", 4, "pcm", 1.5, nan, nan, nan, 0.5},
    {"ok", 5, "rram", 2.0, 1.5, 1e-9 * 5, 1e-6 * 4, 0.625}, {"ok", 6, "pcm", 2.5, 1.75, 1e-9 * 6, nan, 0.75},
};

void check_rows(const std::vector<std::vector<std::string>>& rows) {
  REQUIRE(rows.size() == kRows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    INFO("row " << r);
    const auto& c = rows[r];
    REQUIRE(c.size() == 9);
    CHECK(c[0] == std::to_string(r));
    CHECK(c[1] == kRows[r].status);
    check_number(c[2], kRows[r].bits);
    CHECK(c[3] == kRows[r].preset);
    check_number(c[4], kRows[r].drift);
    check_number(c[5], kRows[r].acc);
    check_number(c[6], kRows[r].energy);
    check_number(c[7], kRows[r].latency);
    check_number(c[8], kRows[r].seconds);
  }
}

fs::path make_result(const fs::path& out, std::size_t n = 6) {
  auto store = SweepStore::create(out, kSpec, n, kAxes);
  write_all(store, iota(n));
  store.finalize("2026-01-01T00:00:00Z");
  return out;
}

}  // namespace

TEST_CASE("sweep store: points in any order, merged file read back by the C++ API and h5py", "[sweep]") {
  TempDir tmp("layout");
  const fs::path out = tmp.path / "R.h5";
  {
    auto store = SweepStore::create(out, kSpec, 6, kAxes);
    CHECK_FALSE(store.complete());
    CHECK(fs::is_directory(tmp.path / "R.h5.partial"));
    write_all(store, {5, 0, 3, 2, 4, 1});                         // finishing order must not matter
    CHECK(fs::exists(tmp.path / "R.h5.partial" / "point-3.h5"));  // on disk as it finishes
    CHECK_FALSE(fs::exists(out));
    CHECK(store.finished() == std::vector<bool>(6, true));
    store.finalize("2026-01-01T00:00:00Z");
    CHECK(store.complete());
  }
  CHECK(fs::exists(out));
  CHECK_FALSE(fs::exists(tmp.path / "R.h5.partial"));  // journal removed

  // C++ reader: /summary as text.
  const SummaryTable t = read_summary(out);
  CHECK(t.columns == std::vector<std::string>{"id", "status", "crossbar.adc.bits", "device.preset", "drift.time_s",
                                              "analog_accuracy", "energy_j", "latency_s", "seconds"});
  CHECK(t.units == std::vector<std::string>{"1", "", "", "", "", "1", "J", "s", "s"});
  check_rows(t.rows);
  // A curve and attributes through the io module's HDF5 readers.
  const auto curve = io::read_dataset(out, "points/4/accuracy_vs_time");
  CHECK(curve.shape == std::vector<std::size_t>{2, 3});
  CHECK(curve.values == std::vector<double>{4.0, 4.25, 4.5, 4.75, 5.0, 5.25});
  CHECK(curve.units == "1");
  CHECK(io::read_string_attribute(out, "points/3/status") == "failed");
  CHECK(io::read_string_attribute(out, "points/3/error") == "tile too small: 3 < 8");
  CHECK(io::read_string_attribute(out, "points/2/config") == "[crossbar.adc]\nbits = 6\n");
  CHECK_FALSE(io::has_object(out, "points/3/analog_accuracy"));  // a failed point has no datasets

  // h5py, without any xbarsim code.
  auto d = h5py_dump({out})[0];
  CHECK(d["root.xbarsim_sweep"] == "1");
  CHECK(d["root.points"] == "6");
  CHECK(d["root.failed"] == "1");
  CHECK(d["root.spec"] ==
        "[sweep]\\nname = \"test\"\\n\\n[[axis]]\\nkey = \"crossbar.adc.bits\"\\nvalues = [4, 5, 6]\\n");
  CHECK(d["root.version"] == std::string(version()));
  CHECK(d["root.git_revision"] == std::string(git_revision()));
  CHECK(d["root.start_time"] == "2026-01-01T00:00:00Z");
  CHECK(d["root.end_time"].size() == 20);  // YYYY-MM-DDTHH:MM:SSZ
  CHECK(d["root.axes"] == "[crossbar.adc.bits,device.preset,drift.time_s]");
  CHECK(d["points"] == "0,1,2,3,4,5");
  CHECK(d["summary.fields"] ==
        "id,status,crossbar.adc.bits,device.preset,drift.time_s,analog_accuracy,energy_j,latency_s,seconds");
  // status "failed" is 6 bytes, preset "rram" 4: fixed-length byte strings.
  CHECK(d["summary.dtypes"] == "i8,S6,f8,S4,f8,f8,f8,f8,f8");
  CHECK(d["summary.units"] == "[1,,,,,1,J,s,s]");
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < 6; ++r) rows.push_back(split(d["summary.row." + std::to_string(r)]));
  check_rows(rows);
  CHECK(d["point.4.data.accuracy_vs_time.shape"] == "2x3");
  CHECK(d["point.4.data.accuracy_vs_time.dtype"] == "f8");
  CHECK(d["point.4.data.accuracy_vs_time.units"] == "1");
  CHECK(d["point.4.data.accuracy_vs_time.values"] == "[4.0,4.25,4.5,4.75,5.0,5.25]");
  CHECK(d["point.4.data.energy_j.shape"] == "");  // scalar dataset
  CHECK(d["point.4.data.energy_j.units"] == "J");
  CHECK(d["point.4.data.energy_j.description"] == "energy per inference");
  CHECK(d["point.4.attr.seed"] == "1028");  // 1000 + 7 * 4
  CHECK(d["point.4.attr.repeat"] == "0");
  CHECK(d["point.4.attr.status"] == "ok");
  CHECK(d["point.4.attr.error"] == "");
  CHECK(d["point.4.attr.seconds"] == "0.625");
  CHECK(d["point.4.attr.crossbar.adc.bits"] == "5");
  CHECK(d["point.4.attr.device.preset"] == "rram");
  CHECK(d["point.4.attr.drift.time_s"] == "2.0");
  CHECK(d["point.3.attr.status"] == "failed");
  CHECK(d["point.3.attr.error"] == "tile too small: 3 < 8");
  CHECK(d.count("point.3.data.energy_j.shape") == 0);
}

TEST_CASE("sweep store: summary_csv and summary_text of a 2-point table", "[sweep]") {
  SummaryTable t{{"id", "device, preset", "acc"}, {"1", "", "1"}, {{"0", "rram", "0.5"}, {"1", "pcm \"x\"", "nan"}}};
  // By hand (RFC 4180): a comma or a quote makes a quoted field, quotes doubled.
  CHECK(summary_csv(t) == "id,\"device, preset\",acc\n0,rram,0.5\n1,\"pcm \"\"x\"\"\",nan\n");
  CHECK(summary_text(t) ==
        "id   device, preset  acc\n"
        "[1]                  [1]\n"
        "0    rram            0.5\n"
        "1    pcm \"x\"         nan\n");
}

TEST_CASE("sweep store: an existing output, journal, foreign or corrupt file is refused and untouched", "[sweep]") {
  TempDir tmp("refuse");
  const fs::path out = make_result(tmp.path / "R.h5");
  const std::string bytes = read_bytes(out);

  SECTION("existing result: create refuses; resume with another spec is a ConfigError") {
    CHECK_THROWS_WITH(SweepStore::create(out, kSpec, 6, kAxes),
                      Catch::Contains("R.h5") && Catch::Contains("exists; use --resume or another output"));
    CHECK_THROWS_AS(SweepStore::resume(out, kSpec + "# changed\n", 6, kAxes), ConfigError);
    CHECK_THROWS_WITH(SweepStore::resume(out, kSpec + "# changed\n", 6, kAxes), Catch::Contains("R.h5"));
    auto done = SweepStore::resume(out, kSpec, 6, kAxes);
    CHECK(done.complete());
    CHECK(done.finished() == std::vector<bool>(6, true));
    done.finalize();  // no-op
    CHECK(read_bytes(out) == bytes);
  }
  SECTION("existing journal: create refuses, resume with another spec names sweep.toml") {
    const fs::path out2 = tmp.path / "S.h5";
    {
      auto s = SweepStore::create(out2, kSpec, 6, kAxes);
      write_all(s, {0, 1});
    }
    const fs::path journal = tmp.path / "S.h5.partial";
    const std::string p0 = read_bytes(journal / "point-0.h5");
    CHECK_THROWS_WITH(SweepStore::create(out2, kSpec, 6, kAxes),
                      Catch::Contains("S.h5.partial") && Catch::Contains("exists; use --resume"));
    try {
      (void)SweepStore::resume(out2, "[sweep]\nother = 1\n", 6, kAxes);
      FAIL("no error");
    } catch (const ConfigError& e) {
      REQUIRE(e.problems().size() == 1);
      CHECK(e.problems()[0].where == (journal / "sweep.toml").string());
    }
    CHECK(read_bytes(journal / "point-0.h5") == p0);
    CHECK_FALSE(fs::exists(out2));
  }
  SECTION("foreign HDF5 (an xbarsim run result without the sweep marker), text, truncated sweep result") {
    const fs::path foreign = tmp.path / "run.h5";
    { io::ResultFile f(foreign, {"x = 1\n", 7, "run"}); }
    const fs::path text = tmp.path / "notes.h5";
    write_bytes(text, "not an HDF5 file\n");
    const fs::path truncated = tmp.path / "cut.h5";
    write_bytes(truncated, bytes.substr(0, bytes.size() / 2));
    for (const auto& p : {foreign, text, truncated}) {
      INFO(p);
      const std::string before = read_bytes(p);
      CHECK_THROWS_WITH(SweepStore::resume(p, kSpec, 6, kAxes),
                        Catch::Contains(p.string()) && Catch::Contains("not an xbarsim sweep result"));
      CHECK_THROWS_WITH(SweepStore::create(p, kSpec, 6, kAxes), Catch::Contains("exists"));
      CHECK_THROWS_WITH(read_summary(p), Catch::Contains(p.string()) && Catch::Contains("not an xbarsim sweep result"));
      CHECK(read_bytes(p) == before);
      fs::path journal = p;
      journal += ".partial";
      CHECK_FALSE(fs::exists(journal));
    }
  }
  SECTION("a foreign directory named like a journal") {
    const fs::path out2 = tmp.path / "T.h5";
    fs::create_directory(tmp.path / "T.h5.partial");
    write_bytes(tmp.path / "T.h5.partial" / "mine.txt", "keep me");
    CHECK_THROWS_WITH(SweepStore::resume(out2, kSpec, 6, kAxes), Catch::Contains("not an xbarsim sweep journal"));
    CHECK_THROWS_WITH(SweepStore::create(out2, kSpec, 6, kAxes), Catch::Contains("exists"));
    CHECK(read_bytes(tmp.path / "T.h5.partial" / "mine.txt") == "keep me");
    CHECK(std::distance(fs::directory_iterator(tmp.path / "T.h5.partial"), fs::directory_iterator()) == 1);
  }
  CHECK(read_bytes(out) == bytes);
}

TEST_CASE("sweep store: names that clash with reserved fields, a text axis with numbers", "[sweep]") {
  TempDir tmp("clash");
  const fs::path out = tmp.path / "R.h5";
  {
    auto s = SweepStore::create(out, kSpec, 2, {"seconds", "mode"});
    for (std::size_t id = 0; id < 2; ++id) {
      SweepPoint p;
      p.id = id;
      p.axis_values = {{"seconds", 2.0 * static_cast<double>(id)},
                       {"mode", id ? ParamValue(std::string("fast")) : ParamValue(std::int64_t{3})}};
      PointOutcome o;
      o.ok = true;
      o.seconds = 1.5;
      o.result.metrics = {{"id", "1", "a metric called id", 7.0}, {"mode", "1", "a metric called mode", 8.0}};
      s.write_point(p, o);
    }
    s.finalize();
  }
  // By hand: the axis "seconds" becomes axis:seconds (attribute and field); metrics "id"
  // and "mode" clash with summary fields and become metric:id, metric:mode; the axis
  // "mode" holds a string in point 1, so its field is text ("3" from format_value).
  const SummaryTable t = read_summary(out);
  CHECK(t.columns ==
        std::vector<std::string>{"id", "status", "axis:seconds", "mode", "metric:id", "metric:mode", "seconds"});
  CHECK(t.rows == std::vector<std::vector<std::string>>{{"0", "ok", "0", "3", "7", "8", "1.5"},
                                                        {"1", "ok", "2", "fast", "7", "8", "1.5"}});
  CHECK(io::read_number_attribute(out, "points/1/axis:seconds") == 2.0);
  CHECK(io::read_number_attribute(out, "points/1/seconds") == 1.5);
  CHECK(io::read_dataset(out, "points/1/id").values == std::vector<double>{7.0});

  // A sweep without axes (repeats only), one point failed: empty `axes` array, no metric
  // fields (the only metric-bearing point failed), as h5py reads it.
  const fs::path plain = tmp.path / "P.h5";
  {
    auto s = SweepStore::create(plain, kSpec, 1, {});
    SweepPoint p;
    PointOutcome o;
    o.error = "boom";
    s.write_point(p, o);
    s.finalize();
  }
  auto d = h5py_dump({plain})[0];
  CHECK(d["root.axes"] == "[]");
  CHECK(d["root.failed"] == "1");
  CHECK(d["summary.fields"] == "id,status,seconds");
  CHECK(d["summary.row.0"] == "0,failed,0.0");
  CHECK(d["point.0.attr.error"] == "boom");
}

TEST_CASE("sweep store: invalid writes are bugs of the caller (InternalError)", "[sweep]") {
  TempDir tmp("invalid");
  auto s = SweepStore::create(tmp.path / "R.h5", kSpec, 6, kAxes);
  s.write_point(make_point(0), make_outcome(0));
  CHECK_THROWS_AS(s.write_point(make_point(0), make_outcome(0)), InternalError);  // twice
  CHECK_THROWS_AS(s.write_point(make_point(6), make_outcome(0)), InternalError);  // out of range
  auto p = make_point(1);
  p.axis_values.push_back({"not.an.axis", 1.0});
  CHECK_THROWS_AS(s.write_point(p, make_outcome(1)), InternalError);
  auto o = make_outcome(1);
  o.result.curves[0].shape = {4, 2};  // 6 values
  CHECK_THROWS_AS(s.write_point(make_point(1), o), InternalError);
  o = make_outcome(1);
  o.result.metrics[1].name = "a/b";
  CHECK_THROWS_AS(s.write_point(make_point(1), o), InternalError);
  CHECK_THROWS_AS(s.finalize(), InternalError);  // 5 points unfinished
  CHECK(s.finished() == std::vector<bool>{true, false, false, false, false, false});
}

TEST_CASE("sweep store: resume after a simulated crash", "[sweep]") {
  // Four scenarios on four outputs, compared at the end with one h5py run (python's
  // start-up dominates the test's time).
  TempDir tmp("resume");
  const fs::path ref = make_result(tmp.path / "ref.h5");
  const auto journal_of = [](fs::path out) { return out += ".partial"; };

  const fs::path a = tmp.path / "A.h5";  // leftover .tmp and a damaged point file: those points run again
  {
    const fs::path journal = journal_of(a);
    {
      auto s = SweepStore::create(a, kSpec, 6, kAxes);
      write_all(s, {0, 2, 4});
    }                                                         // "crash": the store goes away without finalize
    write_bytes(journal / "point-1.h5.tmp", "half a point");  // killed mid-write
    const std::string p4 = read_bytes(journal / "point-4.h5");
    write_bytes(journal / "point-4.h5", p4.substr(0, p4.size() / 3));  // damaged from outside
    auto s = SweepStore::resume(a, kSpec, 6, kAxes);
    CHECK(s.finished() == std::vector<bool>{true, false, true, false, false, false});
    CHECK_FALSE(fs::exists(journal / "point-1.h5.tmp"));
    CHECK_FALSE(fs::exists(journal / "point-4.h5"));
    for (std::size_t id = 0; id < 6; ++id)
      if (!s.finished()[id]) s.write_point(make_point(id), make_outcome(id));
    s.finalize("2026-01-01T00:00:00Z");
  }
  const fs::path b = tmp.path / "B.h5";  // a create killed before its fingerprint was written
  {
    const fs::path journal = journal_of(b);
    fs::create_directory(journal);
    write_bytes(journal / "sweep.toml.tmp", "[swe");
    auto s = SweepStore::resume(b, kSpec, 6, kAxes);
    CHECK(s.finished() == std::vector<bool>(6, false));
    write_all(s, iota(6));
    s.finalize("2026-01-01T00:00:00Z");
  }
  const fs::path c = tmp.path / "C.h5";  // killed after the final rename, before the journal was removed
  {
    const fs::path journal = journal_of(c);
    {
      auto s = SweepStore::create(c, kSpec, 6, kAxes);
      write_all(s, iota(6));
    }
    const fs::path keep = tmp.path / "journal-copy";
    fs::copy(journal, keep);
    {
      auto s = SweepStore::resume(c, kSpec, 6, kAxes);
      s.finalize("2026-01-01T00:00:00Z");
    }
    fs::copy(keep, journal);  // as if killed before the journal's removal
    auto s = SweepStore::resume(c, kSpec, 6, kAxes);
    CHECK(s.complete());
    CHECK_FALSE(fs::exists(journal));
  }
  const fs::path d = tmp.path / "D.h5";  // resume with nothing on disk starts the sweep
  {
    auto s = SweepStore::resume(d, kSpec, 6, kAxes);
    CHECK(s.finished() == std::vector<bool>(6, false));
    write_all(s, iota(6));
    s.finalize("2026-01-01T00:00:00Z");
  }
  const fs::path e = tmp.path / "E.h5";  // no crash: 3 threads write concurrently, fsync per point
  {
    auto s = SweepStore::create(e, kSpec, 6, kAxes, StoreOptions{0.0});
    std::vector<std::thread> workers;
    for (std::size_t w = 0; w < 3; ++w)
      workers.emplace_back([&s, w] {
        for (std::size_t id = w; id < 6; id += 3) s.write_point(make_point(id), make_outcome(id));
      });
    for (auto& t : workers) t.join();
    s.finalize("2026-01-01T00:00:00Z");
  }
  const fs::path f = tmp.path / "F.h5";  // two stores on one journal (MPI ranks): each sees both's points
  {
    auto rank0 = SweepStore::create(f, kSpec, 6, kAxes);
    auto rank1 = SweepStore::attach(f, kSpec, 6, kAxes);
    CHECK_THROWS_WITH(SweepStore::attach(tmp.path / "none.h5", kSpec, 6, kAxes),
                      Catch::Contains("none.h5.partial") && Catch::Contains("no sweep journal to attach to"));
    write_all(rank0, {0, 2, 4});
    write_all(rank1, {1, 3, 5});
    CHECK(rank0.finished() == std::vector<bool>(6, true));
    CHECK(rank1.finished() == std::vector<bool>(6, true));
    rank0.finalize("2026-01-01T00:00:00Z");
  }
  // Same content as the uninterrupted reference, by h5py (end times excepted; all use the
  // same given start time here).
  const std::vector<fs::path> files{ref, a, b, c, d, e, f};
  auto dumps = h5py_dump(files);
  for (auto& dump : dumps) dump.erase("root.end_time");
  for (std::size_t k = 1; k < dumps.size(); ++k) {
    INFO(files[k]);
    CHECK_FALSE(fs::exists(journal_of(files[k])));
    CHECK(dumps[k] == dumps[0]);
  }
}

namespace {
// The child of the SIGKILL test: the whole sweep, as `xbarsim sweep` would run it.
[[noreturn]] void child_sweep(const fs::path& out, std::size_t n) {
  try {
    auto s = SweepStore::resume(out, kSpec, n, kAxes);
    const auto done = s.finished();
    for (std::size_t id = 0; id < n; ++id)
      if (!done[id]) s.write_point(make_point(id), make_outcome(id));
    s.finalize("2026-01-01T00:00:00Z");
  } catch (...) {
    ::_exit(2);
  }
  ::_exit(0);
}
}  // namespace

TEST_CASE("sweep store: SIGKILL at random moments, then resume: every point once, same values", "[sweep]") {
  TempDir tmp("sigkill");
  constexpr std::size_t n = 32;  // ids 00..31: zero-padded to 2 digits
  using clock = std::chrono::steady_clock;
  const auto seconds_since = [](clock::time_point t) {
    return std::chrono::duration<double>(clock::now() - t).count();
  };
  // The reference: one uninterrupted run in a child, timed as the parent sees it.
  const fs::path ref = tmp.path / "ref.h5";
  const auto t0 = clock::now();
  const pid_t ref_pid = ::fork();
  REQUIRE(ref_pid >= 0);
  if (ref_pid == 0) child_sweep(ref, n);
  int ref_status = 0;
  REQUIRE(::waitpid(ref_pid, &ref_status, 0) == ref_pid);
  const double t_ref = seconds_since(t0);
  REQUIRE(WIFEXITED(ref_status));
  REQUIRE(WEXITSTATUS(ref_status) == 0);

  // Kill delays spread over 0 .. 1.1 x the uninterrupted run, so kills land before the
  // journal exists, between and inside point writes, during the merge and after the
  // end; a fixed-seed jitter moves them off a regular grid.
  constexpr int runs = 14;
  std::uint64_t lcg = 12345;
  int killed_mid = 0, before_start = 0, after_end = 0;
  std::string states;  // points on disk when each kill landed
  std::vector<fs::path> outs;
  for (int r = 0; r < runs; ++r) {
    const fs::path out = tmp.path / ("R" + std::to_string(r) + ".h5");
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    const double jitter = static_cast<double>(lcg >> 11) / 9007199254740992.0;  // [0, 1)
    const double delay = 1.1 * t_ref * (r + jitter) / runs;
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) child_sweep(out, n);
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    ::kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    if (!WIFSIGNALED(status)) REQUIRE(WEXITSTATUS(status) == 0);
    fs::path journal = out;
    journal += ".partial";
    if (fs::exists(out)) {
      ++after_end;
      states += " done";
    } else if (!fs::exists(journal)) {
      ++before_start;
      states += " none";
    } else {
      ++killed_mid;
      std::size_t on_disk = 0;
      for (const auto& e : fs::directory_iterator(journal))
        on_disk += e.path().extension() == ".h5" && e.path().filename().string().rfind("point-", 0) == 0;
      states += " " + std::to_string(on_disk) + (fs::exists(journal / "fingerprint") ? "" : "(no fingerprint)") +
                (fs::exists(journal / "result.h5.tmp") ? "(merging)" : "");
    }

    auto s = SweepStore::resume(out, kSpec, n, kAxes);
    const auto done = s.finished();
    for (std::size_t id = 0; id < n; ++id)
      if (!done[id]) s.write_point(make_point(id), make_outcome(id));
    s.finalize("2026-01-01T00:00:00Z");
    CHECK_FALSE(fs::exists(journal));
    outs.push_back(out);
  }
  std::fprintf(stderr,
               "sweep store SIGKILL test: reference run %.1f ms for %zu points; kills: %d before the journal, %d "
               "mid-sweep, %d after the result; points on disk per kill:%s\n",
               t_ref * 1e3, n, before_start, killed_mid, after_end, states.c_str());
  CHECK(killed_mid >= 1);

  std::vector<fs::path> files{ref};
  files.insert(files.end(), outs.begin(), outs.end());
  auto d = h5py_dump(files);
  d[0].erase("root.end_time");
  std::string names;
  for (std::size_t id = 0; id < n; ++id) {
    if (id) names += ',';
    if (id < 10) names += '0';
    names += std::to_string(id);
  }
  CHECK(d[0]["points"] == names);  // 00,01,...,31
  for (std::size_t k = 1; k < d.size(); ++k) {
    INFO(files[k]);
    d[k].erase("root.end_time");
    CHECK(d[k] == d[0]);  // every point once (group names), same attributes, datasets, summary
  }
}

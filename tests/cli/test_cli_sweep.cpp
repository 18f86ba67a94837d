// `xbarsim sweep`, `xbarsim sweep plan` and `xbarsim results summary` end to end (issue 6):
// the examples' plans, spec errors, a small run sweep read back by h5py, a failing point,
// refusing an existing output, SIGKILL and Ctrl-C followed by --resume, and 2 MPI ranks.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../test_util.hpp"

extern char** environ;

using namespace xbarsim;
namespace fs = std::filesystem;

namespace {

const std::string kXbarsim = std::string(XBARSIM_BIN_DIR) + "/xbarsim";
const fs::path kExamples = fs::path(XBARSIM_SOURCE_DIR) / "examples" / "sweeps";

// A path quoted for the shell (appending, not "'" + s: GCC 12 warns -Wrestrict on that).
std::string q(const fs::path& p) {
  std::string s(1, '\'');
  s += p.string();
  s += '\'';
  return s;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The small run sweep of these tests: adc.bits (slowest) x device, 100 test images of the
// shipped LeNet-5 per point, so 3 x 2 = 6 points, ids in grid order (spec.hpp).
const char* kSmallSpec = R"(schema_version = 1
job = "run"
seed = 3

[config]
images = 100

[[axis]]
key = "adc.bits"
values = [4, 6, 8]

[[axis]]
key = "device"
values = ["pcm-joshi2020", "pcm-nandakumar2020"]
)";
constexpr std::size_t kSmallPoints = 6;

// `results summary --csv` without the `seconds` column (wall time differs between runs).
std::string csv_without_seconds(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream ls(line);
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  if (rows.empty()) return "";
  const auto it = std::find(rows[0].begin(), rows[0].end(), "seconds");
  const auto col = static_cast<std::size_t>(it - rows[0].begin());
  std::string out;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i)
      if (i != col) out += r[i] + ",";
    out += "\n";
  }
  return out;
}

std::string summary_csv(const fs::path& result) {
  const auto r = test::run_command(q(kXbarsim) + " results summary " + q(result) + " --csv");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return csv_without_seconds(r.output);
}

// An uninterrupted one-process run of kSmallSpec (2 threads), shared by the test cases:
// the reference every other run of the same spec is compared with.
struct Reference {
  test::ScratchDir dir{"cli_sweep_ref"};
  fs::path spec, out;
  test::RunResult run;
  std::string csv;
  Reference() {
    spec = dir.write("small.toml", kSmallSpec);
    out = dir / "ref.h5";
    run = test::run_command(q(kXbarsim) + " sweep " + q(spec) + " -o " + q(out) + " --threads 2");
    if (run.exit_code == 0)
      csv = csv_without_seconds(test::run_command(q(kXbarsim) + " results summary " + q(out) + " --csv").output);
  }
};
const Reference& reference() {
  static const Reference r;
  INFO(r.run.output);
  REQUIRE(r.run.exit_code == 0);
  REQUIRE(!r.csv.empty());
  return r;
}

// Runs h5py (Debian python3-h5py) on `file` with `script` (which sees `f`, the open file,
// and prints one JSON document); returns the JSON.
nlohmann::json h5py(const test::ScratchDir& dir, const fs::path& file, const std::string& script) {
  const auto py =
      dir.write("read.py", "import h5py, json, sys\nimport numpy as np\nf = h5py.File(sys.argv[1], 'r')\n" + script);
  const auto r = test::run_command("/usr/bin/python3 " + q(py) + " " + q(file));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.output);
}

// The CLI in the background (stdout and stderr to `log`), for signals mid-run.
pid_t spawn_sweep(const std::string& args, const fs::path& log) {
  const std::string cmd = "exec " + q(kXbarsim) + " " + args + " > " + q(log) + " 2>&1";
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = -1;
  REQUIRE(::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
  return pid;
}

// Finished point files in a journal (point-<id>.h5; the .tmp ones are being written).
std::size_t point_files(const fs::path& journal) {
  std::error_code ec;
  std::size_t n = 0;
  for (fs::directory_iterator it(journal, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("point-", 0) == 0 && name.size() > 3 && name.substr(name.size() - 3) == ".h5") ++n;
  }
  return n;
}

// Polls until `journal` holds at least `want` point files or the process exits; true if
// it is still running then.
bool wait_for_points(pid_t pid, const fs::path& journal, std::size_t want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (point_files(journal) >= want) return true;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

int wait_exit(pid_t pid, int* signal = nullptr) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (signal) *signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("sweep plan: every example is valid, point counts by hand", "[cli][sweep]") {
  // Hand counts from each spec's axes (grid product, zip groups one dimension, x repeats).
  const std::vector<std::pair<std::string, std::size_t>> examples = {
      {"quick.toml", 4 * 2},                // adc.bits 4 values x 2 devices
      {"adc_tile_device.toml", 3 * 2 * 3},  // adc.bits 3 x (tile_rows, tile_cols) zipped 2 x 3 devices
      {"drift.toml", 2 * 3},                // 2 devices x repeats = 3
      {"tech_network_ppa.toml", 4 * 4},     // 4 tech nodes x 4 networks
  };
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(kExamples))
    if (e.path().extension() == ".toml") ++files;
  CHECK(files == examples.size());  // a new example needs its count here
  for (const auto& [name, points] : examples) {
    const auto r = test::run_xbarsim("sweep plan " + q(kExamples / name) + " --json");
    INFO(name << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.output);
    CHECK(j["points"] == points);
    REQUIRE(j["plan"].size() == points);
    for (std::size_t i = 0; i < points; ++i) CHECK(j["plan"][i]["id"] == i);
  }
  // The zip group advances together: point 2 of adc_tile_device (adc.bits slowest, device
  // fastest) is 4 bits, 128 x 128, third device; point 3 is 4 bits, 256 x 256, first device.
  const auto r = test::run_xbarsim("sweep plan " + q(kExamples / "adc_tile_device.toml") + " --json");
  const auto j = nlohmann::json::parse(r.output);
  CHECK(j["plan"][2]["values"]["tile_rows"] == 128);
  CHECK(j["plan"][2]["values"]["tile_cols"] == 128);
  CHECK(j["plan"][3]["values"]["adc.bits"] == 4);
  CHECK(j["plan"][3]["values"]["tile_rows"] == 256);
  CHECK(j["plan"][3]["values"]["tile_cols"] == 256);
  CHECK(j["plan"][3]["values"]["device"] == "pcm-joshi2020");
  // drift.toml: repeats of one device are consecutive ids with repeat 0, 1, 2 and distinct seeds.
  const auto d =
      nlohmann::json::parse(test::run_xbarsim("sweep plan " + q(kExamples / "drift.toml") + " --json").output);
  CHECK(d["plan"][0]["repeat"] == 0);
  CHECK(d["plan"][2]["repeat"] == 2);
  CHECK(d["plan"][2]["values"]["device"] == "pcm-joshi2020");
  CHECK(d["plan"][3]["values"]["device"] == "pcm-nandakumar2020");
  CHECK(d["plan"][0]["seed"] != d["plan"][1]["seed"]);
}

TEST_CASE("sweep plan: bad specs exit 2 naming the file and the key or axis", "[cli][sweep]") {
  test::ScratchDir dir("cli_sweep_bad");
  // Unknown top-level key (spec.hpp lists the allowed ones).
  const auto unknown = dir.write("unknown.toml",
                                 "schema_version = 1\njob = \"run\"\ncolour = 1\n"
                                 "[[axis]]\nkey = \"adc.bits\"\nvalues = [4, 8]\n");
  auto r = test::run_xbarsim("sweep plan " + q(unknown));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("unknown.toml: colour") != std::string::npos);
  // An axis key the run job rejects: found when every point is validated before running,
  // named with the point and the key.
  const auto bitz =
      dir.write("bitz.toml", "schema_version = 1\njob = \"run\"\n[[axis]]\nkey = \"adc.bitz\"\nvalues = [4, 8]\n");
  r = test::run_xbarsim("sweep plan " + q(bitz));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("bitz.toml: point 0 (adc.bitz = 4): adc.bitz") != std::string::npos);
  // The same spec does not start a sweep either, and leaves no output or journal.
  r = test::run_xbarsim("sweep " + q(bitz) + " -o " + q(dir / "r.h5"));
  CHECK(r.exit_code == 2);
  CHECK(!fs::exists(dir / "r.h5"));
  CHECK(!fs::exists(dir / "r.h5.partial"));
  // A zip group of unequal lengths (2 and 3 values): axis[1] in file order, counted from 0.
  const auto zip = dir.write("zip.toml",
                             "schema_version = 1\njob = \"run\"\n"
                             "[[axis]]\nkey = \"tile_rows\"\nvalues = [128, 256]\nzip = \"size\"\n"
                             "[[axis]]\nkey = \"tile_cols\"\nvalues = [128, 256, 512]\nzip = \"size\"\n");
  r = test::run_xbarsim("sweep plan " + q(zip));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("zip.toml: axis[1].values") != std::string::npos);
  CHECK(r.output.find("\"size\"") != std::string::npos);
}

TEST_CASE("sweep end to end: the HDF5 result read back by h5py and pandas", "[cli][sweep]") {
  const Reference& ref = reference();
  CHECK(ref.run.output.find("6 points (6 run now, 0 failed)") != std::string::npos);
  CHECK(!fs::exists(ref.out.string() + ".partial"));  // the journal is removed when final
  test::ScratchDir dir("cli_sweep_h5py");
  const auto j = h5py(dir, ref.out, R"(
s = f['summary'][:]
st = lambda x: x.decode() if isinstance(x, bytes) else str(x)
names = list(s.dtype.names)
def col(n):
    return [x.decode() if isinstance(x, bytes) else float(x) for x in s[n]]
p = f['points']
out = {
  'attrs': {k: st(v) for k, v in f.attrs.items() if k in
            ('spec', 'version', 'git_revision', 'start_time', 'end_time')},
  'points_attr': int(f.attrs['points']), 'failed_attr': int(f.attrs['failed']),
  'fields': names, 'rows': len(s), 'id': col('id'), 'status': col('status'),
  'bits': col('adc.bits'), 'device': col('device'),
  'digital': col('digital_accuracy'), 'acc_1s': col('accuracy_1s'), 'acc_1y': col('accuracy_1y'),
  'groups': sorted(p.keys()),
  't_s': [list(map(float, p[k]['t_s'][:])) for k in sorted(p.keys())],
  't_units': st(p['0']['t_s'].attrs['units']),
  'analog': [list(map(float, p[k]['accuracy_analog'][:])) for k in sorted(p.keys())],
  'comp_len': [len(p[k]['accuracy_compensated'][:]) for k in sorted(p.keys())],
  'config0': st(p['0'].attrs['config']),
  'pstatus': [st(p[k].attrs['status']) for k in sorted(p.keys())],
}
# pandas (Debian python3-pandas) takes the compound /summary as a table directly.
import pandas as pd
df = pd.DataFrame(s)
out['pandas_shape'] = list(df.shape)
out['pandas_bits'] = [float(x) for x in df['adc.bits']]
print(json.dumps(out))
)");
  CHECK(j["pandas_shape"][0] == kSmallPoints);
  CHECK(j["pandas_shape"][1] == j["fields"].size());
  CHECK(j["pandas_bits"] == j["bits"]);
  // Root attributes (store.hpp layout); the spec is the spec file's text.
  CHECK(j["attrs"]["spec"] == kSmallSpec);
  for (const char* a : {"version", "git_revision", "start_time", "end_time"}) {
    INFO(a);
    CHECK(!j["attrs"][a].get<std::string>().empty());
  }
  CHECK(j["attrs"]["start_time"].get<std::string>() <= j["attrs"]["end_time"].get<std::string>());  // ISO 8601
  CHECK(j["points_attr"] == kSmallPoints);
  CHECK(j["failed_attr"] == 0);
  // /summary: one row per point in id order, the grid by hand (adc.bits slowest).
  REQUIRE(j["rows"] == kSmallPoints);
  for (const char* f : {"id", "status", "adc.bits", "device", "digital_accuracy", "accuracy_1y", "seconds"}) {
    INFO(f);
    CHECK(std::find(j["fields"].begin(), j["fields"].end(), f) != j["fields"].end());
  }
  const std::vector<double> bits{4, 4, 6, 6, 8, 8};
  for (std::size_t i = 0; i < kSmallPoints; ++i) {
    INFO("point " << i);
    CHECK(j["id"][i] == static_cast<double>(i));
    CHECK(j["status"][i] == "ok");
    CHECK(j["bits"][i] == bits[i]);
    CHECK(j["device"][i] == (i % 2 == 0 ? "pcm-joshi2020" : "pcm-nandakumar2020"));
    // The digital network does not depend on ADC or device: the same accuracy everywhere,
    // a fraction of 100 images.
    CHECK(j["digital"][i] == j["digital"][0]);
    const double d = j["digital"][i].get<double>() * 100;
    CHECK(d == Approx(std::round(d)).margin(1e-9));
    CHECK(j["digital"][i].get<double>() > 0.5);
    // Curves: kDriftTimes_s (main_job.hpp), accuracy_analog at them; its first and last
    // values are the summary's accuracy_1s and accuracy_1y.
    CHECK(j["t_s"][i] == std::vector<double>{1.0, 3600.0, 86400.0, 3.15576e7});
    REQUIRE(j["analog"][i].size() == 4);
    CHECK(j["analog"][i][0] == j["acc_1s"][i]);
    CHECK(j["analog"][i][3] == j["acc_1y"][i]);
    CHECK(j["comp_len"][i] == 4);
    CHECK(j["pstatus"][i] == "ok");
  }
  // 6 points: ids one digit wide; the resolved config of point 0 holds its axis values.
  CHECK(j["groups"] == std::vector<std::string>{"0", "1", "2", "3", "4", "5"});
  CHECK(j["t_units"] == "s");
  CHECK(j["config0"].get<std::string>().find("bits = 4") != std::string::npos);
  CHECK(j["config0"].get<std::string>().find("pcm-joshi2020") != std::string::npos);
  // `results summary` (text) lists every point.
  const auto text = test::run_xbarsim("results summary " + q(ref.out));
  CHECK(text.exit_code == 0);
  CHECK(text.output.find("pcm-nandakumar2020") != std::string::npos);
  // A second --resume of the finished result runs nothing.
  const auto again = test::run_xbarsim("sweep " + q(ref.spec) + " -o " + q(ref.out) + " --resume");
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("is complete") != std::string::npos);
}

TEST_CASE("sweep: a failing point is recorded with its error, the others run", "[cli][sweep]") {
  test::ScratchDir dir("cli_sweep_fail");
  // Job "map" (no images, fast): the zoo LeNet-5 and a weights file that does not exist.
  // The plan cannot see the missing file (the map job checks only the tech preset); the
  // point fails when it loads the network.
  const fs::path missing = dir / "no-such-network.h5";
  const auto spec = dir.write(
      "fail.toml", "schema_version = 1\njob = \"map\"\n[[axis]]\nkey = \"network\"\nvalues = [\"lenet5\", \"" +
                       missing.string() + "\", \"vgg8\"]\n");
  const auto r = test::run_xbarsim("sweep " + q(spec) + " -o " + q(dir / "r.h5"));
  INFO(r.output);
  // Exit code 0 (documented at the top of apps/xbarsim/cmd_sweep.cpp): the sweep completed,
  // every point is stored, failed ones with their error; failures are counted in the last
  // line and in the file's `failed` attribute.
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("3 points (3 run now, 1 failed)") != std::string::npos);
  const auto j = h5py(dir, dir / "r.h5", R"(
s = f['summary'][:]
st = lambda x: x.decode() if isinstance(x, bytes) else str(x)
print(json.dumps({'failed': int(f.attrs['failed']),
  'status': [st(x) for x in s['status']], 'tiles': [None if np.isnan(x) else float(x) for x in s['tiles']],
  'errors': [st(f['points'][k].attrs['error']) for k in sorted(f['points'].keys())],
  'datasets': [len(f['points'][k].keys()) for k in sorted(f['points'].keys())]}))
)");
  CHECK(j["failed"] == 1);
  CHECK(j["status"] == std::vector<std::string>{"ok", "failed", "ok"});
  // LeNet-5 on 256 x 256 tiles: 6 tiles (test_cli_run.cpp); vgg8: 206 (the zoo network's
  // placement, the same number `xbarsim map --network vgg8` reports); NaN for the failed point.
  CHECK(j["tiles"][0] == 6.0);
  CHECK(j["tiles"][1].is_null());
  CHECK(j["tiles"][2] == 206.0);
  CHECK(j["errors"][0] == "");
  CHECK(j["errors"][1].get<std::string>().find("no-such-network.h5") != std::string::npos);
  CHECK(j["errors"][2] == "");
  CHECK(j["datasets"][1] == 0);  // a failed point stores its error and no datasets
  CHECK(j["datasets"][0].get<int>() > 0);
}

TEST_CASE("sweep refuses an existing output without --resume and leaves it untouched", "[cli][sweep]") {
  test::ScratchDir dir("cli_sweep_exists");
  const auto spec = dir.write(
      "map.toml", "schema_version = 1\njob = \"map\"\n[[axis]]\nkey = \"tech\"\nvalues = [\"22nm\", \"45nm\"]\n");
  const fs::path out = dir / "r.h5";
  REQUIRE(test::run_xbarsim("sweep " + q(spec) + " -o " + q(out)).exit_code == 0);
  const std::string before = read_text(out);
  const auto mtime = fs::last_write_time(out);
  const auto r = test::run_xbarsim("sweep " + q(spec) + " -o " + q(out));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(out.string()) != std::string::npos);
  CHECK(r.output.find("--resume") != std::string::npos);
  CHECK(read_text(out) == before);
  CHECK(fs::last_write_time(out) == mtime);
  CHECK(!fs::exists(out.string() + ".partial"));
  // A file that is not a sweep result is refused by --resume too, and kept.
  const auto foreign = dir.write("foreign.h5", "not an HDF5 file\n");
  const auto rf = test::run_xbarsim("sweep " + q(spec) + " -o " + q(foreign) + " --resume");
  CHECK(rf.exit_code == 2);
  CHECK(rf.output.find("foreign.h5: not an xbarsim sweep result") != std::string::npos);
  CHECK(read_text(foreign) == "not an HDF5 file\n");
}

TEST_CASE("sweep killed with SIGKILL mid-run, then --resume: every point once, same values", "[cli][sweep]") {
  const Reference& ref = reference();
  test::ScratchDir dir("cli_sweep_kill");
  const auto spec = dir.write("small.toml", kSmallSpec);
  const fs::path out = dir / "r.h5", journal = dir / "r.h5.partial";
  // One thread: points finish one by one, so the kill lands between 2 and 6 finished.
  const pid_t pid = spawn_sweep("sweep " + q(spec) + " -o " + q(out) + " --threads 1", dir / "log.txt");
  const bool running = wait_for_points(pid, journal, 2);
  ::kill(pid, SIGKILL);
  int sig = 0;
  wait_exit(pid, &sig);
  INFO(read_text(dir / "log.txt"));
  REQUIRE(running);
  CHECK(sig == SIGKILL);
  const std::size_t stored = point_files(journal);
  REQUIRE(!fs::exists(out));  // killed before the end: only the journal
  REQUIRE(stored >= 2);
  REQUIRE(stored < kSmallPoints);
  const auto r = test::run_xbarsim("sweep " + q(spec) + " -o " + q(out) + " --resume");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // The resumed run runs exactly the points the journal lacked.
  CHECK(r.output.find("6 points (" + std::to_string(kSmallPoints - stored) + " run now, 0 failed)") !=
        std::string::npos);
  CHECK(summary_csv(out) == ref.csv);
  const auto j = h5py(dir, out, R"(
print(json.dumps({'ids': [int(x) for x in f['summary']['id']], 'groups': sorted(f['points'].keys())}))
)");
  CHECK(j["ids"] == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(j["groups"].size() == kSmallPoints);
  CHECK(!fs::exists(journal));
}

TEST_CASE("sweep interrupted with SIGINT exits 130 naming --resume, then resume completes", "[cli][sweep]") {
  const Reference& ref = reference();
  test::ScratchDir dir("cli_sweep_int");
  const auto spec = dir.write("small.toml", kSmallSpec);
  const fs::path out = dir / "r.h5", journal = dir / "r.h5.partial";
  const pid_t pid = spawn_sweep("sweep " + q(spec) + " -o " + q(out) + " --threads 1", dir / "log.txt");
  const bool running = wait_for_points(pid, journal, 1);
  ::kill(pid, SIGINT);  // what Ctrl-C sends
  const int code = wait_exit(pid);
  const std::string log = read_text(dir / "log.txt");
  INFO(log);
  REQUIRE(running);
  CHECK(code == 130);  // kInterrupted (README: Ctrl-C exits 130)
  CHECK(log.find("--resume") != std::string::npos);
  CHECK(!fs::exists(out));
  CHECK(point_files(journal) < kSmallPoints);
  const auto r = test::run_xbarsim("sweep " + q(spec) + " -o " + q(out) + " --resume");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(summary_csv(out) == ref.csv);
}

TEST_CASE("sweep under mpirun with 2 ranks: the same summary values as one process", "[cli][sweep]") {
  const Reference& ref = reference();
  test::ScratchDir dir("cli_sweep_mpi");
  const auto spec = dir.write("small.toml", kSmallSpec);
  const fs::path out = dir / "r.h5";
  const auto r =
      test::run_command("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -np 2 " +
                        q(kXbarsim) + " sweep " + q(spec) + " -o " + q(out) + " --threads 1");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("ranks 2") != std::string::npos);
  CHECK(summary_csv(out) == ref.csv);

  // The output now exists: rank 0 refuses it alone, and must end rank 1 too (MPI_Abort)
  // instead of leaving it waiting; `timeout` turns a hang into exit 124.
  const auto again = test::run_command(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 60 mpirun --oversubscribe -np 2 " +
      q(kXbarsim) + " sweep " + q(spec) + " -o " + q(out) + " --threads 1");
  INFO(again.output);
  CHECK(again.exit_code == 2);
  CHECK(again.output.find("rank 0: " + out.string() + ": exists") != std::string::npos);
}

TEST_CASE("results summary of a file that is not a sweep result exits 2 naming it", "[cli][sweep]") {
  const fs::path model = fs::path(XBARSIM_SOURCE_DIR) / "data" / "models" / "lenet5-fashion-mnist.h5";
  const auto r = test::run_xbarsim("results summary " + q(model));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(model.string() + ": not an xbarsim sweep result") != std::string::npos);
  const auto missing = test::run_xbarsim("results summary /nonexistent/r.h5");
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find("/nonexistent/r.h5: no such file") != std::string::npos);
}

TEST_CASE("sweep --threads above the global --threads is refused before anything is written", "[cli][sweep]") {
  test::ScratchDir dir("cli_sweep_threads");
  const auto out = dir / "t.h5";
  // The global --threads caps every thread pool of the process (ThreadLimit), so a larger
  // sweep --threads could not be honoured: exit 2 naming the option, no journal.
  const auto r = test::run_xbarsim("--threads 1 sweep " + (kExamples / "quick.toml").string() + " -o " + out.string() +
                                   " --threads 2");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--threads") != std::string::npos);
  CHECK(!fs::exists(out));
  CHECK(!fs::exists(dir / "t.h5.partial"));
}

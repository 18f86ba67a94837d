// End-to-end tests of the xbarsim executable: exit codes, error messages naming where
// the problem is, determinism across thread counts, and files readable by h5py.
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/version.hpp>
#include <xbarsim/io/result_file.hpp>

#include "../test_util.hpp"

using namespace xbarsim;
using test::run_command;
using test::run_xbarsim;

TEST_CASE("version and help options succeed", "[cli]") {
  const auto v = run_xbarsim("--version");
  CHECK(v.exit_code == 0);
  CHECK(v.output.find(std::string(version())) != std::string::npos);
  CHECK(run_xbarsim("--help").exit_code == 0);
  CHECK(run_xbarsim("device curve --help").exit_code == 0);
}

TEST_CASE("the required presets are listed with family and source", "[cli]") {
  const auto r = run_xbarsim("device list --json");
  REQUIRE(r.exit_code == 0);
  for (const char* name : {"pcm-joshi2020", "rpu-gokmen-vlasov", "rram-ag-asi", "rram-stanford-pku", "rram-vteam",
                           "mtj-arm", "fefet-jerry2017"})
    CHECK(r.output.find(std::string("\"name\": \"") + name + "\"") != std::string::npos);
  CHECK(r.output.find("\"source\"") != std::string::npos);
  CHECK(run_xbarsim("device list").exit_code == 0);
}

TEST_CASE("device show prints parameters with units and sources", "[cli]") {
  const auto r = run_xbarsim("device show pcm-joshi2020");
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("g_max_S") != std::string::npos);
  CHECK(r.output.find("2.5e-05") != std::string::npos);
  CHECK(r.output.find("aihwkit") != std::string::npos);
}

namespace {
// Every bad-input case must exit 2 with one `error: <where>: <what>` naming the culprit.
void check_bad_input(const std::string& args, const std::string& where_fragment) {
  INFO("xbarsim " << args);
  const auto r = run_xbarsim(args);
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.rfind("error: ", 0) == 0);
  CHECK(r.output.find(where_fragment) != std::string::npos);
  CHECK(r.output.find("terminate") == std::string::npos);  // no aborts or stack traces
}
}  // namespace

TEST_CASE("bad input is reported with where and what, exit code 2", "[cli]") {
  test::ScratchDir dir("cli-bad");
  const std::string out = (dir / "o.h5").string();
  SECTION("malformed TOML") {
    const auto p = dir.write("broken.toml", "schema_version = 1\nmodel = \"pcm-statistical\n");
    check_bad_input("device show " + p.string(), "broken.toml:2: malformed TOML");
  }
  SECTION("unknown key") {
    const auto p = dir.write("unknown.toml",
                             "schema_version = 1\nmodel = \"pcm-statistical\"\ndescription = \"d\"\nsource = \"s\"\n"
                             "[parameters]\ng_maxx_S = 1e-5\n[sources]\ng_maxx_S = \"x\"\n");
    check_bad_input("device show " + p.string(), "unknown.toml: parameters.g_maxx_S: unknown parameter");
  }
  SECTION("out-of-range value in a preset") {
    const auto p = dir.write("range.toml",
                             "schema_version = 1\nmodel = \"pcm-statistical\"\ndescription = \"d\"\nsource = \"s\"\n"
                             "[parameters]\ng_max_S = -1.0\n[sources]\ng_max_S = \"x\"\n");
    check_bad_input("device show " + p.string(), "range.toml: parameters.g_max_S: must be in");
  }
  SECTION("a preset value without a source") {
    const auto p = dir.write("nosource.toml",
                             "schema_version = 1\nmodel = \"pcm-statistical\"\ndescription = \"d\"\nsource = \"s\"\n"
                             "[parameters]\ng_max_S = 1e-5\n");
    check_bad_input("device show " + p.string(), "parameters.g_max_S: has no entry in [sources]");
  }
  SECTION("unknown model") {
    const auto p = dir.write("model.toml",
                             "schema_version = 1\nmodel = \"memristor9000\"\ndescription = \"d\"\n"
                             "source = \"s\"\n");
    check_bad_input("device show " + p.string(), "model.toml: model: expected one of {");
  }
  SECTION("unknown preset") { check_bad_input("device curve no-such-device --protocol drift -o " + out, "preset"); }
  SECTION("unknown protocol") {
    check_bad_input("device curve pcm-joshi2020 --protocol wobble -o " + out, "--protocol: expected one of {");
  }
  SECTION("unwritable output path") {
    check_bad_input("device curve pcm-joshi2020 --protocol drift -o /nonexistent-dir/x.h5",
                    "-o /nonexistent-dir/x.h5: cannot create");
  }
  SECTION("--set naming no parameter") {
    check_bad_input("device curve pcm-joshi2020 --protocol drift --set bogus=1 -o " + out,
                    "--set bogus: names no parameter");
  }
  SECTION("--set out of range") {
    check_bad_input("device curve pcm-joshi2020 --protocol drift --set g_max_S=-3 -o " + out,
                    "--set g_max_S: must be in");
  }
  SECTION("--set with a malformed number") {
    check_bad_input("device curve pcm-joshi2020 --protocol drift --set g_max_S=abc -o " + out,
                    "--set g_max_S: expected a real number");
  }
  SECTION("a result too large for memory") {
    check_bad_input("device curve pcm-joshi2020 --protocol read-noise --devices 20000 --reads 1000000 -o " + out,
                    "--devices x --reads: the result would hold");
  }
  SECTION("unknown option") { check_bad_input("device curve pcm-joshi2020 --frobnicate", "command line"); }
  // None of the failures above may leave a half-written output behind.
  CHECK_FALSE(std::filesystem::exists(out));
}

namespace {
std::vector<double> curve_values(const std::string& args, const std::filesystem::path& out, const char* dataset) {
  const auto r = run_xbarsim(args + " -o " + out.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return io::read_dataset(out, dataset).values;
}
}  // namespace

TEST_CASE("curves are bit-identical with 1, 2 and 7 threads", "[cli]") {
  test::ScratchDir dir("cli-threads");
  // One curve per family (300 devices = two row blocks, so two threads run concurrently).
  for (const std::string cmd : {"device curve rpu-gokmen-vlasov --protocol pulse-response --devices 300 --pulses 50",
                                "device curve pcm-joshi2020 --protocol read-noise --devices 300 --reads 20",
                                "device curve pcm-joshi2020 --protocol drift --devices 300",
                                "device curve rram-ag-asi --protocol pulse-response --devices 300 --pulses 40",
                                "device curve rram-vteam --protocol pulse-response --devices 300 --pulses 20 "
                                "--set d2d_k_sigma=0.1 --set c2c_k_sigma=0.1",
                                "device curve mtj-uta-lowbarrier --protocol pulse-response --devices 300 --pulses 10",
                                "device curve fefet-jerry2017 --protocol pulse-response --devices 300 --pulses 16"}) {
    INFO(cmd);
    const auto a = curve_values("--threads 1 --seed 5 " + cmd, dir / "t1.h5", "conductance_S");
    const auto b = curve_values("--threads 2 --seed 5 " + cmd, dir / "t2.h5", "conductance_S");
    const auto c = curve_values("--threads 7 --seed 5 " + cmd, dir / "t7.h5", "conductance_S");
    CHECK(a == b);
    CHECK(a == c);
    const auto other_seed = curve_values("--threads 2 --seed 6 " + cmd, dir / "s6.h5", "conductance_S");
    CHECK(a != other_seed);
  }
}

TEST_CASE("output files are self-describing for h5py", "[cli]") {
  test::ScratchDir dir("cli-h5py");
  const auto out = dir / "drift.h5";
  const auto r = run_xbarsim("--seed 3 device curve pcm-joshi2020 --protocol drift --devices 50 -o " + out.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // Independent reader: Debian's h5py, not our HDF5 code.
  const auto script = dir.write("check.py", R"(
import sys, h5py, tomllib
f = h5py.File(sys.argv[1], "r")
for name in ("time_s", "conductance_S"):
    d = f[name]
    assert d.attrs["units"] and d.attrs["description"], name
assert f["time_s"][0] == 0.0 and f["time_s"][-1] >= 1e6
assert f["conductance_S"].shape == (50, f["time_s"].shape[0])
cfg = tomllib.loads(f.attrs["config"])
assert cfg["model"] == "pcm-statistical" and cfg["parameters"]["g_max_S"] == 25e-6
assert int(f.attrs["seed"]) == 3 and f.attrs["git_revision"] and f.attrs["xbarsim_version"]
assert f["device"].attrs["g_max_S.source"]
print("h5py ok")
)");
  const auto py = run_command("/usr/bin/python3 " + script.string() + " " + out.string());
  INFO(py.output);
  CHECK(py.exit_code == 0);
  CHECK(py.output.find("h5py ok") != std::string::npos);
}

TEST_CASE("Ctrl-C stops a long run cleanly with exit code 130 and no output file", "[cli]") {
  test::ScratchDir dir("cli-sigint");
  const auto out = dir / "long.h5";
  // A run that would take minutes (thermal compact model, 2 x 20000 pulses) in little
  // memory; SIGINT after it has started must end it promptly.
  const std::string cmd = std::string(XBARSIM_BIN_DIR) +
                          "/xbarsim --threads 2 device curve pcm-gst-thermal --protocol pulse-response --devices 64 "
                          "--pulses 20000 -o " +
                          out.string();
  const auto r = run_command("(" + cmd + " & pid=$!; sleep 1.5; kill -INT $pid; wait $pid; echo \"rc=$?\")");
  INFO(r.output);
  CHECK(r.output.find("rc=130") != std::string::npos);
  CHECK(r.output.find("error: interrupted") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(out.string() + ".partial"));
}

TEST_CASE("device fit writes a loadable rram-pulse preset tied to the compact model", "[cli]") {
  test::ScratchDir dir("cli-fit");
  const auto fitted = dir / "vteam-fit.toml";
  const auto report = dir / "fit.h5";
  const auto r =
      run_xbarsim("device fit rram-vteam --devices 4 -o " + fitted.string() + " --report " + report.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // The fitted file is a preset like any other: it loads, names its provenance, and
  // its model reproduces the compact model's curve (both stored in the report).
  const auto show = run_xbarsim("device show " + fitted.string());
  INFO(show.output);
  CHECK(show.exit_code == 0);
  CHECK(show.output.find("rram-pulse") != std::string::npos);
  CHECK(show.output.find("fitted by xbarsim device fit to the pulse response of rram-vteam") != std::string::npos);
  const auto measured = io::read_dataset(report, "measured/conductance_S");
  const auto model = io::read_dataset(report, "fitted/conductance_S");
  REQUIRE(measured.shape == model.shape);
  const std::size_t p = measured.shape[1];
  double lo = 1e300, hi = -1e300, se = 0;
  for (std::size_t k = 0; k < p; ++k) {
    lo = std::min(lo, measured.values[k]);
    hi = std::max(hi, measured.values[k]);
    se += (measured.values[k] - model.values[k]) * (measured.values[k] - model.values[k]);
  }
  // Acceptance: the fitted behavioural model tracks the compact model within 5 % of the
  // conductance range (RMS over the first device's potentiation + depression curve).
  CHECK(std::sqrt(se / static_cast<double>(p)) < 0.05 * (hi - lo));
  CHECK(run_xbarsim("device fit rram-vteam -o " + (dir / "x.txt").string()).exit_code == 2);
}

TEST_CASE("bench pulse --json prints the three fields", "[cli]") {
  const auto r = run_xbarsim("bench pulse --rows 64 --cols 64 --repeats 3 --json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const char* key : {"\"pulse_s\"", "\"baseline_s\"", "\"ratio\""}) CHECK(r.output.find(key) != std::string::npos);
}

TEST_CASE("the config recorded in a result reproduces the result", "[cli]") {
  // Reproducibility contract: the root `config` attribute is a loadable preset holding
  // every resolved value (including --set overrides); rerunning it with the recorded
  // seed gives the same numbers bit for bit.
  test::ScratchDir dir("cli-reproduce");
  const auto first = dir / "first.h5";
  const std::string args = " --protocol pulse-response --devices 40 --pulses 30 -o ";
  REQUIRE(run_xbarsim("--seed 9 device curve rram-ag-asi --set c2c_sigma_rel=0.05" + args + first.string()).exit_code ==
          0);
  const auto config = dir.write("resolved.toml", io::read_string_attribute(first, "config"));
  const auto second = dir / "second.h5";
  const auto r = run_xbarsim("--seed 9 device curve " + config.string() + args + second.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(io::read_dataset(first, "conductance_S").values == io::read_dataset(second, "conductance_S").values);
}

// The jobs a sweep point runs and the in-process executor (issue 6): each job's numbers
// against a hand count, its errors naming the key, and the same stored values for 1 and
// 2 workers (a point's result depends only on its configuration and seed).
#include <catch2/catch.hpp>
#include <sstream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/sweep/execute.hpp>
#include <xbarsim/sweep/jobs.hpp>
#include <xbarsim/sweep/spec.hpp>
#include <xbarsim/sweep/store.hpp>

#include "../test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::sweep;

namespace {

toml::value parse(const std::string& text) {
  std::istringstream in(text);
  return toml::parse(in, "test");
}

double metric(const PointResult& r, const std::string& name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m.value;
  FAIL("no metric " << name);
  return 0;
}

std::string where_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.problems().front().where;
  }
  return "no error";
}

}  // namespace

TEST_CASE("sweep jobs: numbers by hand, errors naming the key", "[sweep]") {
  CHECK(job_names() == std::vector<std::string>{"run", "map", "tile-report", "device-curve"});
  CHECK(where_of([] { make_job("tile"); }) == "job");

  SECTION("map: LeNet-5 on 256 x 256 tiles") {
    const auto job = make_job("map");
    const PointResult r = job->run(parse("network = \"lenet5\"\n"), "p", 1, {});
    // Hand counts (nn/src/zoo/lenet.cpp, tests/cli/test_cli_run.cpp): 61,706 parameters,
    // 416,520 MACs; conv1, conv2, fc1, fc2 one tile each, conv3 (400 rows) two: 6 tiles.
    CHECK(metric(r, "params") == 61706);
    CHECK(metric(r, "macs") == 416520);
    CHECK(metric(r, "tiles") == 6);
    CHECK(metric(r, "feasible") == 1);
    REQUIRE(r.curves.size() == 3);
    CHECK(r.curves[2].values == std::vector<double>{1, 1, 2, 1, 1});
    CHECK(where_of([&] { job->validate(parse("tech = \"3nm\"\n"), "p"); }) == "p: tech");  // run_setup.cpp
    CHECK(where_of([&] { job->validate(parse("tile_rowz = 3\n"), "p"); }) == "p: tile_rowz");
  }
  SECTION("tile-report: conversions of a bit-serial differential tile") {
    const auto job = make_job("tile-report");
    // 128 logical columns as differential pairs = 256 converted columns, 8-bit bit-serial
    // DAC = 7 pulses: 1792 conversions (tests/crossbar/test_tile_cost.cpp, by hand).
    const PointResult r = job->run(parse("[tile]\nrows = 128\ncols = 128\nphysical_cols_per_logical = 2\n[dac]\nmode = "
                                         "\"bit-serial\"\nbits = 8\n"),
                                   "p", 1, {});
    CHECK(metric(r, "conversions") == 1792);
    CHECK(where_of([&] { job->validate(parse("[adc]\nbits = 99\n"), "p"); }).find("adc.bits") != std::string::npos);
  }
  SECTION("device-curve: drift of a PCM preset, seeded") {
    const auto job = make_job("device-curve");
    const auto config = parse("preset = \"pcm-joshi2020\"\nprotocol = \"drift\"\ndevices = 4\n");
    const PointResult a = job->run(config, "p", 1, {}), b = job->run(config, "p", 1, {}),
                      c = job->run(config, "p", 2, {});
    const auto g = [](const PointResult& r) {
      for (const auto& cv : r.curves)
        if (cv.name == "conductance_S") return cv;
      FAIL("no conductance curve");
      return Curve{};
    };
    REQUIRE(g(a).shape.size() == 2);
    CHECK(g(a).shape[0] == 4);  // one row per device
    CHECK(g(a).values == g(b).values);
    CHECK(g(a).values != g(c).values);  // the seed keys the programming noise
    CHECK(where_of([&] { job->validate(parse("preset = \"pcm-joshi2020\"\nprotocol = \"iv\"\n"), "p"); }) ==
          "p: protocol");
    CHECK(where_of([&] {
            job->validate(parse("preset = \"pcm-joshi2020\"\nprotocol = \"drift\"\n[parameters]\nnope = 1\n"), "p");
          }) == "p: parameters.nope");
  }
}

TEST_CASE("sweep execution: the same stored values for 1 and 2 workers", "[sweep]") {
  test::ScratchDir dir("sweep_exec");
  const std::string spec_text =
      "schema_version = 1\njob = \"device-curve\"\nseed = 3\nrepeats = 3\n[config]\npreset = \"pcm-joshi2020\"\n"
      "protocol = \"drift\"\ndevices = 4\n[[axis]]\nkey = \"parameters.prog_noise_scale\"\nvalues = [0.5, 1.0]\n";
  const SweepSpec spec = parse_sweep_spec(spec_text, (dir / "s.toml").string());
  const std::vector<SweepPoint> points = expand_points(spec);
  REQUIRE(points.size() == 6);  // 2 values x 3 repeats
  const auto job = make_job(spec.job);
  std::vector<std::vector<std::vector<double>>> values(2);
  for (int threads : {1, 2}) {
    const auto out = dir / ("r" + std::to_string(threads) + ".h5");
    SweepStore store = SweepStore::create(out, spec.text, points.size(), axis_keys(spec));
    LocalQueue queue(unfinished(store), nullptr);
    std::vector<std::vector<double>> seen(points.size());
    std::mutex m;
    ExecuteOptions o;
    o.threads = threads;
    o.on_point = [&](const SweepPoint& p, const PointOutcome& r) {
      std::lock_guard lock(m);
      REQUIRE(r.ok);
      seen[p.id] = r.result.curves.back().values;
    };
    const ExecuteSummary s = execute_points(*job, points, queue, store, o);
    CHECK(s.ran == 6);
    CHECK(s.failed == 0);
    CHECK(unfinished(store).empty());
    store.finalize();
    values[static_cast<std::size_t>(threads - 1)] = seen;
  }
  CHECK(values[0] == values[1]);
  CHECK(values[0][0] != values[0][1]);  // repeats draw different devices
}

// Sweep specs (issue 6): parsing, errors, expansion into points, sampling and seeds.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <set>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/io/toml_params.hpp>
#include <xbarsim/sweep/spec.hpp>

#include "../test_util.hpp"

using namespace xbarsim;
using namespace xbarsim::sweep;
using Catch::Matchers::Contains;

namespace {

const std::string kHead = "schema_version = 1\njob = \"run\"\n";

SweepSpec load(const test::ScratchDir& dir, const std::string& text, const std::string& name = "spec.toml") {
  return load_sweep_spec(dir.write(name, text).string());
}

// The problems of a spec that must not load.
std::vector<Problem> problems_of(const std::string& text) {
  test::ScratchDir dir("spec-err");
  const std::string file = dir.write("bad.toml", text).string();
  try {
    load_sweep_spec(file);
  } catch (const ConfigError& e) {
    for (const auto& p : e.problems()) CHECK_THAT(p.where, Contains(file));
    return e.problems();
  }
  FAIL("the spec loaded without error");
  return {};
}

// True if some problem's location ends with `where` (after "FILE: ") and its text holds `what`.
bool has_problem(const std::vector<Problem>& problems, const std::string& where, const std::string& what) {
  return std::any_of(problems.begin(), problems.end(), [&](const Problem& p) {
    const std::string tail = ": " + where;
    return p.where.size() >= tail.size() && p.where.compare(p.where.size() - tail.size(), tail.size(), tail) == 0 &&
           p.what.find(what) != std::string::npos;
  });
}

std::string describe(const std::vector<Problem>& problems) {
  std::string s;
  for (const auto& p : problems) s += p.where + ": " + p.what + "\n";
  return s;
}

// A config value at a dotted key path.
const toml::value& at_path(const toml::value& doc, const std::string& key) {
  const toml::value* v = &doc;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    v = &v->at(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return *v;
    start = dot + 1;
  }
}

// Stratum of x among n equal strata of [lo, hi).
std::size_t stratum(double x, double lo, double hi, std::size_t n) {
  return static_cast<std::size_t>(std::floor((x - lo) / (hi - lo) * static_cast<double>(n)));
}

}  // namespace

TEST_CASE("grid with a zip group: point count by hand", "[sweep]") {
  test::ScratchDir dir("spec");
  const SweepSpec spec = load(dir, kHead + R"(
repeats = 2
[[axis]]
key = "adc.bits"
values = [4, 6, 8]
[[axis]]
key = "tile_rows"
values = [128, 256]
zip = "size"
[[axis]]
key = "tile_cols"
values = [128, 256]
zip = "size"
[[axis]]
key = "device"
values = ["pcm-joshi2020", "rram-a"]
)");
  // 3 bits x 2 (zip pair: one dimension) x 2 devices x 2 repeats = 24, by hand.
  CHECK(count_points(spec) == 24);
  const auto points = expand_points(spec);
  REQUIRE(points.size() == 24);
  CHECK(axis_keys(spec) == std::vector<std::string>{"adc.bits", "tile_rows", "tile_cols", "device"});
  for (std::size_t i = 0; i < points.size(); ++i) {
    CHECK(points[i].id == i);
    REQUIRE(points[i].axis_values.size() == 4);
  }
}

TEST_CASE("zip axes advance together", "[sweep]") {
  test::ScratchDir dir("spec");
  const SweepSpec spec = load(dir, kHead + R"(
[[axis]]
key = "tile_rows"
values = [64, 128, 256]
zip = "size"
[[axis]]
key = "adc.bits"
values = [4, 8]
[[axis]]
key = "tile_cols"
values = [32, 96, 512]
zip = "size"
)");
  const auto points = expand_points(spec);
  // The zip group is the first dimension (where its first axis is), adc.bits the second:
  // (64,32,4) (64,32,8) (128,96,4) (128,96,8) (256,512,4) (256,512,8).
  REQUIRE(points.size() == 6);
  const std::int64_t rows[] = {64, 64, 128, 128, 256, 256};
  const std::int64_t cols[] = {32, 32, 96, 96, 512, 512};
  const std::int64_t bits[] = {4, 8, 4, 8, 4, 8};
  for (std::size_t i = 0; i < 6; ++i) {
    const auto& v = points[i].axis_values;
    CHECK(v[0].first == "tile_rows");
    CHECK(std::get<std::int64_t>(v[0].second) == rows[i]);
    CHECK(v[1].first == "adc.bits");
    CHECK(std::get<std::int64_t>(v[1].second) == bits[i]);
    CHECK(v[2].first == "tile_cols");
    CHECK(std::get<std::int64_t>(v[2].second) == cols[i]);
  }
}

TEST_CASE("plan order: grid row-major, then sample, then repeat", "[sweep]") {
  test::ScratchDir dir("spec");
  const SweepSpec spec = load(dir, kHead + R"(
repeats = 2
[[axis]]
key = "a"
values = [1, 2]
[[axis]]
key = "b"
values = ["x", "y", "z"]
[[axis]]
key = "c"
range = [0.0, 1.0]
[sampling]
method = "lhs"
samples = 3
)");
  // 2 x 3 grid cells x 3 samples x 2 repeats = 36.
  const auto points = expand_points(spec);
  REQUIRE(points.size() == 36);
  REQUIRE(count_points(spec) == 36);
  const char* b_names[] = {"x", "y", "z"};
  std::vector<double> c_of_sample(3);
  for (std::size_t id = 0; id < points.size(); ++id) {
    // id = (grid * samples + sample) * repeats + repeat, grid = a_index * 3 + b_index.
    const std::size_t repeat = id % 2, sample = (id / 2) % 3, grid = id / 6;
    const auto& p = points[id];
    CHECK(p.repeat == repeat);
    CHECK(std::get<std::int64_t>(p.axis_values[0].second) == static_cast<std::int64_t>(grid / 3 + 1));
    CHECK(std::get<std::string>(p.axis_values[1].second) == b_names[grid % 3]);
    const double c = std::get<double>(p.axis_values[2].second);
    if (grid == 0 && repeat == 0) c_of_sample[sample] = c;
    CHECK(c == c_of_sample[sample]);  // samples are shared by every grid cell
    if (repeat == 1) {                // a repeat has its predecessor's config, not its seed
      CHECK(p.config_toml == points[id - 1].config_toml);
      CHECK(p.axis_values == points[id - 1].axis_values);
      CHECK(p.seed != points[id - 1].seed);
    }
  }
}

TEST_CASE("point seeds: SplitMix64 of spec seed and id, distinct across repeats", "[sweep]") {
  // Reference values: an independent Python SplitMix64 (Steele, Lea & Flood 2014),
  // mix(seed ^ mix(id + 1)) with mix = the SplitMix64 step plus finaliser.
  CHECK(point_seed(1, 0) == 0xe9fd6049d65af21eull);
  CHECK(point_seed(1, 5) == 0x3b5b26b4abedc4abull);
  CHECK(point_seed(42, 3) == 0x8e34a8db17849847ull);

  test::ScratchDir dir("spec");
  const SweepSpec a = load(dir, kHead + "seed = 42\nrepeats = 5\n[[axis]]\nkey = \"x\"\nvalues = [1, 2]\n", "a.toml");
  const auto pa = expand_points(a);
  REQUIRE(pa.size() == 10);
  std::set<std::uint64_t> seeds;
  for (const auto& p : pa) {
    CHECK(p.seed == point_seed(42, p.id));
    seeds.insert(p.seed);
  }
  CHECK(seeds.size() == 10);

  // Other job, axes, repeats and sampling: same seed per id.
  const SweepSpec b = load(dir, R"(schema_version = 1
job = "tile-report"
seed = 42
[[axis]]
key = "y.z"
range = [1.0, 10.0]
scale = "log"
[sampling]
method = "random"
samples = 10
)",
                           "b.toml");
  const auto pb = expand_points(b);
  REQUIRE(pb.size() == 10);
  for (std::size_t i = 0; i < 10; ++i) CHECK(pb[i].seed == pa[i].seed);
  // Another spec seed changes every point seed.
  const SweepSpec c = load(dir, kHead + "seed = 43\nrepeats = 10\n", "c.toml");
  const auto pc = expand_points(c);
  REQUIRE(pc.size() == 10);
  for (std::size_t i = 0; i < 10; ++i) CHECK(pc[i].seed != pa[i].seed);
}

TEST_CASE("LHS: every stratum of every axis holds exactly one sample", "[sweep]") {
  // McKay, Beckman & Conover (1979): n samples, n equal strata per axis, one sample each.
  for (std::size_t n : {1u, 2u, 7u, 64u}) {
    const auto u = sample_unit_draws(SamplingMethod::Lhs, n, 3, 1234);
    REQUIRE(u.size() == n);
    for (std::size_t j = 0; j < 3; ++j) {
      std::vector<int> hits(n, 0);
      for (std::size_t i = 0; i < n; ++i) {
        REQUIRE(u[i][j] > 0.0);
        REQUIRE(u[i][j] < 1.0);
        ++hits[stratum(u[i][j], 0.0, 1.0, n)];
      }
      CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
    }
  }
  // Through a spec: linear real axis and log axis (strata equal in log10 space).
  test::ScratchDir dir("spec");
  const SweepSpec spec = load(dir, kHead + R"(
seed = 7
[[axis]]
key = "io.out_noise"
range = [-2.0, 3.0]
[[axis]]
key = "drift.t"
range = [1e-3, 1e1]
scale = "log"
[sampling]
method = "lhs"
samples = 8
)");
  const auto points = expand_points(spec);
  REQUIRE(points.size() == 8);
  std::vector<int> lin(8, 0), lg(8, 0);
  for (const auto& p : points) {
    const double x = std::get<double>(p.axis_values[0].second);
    const double t = std::get<double>(p.axis_values[1].second);
    REQUIRE(x >= -2.0);
    REQUIRE(x <= 3.0);
    REQUIRE(t >= 1e-3);
    REQUIRE(t <= 1e1);
    ++lin[stratum(x, -2.0, 3.0, 8)];
    ++lg[stratum(std::log10(t), -3.0, 1.0, 8)];
  }
  CHECK(std::all_of(lin.begin(), lin.end(), [](int h) { return h == 1; }));
  CHECK(std::all_of(lg.begin(), lg.end(), [](int h) { return h == 1; }));
  // The permutations of the two axes are not the identity of each other in general; with
  // this seed they differ (else the design would lie on the diagonal).
  bool diagonal = true;
  for (const auto& p : points)
    diagonal = diagonal && stratum(std::get<double>(p.axis_values[0].second), -2.0, 3.0, 8) ==
                               stratum(std::log10(std::get<double>(p.axis_values[1].second)), -3.0, 1.0, 8);
  CHECK_FALSE(diagonal);
}

TEST_CASE("random sampling: count, bounds, seed dependence", "[sweep]") {
  test::ScratchDir dir("spec");
  const std::string body = R"(
[[axis]]
key = "a"
values = [1, 2, 3]
[[axis]]
key = "x"
range = [0.25, 0.5]
[sampling]
method = "random"
samples = 50
)";
  const SweepSpec s1 = load(dir, kHead + "seed = 1\n" + body, "s1.toml");
  const SweepSpec s2 = load(dir, kHead + "seed = 2\n" + body, "s2.toml");
  const auto p1 = expand_points(s1), p2 = expand_points(s2);
  REQUIRE(p1.size() == 150);  // 3 values x 50 samples
  REQUIRE(count_points(s1) == 150);
  std::set<double> distinct;
  std::size_t same = 0;
  for (std::size_t i = 0; i < p1.size(); ++i) {
    const double x = std::get<double>(p1[i].axis_values[1].second);
    CHECK(x >= 0.25);
    CHECK(x <= 0.5);
    distinct.insert(x);
    same += x == std::get<double>(p2[i].axis_values[1].second);
  }
  CHECK(distinct.size() == 50);  // the 50 samples, shared by the 3 grid cells
  CHECK(same == 0);
  // Uniform on [0.25, 0.5]: the sample mean of 50 draws is within 4 standard errors
  // (sd = 0.25 / sqrt(12) = 0.0722, se = 0.0102) of 0.375.
  double mean = 0.0;
  for (double x : distinct) mean += x / 50.0;
  CHECK(std::abs(mean - 0.375) < 4 * 0.0102);
}

TEST_CASE("integer and log axes", "[sweep]") {
  test::ScratchDir dir("spec");
  // Integer range [3, 6] over [2.5, 6.5] in 4 LHS strata of width 1: stratum k rounds to
  // 3 + k, so each integer appears exactly once.
  const SweepSpec spec = load(dir, kHead + R"(
[[axis]]
key = "adc.bits"
range = [3, 6]
type = "integer"
[[axis]]
key = "tile_rows"
range = [16, 1024]
type = "integer"
scale = "log"
[sampling]
method = "lhs"
samples = 4
)");
  const auto points = expand_points(spec);
  REQUIRE(points.size() == 4);
  std::set<std::int64_t> bits;
  for (const auto& p : points) {
    bits.insert(std::get<std::int64_t>(p.axis_values[0].second));
    const std::int64_t rows = std::get<std::int64_t>(p.axis_values[1].second);
    CHECK(rows >= 16);
    CHECK(rows <= 1024);
    const toml::value config = io::parse_toml(p.config_toml, "point");
    CHECK(at_path(config, "adc.bits").is_integer());
    CHECK(at_path(config, "tile_rows").as_integer() == rows);
  }
  CHECK(bits == std::set<std::int64_t>{3, 4, 5, 6});

  // sampled_value closed forms: linear lo + u (hi - lo); log lo (hi/lo)^u; integer rounds
  // over [lo - 1/2, hi + 1/2].
  Axis lin;
  lin.sampled = true;
  lin.lo = 2.0;
  lin.hi = 6.0;
  CHECK(std::get<double>(sampled_value(lin, 0.25)) == 3.0);
  Axis lg = lin;
  lg.lo = 1e-2;
  lg.hi = 1e2;
  lg.scale = AxisScale::Log;
  CHECK(std::abs(std::get<double>(sampled_value(lg, 0.5)) - 1.0) < 1e-12);
  Axis in = lin;
  in.type = AxisType::Integer;
  CHECK(std::get<std::int64_t>(sampled_value(in, 0.0)) == 2);   // 1.5 rounds to 2
  CHECK(std::get<std::int64_t>(sampled_value(in, 0.19)) == 2);  // 1.5 + 0.95 = 2.45
  CHECK(std::get<std::int64_t>(sampled_value(in, 0.21)) == 3);  // 2.55
  CHECK(std::get<std::int64_t>(sampled_value(in, 0.999)) == 6);
}

TEST_CASE("expansion is deterministic", "[sweep]") {
  test::ScratchDir dir("spec");
  const std::string text = kHead + R"(
seed = 99
repeats = 2
[config]
images = 100
[config.adc]
bits = 8
[[axis]]
key = "adc.bits"
values = [4, 6]
[[axis]]
key = "io.out_noise"
range = [0.0, 0.1]
[[axis]]
key = "dac.bits"
range = [2, 9]
type = "integer"
[sampling]
method = "lhs"
samples = 5
)";
  const SweepSpec a = load(dir, text, "a.toml");
  const SweepSpec b = load(dir, text, "b.toml");
  const auto pa = expand_points(a), pa2 = expand_points(a), pb = expand_points(b);
  REQUIRE(pa.size() == 20);
  for (const auto* other : {&pa2, &pb}) {
    REQUIRE(other->size() == pa.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
      CHECK((*other)[i].id == pa[i].id);
      CHECK((*other)[i].seed == pa[i].seed);
      CHECK((*other)[i].repeat == pa[i].repeat);
      CHECK((*other)[i].axis_values == pa[i].axis_values);
      CHECK((*other)[i].config_toml == pa[i].config_toml);
    }
  }
}

TEST_CASE("config_toml: base file, [config] merged over it, axis values at their key paths", "[sweep]") {
  test::ScratchDir dir("spec");
  dir.write("base.toml", R"(
network = "net.h5"
images = 1000
[adc]
bits = 6
signed = true
[io]
out_noise = 0.02
)");
  const SweepSpec spec = load(dir, kHead + R"(
base = "base.toml"
[config]
images = 500
[config.adc]
bits = 8
[[axis]]
key = "adc.bits"
values = [4, 5]
[[axis]]
key = "device"
values = ["pcm-joshi2020", "rram-a"]
[[axis]]
key = "chip.noc.width"
values = [0.5]
[[axis]]
key = "io.out_noise"
range = [0.0, 0.1]
[sampling]
method = "random"
samples = 1
)");
  const auto points = expand_points(spec);
  REQUIRE(points.size() == 4);
  for (const auto& p : points) {
    const toml::value c = io::parse_toml(p.config_toml, "point");
    // Base and [config] (500 over 1000; adc.signed kept from the base's [adc]).
    CHECK(c.at("network").as_string().str == "net.h5");
    CHECK(c.at("images").as_integer() == 500);
    CHECK(at_path(c, "adc.signed").as_boolean() == true);
    // Axis values, with their TOML types; chip.noc is created.
    CHECK(at_path(c, "adc.bits").as_integer() == std::get<std::int64_t>(p.axis_values[0].second));
    CHECK(at_path(c, "device").as_string().str == std::get<std::string>(p.axis_values[1].second));
    CHECK(at_path(c, "chip.noc.width").as_floating() == 0.5);
    // Reals written with 17 significant digits re-parse to the same double.
    CHECK(at_path(c, "io.out_noise").as_floating() == std::get<double>(p.axis_values[3].second));
  }
  CHECK(std::get<std::int64_t>(points[0].axis_values[0].second) == 4);
  CHECK(std::get<std::string>(points[1].axis_values[1].second) == "rram-a");
  CHECK(std::get<std::int64_t>(points[2].axis_values[0].second) == 5);
}

TEST_CASE("set_config_value: creates tables, refuses collisions, leaves config unchanged", "[sweep]") {
  toml::value c = io::parse_toml("a = 1\n[t]\nx = 2\n", "c");
  CHECK_FALSE(set_config_value(c, "t.y.z", ParamValue(std::int64_t{3})));
  CHECK(at_path(c, "t.y.z").as_integer() == 3);
  const std::string before = toml::format(c);
  const auto e1 = set_config_value(c, "a.b", ParamValue(1.0));
  REQUIRE(e1);
  CHECK_THAT(*e1, Contains("a is an integer, not a table"));
  const auto e2 = set_config_value(c, "t", ParamValue(true));
  REQUIRE(e2);
  CHECK_THAT(*e2, Contains("t is a table"));
  CHECK(toml::format(c) == before);
}

TEST_CASE("spec errors name the file and the axis or key", "[sweep]") {
  const std::string axis = "\n[[axis]]\nkey = \"a\"\nvalues = [1]\n";
  SECTION("unknown top-level key") {
    const auto p = problems_of(kHead + "sed = 3\n");
    CHECK(has_problem(p, "sed", "unknown key"));
  }
  SECTION("missing job") {
    const auto p = problems_of("schema_version = 1\n");
    CHECK(has_problem(p, "job", "missing"));
  }
  SECTION("unknown job") {
    const auto p = problems_of("schema_version = 1\njob = \"train\"\n");
    CHECK(has_problem(p, "job", "unknown job \"train\""));
  }
  SECTION("schema_version") {
    CHECK(has_problem(problems_of("job = \"run\"\n"), "schema_version", "schema_version = 1"));
    CHECK(has_problem(problems_of("schema_version = 2\njob = \"run\"\n"), "schema_version", "schema_version = 1"));
  }
  SECTION("axis without key") {
    const auto p = problems_of(kHead + axis + "[[axis]]\nvalues = [1, 2]\n");
    CHECK(has_problem(p, "axis[1].key", "missing"));
  }
  SECTION("bad key path") {
    const auto p = problems_of(kHead + "[[axis]]\nkey = \"adc..bits\"\nvalues = [1]\n");
    CHECK(has_problem(p, "axis[0].key", "not a dotted key path"));
  }
  SECTION("axis with both values and range") {
    const auto p = problems_of(kHead + axis + "[[axis]]\nkey = \"b\"\nvalues = [1]\nrange = [0, 1]\n");
    CHECK(has_problem(p, "axis[1]", "both values and range"));
  }
  SECTION("axis with neither values nor range") {
    const auto p = problems_of(kHead + "[[axis]]\nkey = \"b\"\n");
    CHECK(has_problem(p, "axis[0]", "needs values"));
  }
  SECTION("unknown axis key") {
    const auto p = problems_of(kHead + "[[axis]]\nkey = \"b\"\nvalues = [1]\nvalue = 2\n");
    CHECK(has_problem(p, "axis[0].value", "unknown key"));
  }
  SECTION("empty values") {
    const auto p = problems_of(kHead + axis + "[[axis]]\nkey = \"b\"\nvalues = []\n");
    CHECK(has_problem(p, "axis[1].values", "empty"));
  }
  SECTION("non-scalar value") {
    const auto p = problems_of(kHead + "[[axis]]\nkey = \"b\"\nvalues = [1, [2]]\n");
    CHECK(has_problem(p, "axis[0].values[1]", "found an array"));
  }
  SECTION("duplicate axis key") {
    const auto p = problems_of(kHead + axis + axis);
    CHECK(has_problem(p, "axis[1].key", "already the key of axis[0]"));
  }
  SECTION("zip group of unequal lengths") {
    const auto p = problems_of(kHead + R"(
[[axis]]
key = "tile_rows"
values = [128, 256]
zip = "size"
[[axis]]
key = "tile_cols"
values = [128, 256, 512]
zip = "size"
)");
    CHECK(has_problem(p, "axis[1].values", "zip group \"size\" needs equal lengths: 3 values here, 2 in axis[0]"));
  }
  SECTION("range axis without [sampling]") {
    const auto p = problems_of(kHead + axis + "[[axis]]\nkey = \"io.out_noise\"\nrange = [0.0, 0.1]\n");
    CHECK(has_problem(p, "sampling", "axis[1] (io.out_noise) has a range"));
  }
  SECTION("[sampling] without a range axis") {
    const auto p = problems_of(kHead + axis + "[sampling]\nmethod = \"lhs\"\nsamples = 4\n");
    CHECK(has_problem(p, "sampling", "no axis has a range"));
  }
  SECTION("bad ranges") {
    const std::string s = "[sampling]\nmethod = \"lhs\"\nsamples = 4\n";
    CHECK(has_problem(problems_of(kHead + "[[axis]]\nkey = \"x\"\nrange = [1.0, 1.0]\n" + s), "axis[0].range",
                      "lo must be less than hi"));
    CHECK(has_problem(problems_of(kHead + "[[axis]]\nkey = \"x\"\nrange = [2.0, 1.0]\n" + s), "axis[0].range",
                      "lo must be less than hi"));
    CHECK(has_problem(problems_of(kHead + "[[axis]]\nkey = \"x\"\nrange = [0.0, 1.0]\nscale = \"log\"\n" + s),
                      "axis[0].range", "log-scale range needs lo > 0"));
    CHECK(
        has_problem(problems_of(kHead + "[[axis]]\nkey = \"x\"\nrange = [1.0]\n" + s), "axis[0].range", "two numbers"));
    CHECK(has_problem(problems_of(kHead + "[[axis]]\nkey = \"x\"\nrange = [1, 2.5]\ntype = \"integer\"\n" + s),
                      "axis[0].range", "integer bounds"));
    CHECK(has_problem(problems_of(kHead + "[[axis]]\nkey = \"x\"\nrange = [1, 2]\nscale = \"ln\"\n" + s),
                      "axis[0].scale", "\"linear\" or \"log\""));
    CHECK(has_problem(problems_of(kHead + "[[axis]]\nkey = \"x\"\nrange = [1, 2]\nzip = \"z\"\n" + s), "axis[0].zip",
                      "list axes only"));
  }
  SECTION("samples < 1 and bad method") {
    const std::string a = "[[axis]]\nkey = \"x\"\nrange = [0.0, 1.0]\n";
    CHECK(has_problem(problems_of(kHead + a + "[sampling]\nmethod = \"lhs\"\nsamples = 0\n"), "sampling.samples",
                      "integer >= 1"));
    CHECK(has_problem(problems_of(kHead + a + "[sampling]\nmethod = \"sobol\"\nsamples = 4\n"), "sampling.method",
                      "\"lhs\" or \"random\""));
  }
  SECTION("more than 10^8 points") {
    // 2 values x 10^8 repeats = 2e8 points.
    CHECK(has_problem(problems_of(kHead + "repeats = 100000000\n" + axis + "[[axis]]\nkey = \"b\"\nvalues = [1, 2]\n"),
                      "axis", "more than 100000000 points"));
  }
  SECTION("repeats < 1 and negative seed") {
    CHECK(has_problem(problems_of(kHead + "repeats = 0\n"), "repeats", "integer >= 1"));
    CHECK(has_problem(problems_of(kHead + "seed = -1\n"), "seed", "integer >= 0"));
  }
  SECTION("axis key colliding with a base value or another axis") {
    const auto p = problems_of(kHead + R"(
[config]
adc = 3
[config.io]
out_noise = 0.1
[[axis]]
key = "adc.bits"
values = [4]
[[axis]]
key = "io"
values = [1]
[[axis]]
key = "x"
values = [1]
[[axis]]
key = "x.y"
values = [1]
)");
    CHECK(has_problem(p, "axis[0].key", "adc is an integer, not a table, so adc.bits cannot be set"));
    CHECK(has_problem(p, "axis[1].key", "io is a table"));
    CHECK(has_problem(p, "axis[3].key", "x is an integer, not a table"));
  }
  SECTION("every problem at once") {
    const auto p = problems_of("schema_version = 1\nrepeats = 0\nfoo = 1\n[[axis]]\nvalues = []\n");
    INFO(describe(p));
    CHECK(has_problem(p, "job", "missing"));
    CHECK(has_problem(p, "repeats", "integer >= 1"));
    CHECK(has_problem(p, "foo", "unknown key"));
    CHECK(has_problem(p, "axis[0].key", "missing"));
    CHECK(has_problem(p, "axis[0].values", "empty"));
  }
  SECTION("malformed TOML names the file and line") {
    test::ScratchDir dir("spec-err");
    const std::string file = dir.write("bad.toml", kHead + "seed = = 1\n").string();
    try {
      load_sweep_spec(file);
      FAIL("loaded");
    } catch (const ConfigError& e) {
      CHECK(e.problems().front().where == file + ":3");
    }
  }
}

TEST_CASE("unreadable spec or base file is an IoError naming the file", "[sweep]") {
  test::ScratchDir dir("spec");
  const std::string missing = (dir / "nope.toml").string();
  try {
    load_sweep_spec(missing);
    FAIL("loaded");
  } catch (const IoError& e) {
    CHECK(e.path() == missing);
  }
  const std::string spec = dir.write("s.toml", kHead + "base = \"missing-base.toml\"\n").string();
  try {
    load_sweep_spec(spec);
    FAIL("loaded");
  } catch (const IoError& e) {
    CHECK(e.path() == (dir / "missing-base.toml").string());
  }
}

TEST_CASE("validate_points: every problem at once, naming point, axis values and key", "[sweep]") {
  test::ScratchDir dir("spec");
  const SweepSpec spec = load(dir, kHead + R"(
repeats = 3
[config]
images = 0
[[axis]]
key = "adc.bits"
values = [2, 4, 8]
)");
  const auto points = expand_points(spec);
  REQUIRE(points.size() == 9);
  int calls = 0;
  const auto validate = [&](const toml::value& c, const std::string& where) {
    ++calls;
    ProblemList p;
    if (at_path(c, "adc.bits").as_integer() < 5) p.add(where + ": adc.bits", "expected >= 5");
    if (c.at("images").as_integer() < 1) p.add(where + ": images", "expected >= 1");
    p.throw_if_any();
  };
  try {
    validate_points(spec, points, validate);
    FAIL("no error");
  } catch (const ConfigError& e) {
    const auto& p = e.problems();
    INFO(describe(p));
    // Repeats share a config: 3 distinct configs validated once each.
    CHECK(calls == 3);
    // adc.bits fails at points 0 and 3 (bits 2, 4), images everywhere (points 0, 3, 6).
    REQUIRE(p.size() == 2);
    CHECK(p[0].where == spec.file + ": point 0 (adc.bits = 2): adc.bits");
    CHECK(p[0].what == "expected >= 5 (also in point 3)");
    CHECK(p[1].where == spec.file + ": point 0 (adc.bits = 2): images");
    CHECK(p[1].what == "expected >= 1 (also in points 3, 6)");
  }
  // A validator that throws another Error: its message, at the point.
  try {
    validate_points(spec, points, [](const toml::value&, const std::string&) { throw IoError("net.h5", "missing"); });
    FAIL("no error");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems().front().where == spec.file + ": point 0 (adc.bits = 2)");
    CHECK(e.problems().front().what == "net.h5: missing (also in points 3, 6)");
  }
  CHECK_NOTHROW(validate_points(spec, points, [](const toml::value&, const std::string&) {}));

  // A problem in 12 points: the first 8 later ids are named, then a count.
  const SweepSpec many =
      load(dir, kHead + "[[axis]]\nkey = \"x\"\nvalues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n", "many.toml");
  try {
    validate_points(many, expand_points(many),
                    [](const toml::value&, const std::string& where) { throw ConfigError(where + ": x", "bad"); });
    FAIL("no error");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems().front().where == many.file + ": point 0 (x = 0): x");
    CHECK(e.problems().front().what == "bad (also in points 1, 2, 3, 4, 5, 6, 7, 8 and 3 more)");
  }
}

TEST_CASE("config_toml text: sorted keys, [sections], shortest reals", "[sweep]") {
  test::ScratchDir dir("spec");
  const SweepSpec spec = load(dir, kHead + R"(
[config]
network = "a.h5"
images = 500
[config.chip.noc]
w = 1
[config.adc]
signed = true
bits = 8
[[config.layers]]
name = "a"
[config.layers.sub]
k = [1, 2]
[[config.layers]]
name = "b"
[[axis]]
key = "io.out_noise"
values = [0.1]
[[axis]]
key = "device"
values = ["x\"y"]
)");
  const auto points = expand_points(spec);
  REQUIRE(points.size() == 1);
  // Reference: written by hand from the spec above (TOML 1.0: values before sub-tables,
  // [[layers]] elements each followed by their own sub-tables).
  CHECK(points[0].config_toml == R"(device = "x\"y"
images = 500
network = "a.h5"

[adc]
bits = 8
signed = true

[chip.noc]
w = 1

[io]
out_noise = 0.1

[[layers]]
name = "a"

[layers.sub]
k = [1,2]

[[layers]]
name = "b"
)");
  // It parses back to the base config with the axis values set.
  toml::value expected = spec.base_config;
  REQUIRE_FALSE(set_config_value(expected, "io.out_noise", ParamValue(0.1)));
  REQUIRE_FALSE(set_config_value(expected, "device", ParamValue(std::string("x\"y"))));
  CHECK(io::parse_toml(points[0].config_toml, "point") == expected);
}

// Not in the default run: `sweep_test_spec "[.bench]"` prints the expansion and
// validation cost per point for a run-sized config (issue 6 goal: < 5 ms per point with
// the HDF5 write).
TEST_CASE("expansion cost per point", "[.bench]") {
  test::ScratchDir dir("spec");
  std::string config = "[config]\nnetwork = \"models/lenet5-fashion-mnist.h5\"\nimages = 500\n";
  for (const char* table : {"tile", "adc", "dac", "io", "mapping", "chip"}) {
    config += "[config.";
    config += table;
    config += "]\n";
    for (int k = 0; k < 12; ++k) {  // appends, not operator+ chains (GCC 12 -Wrestrict false positive)
      config += 'p';
      config += std::to_string(k);
      config += " = ";
      config += std::to_string(0.125 * k);
      config += '\n';
    }
  }
  const SweepSpec spec = load(dir, kHead + "repeats = 2\n" + config + R"(
[[axis]]
key = "adc.bits"
values = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
[[axis]]
key = "tile.rows"
values = [64, 128, 256, 512, 1024]
[[axis]]
key = "io.out_noise"
range = [0.0, 0.1]
[sampling]
method = "lhs"
samples = 20
)");
  const auto t0 = std::chrono::steady_clock::now();
  const auto points = expand_points(spec);
  const auto t1 = std::chrono::steady_clock::now();
  validate_points(spec, points, [](const toml::value&, const std::string&) {});
  const auto t2 = std::chrono::steady_clock::now();
  const double n = static_cast<double>(points.size());
  using us = std::chrono::duration<double, std::micro>;
  const double expand_us = us(t1 - t0).count() / n, validate_us = us(t2 - t1).count() / n;
  WARN(points.size() << " points; expand " << expand_us << " us/point, validate (no-op validator) " << validate_us
                     << " us/point");
}

// `xbarsim solve`: input validation (exit 2 naming the file and the element) and the
// output layout. Solver accuracy against ngspice is in tests/crossbar.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <xbarsim/io/result_file.hpp>

#include "../test_util.hpp"

using namespace xbarsim;
using test::run_xbarsim;

namespace {
struct Input {
  std::vector<std::size_t> g_shape{2, 3};
  std::vector<double> g{1e-5, 2e-5, 3e-5, 4e-5, 5e-5, 6e-5};
  std::vector<std::size_t> v_shape{1, 2};
  std::vector<double> v{0.2, 0.1};
  ParamValues attrs{{"r_row_ohm", 1.0}, {"r_col_ohm", 2.0}, {"r_source_ohm", 10.0}, {"r_sink_ohm", 20.0}};
  bool with_g = true, with_v = true;
};

std::string write_input(const test::ScratchDir& dir, const Input& in, const std::string& name = "in.h5") {
  const auto path = dir / name;
  io::ResultFile f(path, io::RunInfo{});
  if (in.with_g) f.write(Dataset{"G", "S", "conductances", in.g_shape, in.g});
  if (in.with_v) f.write(Dataset{"V", "V", "inputs", in.v_shape, in.v});
  for (const auto& [k, v] : in.attrs) f.write_attribute(k, v);
  return path.string();
}

void check_bad(const std::string& args, const std::string& fragment) {
  INFO("xbarsim " << args);
  const auto r = run_xbarsim(args);
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.rfind("error: ", 0) == 0);
  CHECK(r.output.find(fragment) != std::string::npos);
}
}  // namespace

TEST_CASE("solve: a single cell is the series circuit V / (r_source + 1/G + r_sink)", "[cli]") {
  test::ScratchDir dir("solve-1x1");
  Input in;
  in.g_shape = {1, 1};
  in.g = {1e-4};
  in.v_shape = {3, 1};
  in.v = {0.5, -0.2, 0.0};
  const auto input = write_input(dir, in);
  const auto out = dir / "out.h5";
  const auto r = run_xbarsim("solve " + input + " -o " + out.string() + " --nodes");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto I = io::read_dataset(out, "I");
  REQUIRE(I.shape == std::vector<std::size_t>{3, 1});
  CHECK(I.units == "A");
  // Reference: Ohm's law for three resistors in series (no row/column segment lies on
  // the path of a 1 x 1 array).
  for (std::size_t b = 0; b < 3; ++b) CHECK(I.values[b] == Approx(in.v[b] / (10.0 + 1e4 + 20.0)).epsilon(1e-12));
  const auto wl = io::read_dataset(out, "V_wordline");
  CHECK(wl.shape == std::vector<std::size_t>{3, 1, 1});
  // Word-line node = V - I r_source.
  CHECK(wl.values[0] == Approx(0.5 - I.values[0] * 10.0).epsilon(1e-12));
}

TEST_CASE("solve: bad input exits 2 naming the file and the culprit", "[cli]") {
  test::ScratchDir dir("solve-bad");
  const std::string out = " -o " + (dir / "out.h5").string();
  SECTION("missing input file") { check_bad("solve " + (dir / "none.h5").string() + out, "no such input file"); }
  SECTION("not an HDF5 file") {
    const auto p = dir.write("text.h5", "hello");
    check_bad("solve " + p.string() + out, "text.h5: G: expected a dataset of conductances");
  }
  SECTION("missing G") {
    Input in;
    in.with_g = false;
    check_bad("solve " + write_input(dir, in) + out, "in.h5: G: expected a dataset of conductances");
  }
  SECTION("V of the wrong width") {
    Input in;
    in.v_shape = {1, 3};
    in.v = {0.1, 0.2, 0.3};
    check_bad("solve " + write_input(dir, in) + out,
              "in.h5: V: expected 2 columns (one per row of G), got shape (1 x 3)");
  }
  SECTION("NaN conductance") {
    Input in;
    in.g[4] = std::numeric_limits<double>::quiet_NaN();
    check_bad("solve " + write_input(dir, in) + out, "in.h5: G(1, 1): expected a finite conductance >= 0 S, got nan");
  }
  SECTION("negative conductance") {
    Input in;
    in.g[2] = -1e-6;
    check_bad("solve " + write_input(dir, in) + out,
              "in.h5: G(0, 2): expected a finite conductance >= 0 S, got -1e-06");
  }
  SECTION("negative resistance") {
    Input in;
    in.attrs["r_col_ohm"] = -2.0;
    check_bad("solve " + write_input(dir, in) + out, "in.h5: attribute r_col_ohm: must be in (0, inf] ohm, got -2");
  }
  SECTION("missing resistance") {
    Input in;
    in.attrs.erase("r_sink_ohm");
    check_bad("solve " + write_input(dir, in) + out, "in.h5: attribute r_sink_ohm: missing");
  }
  SECTION("a 1-D V") {
    Input in;
    in.v_shape = {2};
    check_bad("solve " + write_input(dir, in) + out, "in.h5: V: expected a non-empty 2-D dataset");
  }
  CHECK_FALSE(std::filesystem::exists(dir / "out.h5"));
}

TEST_CASE("bench solve --json prints its fields", "[cli]") {
  const auto r = run_xbarsim("bench solve --rows 16 --cols 8 --inputs 5 --json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const char* key : {"\"solve_s\"", "\"sgemm_s\"", "\"ratio\"", "\"factor_s\""})
    CHECK(r.output.find(key) != std::string::npos);
}

TEST_CASE("solve: the transfer-matrix and sparse paths give the same currents", "[cli]") {
  // 3 x 2 array: a batch of 1 takes the line-preconditioned CG path, a batch of 4 (>= rows) the
  // structured transfer matrix; both are exact, so the shared input must agree to
  // rounding (the sparse solver itself is checked against ngspice in tests/crossbar).
  test::ScratchDir dir("solve-paths");
  Input in;
  in.g_shape = {3, 2};
  in.g = {1e-5, 2e-5, 3e-5, 4e-5, 5e-5, 6e-5};
  in.v_shape = {1, 3};
  in.v = {0.3, -0.1, 0.2};
  const auto one = write_input(dir, in, "one.h5");
  in.v_shape = {4, 3};
  in.v = {0.3, -0.1, 0.2, 0.1, 0.1, 0.1, -0.2, 0.0, 0.4, 0.05, 0.3, -0.3};
  const auto four = write_input(dir, in, "four.h5");
  REQUIRE(run_xbarsim("solve " + one + " -o " + (dir / "o1.h5").string()).exit_code == 0);
  REQUIRE(run_xbarsim("solve " + four + " -o " + (dir / "o4.h5").string()).exit_code == 0);
  CHECK(io::read_string_attribute(dir / "o1.h5", "method") == "line-preconditioned conjugate gradients");
  CHECK(io::read_string_attribute(dir / "o4.h5", "method") == "structured transfer matrix");
  const auto a = io::read_dataset(dir / "o1.h5", "I").values, b = io::read_dataset(dir / "o4.h5", "I").values;
  REQUIRE(a.size() == 2);
  for (std::size_t j = 0; j < 2; ++j) CHECK(b[j] == Approx(a[j]).epsilon(1e-12));
}

TEST_CASE("solve --selector-v0: a single nonlinear cell matches the series equation", "[cli]") {
  // Reference: the 1 x 1 circuit V = I (r_source + r_sink) + V0 asinh(I / (G V0)),
  // solved here by bisection (the left side is monotone in I).
  test::ScratchDir dir("solve-selector");
  Input in;
  in.g_shape = {1, 1};
  in.g = {1e-4};
  in.v_shape = {2, 1};
  in.v = {0.8, -0.3};
  const auto input = write_input(dir, in);
  const auto out = dir / "out.h5";
  const auto r = run_xbarsim("solve " + input + " -o " + out.string() + " --selector-v0 0.1 --nodes");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto I = io::read_dataset(out, "I").values;
  const double rs = 10.0, rk = 20.0, G = 1e-4, v0 = 0.1;
  for (std::size_t b = 0; b < 2; ++b) {
    const double v = in.v[b];
    double lo = -std::abs(v) / (rs + rk), hi = std::abs(v) / (rs + rk);
    for (int k = 0; k < 200; ++k) {
      const double mid = 0.5 * (lo + hi);
      (mid * (rs + rk) + v0 * std::asinh(mid / (G * v0)) < v ? lo : hi) = mid;
    }
    CHECK(I[b] == Approx(0.5 * (lo + hi)).epsilon(1e-9));
  }
  CHECK(io::read_dataset(out, "newton_iterations").shape == std::vector<std::size_t>{2});
  CHECK(io::read_dataset(out, "V_bitline").shape == std::vector<std::size_t>{2, 1, 1});
  CHECK(run_xbarsim("solve " + input + " -o " + out.string() + " --selector-v0 -1").exit_code == 2);
}

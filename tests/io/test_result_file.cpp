#include <catch2/catch.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/version.hpp>
#include <xbarsim/io/result_file.hpp>

#include "../test_util.hpp"

using namespace xbarsim;

TEST_CASE("result files carry units, descriptions and run metadata", "[io]") {
  test::ScratchDir dir("result");
  const auto path = dir / "r.h5";
  {
    io::ResultFile f(path, io::RunInfo{"model = \"x\"\n", 42, "test"});
    f.write(Dataset{"conductance_S", "S", "a 2x3 matrix", {2, 3}, {1, 2, 3, 4, 5, 6}});
    f.write(Dataset{"t", "s", "times", {3}, {0, 1, 2}}, "group/sub");
    f.write_attribute("target_S", 1e-5);
  }
  const auto d = io::read_dataset(path, "conductance_S");
  CHECK(d.shape == std::vector<std::size_t>{2, 3});
  CHECK(d.values == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(d.units == "S");
  CHECK(d.description == "a 2x3 matrix");
  CHECK(io::read_dataset(path, "group/sub/t").units == "s");
  CHECK(io::read_string_attribute(path, "config") == "model = \"x\"\n");
  CHECK(io::read_string_attribute(path, "xbarsim_version") == std::string(version()));
  CHECK(io::read_string_attribute(path, "git_revision") == std::string(git_revision()));
  CHECK(!io::read_string_attribute(path, "created").empty());
}

TEST_CASE("an unwritable path is an IoError naming the path", "[io]") {
  CHECK_THROWS_MATCHES(
      io::ResultFile("/nonexistent-dir/x.h5", io::RunInfo{}), IoError,
      Catch::Matchers::Predicate<IoError>([](const IoError& e) { return e.path() == "/nonexistent-dir/x.h5"; }));
}

TEST_CASE("reading a missing dataset names it", "[io]") {
  test::ScratchDir dir("result-missing");
  const auto path = dir / "r.h5";
  { io::ResultFile f(path, io::RunInfo{}); }
  CHECK_THROWS_WITH(io::read_dataset(path, "nope"), Catch::Contains("has no dataset 'nope'"));
}

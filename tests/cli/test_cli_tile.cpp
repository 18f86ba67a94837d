// `xbarsim tile report`: configuration loading (errors name file and key) and a report
// whose totals are the sums of its breakdowns; the cost formulas themselves are tested
// against hand-computed values in tests/crossbar/test_tile_cost.cpp.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../test_util.hpp"

using namespace xbarsim;
using test::run_xbarsim;

TEST_CASE("tile report on the shipped example", "[cli]") {
  const std::string example = std::string(XBARSIM_SOURCE_DIR) + "/examples/tiles/rram-128-22nm.toml";
  const auto text = run_xbarsim("tile report " + example);
  INFO(text.output);
  REQUIRE(text.exit_code == 0);
  CHECK(text.output.find("tile 128 x 128 (1t1r), 256 physical columns, tech 22nm") != std::string::npos);
  const auto r = run_xbarsim("tile report " + example + " --json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.output);
  // 8-bit bit-serial DAC -> 7 pulses; 256 physical columns -> 7 * 256 conversions.
  CHECK(j["input_pulses"] == 7);
  CHECK(j["conversions"] == 7 * 256);
  for (const char* kind : {"area_m2", "energy_J", "latency_s"}) {
    double sum = 0;
    for (const char* c : {"array", "dac", "adc", "drivers", "mux", "shift_add", "buffers"})
      sum += j[kind][c].get<double>();
    CHECK(j[kind]["total"].get<double>() == Approx(sum).epsilon(1e-12));
  }
  // Array area = rows * physical columns / devices per cell * 48 F^2 at F = 22 nm.
  CHECK(j["area_m2"]["array"].get<double>() == Approx(128.0 * 256 * 48 * 22e-9 * 22e-9).epsilon(1e-9));
}

TEST_CASE("tile report: bad configurations exit 2 naming file and key", "[cli]") {
  test::ScratchDir dir("tile-bad");
  auto check_bad = [&](const std::string& text, const std::string& fragment) {
    const auto path = dir.write("tile.toml", text);
    const auto r = run_xbarsim("tile report " + path.string());
    INFO(text << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(fragment) != std::string::npos);
  };
  check_bad("schema_version = 1\n[adc]\nbitz = 5\n", "tile.toml: adc.bitz: unknown parameter");
  check_bad("schema_version = 1\n[tile]\nrows = 0\n", "tile.toml: tile.rows: must be in [1, 65536], got 0");
  check_bad("schema_version = 1\ntech = \"3nm\"\n", "tile.toml: tech: expected one of {");
  check_bad("schema_version = 1\n[tile]\ncell_type = \"4t4r\"\n", "tile.toml: tile.cell_type: expected one of {");
  check_bad("schema_version = 1\nspeed = 3\n", "tile.toml: speed: unknown key");
  check_bad("schema_version = 1\n[tile\n", "tile.toml:2: malformed TOML");
}

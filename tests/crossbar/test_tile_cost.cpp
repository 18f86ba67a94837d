// Technology nodes (crossbar/tech_node.hpp), their presets (data/presets/tech/*.toml) and
// the tile cost breakdown (crossbar/tile_cost.hpp) against hand-computed values from the
// formulas and the reference sheets: NeuroSim wire resistance per cell
// (device_physics.md 7.4), NeuroSim cell sizes, ISAAC DAC figures (7.1), adc.hpp's
// Walden / ISAAC ADC numbers (7.1) and Horowitz's 45 nm table (digital_references.md 2.1).
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <toml.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/tile_cost.hpp>

#include "../preset_values.hpp"

using namespace xbarsim;

namespace {

std::filesystem::path tech_dir() { return std::filesystem::path(XBARSIM_TEST_DATA_DIR) / "presets" / "tech"; }

TechNodeParams load_node(int nm) {
  const toml::value file = toml::parse((tech_dir() / (std::to_string(nm) + "nm.toml")).string());
  return TechNodeParams::table().make(test::read_parameters(file));
}

const std::vector<int> kNodes{130, 90, 65, 45, 32, 22, 14, 7};

}  // namespace

TEST_CASE("tech presets: every key is a table key with a source", "[crossbar][tile_cost]") {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(tech_dir())) {
    INFO(entry.path().string());
    ++files;
    const toml::value file = toml::parse(entry.path().string());
    CHECK(toml::find<std::int64_t>(file, "schema_version") == 1);
    CHECK(!toml::find<std::string>(file, "description").empty());
    CHECK(!toml::find<std::string>(file, "source").empty());
    const ParamValues values = test::read_parameters(file);
    const auto& sources = toml::find(file, "sources").as_table();
    for (const auto& [key, v] : values) {
      INFO(key);
      CHECK(TechNodeParams::table().find(key) != nullptr);
      REQUIRE(sources.count(key) == 1);
      CHECK(!sources.at(key).as_string().str.empty());
    }
    CHECK(sources.size() == values.size());
    CHECK_NOTHROW(TechNodeParams::table().make(values));
  }
  CHECK(files == kNodes.size());
  for (int nm : kNodes) CHECK(load_node(nm).feature_size_m == Approx(nm * 1e-9).epsilon(1e-12));
}

TEST_CASE("wire resistance per cell matches the NeuroSim table", "[crossbar][tile_cost]") {
  // device_physics.md 7.4: crossbar cell (2W), 1T1R 4W and 12W, Ohm (3 significant digits).
  struct Row {
    int nm;
    double xbar, r4, r12;
  };
  const std::vector<Row> table{{65, 0.30, 0.60, 1.80}, {45, 0.49, 0.97, 2.92}, {32, 0.73, 1.47, 4.41},
                               {22, 1.06, 2.12, 6.36}, {14, 2.03, 4.06, 12.2}, {7, 3.53, 7.06, 21.2}};
  for (const auto& r : table) {
    INFO(r.nm << " nm");
    const TechNodeParams t = load_node(r.nm);
    CHECK(wire_r_cell_0t1r_ohm(t) == Approx(r.xbar).epsilon(0.01));
    CHECK(wire_r_cell_1t1r_row_ohm(t) == Approx(r.r4).epsilon(0.01));
    CHECK(wire_r_cell_1t1r_col_ohm(t) == Approx(r.r12).epsilon(0.01));
  }
  // Defaults are the 22 nm node (NeuroSim V1.3 default): R' = 13.3 Ohm/um (7.4 table).
  CHECK(wire_resistance_per_m(TechNodeParams{}) * 1e-6 == Approx(13.3).epsilon(0.01));
  // rho_T = rho (1 + 0.00451 |T - 300|): at 400 K the resistance grows by 1.451.
  TechNodeParams hot;
  hot.temperature_K = 400.0;
  CHECK(wire_resistance_per_m(hot) / wire_resistance_per_m(TechNodeParams{}) == Approx(1.451).epsilon(1e-12));
}

TEST_CASE("array area, ADC, DAC, digital and update costs by hand", "[crossbar][tile_cost]") {
  TileCostInputs in;
  in.tech = load_node(22);
  in.physical_cols_per_logical = 1;
  SECTION("128 x 128 1T1R array area at 22 nm") {
    // 128 * 128 * 48 F^2 * (22 nm)^2 = 3.80633088e-10 m^2.
    CHECK(tile_cost(in).area_m2.array == Approx(3.80633088e-10).epsilon(1e-12));
    in.cell_type = "0t1r";  // 4 F^2
    CHECK(tile_cost(in).area_m2.array == Approx(128.0 * 128 * 4 * 22e-9 * 22e-9).epsilon(1e-12));
    in.cell_type = "2t2r";  // 96 F^2 per pair, 64 pairs per row when 128 devices
    CHECK(tile_cost(in).area_m2.array == Approx(128.0 * 64 * 96 * 22e-9 * 22e-9).epsilon(1e-12));
  }
  SECTION("bit-serial differential tile at 32 nm") {
    in.tech = load_node(32);           // 32 nm, 0.9 V: the ISAAC DAC reference point, scale 1
    in.physical_cols_per_logical = 2;  // P = 256
    in.dac.mode = "bit-serial";
    in.dac.bits = 8;  // 7 bit planes
    in.adc.bits = 8;
    in.adc.columns_per_adc = 8;
    in.g_avg_S = 10e-6;
    in.g_write_avg_S = 10e-6;
    const TileCost c = tile_cost(in);
    REQUIRE(c.physical_cols == 256);
    REQUIRE(c.input_pulses == 7);
    REQUIRE(c.conversions == 1792);  // 256 columns x 7 planes
    // ADC (Walden, ENOB 8, FOM 34 fJ): 34e-15 * 2^8 = 8.704 pJ per conversion.
    CHECK(c.energy_J.adc == Approx(1792 * 8.704e-12).epsilon(1e-12));
    // SAR: 9 cycles at 1 GHz, 8 conversions per plane, 7 planes.
    CHECK(c.latency_s.adc == Approx(7 * 8 * 9e-9).epsilon(1e-12));
    // 32 ADCs x ISAAC 8-bit 1200 um^2.
    CHECK(c.area_m2.adc == Approx(32 * 1200e-12).epsilon(1e-12));
    // Array: 7 * 128 * 256 * 10 uS * 0.25 V^2 * 10 ns = 5.7344 nJ; 7 pulses of 10 ns.
    CHECK(c.energy_J.array == Approx(5.7344e-9).epsilon(1e-12));
    CHECK(c.latency_s.array == Approx(70e-9).epsilon(1e-12));
    // DAC: 128 rows * 7 drives * ISAAC 0.42 pJ; area 128 * 0.166 um^2.
    CHECK(c.energy_J.dac == Approx(128 * 7 * 0.42e-12).epsilon(1e-12));
    CHECK(c.area_m2.dac == Approx(128 * 0.166e-12).epsilon(1e-12));
    // Mux: 256 switches of 20 F^2.
    CHECK(c.area_m2.mux == Approx(256 * 20 * 32e-9 * 32e-9).epsilon(1e-12));
    // Update: 128 * 256 devices * (2 V)^2 * 10 uS * 50 ns = 65.536 nJ; 128 rows * 2 phases * 50 ns.
    CHECK(c.update_energy_J == Approx(6.5536e-8).epsilon(1e-12));
    CHECK(c.update_latency_s == Approx(12.8e-6).epsilon(1e-12));
    // Totals are the sums of the breakdown.
    const auto sum = [](const CostBreakdown& b) {
      return b.array + b.dac + b.adc + b.drivers + b.mux + b.shift_add + b.buffers;
    };
    CHECK(c.area_total_m2 == Approx(sum(c.area_m2)).epsilon(1e-14));
    CHECK(c.energy_total_J == Approx(sum(c.energy_J)).epsilon(1e-14));
    CHECK(c.latency_total_s == Approx(sum(c.latency_s)).epsilon(1e-14));
    CHECK(c.energy_total_J > c.energy_J.adc);
  }
  SECTION("pairs subtracted before the ADC: one ADC input per logical column") {
    in.tech = load_node(32);
    in.physical_cols_per_logical = 2;  // P = 256 devices per row, as above
    in.adc_cols_per_logical = 1;       // A = 128 ADC inputs (AnalogTile's analog subtraction)
    in.dac.mode = "bit-serial";
    in.dac.bits = 8;
    in.adc.bits = 8;
    in.adc.columns_per_adc = 8;
    const TileCost c = tile_cost(in);
    REQUIRE(c.physical_cols == 256);
    CHECK(c.conversions == 896);  // 128 inputs x 7 planes: half the section above
    CHECK(c.energy_J.adc == Approx(896 * 8.704e-12).epsilon(1e-12));
    CHECK(c.area_m2.adc == Approx(16 * 1200e-12).epsilon(1e-12));  // 128 / 8 ADCs
    CHECK(c.area_m2.mux == Approx(128 * 20 * 32e-9 * 32e-9).epsilon(1e-12));
    CHECK(c.latency_s.adc == Approx(7 * 8 * 9e-9).epsilon(1e-12));  // still 8 columns per ADC
  }
  SECTION("digital figures at Horowitz's 45 nm / 0.9 V point") {
    in.tech.feature_size_m = 45e-9;
    in.tech.vdd_V = 0.9;
    in.adc.bits = 8;
    in.dac.bits = 8;  // multi-level: 1 pulse, w = 16 bits
    in.adc.columns_per_adc = 1;
    const TileCost c = tile_cost(in);
    REQUIRE(c.conversions == 128);
    // 16-bit add = 0.1 pJ * 16/32 = 0.05 pJ (Horowitz's own 16-bit row is 0.05 pJ) plus
    // 16 register bits at 0.009 pJ * 45/40 (Aladdin 40 nm scaled to 45 nm).
    CHECK(c.energy_J.shift_add == Approx(128 * (0.05e-12 + 16 * 0.009e-12 * 45.0 / 40.0)).epsilon(1e-12));
    // Buffers: 128 * 8 input + 128 * 16 output bits at 10 pJ / 64 bit = 480 pJ.
    CHECK(c.energy_J.buffers == Approx(4.8e-10).epsilon(1e-12));
    CHECK(c.energy_J.mux == 0.0);  // no sharing, no mux
    // Multi-level DAC: 8 bits x 0.42 pJ at 32 nm / 0.9 V scaled by 45/32.
    CHECK(c.energy_J.dac == Approx(128 * 8 * 0.42e-12 * 45.0 / 32.0).epsilon(1e-12));
  }
}

TEST_CASE("costs scale with the node", "[crossbar][tile_cost]") {
  TileCostInputs in;
  in.dac.mode = "bit-serial";
  in.g_avg_S = 10e-6;
  double prev_area = 1e9, prev_r = 0.0, prev_digital = 1e9;
  for (int nm : kNodes) {
    INFO(nm << " nm");
    in.tech = load_node(nm);
    const TileCost c = tile_cost(in);
    CHECK(c.area_m2.array < prev_area);             // A ~ F^2
    CHECK(wire_r_cell_0t1r_ohm(in.tech) > prev_r);  // thinner, more resistive wires
    CHECK(c.energy_J.shift_add < prev_digital);     // E ~ F Vdd^2
    prev_area = c.area_m2.array;
    prev_r = wire_r_cell_0t1r_ohm(in.tech);
    prev_digital = c.energy_J.shift_add;
  }
}

TEST_CASE("invalid tile cost inputs throw ConfigError", "[crossbar][tile_cost]") {
  TileCostInputs in;
  in.cell_type = "3t1r";
  CHECK_THROWS_AS(tile_cost(in), ConfigError);
  in.cell_type = "2t2r";
  in.physical_cols_per_logical = 1;
  in.extra_physical_cols = 1;  // 129 devices cannot fill 2-device cells
  CHECK_THROWS_AS(tile_cost(in), ConfigError);
  in.extra_physical_cols = 0;
  in.rows = 0;
  CHECK_THROWS_AS(tile_cost(in), ConfigError);
  TileCostInputs bad_tech;
  bad_tech.tech.wire_width_m = -1.0;
  CHECK_THROWS_AS(tile_cost(bad_tech), ConfigError);
}

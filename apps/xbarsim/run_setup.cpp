// Chip configuration of `xbarsim run` and `xbarsim map` (see run_setup.hpp).
#include "run_setup.hpp"

#include <xbarsim/mapping/analog_backend.hpp>

#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/data_dirs.hpp>
#include <xbarsim/io/tile_config.hpp>
#include <xbarsim/io/toml_params.hpp>

namespace xbarsim::cli {
namespace {

std::string string_key(const toml::value& doc, const char* key, const std::string& file, const std::string& fallback) {
  if (!doc.is_table() || !doc.as_table().count(key)) return fallback;
  const auto& v = doc.at(key);
  if (!v.is_string()) throw ConfigError(file + ": " + key, "expected a string");
  return v.as_string();
}

template <class S>
void table_into(const toml::value& doc, const char* name, const std::string& file, S& s, ProblemList& problems) {
  if (!doc.is_table() || !doc.as_table().count(name)) return;
  const ParamValues v = io::params_from_toml(doc.at(name), S::table(), file + ": " + name, problems);
  ParamValues all = S::table().values(s);
  for (const auto& [k, x] : v) all[k] = x;
  if (problems.empty()) s = S::table().make(all, name);
}

}  // namespace

RunSetup load_setup(const std::string& file) {
  RunSetup s;
  s.network = (io::data_dirs().front() / "models" / "lenet5-fashion-mnist.h5").string();
  s.tile = inference_tile_defaults();
  if (!file.empty()) {
    toml::value doc = io::read_toml_file(file);
    ProblemList problems;
    for (const auto& [key, v] : doc.as_table()) {
      static const char* known[] = {"schema_version", "network", "device", "tech", "images", "tile_rows", "tile_cols",
                                    "tile",           "mapping", "dac",    "adc",  "io",     "chip"};
      if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return key == k; }) == std::end(known))
        problems.add(file + ": " + key, "unknown key");
      (void)v;
    }
    s.network = string_key(doc, "network", file, s.network);
    s.device = string_key(doc, "device", file, s.device);
    s.tech = string_key(doc, "tech", file, s.tech);
    auto count = [&](const char* key, std::size_t& out) {
      if (!doc.as_table().count(key)) return;
      const auto& v = doc.at(key);
      if (!v.is_integer() || v.as_integer() < 0)
        problems.add(file + ": " + key, "expected a non-negative integer");
      else
        out = static_cast<std::size_t>(v.as_integer());
    };
    count("images", s.images);
    count("tile_rows", s.tile_rows);
    count("tile_cols", s.tile_cols);
    table_into(doc, "tile", file, s.tile.tile, problems);
    table_into(doc, "mapping", file, s.tile.mapping, problems);
    table_into(doc, "dac", file, s.tile.forward_dac, problems);
    table_into(doc, "adc", file, s.tile.forward_adc, problems);
    table_into(doc, "io", file, s.tile.forward_io, problems);
    table_into(doc, "chip", file, s.chip, problems);
    problems.throw_if_any();
  }
  if (s.tile_rows == 0 || s.tile_cols == 0) throw ConfigError("tile_rows", "tiles need at least one row and column");
  s.resolved = "schema_version = 1\nnetwork = \"" + s.network + "\"\ndevice = \"" + s.device + "\"\ntech = \"" +
               s.tech + "\"\nimages = " + std::to_string(s.images) + "\ntile_rows = " + std::to_string(s.tile_rows) +
               "\ntile_cols = " + std::to_string(s.tile_cols) + "\n\n[tile]\n" +
               io::params_to_toml(TileParams::table().values(s.tile.tile), TileParams::table()) + "\n[mapping]\n" +
               io::params_to_toml(WeightMappingParams::table().values(s.tile.mapping), WeightMappingParams::table()) +
               "\n[dac]\n" + io::params_to_toml(DacParams::table().values(s.tile.forward_dac), DacParams::table()) +
               "\n[adc]\n" + io::params_to_toml(AdcParams::table().values(s.tile.forward_adc), AdcParams::table()) +
               "\n[io]\n" + io::params_to_toml(MvmIoParams::table().values(s.tile.forward_io), MvmIoParams::table()) +
               "\n[chip]\n" + io::params_to_toml(ChipParams::table().values(s.chip), ChipParams::table());
  return s;
}

TileCostInputs tile_cost_inputs(const RunSetup& s) {
  TileCostInputs tc;
  tc.rows = static_cast<int>(s.tile_rows);
  tc.cols = static_cast<int>(s.tile_cols);
  tc.cell_type = s.tile.cell_access.cell == "0T1R" ? "0t1r" : s.tile.cell_access.cell == "2T2R" ? "2t2r" : "1t1r";
  tc.physical_cols_per_logical = s.tile.mapping.scheme == "differential" ? 2 : 1;
  tc.extra_physical_cols = s.tile.mapping.scheme == "reference-column" ? 1 : 0;
  tc.adc = s.tile.forward_adc;
  tc.dac = s.tile.forward_dac;
  tc.tech = io::find_tech_preset(s.tech).params;
  return tc;
}

}  // namespace xbarsim::cli

#pragma once
// Tile configurations for `xbarsim tile report` and technology-node presets
// (data/presets/tech/NAME.toml). A tile configuration:
//
//   schema_version = 1
//   tech = "22nm"        # preset name or path to a tech preset .toml
//   [tile]   rows, cols, cell_type, ... (TileCostInputs::table())
//   [adc]    AdcParams keys      [dac]  DacParams keys      [cost]  TileCostParams keys
//
// Every table is optional (defaults apply); unknown keys and out-of-range values are
// errors naming the file and key.
#include <filesystem>
#include <string>
#include <toml.hpp>
#include <xbarsim/crossbar/tile_cost.hpp>

namespace xbarsim::io {

struct TechPreset {
  std::string name;
  std::filesystem::path path;
  std::string description;
  std::string source;
  TechNodeParams params;
};

/// Loads a tech preset by name (data_dirs()/presets/tech/NAME.toml) or path.
TechPreset find_tech_preset(const std::string& name_or_path);

struct TileConfig {
  TileCostInputs inputs;
  TechPreset tech;
  std::string resolved_toml;  // every value, as recorded in output files
};

TileConfig load_tile_config(const std::filesystem::path& path);
/// The same from a parsed document; `where` (a file name) prefixes every key in errors.
TileConfig parse_tile_config(const toml::value& doc, const std::string& where);

}  // namespace xbarsim::io

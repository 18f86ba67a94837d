#pragma once
// The chip configuration shared by `xbarsim run` and `xbarsim map` (see cmd_run.cpp for
// the file format): network, device preset, technology node, tile size and the tables of
// the tile's parts and of the chip.
#include <string>
#include <xbarsim/crossbar/tile.hpp>
#include <xbarsim/crossbar/tile_cost.hpp>
#include <xbarsim/mapping/chip.hpp>

namespace xbarsim::cli {

struct RunSetup {
  std::string network, device = "pcm-joshi2020", tech = "22nm";
  std::size_t images = 0;
  TileConfig tile;
  ChipParams chip;
  std::size_t tile_rows = 256, tile_cols = 256;
  std::string resolved;  // the configuration as run, for the report
};

/// Defaults (the built-in run), overridden by `file` if given; ConfigError naming
/// "file: key" for every problem.
RunSetup load_setup(const std::string& file);
/// Tile cost inputs of the setup (tile size, cells, mapping, DAC/ADC, tech preset).
TileCostInputs tile_cost_inputs(const RunSetup& s);

}  // namespace xbarsim::cli

#pragma once
// The chip configuration of the main job (`xbarsim run`), also read by `map`, `compress`
// and sweeps of the "run" job: network, device preset, technology node, tile size, the
// compression transforms and the tables of the tile's parts and of the chip. The format
// is documented in main_job.hpp.
#include <functional>
#include <memory>
#include <string>
#include <toml.hpp>
#include <vector>
#include <xbarsim/crossbar/tile.hpp>
#include <xbarsim/crossbar/tile_cost.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/io/model_loader.hpp>
#include <xbarsim/mapping/analog_backend.hpp>
#include <xbarsim/mapping/chip.hpp>
#include <xbarsim/mapping/compress.hpp>

namespace xbarsim::sweep {

struct RunSetup {
  std::string network, device = "pcm-joshi2020", tech = "22nm";
  std::size_t images = 0;
  TileConfig tile;
  ChipParams chip;
  std::size_t tile_rows = 256, tile_cols = 256;
  std::vector<std::string> compress;  // transforms applied in order before mapping (compress.hpp)
  std::string resolved;               // the configuration as run, for the report
};

/// Defaults (the built-in run), overridden by `file` if given; ConfigError naming
/// "file: key" for every problem.
RunSetup load_setup(const std::string& file);
/// The same from a parsed document; `where` prefixes every key in errors.
RunSetup parse_setup(const toml::value& doc, const std::string& where);
/// Tile cost inputs of the setup (tile size, cells, mapping, DAC/ADC, tech preset).
TileCostInputs tile_cost_inputs(const RunSetup& s);

/// The setup's network after its `compress` transforms, then `extra` ones, in order.
struct CompressedModel {
  io::LoadedModel model;
  std::vector<CompressionReport> reports;
};
CompressedModel load_compressed(const RunSetup& s, const std::vector<std::string>& extra = {});

/// A bit-sliced mapping needs no more magnitude bits than the quantising transforms left
/// (fewer slices, fewer columns); other mappings are unchanged.
void narrow_bit_slices(RunSetup& s, const CompressedModel& m);

/// Analog backend options of the setup's tiles with devices from `device`.
AnalogBackendOptions analog_options(const RunSetup& s, std::function<std::unique_ptr<DeviceModel>()> device,
                                    std::uint64_t seed);

}  // namespace xbarsim::sweep

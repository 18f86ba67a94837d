// Chip configuration of `xbarsim run` and `xbarsim map` (see run_setup.hpp).
#include <xbarsim/sweep/run_setup.hpp>

#include <xbarsim/mapping/analog_backend.hpp>

#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/io/data_dirs.hpp>
#include <xbarsim/io/device_preset.hpp>
#include <xbarsim/io/tile_config.hpp>
#include <xbarsim/io/toml_params.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>

namespace xbarsim::sweep {
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
  if (file.empty()) return parse_setup(toml::value(toml::table{}), "");
  return parse_setup(io::read_toml_file(file), file);
}

RunSetup parse_setup(const toml::value& doc, const std::string& file) {
  RunSetup s;
  s.network = (io::data_dirs().front() / "models" / "lenet5-fashion-mnist.h5").string();
  s.tile = inference_tile_defaults();
  {
    ProblemList problems;
    for (const auto& [key, v] : doc.as_table()) {
      static const char* known[] = {"schema_version", "network", "device", "tech", "images", "tile_rows", "tile_cols",
                                    "tile",           "mapping", "dac",    "adc",  "io",     "chip",      "compress"};
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
    if (doc.as_table().count("compress")) {
      const auto& v = doc.at("compress");
      if (!v.is_array()) problems.add(file + ": compress", "expected an array of transform names");
      for (std::size_t i = 0; v.is_array() && i < v.as_array().size(); ++i) {
        const auto& item = v.as_array()[i];
        const std::string where = file + ": compress[" + std::to_string(i) + "]";
        if (!item.is_string()) {
          problems.add(where, "expected a string such as \"quantize:bits=4\"");
          continue;
        }
        try {
          parse_named_settings(item.as_string().str, where);
          s.compress.push_back(item.as_string().str);
        } catch (const ConfigError& e) {
          problems.append(e.problems());
        }
      }
    }
    count("images", s.images);
    count("tile_rows", s.tile_rows);
    count("tile_cols", s.tile_cols);
    table_into(doc, "tile", file, s.tile.tile, problems);
    table_into(doc, "mapping", file, s.tile.mapping, problems);
    table_into(doc, "dac", file, s.tile.forward_dac, problems);
    table_into(doc, "adc", file, s.tile.forward_adc, problems);
    table_into(doc, "io", file, s.tile.forward_io, problems);
    table_into(doc, "chip", file, s.chip, problems);
    // The presets must exist (checked here so every command names the file and key).
    const auto check_preset = [&](const char* key, const auto& find) {
      try {
        find();
      } catch (const ConfigError& e) {
        for (const auto& q : e.problems()) problems.add(file + ": " + key, q.what);
      } catch (const Error& e) {
        problems.add(file + ": " + key, e.what());
      }
    };
    check_preset("device", [&] { io::find_device_preset(s.device); });
    check_preset("tech", [&] { io::find_tech_preset(s.tech); });
    problems.throw_if_any();
  }
  if (s.tile_rows == 0 || s.tile_cols == 0) throw ConfigError("tile_rows", "tiles need at least one row and column");
  std::string compress_list;
  for (const auto& c : s.compress) {
    if (!compress_list.empty()) compress_list += ", ";
    compress_list += '"';
    compress_list += c;
    compress_list += '"';
  }
  s.resolved = "schema_version = 1\nnetwork = \"" + s.network + "\"\ndevice = \"" + s.device + "\"\ntech = \"" +
               s.tech + "\"\nimages = " + std::to_string(s.images) + "\ntile_rows = " + std::to_string(s.tile_rows) +
               "\ntile_cols = " + std::to_string(s.tile_cols) + "\ncompress = [" + compress_list + "]\n\n[tile]\n" +
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
  // Differential: a G+/G- pair; bit-sliced: a differential pair per slice.
  tc.physical_cols_per_logical = s.tile.mapping.scheme == "differential" ? 2
                                 : s.tile.mapping.scheme == "bit-sliced" ? 2 * s.tile.mapping.slices
                                                                         : 1;
  tc.extra_physical_cols = s.tile.mapping.scheme == "reference-column" ? 1 : 0;
  // AnalogTile subtracts pairs and the reference column before the ADC (tile.hpp).
  tc.adc_cols_per_logical = s.tile.mapping.scheme == "bit-sliced" ? s.tile.mapping.slices : 1;
  tc.adc = s.tile.forward_adc;
  tc.dac = s.tile.forward_dac;
  tc.tech = io::find_tech_preset(s.tech).params;
  // Mean device conductance during reads: the middle of the mapping's range (NeuroSim
  // charges reads at the average of its on and off conductances).
  tc.g_avg_S = 0.5 * (s.tile.mapping.g_min_S + s.tile.mapping.g_max_S);
  return tc;
}

CompressedModel load_compressed(const RunSetup& s, const std::vector<std::string>& extra) {
  CompressedModel out{io::load_model(s.network), {}};
  for (const auto* list : {&s.compress, &extra})
    for (const auto& spec : *list) out.reports.push_back(apply_compression(out.model.net, spec));
  return out;
}

void narrow_bit_slices(RunSetup& s, const CompressedModel& m) {
  WeightMappingParams& map = s.tile.mapping;
  if (map.scheme != "bit-sliced") return;
  const std::size_t weighted = weighted_layer_shapes(m.model.net).size();
  int bits = 0;  // magnitude bits every weight fits in; 0 = not bounded
  for (const auto& r : m.reports) {
    if (r.transform == "low_rank") bits = 0;  // new float weights
    int b = 0;
    for (const auto& l : r.layers) b = std::max(b, magnitude_bits_for_levels(l.levels));
    // Pruning keeps the levels; a transform that quantised only some layers bounds nothing.
    if (b > 0 && r.layers.size() == weighted) bits = bits == 0 ? b : std::min(bits, b);
  }
  if (bits == 0 || bits >= map.weight_bits) return;
  map.weight_bits = bits;
  map.slices = std::min(map.slices, (bits + map.bits_per_slice - 1) / map.bits_per_slice);
}

AnalogBackendOptions analog_options(const RunSetup& s, std::function<std::unique_ptr<DeviceModel>()> device,
                                    std::uint64_t seed) {
  AnalogBackendOptions ao;
  ao.tile = s.tile;
  ao.tile_inputs = s.tile_rows;
  ao.tile_outputs = s.tile_cols;
  ao.seed = seed;
  ao.drift_compensation = "global";
  ao.device = std::move(device);
  return ao;
}

}  // namespace xbarsim::sweep

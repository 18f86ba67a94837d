#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/io/data_dirs.hpp>
#include <xbarsim/io/tile_config.hpp>
#include <xbarsim/io/toml_params.hpp>

namespace xbarsim::io {
namespace fs = std::filesystem;

namespace {
void check_keys(const toml::value& doc, const std::string& file, std::initializer_list<const char*> allowed,
                ProblemList& p) {
  for (const auto& [key, v] : doc.as_table()) {
    (void)v;
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
      p.add(file + ": " + key, "unknown key; expected one of {" + join(allowed) + "}");
  }
}

void check_schema(const toml::value& doc, const std::string& file, ProblemList& p) {
  if (!doc.contains("schema_version") || !doc.at("schema_version").is_integer() ||
      doc.at("schema_version").as_integer() != 1)
    p.add(file + ": schema_version", "expected schema_version = 1");
}

std::string text_key(const toml::value& doc, const std::string& key, const std::string& file, ProblemList& p) {
  if (!doc.contains(key) || !doc.at(key).is_string()) {
    p.add(file + ": " + key, "missing or not a string");
    return {};
  }
  return doc.at(key).as_string().str;
}

// Values of an optional section, checked against its table (empty if absent).
template <class S>
S section(const toml::value& doc, const char* name, const std::string& file, ProblemList& p) {
  if (!doc.contains(name)) return S{};
  const ParamValues v = params_from_toml(doc.at(name), S::table(), file + ": " + name, p);
  if (!p.empty()) return S{};
  try {
    return S::table().make(v, file + ": " + name);
  } catch (const ConfigError& e) {
    p.append(e.problems());
    return S{};
  }
}
}  // namespace

TechPreset find_tech_preset(const std::string& name_or_path) {
  fs::path path = name_or_path;
  if (!name_or_path.ends_with(".toml")) {
    path.clear();
    for (const auto& dir : data_dirs()) {
      const fs::path candidate = dir / "presets" / "tech" / (name_or_path + ".toml");
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) {
        path = candidate;
        break;
      }
    }
    if (path.empty()) {
      std::vector<std::string> known;
      for (const auto& dir : data_dirs()) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir / "presets" / "tech", ec))
          if (e.path().extension() == ".toml") known.push_back(e.path().stem().string());
      }
      std::sort(known.begin(), known.end());
      known.erase(std::unique(known.begin(), known.end()), known.end());
      throw ConfigError(
          "tech", "expected one of {" + join(known) + "} or a path to a .toml file, got \"" + name_or_path + "\"");
    }
  }
  const std::string file = path.string();
  const toml::value doc = read_toml_file(file);
  ProblemList p;
  check_keys(doc, file, {"schema_version", "description", "source", "parameters", "sources"}, p);
  check_schema(doc, file, p);
  TechPreset t;
  t.name = path.stem().string();
  t.path = path;
  t.description = text_key(doc, "description", file, p);
  t.source = text_key(doc, "source", file, p);
  const SourcedParams sourced = read_sourced_parameters(doc, TechNodeParams::table(), file, p);
  p.throw_if_any();
  t.params = TechNodeParams::table().make(sourced.values, file + ": parameters");
  return t;
}

TileConfig load_tile_config(const fs::path& path) {
  const std::string file = path.string();
  return parse_tile_config(read_toml_file(file), file);
}

TileConfig parse_tile_config(const toml::value& doc, const std::string& file) {
  ProblemList p;
  check_keys(doc, file, {"schema_version", "tech", "tile", "adc", "dac", "cost"}, p);
  check_schema(doc, file, p);
  TileConfig c;
  try {
    c.tech = find_tech_preset(doc.contains("tech") && doc.at("tech").is_string() ? doc.at("tech").as_string().str
                                                                                 : std::string("22nm"));
  } catch (const ConfigError& e) {
    for (const auto& q : e.problems()) p.add(file + ": " + q.where, q.what);
  }
  c.inputs = section<TileCostInputs>(doc, "tile", file, p);
  c.inputs.adc = section<AdcParams>(doc, "adc", file, p);
  c.inputs.dac = section<DacParams>(doc, "dac", file, p);
  c.inputs.unit = section<TileCostParams>(doc, "cost", file, p);
  p.throw_if_any();
  c.inputs.tech = c.tech.params;
  c.resolved_toml = "# resolved from " + file + "\nschema_version = 1\ntech = " + toml_literal(c.tech.path.string()) +
                    "\n\n[tile]\n" + params_to_toml(TileCostInputs::table().values(c.inputs), TileCostInputs::table()) +
                    "\n[adc]\n" + params_to_toml(AdcParams::table().values(c.inputs.adc), AdcParams::table()) +
                    "\n[dac]\n" + params_to_toml(DacParams::table().values(c.inputs.dac), DacParams::table()) +
                    "\n[cost]\n" +
                    params_to_toml(TileCostParams::table().values(c.inputs.unit), TileCostParams::table());
  return c;
}

}  // namespace xbarsim::io

#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/io/data_dirs.hpp>
#include <xbarsim/io/device_preset.hpp>
#include <xbarsim/io/toml_params.hpp>

namespace xbarsim::io {
namespace fs = std::filesystem;

namespace {
constexpr std::int64_t kSchemaVersion = 1;
const char* const kHeaderKeys[] = {"schema_version", "model", "description", "source", "parameters", "sources"};

std::string string_key(const toml::value& doc, const std::string& key, const std::string& file, ProblemList& p,
                       bool required = true) {
  if (!doc.contains(key)) {
    if (required) p.add(file + ": " + key, "missing; expected a string");
    return {};
  }
  const auto& v = doc.at(key);
  if (!v.is_string()) {
    p.add(file + ": " + key, "expected a string");
    return {};
  }
  return v.as_string().str;
}
}  // namespace

ParamValues DevicePreset::resolved() const {
  ParamValues all = family->table().defaults();
  for (const auto& [k, v] : parameters) all[k] = v;
  return all;
}

std::string DevicePreset::source_of(const std::string& key) const {
  if (auto it = sources.find(key); it != sources.end()) return it->second;
  if (const ParamInfo* info = family->table().find(key)) return info->source;
  return {};
}

DevicePreset load_device_preset(const fs::path& path) {
  const std::string file = path.string();
  const toml::value doc = read_toml_file(file);
  ProblemList p;
  if (!doc.is_table()) throw ConfigError(file, "expected a TOML table at the top level");
  for (const auto& [key, value] : doc.as_table()) {
    (void)value;
    if (std::find(std::begin(kHeaderKeys), std::end(kHeaderKeys), key) == std::end(kHeaderKeys))
      p.add(file + ": " + key,
            "unknown key; expected schema_version, model, description, source, [parameters], [sources]");
  }
  DevicePreset preset;
  preset.name = path.stem().string();
  preset.path = path;
  if (!doc.contains("schema_version") || !doc.at("schema_version").is_integer())
    p.add(file + ": schema_version", "missing or not an integer; expected " + std::to_string(kSchemaVersion));
  else if (doc.at("schema_version").as_integer() != kSchemaVersion)
    p.add(file + ": schema_version", "expected " + std::to_string(kSchemaVersion) + ", got " +
                                         std::to_string(doc.at("schema_version").as_integer()));
  preset.model = string_key(doc, "model", file, p);
  preset.description = string_key(doc, "description", file, p);
  preset.source = string_key(doc, "source", file, p);
  if (!preset.model.empty()) {
    try {
      preset.family = &find_device_family(preset.model, file + ": model");
    } catch (const ConfigError& e) {
      p.append(e.problems());
    }
  }
  if (preset.family) {
    auto sourced = read_sourced_parameters(doc, preset.family->table(), file, p);
    preset.parameters = std::move(sourced.values);
    preset.sources = std::move(sourced.sources);
  }
  if (preset.family && p.empty())
    preset.family->table().validate_relations(preset.resolved(), file + ": parameters", p);
  p.throw_if_any();
  return preset;
}

DevicePreset find_device_preset(const std::string& name_or_path) {
  if (name_or_path.size() > 5 && name_or_path.ends_with(".toml")) return load_device_preset(name_or_path);
  for (const auto& dir : data_dirs()) {
    const fs::path candidate = dir / "presets" / "devices" / (name_or_path + ".toml");
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return load_device_preset(candidate);
  }
  const std::string known = join(list_device_presets(), ", ", &DevicePreset::name);
  throw ConfigError("preset",
                    "expected one of {" + known + "} or a path to a .toml file, got \"" + name_or_path + "\"");
}

std::vector<DevicePreset> list_device_presets() {
  std::map<std::string, fs::path> found;
  for (const auto& dir : data_dirs()) {
    std::error_code ec;
    const fs::path d = dir / "presets" / "devices";
    if (!fs::is_directory(d, ec)) continue;
    for (const auto& entry : fs::directory_iterator(d, ec))
      if (entry.path().extension() == ".toml") found.emplace(entry.path().stem().string(), entry.path());
  }
  std::vector<DevicePreset> out;
  for (const auto& [name, path] : found) out.push_back(load_device_preset(path));
  return out;
}

ParamValues apply_overrides(const ParamValues& values, const ParamTableBase& table,
                            const std::vector<std::string>& assignments) {
  ParamValues out = values;
  ProblemList p;
  for (const auto& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      p.add("--set " + a, "expected key=value");
      continue;
    }
    const std::string key = a.substr(0, eq), text = a.substr(eq + 1);
    const std::string where = "--set " + key;
    const ParamInfo* info = table.find(key);
    if (!info) {
      p.add(where, "names no parameter of this model; expected one of {" +
                       join(table.entries(), ", ", &ParamInfo::name) + "}");
      continue;
    }
    try {
      ParamValue v = table.parse_text(*info, text, where);
      if (auto what = table.check(*info, v))
        p.add(where, *what);
      else
        out[key] = v;
    } catch (const ConfigError& e) {
      p.append(e.problems());
    }
  }
  if (p.empty()) table.validate_relations(out, "--set", p);
  p.throw_if_any();
  return out;
}

std::string resolved_device_toml(const DevicePreset& preset, const ParamValues& values) {
  std::string out = "# resolved from preset " + preset.name + " (" + preset.path.string() + ")\n";
  out += "schema_version = 1\n";
  out += "model = " + toml_literal(preset.model) + "\n";
  out += "description = " + toml_literal(preset.description) + "\n";
  out += "source = " + toml_literal(preset.source) + "\n";
  out += "\n[parameters]\n";
  out += params_to_toml(values, preset.family->table());
  out += "\n[sources]\n";
  const ParamValues base = preset.resolved();
  for (const auto& info : preset.family->table().entries()) {
    const auto it = values.find(info.name);
    const bool overridden = it != values.end() && it->second != base.at(info.name);
    out += info.name + " = " +
           toml_literal(overridden ? std::string("set on the command line") : preset.source_of(info.name)) + "\n";
  }
  return out;
}

}  // namespace xbarsim::io

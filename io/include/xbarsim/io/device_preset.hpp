#pragma once
// Device presets: data/presets/devices/NAME.toml files naming a model, its parameter
// values and the source of every value (format in docs/presets.md).
#include <filesystem>
#include <map>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/family.hpp>

namespace xbarsim::io {

struct DevicePreset {
  std::string name;  // file stem
  std::filesystem::path path;
  std::string model;
  std::string description;
  std::string source;
  ParamValues parameters;                                   // values that differ from the defaults
  std::map<std::string, std::string, std::less<>> sources;  // source of each value in `parameters`
  const DeviceFamily* family = nullptr;

  /// Full parameter set: table defaults overridden by the preset.
  ParamValues resolved() const;
  /// Where a parameter's value comes from: the preset's [sources] or the table default's.
  std::string source_of(const std::string& key) const;
};

/// Loads and validates a preset file; ConfigError lists every problem as `file: key`.
DevicePreset load_device_preset(const std::filesystem::path& path);
/// Finds a preset by name in data_dirs()/presets/devices, or loads a path ending in .toml.
DevicePreset find_device_preset(const std::string& name_or_path);
/// Every shipped preset, sorted by name (the first directory that has a name wins).
std::vector<DevicePreset> list_device_presets();

/// Applies `--set key=value` overrides (text) on top of `values`; ConfigError names each
/// unknown key or bad value with `where` (e.g. "--set g_max_S").
ParamValues apply_overrides(const ParamValues& values, const ParamTableBase& table,
                            const std::vector<std::string>& assignments);

/// Resolved TOML of a device: the preset's header plus every parameter's value, the text
/// recorded in output files.
std::string resolved_device_toml(const DevicePreset& preset, const ParamValues& values);

}  // namespace xbarsim::io

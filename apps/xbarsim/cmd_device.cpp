// `xbarsim device list | show | curve`: browse presets and characterise devices.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/io/device_preset.hpp>
#include <xbarsim/io/result_file.hpp>

#include "commands.hpp"

namespace xbarsim::cli {
namespace {

struct ListOptions {
  bool json = false;
};
struct ShowOptions {
  std::string preset;
  bool json = false;
  std::vector<std::string> set;
};
struct CurveOptions {
  std::string preset, protocol, output;
  std::size_t devices = 16;
  std::vector<std::string> set;
  std::optional<double> target_S;
  std::size_t pulses = 0, reads = 1000;
  double read_time_s = 1.0, read_voltage_V = 0.0;
};

int list_presets(const ListOptions& o) {
  const auto presets = io::list_device_presets();
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : presets)
      out.push_back({{"name", p.name},
                     {"family", std::string(p.family->family())},
                     {"model", p.model},
                     {"description", p.description},
                     {"source", p.source}});
    std::cout << out.dump(2) << '\n';
    return kOk;
  }
  std::size_t w = 4;
  for (const auto& p : presets) w = std::max(w, p.name.size());
  std::printf("%-*s  %-6s  %-18s  %s\n", static_cast<int>(w), "name", "family", "model", "source");
  for (const auto& p : presets)
    std::printf("%-*s  %-6s  %-18s  %s\n", static_cast<int>(w), p.name.c_str(), std::string(p.family->family()).c_str(),
                p.model.c_str(), p.source.c_str());
  return kOk;
}

int show_preset(const ShowOptions& o) {
  const auto preset = io::find_device_preset(o.preset);
  const auto& table = preset.family->table();
  const ParamValues values = io::apply_overrides(preset.resolved(), table, o.set);
  if (o.json) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& e : table.entries())
      params.push_back({{"name", e.name},
                        {"value", to_json(values.at(e.name))},
                        {"unit", e.unit},
                        {"range", e.kind == ParamKind::Real || e.kind == ParamKind::Integer ? e.range.describe() : ""},
                        {"description", e.description},
                        {"source", preset.source_of(e.name)}});
    nlohmann::json out = {{"name", preset.name},     {"family", std::string(preset.family->family())},
                          {"model", preset.model},   {"description", preset.description},
                          {"source", preset.source}, {"protocols", protocols_of(*preset.family)},
                          {"parameters", params}};
    std::cout << out.dump(2) << '\n';
    return kOk;
  }
  std::printf("%s: %s\n  model %s (%s family): %s\n  source: %s\n  protocols:", preset.name.c_str(),
              preset.description.c_str(), preset.model.c_str(), std::string(preset.family->family()).c_str(),
              std::string(preset.family->summary()).c_str(), preset.source.c_str());
  for (const auto& p : protocols_of(*preset.family)) std::printf(" %s", p.c_str());
  std::printf("\n\n");
  std::size_t wn = 4, wv = 5, wu = 4;
  for (const auto& e : table.entries()) {
    wn = std::max(wn, e.name.size());
    wv = std::max(wv, format_value(values.at(e.name)).size());
    wu = std::max(wu, e.unit.size());
  }
  std::printf("%-*s  %-*s  %-*s  %s\n", int(wn), "name", int(wv), "value", int(wu), "unit", "description [source]");
  for (const auto& e : table.entries())
    std::printf("%-*s  %-*s  %-*s  %s [%s]\n", int(wn), e.name.c_str(), int(wv),
                format_value(values.at(e.name)).c_str(), int(wu), e.unit.c_str(), e.description.c_str(),
                preset.source_of(e.name).c_str());
  return kOk;
}

int run_curve(const CurveOptions& o, const Globals& g) {
  const auto preset = io::find_device_preset(o.preset);
  const ParamValues values = io::apply_overrides(preset.resolved(), preset.family->table(), o.set);
  // Validate the protocol before creating the output so a typo costs nothing.
  require_protocol(*preset.family, o.protocol);
  const std::string config = io::resolved_device_toml(preset, values);
  // The output is created before any work is done (see write_result).
  const io::RunInfo info{config, g.seed, "device curve " + preset.name + " --protocol " + o.protocol};
  write_result(o.output, info, [&](io::ResultFile& out) {
    TerminalProgress progress(preset.name + " " + o.protocol);
    CurveRequest request;
    request.protocol = o.protocol;
    request.devices = o.devices;
    request.seed = g.seed;
    request.target_S = o.target_S;
    request.pulses = o.pulses;
    request.reads = o.reads;
    request.read_time_s = o.read_time_s;
    request.read_voltage_V = o.read_voltage_V;
    request.control = RunControl{&progress, &interrupt_token()};
    const Curve curve = characterise(*preset.family, values, request);
    for (const auto& d : curve.datasets) out.write(d);
    for (const auto& [k, v] : curve.attributes) out.write_attribute(k, v);
    out.write_attribute("preset", preset.name);
    out.write_attribute("model", preset.model);
    out.write_attribute("protocol", o.protocol);
    out.write_attribute("devices", static_cast<std::int64_t>(o.devices));
    out.write_params("device", values, preset.family->table(),
                     [&](const std::string& key) { return preset.source_of(key); });
  });
  std::fprintf(stderr, "wrote %s (%s, %zu devices)\n", o.output.c_str(), o.protocol.c_str(), o.devices);
  return kOk;
}

}  // namespace

void register_device_commands(CLI::App& app, const Globals& globals, Action& action) {
  auto* device = app.add_subcommand("device", "device presets and characterisation");
  device->require_subcommand(1);

  auto list_opts = std::make_shared<ListOptions>();
  auto* list = device->add_subcommand("list", "list device presets (name, family, source)");
  list->add_flag("--json", list_opts->json, "print JSON");
  list->callback([&action, list_opts] { action = [list_opts] { return list_presets(*list_opts); }; });

  auto show_opts = std::make_shared<ShowOptions>();
  auto* show = device->add_subcommand("show", "show a preset's parameters with units and sources");
  show->add_option("preset", show_opts->preset, "preset name or path to a preset .toml")->required();
  show->add_flag("--json", show_opts->json, "print JSON");
  show->add_option("--set", show_opts->set, "override a parameter: key=value (repeatable)");
  show->callback([&action, show_opts] { action = [show_opts] { return show_preset(*show_opts); }; });

  auto curve_opts = std::make_shared<CurveOptions>();
  auto* curve = device->add_subcommand("curve", "characterise a device preset and write the curve to HDF5");
  curve->add_option("preset", curve_opts->preset, "preset name or path to a preset .toml")->required();
  curve
      ->add_option("--protocol", curve_opts->protocol,
                   "pulse-response, drift, read-noise, or a family protocol (iv, switching, ...)")
      ->required();
  curve->add_option("--devices", curve_opts->devices, "number of devices (default 16)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  curve->add_option("--set", curve_opts->set, "override a parameter: key=value (repeatable)");
  curve->add_option("--target", curve_opts->target_S, "programmed conductance for drift/read-noise, siemens");
  curve->add_option("--pulses", curve_opts->pulses, "pulse-response: pulses per phase (default: the model's)");
  curve->add_option("--reads", curve_opts->reads, "read-noise: repeated reads (default 1000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  curve->add_option("--read-time", curve_opts->read_time_s, "read-noise: seconds since programming (default 1)")
      ->check(CLI::NonNegativeNumber);
  curve->add_option("--read-voltage", curve_opts->read_voltage_V, "read voltage, volts (default: the model's)")
      ->check(CLI::PositiveNumber);
  curve->add_option("-o,--output", curve_opts->output, "output HDF5 file")->required();
  curve->callback(
      [&action, &globals, curve_opts] { action = [curve_opts, &globals] { return run_curve(*curve_opts, globals); }; });

  register_device_fit_command(*device, globals, action);
}

}  // namespace xbarsim::cli

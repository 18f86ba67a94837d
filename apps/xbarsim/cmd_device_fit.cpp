// `xbarsim device fit`: fits the fast behavioural rram-pulse model to a compact model's
// simulated pulse response, so array runs are fast but tied to physics. Writes the
// fitted preset (TOML, every value with its provenance) and optionally both curves.
#include <cstdio>
#include <fstream>
#include <optional>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/registry.hpp>
#include <xbarsim/devices/rram_fit.hpp>
#include <xbarsim/io/device_preset.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/io/toml_params.hpp>

#include "commands.hpp"

namespace xbarsim::cli {
namespace {
struct FitOptions {
  std::string preset, output, report;
  std::size_t devices = 8, pulses = 0;
  std::vector<std::string> set;
};

Curve pulse_response(const DeviceFamily& family, const ParamValues& values, const FitOptions& o, const Globals& g,
                     ProgressSink& progress) {
  CurveRequest request;
  request.protocol = "pulse-response";
  request.devices = o.devices;
  request.pulses = o.pulses;
  request.seed = g.seed;
  request.control = RunControl{&progress, &interrupt_token()};
  return characterise(family, values, request);
}

int run_fit(const FitOptions& o, const Globals& g) {
  const auto preset = io::find_device_preset(o.preset);
  const ParamValues values = io::apply_overrides(preset.resolved(), preset.family->table(), o.set);
  if (!o.output.ends_with(".toml")) throw ConfigError("-o " + o.output, "expected a path ending in .toml");
  TerminalProgress progress(preset.name + " pulse-response");
  const Curve measured = pulse_response(*preset.family, values, o, g, progress);
  const RramPulseFit fit = fit_rram_pulse(measured);

  const DeviceFamily& target = rram_pulse_family();
  char provenance[256];
  std::snprintf(
      provenance, sizeof provenance,
      "fitted by xbarsim device fit to the pulse response of %s (%zu devices, %zu reads; rms %.2f%% of range)",
      preset.name.c_str(), fit.devices, fit.points, 100.0 * fit.rms_rel);
  std::string text = "# written by xbarsim device fit; seed " + std::to_string(g.seed) + "\n";
  text += "schema_version = 1\nmodel = " + io::toml_literal(std::string(target.model())) + "\n";
  text += "description = " + io::toml_literal("rram-pulse fit of " + preset.name) + "\n";
  text += "source = " + io::toml_literal(std::string(provenance)) + "\n\n[parameters]\n";
  for (const auto& [k, v] : fit.params) text += k + " = " + io::toml_literal(v) + "\n";
  text += "\n[sources]\n";
  for (const auto& [k, v] : fit.params) text += k + " = " + io::toml_literal(std::string(provenance)) + "\n";
  {
    std::ofstream out(o.output);
    if (!out) throw ConfigError("-o " + o.output, "cannot create the output file");
    out << text;
    if (!out.flush()) throw IoError(o.output, "write failed");
  }
  // Read the result back through the preset loader: the file we hand out must load.
  const auto fitted = io::load_device_preset(o.output);

  if (!o.report.empty()) {
    write_result(o.report, io::RunInfo{text, g.seed, "device fit " + preset.name}, [&](io::ResultFile& report) {
      for (const auto& d : measured.datasets) report.write(d, "measured");
      TerminalProgress fitted_progress(fitted.name + " pulse-response");
      FitOptions same = o;  // same devices and pulses per phase, so the curves align point by point
      same.pulses = static_cast<std::size_t>(std::get<std::int64_t>(measured.attributes.at("pulses_per_phase")));
      const Curve model_curve = pulse_response(*fitted.family, fitted.resolved(), same, g, fitted_progress);
      for (const auto& d : model_curve.datasets) report.write(d, "fitted");
      report.write_attribute("rms_rel", fit.rms_rel);
    });
  }
  std::printf("fitted %s -> %s (rms %.2f%% of the conductance range)\n", preset.name.c_str(), o.output.c_str(),
              100.0 * fit.rms_rel);
  for (const auto& [k, v] : fit.params) std::printf("  %-12s %s\n", k.c_str(), format_value(v).c_str());
  return kOk;
}
}  // namespace

void register_device_fit_command(CLI::App& device, const Globals& globals, Action& action) {
  auto opts = std::make_shared<FitOptions>();
  auto* fit = device.add_subcommand(
      "fit", "fit the behavioural rram-pulse model to a compact model's simulated pulse response");
  fit->add_option("preset", opts->preset, "compact-model preset to fit (e.g. rram-vteam)")->required();
  fit->add_option("--devices", opts->devices, "devices simulated and averaged (default 8)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  fit->add_option("--pulses", opts->pulses, "pulses per phase (default: the model's)");
  fit->add_option("--set", opts->set, "override a parameter of the compact model: key=value (repeatable)");
  fit->add_option("-o,--output", opts->output, "fitted preset to write (.toml)")->required();
  fit->add_option("--report", opts->report, "also write both curves (measured/, fitted/) to this HDF5 file");
  fit->callback([&action, &globals, opts] { action = [opts, &globals] { return run_fit(*opts, globals); }; });
}

}  // namespace xbarsim::cli

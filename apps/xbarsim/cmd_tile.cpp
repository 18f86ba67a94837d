// `xbarsim tile report CONFIG.toml [--json]`: a tile's configuration and its area,
// energy and latency per MVM (and per update), broken down by component.
#include <cstdio>
#include <iostream>
#include <xbarsim/crossbar/tile_cost.hpp>
#include <xbarsim/io/tile_config.hpp>

#include "commands.hpp"

namespace xbarsim::cli {
namespace {
struct ReportOptions {
  std::string config;
  bool json = false;
};

struct Component {
  const char* name;
  double CostBreakdown::*member;
};
constexpr Component kComponents[] = {{"array", &CostBreakdown::array},    {"dac", &CostBreakdown::dac},
                                     {"adc", &CostBreakdown::adc},        {"drivers", &CostBreakdown::drivers},
                                     {"mux", &CostBreakdown::mux},        {"shift_add", &CostBreakdown::shift_add},
                                     {"buffers", &CostBreakdown::buffers}};

nlohmann::json breakdown_json(const CostBreakdown& b) {
  nlohmann::json j;
  for (const auto& c : kComponents) j[c.name] = b.*(c.member);
  j["total"] = b.total();
  return j;
}

nlohmann::json params_json(const ParamValues& values) {
  nlohmann::json j;
  for (const auto& [k, v] : values) j[k] = to_json(v);
  return j;
}

int run_report(const ReportOptions& o) {
  const io::TileConfig c = io::load_tile_config(o.config);
  const TileCost cost = tile_cost(c.inputs);
  if (o.json) {
    nlohmann::json out = {{"config",
                           {{"tech", c.tech.name},
                            {"tile", params_json(TileCostInputs::table().values(c.inputs))},
                            {"adc", params_json(AdcParams::table().values(c.inputs.adc))},
                            {"dac", params_json(DacParams::table().values(c.inputs.dac))}}},
                          {"physical_cols", cost.physical_cols},
                          {"input_pulses", cost.input_pulses},
                          {"conversions", cost.conversions},
                          {"area_m2", breakdown_json(cost.area_m2)},
                          {"energy_J", breakdown_json(cost.energy_J)},
                          {"latency_s", breakdown_json(cost.latency_s)},
                          {"update", {{"energy_J", cost.update_energy_J}, {"latency_s", cost.update_latency_s}}}};
    std::cout << out.dump(2) << '\n';
    return kOk;
  }
  const auto& in = c.inputs;
  std::printf("tile %d x %d (%s), %zu physical columns, tech %s (%s)\n", in.rows, in.cols, in.cell_type.c_str(),
              cost.physical_cols, c.tech.name.c_str(), c.tech.description.c_str());
  std::printf("DAC %d bit %s; ADC %d bit %s, %d columns per ADC; %zu input pulses, %zu conversions per MVM\n\n",
              in.dac.bits, in.dac.mode.c_str(), in.adc.bits, in.adc.type.c_str(), in.adc.columns_per_adc,
              cost.input_pulses, cost.conversions);
  std::printf("%-10s %14s %14s %14s\n", "component", "area um^2", "energy pJ/MVM", "latency ns/MVM");
  for (const auto& comp : kComponents)
    std::printf("%-10s %14.4g %14.4g %14.4g\n", comp.name, cost.area_m2.*(comp.member) * 1e12,
                cost.energy_J.*(comp.member) * 1e12, cost.latency_s.*(comp.member) * 1e9);
  std::printf("%-10s %14.4g %14.4g %14.4g\n", "total", cost.area_total_m2 * 1e12, cost.energy_total_J * 1e12,
              cost.latency_total_s * 1e9);
  std::printf("\nper update: %.4g nJ, %.4g us\n", cost.update_energy_J * 1e9, cost.update_latency_s * 1e6);
  return kOk;
}
}  // namespace

void register_tile_commands(CLI::App& app, const Globals&, Action& action) {
  auto* tile = app.add_subcommand("tile", "crossbar tiles");
  tile->require_subcommand(1);
  auto opts = std::make_shared<ReportOptions>();
  auto* report = tile->add_subcommand("report", "a tile's configuration, costs and their breakdown");
  report->add_option("config", opts->config, "tile configuration (.toml)")->required();
  report->add_flag("--json", opts->json, "print JSON");
  report->callback([&action, opts] { action = [opts] { return run_report(*opts); }; });
}

}  // namespace xbarsim::cli

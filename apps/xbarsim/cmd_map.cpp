// `xbarsim targets list` and `xbarsim map --network N [--chip CONFIG.toml] [--target T ...]
// [--json]`: placement of a network on the analog chip and per-layer cost next to the
// digital reference targets.
#include <cstdio>
#include <iostream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/model_loader.hpp>
#include <xbarsim/mapping/chip.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>
#include <xbarsim/mapping/targets.hpp>

#include <xbarsim/sweep/run_setup.hpp>

#include "chip_report.hpp"
#include "commands.hpp"

namespace xbarsim::cli {
namespace {

using namespace xbarsim::sweep;

struct MapOptions {
  std::string network, chip;
  std::vector<std::string> targets;
  bool json = false;
};

// Layer shapes and the pooling work after each (none known for a topology CSV).
struct NetworkShapes {
  std::vector<LayerShape> layers;
  std::vector<std::uint64_t> pooling;
};
NetworkShapes shapes_of(const std::string& network) {
  if (network.size() > 4 && network.substr(network.size() - 4) == ".csv") return {read_scalesim_topology(network), {}};
  const io::LoadedModel m = io::load_model(network);
  return {weighted_layer_shapes(m.net), pooling_inputs(m.net)};
}

int run_map(const MapOptions& o) {
  const RunSetup setup = load_setup(o.chip);
  const NetworkShapes net = shapes_of(o.network);
  const std::vector<LayerShape>& shapes = net.layers;
  const ChipReport chip = place_and_cost(shapes, tile_cost_inputs(setup), setup.chip, net.pooling);
  std::vector<TargetCost> refs;
  for (const auto& t : o.targets) refs.push_back(evaluate_target(t, shapes));
  if (o.json) {
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t k = 0; k < chip.layers.size(); ++k) {
      const auto& l = chip.layers[k];
      nlohmann::json row{{"name", l.name},
                         {"macs", l.macs},
                         {"tiles", l.tiles},
                         {"replication", l.replication},
                         {"row_utilisation", l.row_utilisation},
                         {"col_utilisation", l.col_utilisation},
                         {"analog", {{"latency_s", l.latency_s}, {"energy_J", l.energy_J}}}};
      for (const auto& r : refs)
        row[r.target] = {
            {"cycles", r.layers[k].cycles}, {"latency_s", r.layers[k].latency_s}, {"energy_J", r.layers[k].energy_J}};
      layers.push_back(row);
    }
    nlohmann::json totals{{"macs", chip.macs},
                          {"analog",
                           {{"tiles", chip.tiles},
                            {"area_m2", chip.area_m2},
                            {"latency_s", chip.latency_per_image_s},
                            {"energy_J", chip.energy_per_image_J},
                            {"feasible", chip.feasible},
                            {"message", chip.message}}},
                          {"chip", chip_json(chip)}};
    for (const auto& r : refs)
      totals[r.target] = {{"cycles", r.total.cycles}, {"latency_s", r.total.latency_s}, {"energy_J", r.total.energy_J}};
    std::cout << nlohmann::json{{"network", o.network}, {"layers", layers}, {"totals", totals}}.dump(2) << '\n';
    return kOk;
  }
  std::printf("%s on %zu x %zu tiles (%s): %zu tiles, %s\n\n", o.network.c_str(), setup.tile_rows, setup.tile_cols,
              setup.tech.c_str(), chip.tiles, chip.feasible ? "feasible" : chip.message.c_str());
  std::printf("%-22s %12s %6s %5s %7s %7s %12s %12s", "layer", "MACs", "tiles", "repl", "rows %", "cols %", "analog us",
              "analog nJ");
  for (const auto& r : refs) std::printf(" %14s", (r.target + " us").c_str());
  std::printf("\n");
  for (std::size_t k = 0; k < chip.layers.size(); ++k) {
    const auto& l = chip.layers[k];
    std::printf("%-22s %12llu %6zu %5zu %7.1f %7.1f %12.4g %12.4g", l.name.c_str(),
                static_cast<unsigned long long>(l.macs), l.tiles, l.replication, 100 * l.row_utilisation,
                100 * l.col_utilisation, l.latency_s * 1e6, l.energy_J * 1e9);
    for (const auto& r : refs) std::printf(" %14.4g", r.layers[k].latency_s * 1e6);
    std::printf("\n");
  }
  std::printf("%-22s %12llu %6zu %5s %7s %7s %12.4g %12.4g", "total", static_cast<unsigned long long>(chip.macs),
              chip.tiles, "", "", "", chip.latency_per_image_s * 1e6, chip.energy_per_image_J * 1e9);
  for (const auto& r : refs) std::printf(" %14.4g", r.total.latency_s * 1e6);
  std::printf("\n\n");
  print_chip_breakdown(chip);
  return kOk;
}

}  // namespace

void register_map_commands(CLI::App& app, const Globals&, Action& action) {
  auto* targets = app.add_subcommand("targets", "digital reference targets");
  targets->require_subcommand(1);
  auto* list = targets->add_subcommand("list", "the target presets with their sources");
  list->callback([&action] {
    action = [] {
      for (const auto& t : target_presets())
        std::printf("%-24s %-9s %s\n    source: %s\n", t.name.c_str(), std::string(to_string(t.kind)).c_str(),
                    t.description.c_str(), t.source.c_str());
      return kOk;
    };
  });
  auto o = std::make_shared<MapOptions>();
  auto* map = app.add_subcommand("map", "place a network on the chip; per-layer cost vs digital targets");
  map->add_option("--network", o->network, "zoo name, .onnx, weights .h5 or SCALE-Sim topology .csv")->required();
  map->add_option("--chip", o->chip, "chip configuration (.toml, as for `xbarsim run`)");
  map->add_option("--target", o->targets, "digital target PRESET[:key=value,...] (repeatable)");
  map->add_flag("--json", o->json, "print layers[] and totals as JSON");
  map->callback([&action, o] { action = [o] { return run_map(*o); }; });
}

}  // namespace xbarsim::cli

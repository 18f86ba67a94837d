// Chip report output shared by the commands (see chip_report.hpp).
#include "chip_report.hpp"

#include <cstdio>
#include <utility>
#include <vector>

namespace xbarsim::cli {
namespace {

// (name, value) of each component, tile parts first.
std::vector<std::pair<const char*, double>> components(const ChipBreakdown& b) {
  return {{"tile arrays", b.tile.array},
          {"tile DACs", b.tile.dac},
          {"tile ADCs", b.tile.adc},
          {"tile drivers + mux", b.tile.drivers + b.tile.mux},
          {"tile shift-add + buffers", b.tile.shift_add + b.tile.buffers},
          {"chip buffers", b.buffers},
          {"interconnect", b.interconnect},
          {"accumulation", b.accumulation},
          {"activation", b.activation},
          {"pooling", b.pooling}};
}

nlohmann::json breakdown_json(const ChipBreakdown& b) {
  return {{"array", b.tile.array},
          {"dac", b.tile.dac},
          {"adc", b.tile.adc},
          {"drivers", b.tile.drivers},
          {"mux", b.tile.mux},
          {"shift_add", b.tile.shift_add},
          {"tile_buffers", b.tile.buffers},
          {"buffers", b.buffers},
          {"interconnect", b.interconnect},
          {"accumulation", b.accumulation},
          {"activation", b.activation},
          {"pooling", b.pooling},
          {"total", b.total()}};
}

}  // namespace

nlohmann::json chip_json(const ChipReport& chip) {
  nlohmann::json j{{"feasible", chip.feasible},
                   {"message", chip.message},
                   {"tiles", chip.tiles},
                   {"macs", chip.macs},
                   {"area_m2", chip.area_m2},
                   {"energy_per_image_J", chip.energy_per_image_J},
                   {"latency_per_image_s", chip.latency_per_image_s},
                   {"images_per_s", chip.images_per_s},
                   {"tops", chip.tops},
                   {"tops_per_w", chip.tops_per_w},
                   {"tops_per_mm2", chip.tops_per_mm2},
                   {"area_breakdown_m2", breakdown_json(chip.area_breakdown_m2)},
                   {"energy_breakdown_J", breakdown_json(chip.energy_breakdown_J)},
                   {"latency_breakdown_s", breakdown_json(chip.latency_breakdown_s)},
                   {"interconnect",
                    {{"kind", chip.interconnect.kind},
                     {"grid_rows", chip.interconnect.grid_rows},
                     {"grid_cols", chip.interconnect.grid_cols},
                     {"path_length_m", chip.interconnect.path_length_m},
                     {"total_length_m", chip.interconnect.total_length_m}}},
                   {"excluded", chip.excluded}};
  for (const auto& l : chip.layers)
    j["layers"].push_back({{"name", l.name},
                           {"tiles", l.tiles},
                           {"replication", l.replication},
                           {"macs", l.macs},
                           {"row_utilisation", l.row_utilisation},
                           {"col_utilisation", l.col_utilisation},
                           {"energy_J", l.energy_J},
                           {"latency_s", l.latency_s},
                           {"energy_breakdown_J", breakdown_json(l.energy_breakdown_J)},
                           {"latency_breakdown_s", breakdown_json(l.latency_breakdown_s)}});
  return j;
}

void print_chip_breakdown(const ChipReport& chip) {
  std::printf("%-26s %12s %12s %12s\n", "chip component", "area mm^2", "nJ/image", "us/image");
  const auto a = components(chip.area_breakdown_m2), e = components(chip.energy_breakdown_J),
             t = components(chip.latency_breakdown_s);
  for (std::size_t k = 0; k < a.size(); ++k)
    std::printf("%-26s %12.4g %12.4g %12.4g\n", a[k].first, a[k].second * 1e6, e[k].second * 1e9, t[k].second * 1e6);
  std::printf("%-26s %12.4g %12.4g %12.4g\n", "total", chip.area_m2 * 1e6, chip.energy_per_image_J * 1e9,
              chip.latency_per_image_s * 1e6);
}

}  // namespace xbarsim::cli

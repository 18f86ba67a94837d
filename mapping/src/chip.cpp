// Tile placement and chip cost roll-up (see chip.hpp).
#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/chip.hpp>

namespace xbarsim {

const ParamTable<ChipParams>& ChipParams::table() {
  static const ParamTable<ChipParams> t = [] {
    ParamTable<ChipParams> tab;
    tab.integer("tile_budget", &ChipParams::tile_budget, "1", Range::closed(0, 1 << 30),
                "tiles available on the chip, 0 = unlimited", "assumption: unlimited (report the need)");
    tab.integer("replication", &ChipParams::replication, "1", Range::closed(1, 4096),
                "copies of every layer's tiles, dividing its positions", "1 (no replication)");
    tab.choice("execution", &ChipParams::execution, {"layer-by-layer", "pipelined"},
               "one layer at a time, or all layers as a pipeline", "NeuroSim's default is layer-by-layer");
    tab.real("add_energy_J", &ChipParams::add_energy_J, "J", Range::non_negative(),
             "energy of one digital partial-sum addition", "Horowitz ISSCC 2014, 45 nm: 32-bit integer add 0.1 pJ");
    tab.real("buffer_J_per_byte", &ChipParams::buffer_J_per_byte, "J", Range::non_negative(),
             "activation buffer access energy per byte",
             "Horowitz ISSCC 2014, 45 nm: 32 KB SRAM, 20 pJ per 64-bit read (digital_references.md 2.1)");
    tab.real("activation_op_J", &ChipParams::activation_op_J, "J", Range::non_negative(),
             "energy of one activation or pooling operation (a compare)",
             "Horowitz ISSCC 2014, 45 nm: 8-bit integer add 0.03 pJ (digital_references.md 2.1)");
    tab.integer("activation_bytes", &ChipParams::activation_bytes, "1", Range::closed(1, 8),
                "bytes per activation in the buffers", "8-bit activations, matching the 8-bit DAC/ADC default");
    return tab;
  }();
  return t;
}

ChipReport place_and_cost(const std::vector<LayerShape>& layers, const TileCostInputs& tile, const ChipParams& chip) {
  ProblemList problems;
  ChipParams::table().validate_struct(chip, "chip", problems);
  problems.throw_if_any();
  const TileCost tc = tile_cost(tile);
  const std::size_t R = static_cast<std::size_t>(tile.rows), C = static_cast<std::size_t>(tile.cols);
  const std::size_t rep = static_cast<std::size_t>(chip.replication);
  ChipReport r;
  double slowest_stage_s = 0.0;
  for (const LayerShape& l : layers) {
    LayerPlacement p;
    p.name = l.name;
    p.rows = l.rows();
    p.cols = l.cols();
    p.groups = l.groups;
    p.row_blocks = (p.rows + R - 1) / R;
    p.col_blocks = (p.cols + C - 1) / C;
    p.tiles = p.row_blocks * p.col_blocks * p.groups * rep;
    p.row_utilisation = static_cast<double>(p.rows) / static_cast<double>(p.row_blocks * R);
    p.col_utilisation = static_cast<double>(p.cols) / static_cast<double>(p.col_blocks * C);
    p.positions = l.positions();
    p.macs = l.macs();
    const double mvms = static_cast<double>(p.row_blocks * p.col_blocks * p.groups * p.positions);
    const double adds = static_cast<double>((p.row_blocks - 1) * p.cols * p.groups * p.positions);
    const double positions_groups = static_cast<double>(p.positions * p.groups);
    const double buffer_J =
        positions_groups * static_cast<double>((p.rows + p.cols) * chip.activation_bytes) * chip.buffer_J_per_byte;
    const double activation_J = positions_groups * static_cast<double>(p.cols) * chip.activation_op_J;
    p.energy_J = mvms * tc.energy_total_J + adds * chip.add_energy_J + buffer_J + activation_J;
    r.buffer_energy_J += buffer_J;
    r.activation_energy_J += activation_J;
    p.latency_s = static_cast<double>((p.positions + rep - 1) / rep) * tc.latency_total_s;
    slowest_stage_s = std::max(slowest_stage_s, p.latency_s);
    r.tiles += p.tiles;
    r.macs += p.macs;
    r.energy_per_image_J += p.energy_J;
    r.latency_per_image_s += p.latency_s;
    r.layers.push_back(p);
  }
  r.area_m2 = static_cast<double>(r.tiles) * tc.area_total_m2;
  if (chip.tile_budget > 0 && r.tiles > static_cast<std::size_t>(chip.tile_budget)) {
    r.feasible = false;
    r.message = "the network needs " + std::to_string(r.tiles) + " tiles of " + std::to_string(R) + " x " +
                std::to_string(C) + ", the chip has " + std::to_string(chip.tile_budget);
  }
  const double ops = 2.0 * static_cast<double>(r.macs);
  r.images_per_s = chip.execution == "pipelined" ? (slowest_stage_s > 0 ? 1.0 / slowest_stage_s : 0.0)
                                                 : (r.latency_per_image_s > 0 ? 1.0 / r.latency_per_image_s : 0.0);
  r.tops = ops * r.images_per_s / 1e12;
  r.tops_per_w = r.energy_per_image_J > 0 ? ops / r.energy_per_image_J / 1e12 : 0.0;
  r.tops_per_mm2 = r.area_m2 > 0 ? r.tops / (r.area_m2 * 1e6) : 0.0;
  return r;
}

}  // namespace xbarsim

// Tile placement and chip cost roll-up (see chip.hpp).
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/chip.hpp>

namespace xbarsim {

const ParamTable<ChipParams>& ChipParams::table() {
  static const ParamTable<ChipParams> t = [] {
    ParamTable<ChipParams> tab;
    tab.integer("tile_budget", &ChipParams::tile_budget, "1", Range::closed(0, 1 << 30),
                "tiles available on the chip, 0 = unlimited", "assumption: unlimited (report the need)");
    tab.integer("replication", &ChipParams::replication, "1", Range::closed(0, 4096),
                "copies of every layer's tiles, dividing its positions; 0 = auto: the fewest copies per layer "
                "that give the shortest pipeline cycle within tile_budget (else max_tiles)",
                "1 (no replication)");
    tab.integer("max_tiles", &ChipParams::max_tiles, "1", Range::closed(0, 1 << 30),
                "auto replication without a tile budget: tiles it may use, 0 = as many as make every stage one "
                "tile MVM",
                "assumption: no cap (the fully balanced pipeline)");
    tab.choice("execution", &ChipParams::execution, {"layer-by-layer", "pipelined"},
               "one layer at a time, or all layers as a pipeline", "NeuroSim's default is layer-by-layer");
    tab.real("add_energy_J", &ChipParams::add_energy_J, "J", Range::non_negative(),
             "energy of one digital partial-sum addition", "Horowitz ISSCC 2014, 45 nm: 32-bit integer add 0.1 pJ");
    tab.real("buffer_J_per_byte", &ChipParams::buffer_J_per_byte, "J", Range::non_negative(),
             "activation buffer access energy per byte",
             "Horowitz ISSCC 2014, 45 nm: 32 KB SRAM, 20 pJ per 64-bit read (digital_references.md 2.1)");
    tab.real("activation_op_J", &ChipParams::activation_op_J, "J", Range::non_negative(),
             "energy of one activation operation (a compare)",
             "Horowitz ISSCC 2014, 45 nm: 8-bit integer add 0.03 pJ (digital_references.md 2.1)");
    tab.real("pooling_op_J", &ChipParams::pooling_op_J, "J", Range::non_negative(),
             "energy of a pooling unit per input element (one compare or add)",
             "Horowitz ISSCC 2014, 45 nm: 8-bit integer add 0.03 pJ (digital_references.md 2.1)");
    tab.integer("activation_bytes", &ChipParams::activation_bytes, "1", Range::closed(1, 8),
                "bytes per activation in the buffers", "8-bit activations, matching the 8-bit DAC/ADC default");
    tab.choice("interconnect", &ChipParams::interconnect, {"htree", "bus"},
               "global interconnect between the buffer and the tiles",
               "NeuroSim DNN_NeuroSim_V1.3 global HTree (neurosim.md 1.2, 1.5); V1.4's XYBus as \"bus\"");
    tab.integer("bus_width_bits", &ChipParams::bus_width_bits, "1", Range::closed(1, 1 << 20),
                "bits carried per interconnect transfer",
                "DNN_NeuroSim_V1.3 Chip.cpp ChipInitialize: globalBusWidth = sum over layers of (tile columns + "
                "tile columns / numColMuxed), halved until <= maxGlobalBusWidth 2048, i.e. 1025..2048 once the "
                "sum exceeds 2048 (a network of several layers); 1024 taken [U]");
    tab.real("wire_cap_F_per_m", &ChipParams::wire_cap_F_per_m, "F/m", Range::non_negative(),
             "capacitance per metre of a global interconnect wire",
             "DNN_NeuroSim_V1.3 HTree.cpp: unitLengthWireCap = 0.2e-15 / 1e-6 (0.2 fF/um), the ITRS-typical "
             "figure");
    tab.real("wire_activity", &ChipParams::wire_activity, "1", Range::unit(),
             "switching activity of a transported bit (energy = a C' L Vdd^2 per bit)",
             "DNN_NeuroSim_V1.3 HTree.cpp: unitLengthEnergyRep = (C_rep + C' minDist) Vdd^2 / minDist * 0.25");
    tab.real("wire_delay_s_per_m", &ChipParams::wire_delay_s_per_m, "s/m", Range::non_negative(),
             "delay per metre of an optimally repeated interconnect wire (linear in length)",
             "assumption [U]: 50 ps/mm, the order of repeated intermediate/global wires at 45-22 nm; NeuroSim "
             "computes it from repeater sizing (HTree.cpp minUnitLengthDelay); not in the reference sheets");
    tab.real("wire_pitch_W", &ChipParams::wire_pitch_W, "1", Range::positive(),
             "interconnect wire pitch in wire widths of the tech node", "assumption [U]: line = space = W");
    tab.real("interconnect_fold", &ChipParams::interconnect_fold, "1", Range::at_least(1),
             "ratio by which the bus tracks are folded (stacked) to save area",
             "DNN_NeuroSim_V1.3 Param.cpp treeFoldedRatio = 4 (neurosim.md 1.4)");
    return tab;
  }();
  return t;
}

namespace {

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

/// Tiles for target stage c (in tile MVMs): sum_l b_l ceil(P_l / c).
std::size_t tiles_for_stage(const std::vector<LayerPlacement>& p, std::size_t c) {
  std::size_t t = 0;
  for (const auto& l : p) t += l.tiles_per_copy * ceil_div(std::max<std::size_t>(l.positions, 1), c);
  return t;
}

/// Auto replication (chip.hpp): the smallest stage c* whose tiles fit `cap` (0 = none).
void auto_replicate(std::vector<LayerPlacement>& p, std::size_t cap) {
  std::size_t hi = 1;  // c = max P_l: every layer one copy
  for (const auto& l : p) hi = std::max(hi, l.positions);
  std::size_t c = 1;
  if (cap > 0 && tiles_for_stage(p, 1) > cap) {
    std::size_t lo = 1;  // tiles(lo) > cap, tiles(hi) <= cap (checked by the caller)
    while (hi - lo > 1) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (tiles_for_stage(p, mid) <= cap)
        hi = mid;
      else
        lo = mid;
    }
    c = hi;
  }
  for (auto& l : p) l.replication = ceil_div(std::max<std::size_t>(l.positions, 1), c);
}

void add_scaled(CostBreakdown& to, const CostBreakdown& x, double k) {
  to.array += k * x.array;
  to.dac += k * x.dac;
  to.adc += k * x.adc;
  to.drivers += k * x.drivers;
  to.mux += k * x.mux;
  to.shift_add += k * x.shift_add;
  to.buffers += k * x.buffers;
}

void accumulate(ChipBreakdown& to, const ChipBreakdown& x) {
  add_scaled(to.tile, x.tile, 1.0);
  to.buffers += x.buffers;
  to.interconnect += x.interconnect;
  to.accumulation += x.accumulation;
  to.activation += x.activation;
  to.pooling += x.pooling;
}

std::string tile_size(std::size_t R, std::size_t C) { return std::to_string(R) + " x " + std::to_string(C); }

}  // namespace

ChipReport place_and_cost(const std::vector<LayerShape>& layers, const TileCostInputs& tile, const ChipParams& chip,
                          const std::vector<std::uint64_t>& pooling) {
  ProblemList problems;
  ChipParams::table().validate_struct(chip, "chip", problems);
  if (!pooling.empty() && pooling.size() != layers.size())
    problems.add("chip.pooling_inputs",
                 "has " + std::to_string(pooling.size()) + " entries for " + std::to_string(layers.size()) + " layers");
  problems.throw_if_any();
  const TileCost tc = tile_cost(tile);
  const std::size_t R = static_cast<std::size_t>(tile.rows), C = static_cast<std::size_t>(tile.cols);
  const double B_act = static_cast<double>(chip.activation_bytes);
  const bool pipelined = chip.execution == "pipelined";
  ChipReport r;

  // Placement: one copy per layer.
  std::size_t base_tiles = 0;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const LayerShape& l = layers[k];
    LayerPlacement p;
    p.name = l.name;
    p.rows = l.rows();
    p.cols = l.cols();
    p.groups = l.groups;
    p.row_blocks = ceil_div(p.rows, R);
    p.col_blocks = ceil_div(p.cols, C);
    p.tiles_per_copy = p.row_blocks * p.col_blocks * p.groups;
    p.row_utilisation = static_cast<double>(p.rows) / static_cast<double>(p.row_blocks * R);
    p.col_utilisation = static_cast<double>(p.cols) / static_cast<double>(p.col_blocks * C);
    p.positions = l.positions();
    p.macs = l.macs();
    p.pooling_inputs = pooling.empty() ? 0 : pooling[k];
    base_tiles += p.tiles_per_copy;
    r.layers.push_back(p);
  }

  // Replication and the budget.
  const std::size_t budget = static_cast<std::size_t>(chip.tile_budget);
  bool fits_once = true;
  if (budget > 0 && base_tiles > budget) {
    fits_once = false;
    std::size_t upto = 0;
    for (const auto& p : r.layers) {
      upto += p.tiles_per_copy;
      if (upto > budget) {
        r.feasible = false;
        r.message = "layer '" + p.name + "' does not fit: one copy of every layer needs " + std::to_string(base_tiles) +
                    " tiles of " + tile_size(R, C) + " (" + std::to_string(upto) +
                    " up to and including this layer, which needs " + std::to_string(p.tiles_per_copy) +
                    "), the chip has " + std::to_string(budget);
        break;
      }
    }
  }
  if (chip.replication == 0) {
    if (fits_once) auto_replicate(r.layers, budget > 0 ? budget : static_cast<std::size_t>(chip.max_tiles));
  } else {
    for (auto& p : r.layers) p.replication = static_cast<std::size_t>(chip.replication);
  }
  for (auto& p : r.layers) {
    p.tiles = p.tiles_per_copy * p.replication;
    r.tiles += p.tiles;
    r.macs += p.macs;
  }
  if (r.feasible && budget > 0 && r.tiles > budget) {
    std::size_t upto = 0;
    std::string first;
    for (const auto& p : r.layers) {
      upto += p.tiles;
      if (upto > budget) {
        first = p.name;
        break;
      }
    }
    r.feasible = false;
    r.message = "the network needs " + std::to_string(r.tiles) + " tiles of " + tile_size(R, C) + " (replication " +
                std::to_string(chip.replication) + "), the chip has " + std::to_string(budget) + ": layer '" + first +
                "' is the first that does not fit";
  }

  // Interconnect geometry for the tiles used.
  r.interconnect = interconnect_geometry(chip.interconnect, r.tiles, std::sqrt(tc.area_total_m2));
  const double vdd = tile.tech.vdd_V;
  const double e_bit = chip.wire_activity * chip.wire_cap_F_per_m * r.interconnect.path_length_m * vdd * vdd;
  const double t_transfer = chip.wire_delay_s_per_m * r.interconnect.path_length_m;

  // Per-layer energy and latency.
  double in_out_max = 0.0, in_out_sum = 0.0, slowest_stage_s = 0.0, bus_time_s = 0.0;
  std::size_t max_row_blocks = 1;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const LayerShape& l = layers[k];
    LayerPlacement& p = r.layers[k];
    const double P = static_cast<double>(p.positions);
    const double mvms = static_cast<double>(p.tiles_per_copy) * P;
    const double adds = static_cast<double>((p.row_blocks - 1) * p.cols * p.groups) * P;
    const double in_elems =
        l.dense ? static_cast<double>(l.channels) : static_cast<double>(l.ifmap_h * l.ifmap_w * l.channels);
    const double out_elems = P * static_cast<double>(l.num_filters);
    in_out_max = std::max(in_out_max, in_elems + out_elems);
    in_out_sum += in_elems + out_elems;
    max_row_blocks = std::max(max_row_blocks, p.row_blocks);
    p.interconnect_bits = 8.0 * B_act * (in_elems + out_elems);

    ChipBreakdown& e = p.energy_breakdown_J;
    add_scaled(e.tile, tc.energy_J, mvms);
    // Only the layer's cells conduct: unused rows are not driven (no DAC pulse, no current)
    // and unused columns hold g_min. The ADCs still convert every column (as NeuroSim).
    e.tile.array *= p.row_utilisation * p.col_utilisation;
    e.tile.dac *= p.row_utilisation;
    e.accumulation = adds * chip.add_energy_J;
    e.buffers = P * static_cast<double>(p.groups * (p.rows + p.cols)) * B_act * chip.buffer_J_per_byte;
    e.activation = P * static_cast<double>(p.groups * p.cols) * chip.activation_op_J;
    e.pooling = static_cast<double>(p.pooling_inputs) * chip.pooling_op_J;
    e.interconnect = p.interconnect_bits * e_bit;
    p.energy_J = e.total();

    ChipBreakdown& t = p.latency_breakdown_s;
    add_scaled(t.tile, tc.latency_s,
               static_cast<double>(ceil_div(std::max<std::size_t>(p.positions, 1), p.replication)));
    if (p.positions == 0) t.tile = CostBreakdown{};
    const double transfers = std::ceil(p.interconnect_bits / static_cast<double>(chip.bus_width_bits));
    t.interconnect = transfers * t_transfer;
    p.latency_s = t.total();
    p.tile_area_m2 = static_cast<double>(p.tiles) * tc.area_total_m2;

    slowest_stage_s = std::max(slowest_stage_s, p.latency_s);
    bus_time_s += t.interconnect;
    accumulate(r.energy_breakdown_J, e);
    accumulate(r.latency_breakdown_s, t);
    r.energy_per_image_J += p.energy_J;
    r.latency_per_image_s += p.latency_s;
  }
  if (pooling.empty() && !layers.empty()) r.excluded += "; pooling (no pooling layers given: shapes only)";
  r.buffer_energy_J = r.energy_breakdown_J.buffers;
  r.activation_energy_J = r.energy_breakdown_J.activation;
  for (auto& p : r.layers) {
    p.energy_share = r.energy_per_image_J > 0 ? p.energy_J / r.energy_per_image_J : 0.0;
    p.latency_share = r.latency_per_image_s > 0 ? p.latency_s / r.latency_per_image_s : 0.0;
  }

  // Area.
  const double F = tile.tech.feature_size_m;
  const double a_dig = tile.unit.shift_add_area_F2 * F * F;
  const double sets = pipelined ? static_cast<double>(layers.size()) : (layers.empty() ? 0.0 : 1.0);
  ChipBreakdown& a = r.area_breakdown_m2;
  add_scaled(a.tile, tc.area_m2, static_cast<double>(r.tiles));
  r.buffer_bytes = (pipelined ? in_out_sum : in_out_max) * B_act;
  a.buffers = 8.0 * r.buffer_bytes * tile.unit.sram_cell_area_F2 * F * F;
  a.accumulation = sets * static_cast<double>(C * (max_row_blocks - 1)) * a_dig;
  a.activation = sets * static_cast<double>(C) * a_dig;
  a.pooling = sets * static_cast<double>(C) * a_dig;
  a.interconnect = r.interconnect.total_length_m * static_cast<double>(chip.bus_width_bits) * chip.wire_pitch_W *
                   tile.tech.wire_width_m / chip.interconnect_fold;
  r.area_m2 = a.total();

  // Throughput and figures of merit.
  if (pipelined)
    r.cycle_s = chip.interconnect == "bus" ? std::max(slowest_stage_s, bus_time_s) : slowest_stage_s;
  else
    r.cycle_s = r.latency_per_image_s;
  r.images_per_s = r.cycle_s > 0 ? 1.0 / r.cycle_s : 0.0;
  const double ops = 2.0 * static_cast<double>(r.macs);
  r.tops = ops * r.images_per_s / 1e12;
  r.tops_per_w = r.energy_per_image_J > 0 ? ops / r.energy_per_image_J / 1e12 : 0.0;
  r.tops_per_mm2 = r.area_m2 > 0 ? r.tops / (r.area_m2 * 1e6) : 0.0;
  return r;
}

std::vector<std::uint64_t> pooling_inputs(const Network& net) {
  const std::vector<Shape> s = net.shapes(1);
  std::vector<std::uint64_t> out;
  for (std::size_t k = 1; k < net.num_nodes(); ++k) {
    const Layer& l = net.layer(k);
    const std::string_view type = l.type();
    if (type == "Conv" || type == "Gemm") {
      out.push_back(0);
    } else if (type == "MaxPool" || type == "AveragePool" || type == "GlobalAveragePool" ||
               type == "SpatialPyramidPool") {
      if (!out.empty()) out.back() += s[net.inputs_of(k).at(0)].sample_size();
    }
  }
  return out;
}

ChipReport place_and_cost(const Network& net, const TileCostInputs& tile, const ChipParams& chip) {
  return place_and_cost(weighted_layer_shapes(net), tile, chip, pooling_inputs(net));
}

}  // namespace xbarsim

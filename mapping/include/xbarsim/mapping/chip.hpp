#pragma once
// Placement of a network's weighted layers on crossbar tiles and the chip's cost roll-up
// (issue 5). Each layer's unrolled weight matrix (rows = Cin/g kh kw, cols = Cout/g per
// group) is split into ceil(rows / R) x ceil(cols / C) tiles per group, replicated
// `replication` times; one output position is one MVM on each of those tiles, and the
// row blocks' partial sums are added digitally.
//
// Per image (one tile MVM costs E_t, L_t from crossbar/tile_cost.hpp):
//   energy  = sum_layers [ tiles positions E_t
//                          + (row_blocks - 1) cols groups positions E_add ]       (partial sums)
//   latency = layer-by-layer: sum_layers ceil(positions / replication) L_t
//             pipelined: the same for the first image; throughput 1 / max_layer(stage time)
//   area    = tiles A_t
//           + positions groups (rows + cols) bytes E_buf                            (buffers)
//           + positions groups cols E_act ]                                        (activation units)
// so TOPS = 2 MACs / latency (layer-by-layer) or 2 MACs x throughput (pipelined), TOPS/W =
// 2 MACs / energy. E_add is one digital accumulation (Horowitz 45 nm 32-bit integer add,
// 0.1 pJ); the buffers read each input vector once per row block position and write each
// output once (E_buf per byte: Horowitz 32 KB SRAM, 20 pJ per 64-bit access); E_act is
// one activation/pooling operation (an 8-bit compare ~ 8-bit add, 0.03 pJ). Buffer
// accesses are taken to overlap the MVMs (no latency added). The interconnect is not
// included yet: the report says so in `excluded`.
#include <cstdint>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/tile_cost.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>

namespace xbarsim {

struct ChipParams {
  int tile_budget = 0;                       // tiles available, 0 = unlimited
  int replication = 1;                       // copies of every layer (pipeline balance)
  std::string execution = "layer-by-layer";  // "layer-by-layer" | "pipelined"
  double add_energy_J = 0.1e-12;             // digital partial-sum accumulation
  double buffer_J_per_byte = 2.5e-12;        // activation buffer (SRAM) access per byte
  double activation_op_J = 0.03e-12;         // one activation / pooling operation
  int activation_bytes = 1;                  // bytes per activation (8-bit)
  static const ParamTable<ChipParams>& table();
};

struct LayerPlacement {
  std::string name;
  std::size_t rows = 0, cols = 0, groups = 1;  // unrolled matrix per group
  std::size_t row_blocks = 0, col_blocks = 0, tiles = 0;
  double row_utilisation = 0, col_utilisation = 0;  // used / allocated cells
  std::size_t positions = 0;
  std::uint64_t macs = 0;
  double energy_J = 0, latency_s = 0;  // per image
};

struct ChipReport {
  bool feasible = true;
  std::string message;  // why not, if infeasible
  std::vector<LayerPlacement> layers;
  std::size_t tiles = 0;
  std::uint64_t macs = 0;
  double area_m2 = 0, energy_per_image_J = 0, latency_per_image_s = 0, images_per_s = 0;
  double tops = 0, tops_per_w = 0, tops_per_mm2 = 0;
  double buffer_energy_J = 0, activation_energy_J = 0;  // per image, included in energy_per_image_J
  std::string excluded = "interconnect (H-tree / bus) energy and latency";
};

/// Places `layers` on tiles of `tile` (rows x cols logical) and rolls up the costs. An
/// over-budget placement is a report with feasible = false, not an exception.
ChipReport place_and_cost(const std::vector<LayerShape>& layers, const TileCostInputs& tile, const ChipParams& chip);

}  // namespace xbarsim

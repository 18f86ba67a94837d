#pragma once
// Placement of a network's weighted layers on crossbar tiles and the chip's cost roll-up
// (issue 5, "Chip PPA"). Each layer's unrolled weight matrix (rows = Cin/g kh kw, cols =
// Cout/g per group) is split into ceil(rows / R) x ceil(cols / C) tiles per group (b_l
// tiles, one copy), replicated r_l times; one output position is one MVM on each tile of
// a copy, the copies share the positions, and the row blocks' partial sums are added
// digitally.
//
// Replication. `replication` = r >= 1 gives every layer r copies. `replication` = 0
// (auto) balances the pipeline: for a target stage of c tile MVMs every layer needs r_l(c)
// = ceil(P_l / c) copies (P_l positions) and tiles(c) = sum_l b_l r_l(c) tiles; tiles(c)
// does not grow with c, so a bisection over c in [1, max P_l] finds the smallest c* whose
// tiles fit the budget (tile_budget, else max_tiles, else unlimited: c* = 1, every stage
// one MVM, the floor set by the layers that cannot be replicated further). This is the
// exact min-max allocation (a greedy "replicate the slowest stage" reaches the same c*
// but may spend tiles on a tied stage that do not shorten the cycle). The same r_l are
// used for layer-by-layer execution. Infeasible: one copy of every layer exceeds
// tile_budget -> feasible = false, the message names the first layer that does not fit.
//
// Per image, for layer l (E_t^x, L_t^x, A_t^x: component x of one tile MVM, tile_cost.hpp):
//   tiles        energy  MVMs_l E_t^x,  MVMs_l = b_l P_l            latency ceil(P_l / r_l) L_t^x
//                (array energy x row_util col_util: only the layer's cells conduct; DAC
//                energy x row_util: unused rows are not driven; ADCs convert every column)
//   accumulation energy  (row_blocks - 1) cols groups P_l E_add     (latency: overlapped, 0)
//   buffers      energy  P_l groups (rows + cols) B_act E_buf       (latency: overlapped, 0)
//   activation   energy  P_l groups cols E_act                       (latency: overlapped, 0)
//   pooling      energy  I_pool,l E_pool  (I_pool,l = elements entering the pooling layers
//                         after layer l, from pooling_inputs(Network); 0 for shapes only)
//   interconnect bits_l = 8 B_act (in_l + out_l), in_l = ifmap_h ifmap_w channels (padding
//                included; dense: channels), out_l = P_l num_filters;
//                energy  bits_l a C' L Vdd^2,  latency ceil(bits_l / w) d' L
//                (L: path length of interconnect.hpp for the chip's N tiles, C' wire
//                capacitance per metre, a activity factor, d' repeated-wire delay per metre,
//                w bus width, Vdd the tech node's supply).
// Stage time s_l = sum of the layer's latency components (tile MVMs then its transfers).
//   layer-by-layer: latency per image = sum_l s_l, images/s = 1 / latency.
//   pipelined:      latency per image = sum_l s_l (one image through every stage);
//                   cycle = max_l s_l for an H-tree (every stage's tiles have their own
//                   branches: parallel transfers); for a bus, all stages share it, so
//                   cycle = max(max_l s_l, sum_l interconnect_l); images/s = 1 / cycle.
// TOPS = 2 MACs images/s, TOPS/W = 2 MACs / energy per image, TOPS/mm^2 = TOPS / area.
//
// Area (N = tiles used, F feature size, W wire width of the tech node):
//   tiles        N A_t^x
//   buffers      8 Q SRAM_cell F^2, Q bytes held: layer-by-layer max_l (in_l + out_l) B_act
//                (one layer's input and output maps), pipelined sum_l (in_l + out_l) B_act
//                (every stage holds its own maps); SRAM cell of TileCostParams (array only)
//   accumulation S C max(max_l row_blocks_l - 1, 0) A_dig      (an adder tree per column)
//   activation   S C A_dig,   pooling  S C A_dig
//                (S unit sets: 1 layer-by-layer, one per layer pipelined, as NeuroSim sizes
//                its chip ReLU / accumulation per tile width and multiplies by the layers in
//                pipeline mode; A_dig = the tile's shift_add_area_F2 F^2, one digital unit)
//   interconnect L_tot w pitch_W W / fold  (L_tot of interconnect.hpp)
// Every breakdown's components add up to its total (ChipBreakdown::total()).
//
// Unit figures: E_add Horowitz 45 nm 32-bit add 0.1 pJ; E_buf Horowitz 32 KB SRAM 20 pJ /
// 64 bit; E_act, E_pool an 8-bit compare ~ 8-bit add 0.03 pJ; C' 0.2 fF/um and a = 0.25 as
// NeuroSim's HTree.cpp; sources per default in ChipParams::table(). Not included (listed in
// `excluded`): leakage, weight programming, off-chip traffic, residual additions, and the
// digital units' own latency (taken to overlap the MVMs).
#include <cstdint>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/tile_cost.hpp>
#include <xbarsim/mapping/interconnect.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>
#include <xbarsim/nn/network.hpp>

namespace xbarsim {

struct ChipParams {
  int tile_budget = 0;                       // tiles available, 0 = unlimited
  int replication = 1;                       // copies of every layer; 0 = auto (pipeline balance)
  int max_tiles = 0;                         // auto replication without a budget: tile cap, 0 = none
  std::string execution = "layer-by-layer";  // "layer-by-layer" | "pipelined"
  double add_energy_J = 0.1e-12;             // digital partial-sum accumulation
  double buffer_J_per_byte = 2.5e-12;        // activation buffer (SRAM) access per byte
  double activation_op_J = 0.03e-12;         // one activation operation
  double pooling_op_J = 0.03e-12;            // one pooling comparison / addition per input element
  int activation_bytes = 1;                  // bytes per activation (8-bit)
  std::string interconnect = "htree";        // "htree" | "bus"
  int bus_width_bits = 1024;                 // w: bits per interconnect transfer
  double wire_cap_F_per_m = 0.2e-9;          // C': global wire capacitance
  double wire_activity = 0.25;               // a: switching activity of a transported bit
  double wire_delay_s_per_m = 50e-9;         // d': repeated-wire delay (50 ps/mm)
  double wire_pitch_W = 2.0;                 // interconnect wire pitch in wire widths W
  double interconnect_fold = 4.0;            // wire tracks folded over this many layers / sides
  static const ParamTable<ChipParams>& table();
};

/// One quantity of the chip split by component; total() is the sum of all of them.
struct ChipBreakdown {
  CostBreakdown tile;  // the tiles' arrays, DACs, ADCs, drivers, mux, shift-add, tile buffers
  double buffers = 0.0;
  double interconnect = 0.0;
  double accumulation = 0.0;
  double activation = 0.0;
  double pooling = 0.0;
  double tiles() const { return tile.total(); }
  double total() const { return tiles() + buffers + interconnect + accumulation + activation + pooling; }
};

struct LayerPlacement {
  std::string name;
  std::size_t rows = 0, cols = 0, groups = 1;  // unrolled matrix per group
  std::size_t row_blocks = 0, col_blocks = 0;
  std::size_t tiles_per_copy = 0;                   // b_l = row_blocks col_blocks groups
  std::size_t replication = 1;                      // r_l
  std::size_t tiles = 0;                            // b_l r_l
  double row_utilisation = 0, col_utilisation = 0;  // used / allocated cells
  std::size_t positions = 0;
  std::uint64_t macs = 0;
  std::uint64_t pooling_inputs = 0;            // elements entering pooling after this layer
  double interconnect_bits = 0;                // bits moved in and out per image
  double tile_area_m2 = 0;                     // tiles A_t
  double energy_J = 0, latency_s = 0;          // per image; latency_s = stage time s_l
  ChipBreakdown energy_breakdown_J;            // components of energy_J
  ChipBreakdown latency_breakdown_s;           // components of latency_s
  double energy_share = 0, latency_share = 0;  // energy_J / chip energy, latency_s / chip latency
};

struct ChipReport {
  bool feasible = true;
  std::string message;  // why not, if infeasible
  std::vector<LayerPlacement> layers;
  std::size_t tiles = 0;
  std::uint64_t macs = 0;
  double area_m2 = 0, energy_per_image_J = 0, latency_per_image_s = 0, images_per_s = 0;
  double cycle_s = 0;  // 1 / images_per_s: the pipeline cycle, or the latency layer-by-layer
  double tops = 0, tops_per_w = 0, tops_per_mm2 = 0;
  double buffer_energy_J = 0, activation_energy_J = 0;  // per image, included in energy_per_image_J
  ChipBreakdown area_breakdown_m2;                      // components of area_m2
  ChipBreakdown energy_breakdown_J;                     // components of energy_per_image_J
  ChipBreakdown latency_breakdown_s;                    // components of latency_per_image_s
  double buffer_bytes = 0;                              // activation buffer capacity Q
  InterconnectGeometry interconnect;                    // grid, path and total wire length
  std::string excluded =
      "leakage, weight programming, off-chip (DRAM) traffic, residual additions, latency of the digital units "
      "(taken to overlap the MVMs)";
};

/// Places `layers` on tiles of `tile` (rows x cols logical) and rolls up the costs.
/// `pooling_inputs[l]` (optional, one per layer) counts the elements entering pooling
/// units after layer l. An over-budget placement is a report with feasible = false, not an
/// exception; invalid parameters throw ConfigError with "chip.<key>" paths.
ChipReport place_and_cost(const std::vector<LayerShape>& layers, const TileCostInputs& tile, const ChipParams& chip,
                          const std::vector<std::uint64_t>& pooling_inputs = {});

/// Elements entering each pooling layer (max, average, global average, pyramid) of `net`,
/// summed onto the last weighted layer before it in node order: one entry per layer of
/// weighted_layer_shapes(net).
std::vector<std::uint64_t> pooling_inputs(const Network& net);

/// place_and_cost(weighted_layer_shapes(net), tile, chip, pooling_inputs(net)).
ChipReport place_and_cost(const Network& net, const TileCostInputs& tile, const ChipParams& chip);

}  // namespace xbarsim

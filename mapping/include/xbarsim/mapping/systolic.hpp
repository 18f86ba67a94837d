#pragma once
// Systolic arrays with SCALE-Sim v2's closed form (digital_references.md 1.1; Samajdar et
// al., arXiv:1811.02883 and ISPASS 2020; scale-sim-v2 @ 22f88b1). A layer is an im2col
// GEMM, batch 1: P = ofmap pixels, K = window size (channels/groups kh kw), M = filters
// per group. The dataflow maps them to array rows S_r, columns S_c and time T:
//   os: S_r = P, S_c = M, T = K;  ws: S_r = K, S_c = M, T = P;  is: S_r = K, S_c = P, T = M.
//   folds = ceil(S_r / R) ceil(S_c / C),
//   cycles per fold = T + 2R + C - 2 (ws, is), T + R + C - 2 (os),
//   compute cycles = folds x cycles per fold (stall-free, SCALE-Sim's CALC mode);
// SCALE-Sim reports this minus one ("Total Cycles" is the last cycle's index). Grouped
// convolutions (which SCALE-Sim ignores) run their groups one after another.
//
// SRAM traffic (words, array side), per group, rf = ceil(S_r/R), cf = ceil(S_c/C):
//   os: ifmap reads P K cf, filter reads K M rf, ofmap writes P M;
//   ws: filter reads K M, ifmap reads P K cf, ofmap writes P M rf;
//   is: ifmap reads K P, filter reads M K cf, ofmap writes P M rf;
//   ws/is with rf > 1 accumulate partial sums: P M (rf - 1) read-backs, from the ofmap SRAM
//   when psum_on_chip, else written to and read back from DRAM.
// DRAM traffic [I: simplified from SCALE-Sim's trace-based count, not equal to it]: each
// operand's unique footprint (ifmap H W C/g, filter K M, ofmap P M) is fetched once when
// it fits the active half of its buffer (SCALE-Sim's active_buf_frac = 0.5), else once per
// pass that streams it (os: ifmap cf, filter rf; ws: ifmap cf; is: filter cf).
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/mapping/energy_table.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>

namespace xbarsim {

enum class Dataflow { OutputStationary, WeightStationary, InputStationary };
/// "os", "ws", "is"; ConfigError at `where` otherwise.
Dataflow parse_dataflow(std::string_view text, std::string_view where = "dataflow");
std::string_view to_string(Dataflow d);

struct SystolicParams {
  // Defaults: SCALE-Sim v2 configs/scale.cfg (the systolic-32x32 preset).
  int rows = 32;
  int cols = 32;
  double ifmap_sram_bytes = 64 * 1024.0;
  double filter_sram_bytes = 64 * 1024.0;
  double ofmap_sram_bytes = 64 * 1024.0;
  std::string dataflow = "os";
  int word_bytes = 1;
  double clock_Hz = 1e9;
  bool psum_on_chip = true;
  static const ParamTable<SystolicParams>& table();
};

SystolicParams systolic_32x32();
SystolicParams systolic_tpu_v1();
SystolicParams systolic_eyeriss();

struct SystolicLayerCost {
  std::string name;
  Dataflow dataflow = Dataflow::OutputStationary;
  std::uint64_t sr = 0, sc = 0, t = 0, groups = 1;        // per group
  std::uint64_t row_folds = 0, col_folds = 0, folds = 0;  // folds per group
  std::uint64_t cycles_per_fold = 0;
  std::uint64_t cycles = 0;                 // all groups
  std::uint64_t scalesim_total_cycles = 0;  // cycles - 1, SCALE-Sim's "Total Cycles"
  std::uint64_t macs = 0;
  double mapping_efficiency = 0;  // mean over folds of used PEs / R C
  double utilization = 0;         // MACs / (cycles R C)
  // words
  std::uint64_t ifmap_sram_reads = 0, filter_sram_reads = 0, ofmap_sram_writes = 0, ofmap_sram_reads = 0;
  std::uint64_t ifmap_dram_reads = 0, filter_dram_reads = 0, ofmap_dram_writes = 0, ofmap_dram_reads = 0;
  double sram_bytes = 0, dram_bytes = 0;
  double latency_s = 0;
  double dram_bandwidth_B_per_s = 0;  // needed for stall-free execution
  double energy_J = 0;
};

SystolicLayerCost systolic_layer(const LayerShape& layer, const SystolicParams& p,
                                 const EnergyTableParams& e = EnergyTableParams{});
std::vector<SystolicLayerCost> systolic_network(const std::vector<LayerShape>& layers, const SystolicParams& p,
                                                const EnergyTableParams& e = EnergyTableParams{});

}  // namespace xbarsim

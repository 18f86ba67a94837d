#pragma once
// FPGA CNN accelerator model of Zhang et al., "Optimizing FPGA-based Accelerator Design
// for Deep Convolutional Neural Networks", FPGA'15 (digital_references.md 1.4). Per layer
// (M output maps, N input maps, R x C output, K x K kernel, stride S) and tiles
// <Tm, Tn, Tr, Tc>:
//   compute cycles = ceil(M/Tm) ceil(N/Tn) R C K K              (computational roof)
//   B_in = Tn (S Tr + K - S)(S Tc + K - S), B_wght = Tm Tn K K, B_out = Tm Tr Tc (words)
//   a_in = a_wght = ceil(M/Tm) ceil(N/Tn) ceil(R/Tr) ceil(C/Tc), a_out = ceil(M/Tm) ceil(R/Tr) ceil(C/Tc)
//   traffic = word_bytes (a_in B_in + a_wght B_wght + a_out B_out), CTC = 2 R C M N K K / traffic
//   attainable = min(computational roof, CTC x BW); cycles = max(compute, traffic / BW x f)
// Constraints: Tm Tn dsp_per_mac <= DSPs and Tm Tn <= max_lanes (when > 0); 2 (B_in + B_wght + B_out) word_bytes <=
// BRAM (double buffering). Design-space exploration enumerates Tm, Tn, Tr, Tc; the unified design picks one <Tm, Tn>
// for all layers minimising total time (ties: fewer DSPs, then less traffic), each layer with its best <Tr, Tc>.
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>

namespace xbarsim {

struct FpgaParams {
  // Defaults: Zhang et al. FPGA'15 on the VC707 (the fpga-zhang2015-vc707 preset).
  double clock_Hz = 100e6;
  int dsp_count = 2800;
  int dsp_per_mac = 5;
  int max_lanes = 480;  // cap on Tm Tn; 0 = dsp_count / dsp_per_mac
  double bram_bytes = 2060 * 18 * 1024 / 8.0;
  double dram_bandwidth_B_per_s = 4.5e9;
  int word_bytes = 4;
  double power_W = 18.61;
  bool unified = true;
  static const ParamTable<FpgaParams>& table();
};

FpgaParams fpga_zhang2015_vc707();
FpgaParams fpga_caffeine_ku060();

/// One convolution in Zhang's notation, run `repeat` times (groups).
struct ZhangLayer {
  std::string name;
  std::size_t m = 1, n = 1, r = 1, c = 1, k_h = 1, k_w = 1, s = 1;
  std::size_t repeat = 1;
  double ops() const;  // 2 R C M N K K x repeat
};
/// M = filters / groups, N = channels / groups, R x C = ofmap, repeat = groups.
ZhangLayer zhang_layer(const LayerShape& layer);

struct ZhangTiling {
  std::size_t tm = 1, tn = 1, tr = 1, tc = 1;
};

struct ZhangLayerCost {
  std::string name;
  ZhangTiling tiling;
  bool fits_bram = false;
  double ops = 0;
  double compute_cycles = 0;
  double dram_bytes = 0;
  double comp_roof_ops_per_s = 0;
  double ctc_ops_per_B = 0;
  double attainable_ops_per_s = 0;
  double cycles = 0;
  double latency_s = 0;
  double energy_J = 0;
};

/// The model's formulas for given tiles (all repeats).
ZhangLayerCost zhang_evaluate(const ZhangLayer& layer, const ZhangTiling& t, const FpgaParams& p);
/// Best <Tr, Tc> for fixed <Tm, Tn>: highest attainable performance, ties least traffic.
ZhangLayerCost zhang_best_rc(const ZhangLayer& layer, std::size_t tm, std::size_t tn, const FpgaParams& p);

struct ZhangDesign {
  std::size_t tm = 0, tn = 0;  // unified design (0 when per layer)
  int dsps_used = 0;
  std::vector<ZhangLayerCost> layers;
  double ops = 0, cycles = 0, latency_s = 0, energy_J = 0, dram_bytes = 0;
  double attainable_ops_per_s = 0;  // ops / latency
};

/// Design-space exploration; MappingError when no tiling fits the DSPs and BRAM.
ZhangDesign zhang_explore(const std::vector<ZhangLayer>& layers, const FpgaParams& p);

}  // namespace xbarsim

#pragma once
// Roofline model (Williams, Waterman, Patterson, CACM 2009) for GPUs and TPUs, as in
// digital_references.md 1.3: per layer
//   ops   = 2 MACs,
//   bytes = (ifmap + weights + ofmap elements) x bytes per element (compulsory traffic,
//           each tensor read or written once; the ifmap is the map as the layer sees it,
//           padding included for zoo layers),
//   t     = max(ops / (eta_c peak), bytes / (eta_m BW)) + t_launch,
// the layer is compute-bound when its intensity ops/bytes exceeds peak/BW (the ridge).
// Energy = board power x t (TDP or the measured mean the preset names). Dense and sparse
// tensor-core peaks are kept apart: `sparse` multiplies the dense peak by
// `sparsity_speedup` (2:4 structured sparsity on A100/H100) and is refused elsewhere.
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>

namespace xbarsim {

struct RooflineParams {
  // Defaults: NVIDIA A100 SXM4 40 GB (the gpu-a100 preset).
  double peak_fp32_ops_per_s = 19.5e12;
  double peak_fp16_ops_per_s = 312e12;  // dense tensor-core FP16/BF16; 0 = no such path
  double peak_int8_ops_per_s = 624e12;  // dense; 0 = no such path
  double sparsity_speedup = 2.0;        // 1 = no sparse path
  bool sparse = false;
  std::string precision = "fp16";  // fp32 | fp16 | int8 (bf16 counts as fp16)
  double dram_bandwidth_B_per_s = 1555e9;
  double clock_Hz = 1410e6;  // only to express time in cycles
  double power_W = 400.0;
  double compute_efficiency = 1.0;
  double memory_efficiency = 1.0;
  double launch_overhead_s = 0.0;
  static const ParamTable<RooflineParams>& table();
};

RooflineParams gpu_k80();
RooflineParams gpu_v100();
RooflineParams gpu_a100();
RooflineParams gpu_h100();
RooflineParams tpu_v1();
RooflineParams tpu_v2();
RooflineParams tpu_v3();
RooflineParams tpu_v4();

/// Bytes per element of the precision (fp32 4, fp16 2, int8 1).
double roofline_bytes_per_element(const RooflineParams& p);
/// The peak used for `p.precision` and `p.sparse`; ConfigError ("precision" or "sparse")
/// when the device has no such path.
double roofline_peak_ops_per_s(const RooflineParams& p);

struct RooflineLayerCost {
  std::string name;
  std::uint64_t macs = 0;
  double ops = 0;
  double dram_bytes = 0;
  double intensity_ops_per_B = 0;
  bool compute_bound = false;
  double compute_s = 0, memory_s = 0;
  double latency_s = 0;
  double cycles = 0;
  double energy_J = 0;
};

RooflineLayerCost roofline_layer(const LayerShape& layer, const RooflineParams& p);
std::vector<RooflineLayerCost> roofline_network(const std::vector<LayerShape>& layers, const RooflineParams& p);

}  // namespace xbarsim

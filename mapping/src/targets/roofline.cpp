// Roofline model for GPUs and TPUs (see roofline.hpp).
#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/roofline.hpp>

namespace xbarsim {

namespace {
constexpr const char* kA100 =
    "NVIDIA A100 SXM4 40 GB datasheet via glennklockwood.com A100 page and Paderborn PC2 wiki "
    "(digital_references.md 3.1)";
}

const ParamTable<RooflineParams>& RooflineParams::table() {
  static const ParamTable<RooflineParams> t = [] {
    ParamTable<RooflineParams> tab;
    tab.real("peak_fp32_ops_per_s", &RooflineParams::peak_fp32_ops_per_s, "1/s", Range::non_negative(),
             "peak FP32 operations per second (FMA = 2 ops); 0 = no FP32 path", std::string(kA100) + ": 19.5 TFLOPS");
    tab.real("peak_fp16_ops_per_s", &RooflineParams::peak_fp16_ops_per_s, "1/s", Range::non_negative(),
             "peak dense FP16/BF16 (tensor-core) operations per second; 0 = no such path",
             std::string(kA100) + ": 312 TFLOPS dense (624 sparse)");
    tab.real("peak_int8_ops_per_s", &RooflineParams::peak_int8_ops_per_s, "1/s", Range::non_negative(),
             "peak dense INT8 operations per second; 0 = no such path",
             std::string(kA100) + ": 624 TOPS dense (1248 sparse)");
    tab.real("sparsity_speedup", &RooflineParams::sparsity_speedup, "1", Range::at_least(1.0),
             "sparse over dense tensor peak (1 = no sparse path)",
             std::string(kA100) + ": 624 / 312 = 2 (2:4 structured sparsity)");
    tab.boolean("sparse", &RooflineParams::sparse, "use the sparse tensor peak (fp16, int8 only)",
                "modelling choice [I]: dense by default (digital_references.md 3.1 note)");
    tab.choice("precision", &RooflineParams::precision, {"fp32", "fp16", "int8"},
               "arithmetic precision: selects the peak and 4/2/1 bytes per element",
               "modelling choice [I]: FP16 tensor cores, the usual inference path");
    tab.real("dram_bandwidth_B_per_s", &RooflineParams::dram_bandwidth_B_per_s, "B/s", Range::positive(),
             "peak DRAM bandwidth", std::string(kA100) + ": 1555 GB/s HBM2");
    tab.real("clock_Hz", &RooflineParams::clock_Hz, "Hz", Range::positive(), "clock used to express latency in cycles",
             "NVIDIA A100 whitepaper boost clock 1410 MHz [R: not in digital_references.md]");
    tab.real("power_W", &RooflineParams::power_W, "W", Range::positive(), "board power times latency = energy",
             std::string(kA100) + ": TDP 400 W (upper bound)");
    tab.real("compute_efficiency", &RooflineParams::compute_efficiency, "1", {0.0, 1.0, true, false},
             "achieved fraction of peak compute (eta_c)",
             "digital_references.md 1.3: calibration knob; 1 = ideal roofline [I]");
    tab.real("memory_efficiency", &RooflineParams::memory_efficiency, "1", {0.0, 1.0, true, false},
             "achieved fraction of peak bandwidth (eta_m)",
             "digital_references.md 1.3: calibration knob; 1 = ideal roofline [I]");
    tab.real("launch_overhead_s", &RooflineParams::launch_overhead_s, "s", Range::non_negative(),
             "fixed time added per layer (kernel launch)", "digital_references.md 1.3: t_launch; 0 = ideal [I]");
    return tab;
  }();
  return t;
}

RooflineParams gpu_k80() {
  RooflineParams p;  // AnandTech SC'14 table, tweakpc, cnews.cz (board: 2 x GK210)
  p.peak_fp32_ops_per_s = 8.74e12;
  p.peak_fp16_ops_per_s = 0;  // no fast FP16 path
  p.peak_int8_ops_per_s = 0;  // no INT8 path
  p.sparsity_speedup = 1;
  p.precision = "fp32";
  p.dram_bandwidth_B_per_s = 480e9;
  p.clock_Hz = 875e6;  // boost clock [R]
  p.power_W = 300;
  return p;
}
RooflineParams gpu_v100() {
  RooflineParams p;  // V100 SXM2: NVIDIA dev blog (125 tensor TFLOPS), grokipedia V100
  p.peak_fp32_ops_per_s = 15.7e12;
  p.peak_fp16_ops_per_s = 125e12;
  p.peak_int8_ops_per_s = 62e12;  // DP4A [V weak]
  p.sparsity_speedup = 1;
  p.precision = "fp16";
  p.dram_bandwidth_B_per_s = 900e9;
  p.clock_Hz = 1530e6;  // boost clock [R]
  p.power_W = 300;
  return p;
}
RooflineParams gpu_a100() { return RooflineParams{}; }
RooflineParams gpu_h100() {
  RooflineParams p;  // H100 SXM5: glennklockwood H100 page, hpctech.co.jp table
  p.peak_fp32_ops_per_s = 66.9e12;
  p.peak_fp16_ops_per_s = 989.4e12;
  p.peak_int8_ops_per_s = 1979e12;
  p.sparsity_speedup = 2;
  p.precision = "fp16";
  p.dram_bandwidth_B_per_s = 3350e9;
  p.clock_Hz = 1980e6;  // boost clock [R]
  p.power_W = 700;
  return p;
}
RooflineParams tpu_v1() {
  RooflineParams p;  // Jouppi et al. ISCA 2017: 92 TOPS INT8, 256 x 256 MACs at 700 MHz, 34 GB/s DDR3, TDP 75 W
  p.peak_fp32_ops_per_s = 0;
  p.peak_fp16_ops_per_s = 0;
  p.peak_int8_ops_per_s = 92e12;
  p.sparsity_speedup = 1;
  p.precision = "int8";
  p.dram_bandwidth_B_per_s = 34e9;
  p.clock_Hz = 700e6;
  p.power_W = 75;
  return p;
}
RooflineParams tpu_v2() {
  RooflineParams p;  // 180 TFLOPS bf16 per 4-chip board / 4; 600 GB/s HBM; TDP 280 W (yaaang, packtpub)
  p.peak_fp32_ops_per_s = 0;
  p.peak_fp16_ops_per_s = 45e12;
  p.peak_int8_ops_per_s = 0;
  p.sparsity_speedup = 1;
  p.precision = "fp16";
  p.dram_bandwidth_B_per_s = 600e9;
  p.clock_Hz = 700e6;
  p.power_W = 280;
  return p;
}
RooflineParams tpu_v3() {
  RooflineParams p;  // Google Cloud TPU v3 docs: 123 TFLOPS bf16, 900 GB/s, 940 MHz, mean 220 W
  p.peak_fp32_ops_per_s = 0;
  p.peak_fp16_ops_per_s = 123e12;
  p.peak_int8_ops_per_s = 0;
  p.sparsity_speedup = 1;
  p.precision = "fp16";
  p.dram_bandwidth_B_per_s = 900e9;
  p.clock_Hz = 940e6;
  p.power_W = 220;
  return p;
}
RooflineParams tpu_v4() {
  RooflineParams p;  // Google Cloud TPU v4 docs: 275 TFLOPS bf16/int8, 1200 GB/s, mean 170 W; 1050 MHz [V weak]
  p.peak_fp32_ops_per_s = 0;
  p.peak_fp16_ops_per_s = 275e12;
  p.peak_int8_ops_per_s = 275e12;
  p.sparsity_speedup = 1;
  p.precision = "fp16";
  p.dram_bandwidth_B_per_s = 1200e9;
  p.clock_Hz = 1050e6;
  p.power_W = 170;
  return p;
}

double roofline_bytes_per_element(const RooflineParams& p) {
  if (p.precision == "fp32") return 4;
  if (p.precision == "fp16") return 2;
  if (p.precision == "int8") return 1;
  throw ConfigError("precision", "expected one of {fp32, fp16, int8}, got \"" + p.precision + "\"");
}

double roofline_peak_ops_per_s(const RooflineParams& p) {
  const double peak = p.precision == "fp32"   ? p.peak_fp32_ops_per_s
                      : p.precision == "fp16" ? p.peak_fp16_ops_per_s
                      : p.precision == "int8" ? p.peak_int8_ops_per_s
                                              : -1;
  if (peak < 0) roofline_bytes_per_element(p);  // throws the precision error
  if (peak <= 0) throw ConfigError("precision", "this device has no " + p.precision + " path (peak is 0)");
  if (!p.sparse) return peak;
  if (p.precision == "fp32" || p.sparsity_speedup <= 1)
    throw ConfigError("sparse", "this device has no sparse " + p.precision + " path");
  return peak * p.sparsity_speedup;
}

RooflineLayerCost roofline_layer(const LayerShape& l, const RooflineParams& p) {
  const double peak = roofline_peak_ops_per_s(p) * p.compute_efficiency;
  const double bw = p.dram_bandwidth_B_per_s * p.memory_efficiency;
  RooflineLayerCost c;
  c.name = l.name;
  c.macs = l.macs();
  c.ops = 2.0 * static_cast<double>(c.macs);
  const double elements = static_cast<double>(l.ifmap_h) * l.ifmap_w * l.channels + static_cast<double>(l.weights()) +
                          static_cast<double>(l.ofmap_h) * l.ofmap_w * l.num_filters;
  c.dram_bytes = elements * roofline_bytes_per_element(p);
  c.intensity_ops_per_B = c.ops / c.dram_bytes;
  c.compute_s = c.ops / peak;
  c.memory_s = c.dram_bytes / bw;
  c.compute_bound = c.compute_s >= c.memory_s;
  c.latency_s = std::max(c.compute_s, c.memory_s) + p.launch_overhead_s;
  c.cycles = c.latency_s * p.clock_Hz;
  c.energy_J = p.power_W * c.latency_s;
  return c;
}

std::vector<RooflineLayerCost> roofline_network(const std::vector<LayerShape>& layers, const RooflineParams& p) {
  std::vector<RooflineLayerCost> out;
  out.reserve(layers.size());
  for (const auto& l : layers) out.push_back(roofline_layer(l, p));
  return out;
}

}  // namespace xbarsim

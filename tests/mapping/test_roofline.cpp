// Roofline model for GPUs and TPUs: hand-computed compute- and memory-bound layers, the
// dense/sparse peaks and the presets against digital_references.md.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <set>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/roofline.hpp>
#include <xbarsim/mapping/targets.hpp>

using namespace xbarsim;

namespace {
// 3x3 conv, 64 -> 64 channels, 58 x 58 padded input, 56 x 56 output.
LayerShape conv3x3() {
  LayerShape l;
  l.name = "conv3x3";
  l.ifmap_h = l.ifmap_w = 58;
  l.filter_h = l.filter_w = 3;
  l.channels = l.num_filters = 64;
  l.ofmap_h = l.ofmap_w = 56;
  return l;
}
LayerShape fc4096() {
  LayerShape l;
  l.name = "fc";
  l.dense = true;
  l.channels = l.num_filters = 4096;
  return l;
}
}  // namespace

// Hand computation, gpu-a100 (FP16 dense 312 TFLOPS, 1555 GB/s, 400 W, 1410 MHz):
// MACs = 3*3*64 * 64 * 56*56 = 115,605,504; ops = 231,211,008;
// bytes = (58*58*64 + 3*3*64*64 + 56*56*64) x 2 = (215,296 + 36,864 + 200,704) x 2 = 905,728;
// intensity 255.3 ops/B > ridge 312e12 / 1555e9 = 200.6 -> compute-bound;
// t = 231,211,008 / 312e12 = 741.06 ns (memory 905,728 / 1555e9 = 582.46 ns);
// energy = 400 W x t = 296.42 uJ; cycles = t x 1.41e9 = 1044.9.
TEST_CASE("roofline: a compute-bound layer by hand", "[mapping]") {
  const auto c = roofline_layer(conv3x3(), gpu_a100());
  CHECK(c.macs == 115605504);
  CHECK(c.dram_bytes == 905728);
  CHECK(c.compute_bound);
  CHECK(c.latency_s == Approx(231211008.0 / 312e12).epsilon(1e-12));
  CHECK(c.memory_s == Approx(905728.0 / 1555e9).epsilon(1e-12));
  CHECK(c.energy_J == Approx(400 * 231211008.0 / 312e12).epsilon(1e-12));
  CHECK(c.cycles == Approx(1044.9).epsilon(1e-4));
}

// Hand computation: dense 4096 -> 4096, FP16: ops 2 x 16,777,216 = 33,554,432;
// bytes = (4096 + 16,777,216 + 4096) x 2 = 33,570,816; intensity 0.9995 << 200.6 ->
// memory-bound; t = 33,570,816 / 1555e9 = 21.589 us.
TEST_CASE("roofline: a memory-bound layer by hand", "[mapping]") {
  const auto c = roofline_layer(fc4096(), gpu_a100());
  CHECK(c.dram_bytes == 33570816);
  CHECK_FALSE(c.compute_bound);
  CHECK(c.intensity_ops_per_B == Approx(33554432.0 / 33570816.0));
  CHECK(c.latency_s == Approx(33570816.0 / 1555e9).epsilon(1e-12));
  // eta_m = 0.5 doubles the time; a launch overhead adds to it.
  RooflineParams p = gpu_a100();
  p.memory_efficiency = 0.5;
  p.launch_overhead_s = 5e-6;
  CHECK(roofline_layer(fc4096(), p).latency_s == Approx(2 * 33570816.0 / 1555e9 + 5e-6).epsilon(1e-12));
}

// Dense and sparse peaks kept apart: A100 sparse FP16 = 2 x 312 = 624 TFLOPS
// (digital_references.md 3.1), so the conv above takes 370.5 ns of compute and becomes
// memory-bound (582.46 ns).
TEST_CASE("roofline: the sparse peak is separate and can flip the bound", "[mapping]") {
  RooflineParams p = gpu_a100();
  p.sparse = true;
  CHECK(roofline_peak_ops_per_s(p) == 624e12);
  const auto c = roofline_layer(conv3x3(), p);
  CHECK_FALSE(c.compute_bound);
  CHECK(c.latency_s == Approx(905728.0 / 1555e9).epsilon(1e-12));
  p.precision = "int8";  // 1248 TOPS sparse INT8
  CHECK(roofline_peak_ops_per_s(p) == 1248e12);
  p.precision = "fp32";  // no sparse FP32 path
  CHECK_THROWS_AS(roofline_peak_ops_per_s(p), ConfigError);
  CHECK_NOTHROW(roofline_peak_ops_per_s(gpu_k80()));  // fp32 only, dense
}

// Reference: digital_references.md "Worked roofline example": AlexNet conv2 (27 x 27 out,
// 256 filters, 48 input channels per group, 5 x 5, 2 groups) is 447.9 MFLOP; compute time
// K80 FP32 51.2 us, V100 tensor 3.58 us, H100 FP16 0.45 us.
TEST_CASE("roofline: the reference sheet's AlexNet conv2 compute times", "[mapping]") {
  LayerShape l;
  l.name = "conv2";
  l.ifmap_h = l.ifmap_w = 31;
  l.filter_h = l.filter_w = 5;
  l.channels = 96;
  l.num_filters = 256;
  l.groups = 2;
  l.ofmap_h = l.ofmap_w = 27;
  const auto k80 = roofline_layer(l, gpu_k80());
  CHECK(k80.ops == 447897600);
  CHECK(k80.compute_s * 1e6 == Approx(51.2).margin(0.05));
  CHECK(roofline_layer(l, gpu_v100()).compute_s * 1e6 == Approx(3.58).margin(0.005));
  CHECK(roofline_layer(l, gpu_h100()).compute_s * 1e6 == Approx(0.45).margin(0.005));
  CHECK(k80.compute_bound);
}

// Reference: ridge points listed in digital_references.md 1.3 (ops per DRAM byte).
TEST_CASE("roofline presets reproduce the sheet's ridge points", "[mapping]") {
  auto ridge = [](RooflineParams p, const char* precision) {
    p.precision = precision;
    return roofline_peak_ops_per_s(p) / p.dram_bandwidth_B_per_s;
  };
  CHECK(ridge(gpu_k80(), "fp32") == Approx(18.2).margin(0.05));
  CHECK(ridge(gpu_v100(), "fp32") == Approx(17.4).margin(0.05));
  CHECK(ridge(gpu_v100(), "fp16") == Approx(138.9).margin(0.05));
  CHECK(ridge(gpu_a100(), "fp32") == Approx(12.5).margin(0.05));
  CHECK(ridge(gpu_a100(), "fp16") == Approx(200.6).margin(0.05));
  CHECK(ridge(gpu_a100(), "int8") == Approx(401.3).margin(0.05));
  CHECK(ridge(gpu_h100(), "fp32") == Approx(20.0).margin(0.05));
  CHECK(ridge(gpu_h100(), "fp16") == Approx(295.3).margin(0.05));
  CHECK(ridge(gpu_h100(), "int8") == Approx(590.7).margin(0.05));
  CHECK(ridge(tpu_v1(), "int8") == Approx(2706).margin(0.5));
  CHECK(ridge(tpu_v2(), "fp16") == Approx(75).margin(0.05));
  CHECK(ridge(tpu_v3(), "fp16") == Approx(136.7).margin(0.05));
  CHECK(ridge(tpu_v4(), "fp16") == Approx(229.2).margin(0.05));
}

TEST_CASE("roofline targets through the name parser", "[mapping]") {
  const TargetCost c = evaluate_target("gpu-a100:precision=fp16,power_W=200", {conv3x3(), fc4096()});
  REQUIRE(c.layers.size() == 2);
  CHECK(c.layers[0].energy_J == Approx(200 * 231211008.0 / 312e12).epsilon(1e-12));
  CHECK(c.total.latency_s == Approx(231211008.0 / 312e12 + 33570816.0 / 1555e9).epsilon(1e-12));
  CHECK(c.total.dram_bytes == 905728 + 33570816);
  CHECK(std::isnan(c.total.sram_bytes));
  // TPU v1 has no FP16 path; INT8 halves the bytes of the memory-bound layer.
  CHECK_THROWS_AS(make_target("tpu-v1:precision=fp16"), ConfigError);
  CHECK(evaluate_target("tpu-v1", {fc4096()}).layers[0].latency_s == Approx(33570816.0 / 2 / 34e9).epsilon(1e-12));
}

// The TOML presets in data/presets/targets/ (loaded by io) must hold exactly the values of
// the C++ preset functions, every parameter once, each with a source.
TEST_CASE("target preset TOML files equal the C++ presets", "[mapping]") {
  for (const auto& info : target_presets()) {
    const std::string path = std::string(XBARSIM_TEST_DATA_DIR) + "/presets/targets/" + info.name + ".toml";
    std::ifstream f(path);
    INFO(path);
    REQUIRE(f);
    const DigitalTarget t = make_target(info.name);
    std::vector<std::pair<const ParamTableBase*, ParamValues>> tables;
    switch (t.kind) {
      case TargetKind::Roofline:
        tables = {{&RooflineParams::table(), RooflineParams::table().values(t.roofline)}};
        break;
      case TargetKind::Systolic:
        tables = {{&SystolicParams::table(), SystolicParams::table().values(t.systolic)},
                  {&EnergyTableParams::table(), EnergyTableParams::table().values(t.energy)}};
        break;
      case TargetKind::Fpga:
        tables = {{&FpgaParams::table(), FpgaParams::table().values(t.fpga)}};
        break;
    }
    std::set<std::string> params, sources;
    std::string section, line;
    while (std::getline(f, line)) {
      if (line.empty()) continue;
      if (line.front() == '[') {
        section = line;
        continue;
      }
      const auto eq = line.find(" = ");
      REQUIRE(eq != std::string::npos);
      const std::string key = line.substr(0, eq);
      std::string value = line.substr(eq + 3);
      if (section == "[sources]") {
        CHECK(value.size() > 2);
        sources.insert(key);
      } else if (section == "[parameters]") {
        params.insert(key);
        if (value.front() == '"') value = value.substr(1, value.size() - 2);
        bool found = false;
        for (const auto& [table, values] : tables)
          if (const ParamInfo* pi = table->find(key)) {
            found = true;
            INFO(key);
            CHECK(table->parse_text(*pi, value, key) == values.at(key));
          }
        CHECK(found);
      }
    }
    std::size_t n = 0;
    for (const auto& tv : tables) n += tv.first->entries().size();
    CHECK(params.size() == n);
    CHECK(sources == params);
  }
}

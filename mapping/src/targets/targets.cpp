// Target names, preset list and dispatch to the digital reference models (see targets.hpp).
#include <algorithm>
#include <functional>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/mapping/targets.hpp>

namespace xbarsim {

namespace {

struct PresetEntry {
  TargetPresetInfo info;
  std::function<void(DigitalTarget&)> fill;
};

const std::vector<PresetEntry>& registry() {
  using K = TargetKind;
  static const std::vector<PresetEntry> r = {
      {{"gpu-k80", K::Roofline, "NVIDIA Tesla K80 board (2 x GK210), FP32 roofline, 300 W TDP",
        "AnandTech SC'14 table, tweakpc, cnews.cz (digital_references.md 3.1)"},
       [](DigitalTarget& t) { t.roofline = gpu_k80(); }},
      {{"gpu-v100", K::Roofline, "NVIDIA Tesla V100 SXM2, FP16 tensor-core roofline, 300 W",
        "NVIDIA dev blog 'Programming Tensor Cores in CUDA 9', grokipedia V100 (digital_references.md 3.1)"},
       [](DigitalTarget& t) { t.roofline = gpu_v100(); }},
      {{"gpu-a100", K::Roofline,
        "NVIDIA A100 SXM4 40 GB, FP16 tensor-core roofline (dense; sparse=true for 2:4), 400 W",
        "NVIDIA A100 datasheet via glennklockwood.com, Paderborn PC2 wiki (digital_references.md 3.1)"},
       [](DigitalTarget& t) { t.roofline = gpu_a100(); }},
      {{"gpu-h100", K::Roofline, "NVIDIA H100 SXM5, FP16 tensor-core roofline (dense; sparse=true for 2:4), 700 W",
        "glennklockwood.com H100 page, hpctech.co.jp spec table (digital_references.md 3.1)"},
       [](DigitalTarget& t) { t.roofline = gpu_h100(); }},
      {{"tpu-v1", K::Roofline, "Google TPU v1, INT8 roofline, 92 TOPS, 34 GB/s DDR3, 75 W TDP",
        "Jouppi et al., ISCA 2017 (digital_references.md 3.2)"},
       [](DigitalTarget& t) { t.roofline = tpu_v1(); }},
      {{"tpu-v2", K::Roofline, "Google TPU v2 chip, BF16 roofline, 45 TFLOPS, 600 GB/s HBM, 280 W TDP",
        "180 TFLOPS per 4-chip board (packtpub), yaaang table (digital_references.md 3.2)"},
       [](DigitalTarget& t) { t.roofline = tpu_v2(); }},
      {{"tpu-v3", K::Roofline, "Google TPU v3 chip, BF16 roofline, 123 TFLOPS, 900 GB/s, 220 W mean",
        "Google Cloud TPU v3 documentation (digital_references.md 3.2)"},
       [](DigitalTarget& t) { t.roofline = tpu_v3(); }},
      {{"tpu-v4", K::Roofline, "Google TPU v4 chip, BF16 roofline, 275 TFLOPS, 1200 GB/s, 170 W mean",
        "Google Cloud TPU v4 documentation (digital_references.md 3.2)"},
       [](DigitalTarget& t) { t.roofline = tpu_v4(); }},
      {{"systolic-32x32", K::Systolic,
        "SCALE-Sim default: 32 x 32 PEs, 64 KB ifmap/filter/ofmap SRAM, output stationary; Horowitz 45 nm INT8",
        "SCALE-Sim v2 configs/scale.cfg @ 22f88b1; Horowitz ISSCC 2014 (digital_references.md 1.1, 2.1)"},
       [](DigitalTarget& t) { t.systolic = systolic_32x32(), t.energy = horowitz45nm_int8(); }},
      {{"systolic-tpu-v1", K::Systolic,
        "TPU v1-like 256 x 256 weight-stationary array, 6 MB ifmap/filter and 2 MB ofmap SRAM, 700 MHz",
        "SCALE-Sim v2 configs/google.cfg @ 22f88b1; Jouppi et al. ISCA 2017 (clock); Horowitz ISSCC 2014"},
       [](DigitalTarget& t) { t.systolic = systolic_tpu_v1(), t.energy = horowitz45nm_int8(); }},
      {{"eyeriss", K::Systolic, "Eyeriss-like 12 x 14 array, 36 KB per SRAM, weight stationary, 16 bit, 200 MHz",
        "SCALE-Sim v2 configs/eyeriss.cfg @ 22f88b1; Chen et al. JSSC 2017 (clock, word); Horowitz ISSCC 2014"},
       [](DigitalTarget& t) { t.systolic = systolic_eyeriss(), t.energy = horowitz45nm_int8(); }},
      {{"fpga-zhang2015-vc707", K::Fpga,
        "Zhang et al. FPGA'15 tiled accelerator on the VC707, fp32, 100 MHz, 2800 DSPs, unified <Tm, Tn>",
        "Zhang et al., FPGA'15, pp. 161-170 (digital_references.md 1.4, 3.4)"},
       [](DigitalTarget& t) { t.fpga = fpga_zhang2015_vc707(); }},
      {{"fpga-caffeine-ku060", K::Fpga,
        "Caffeine (ICCAD'16) on the Xilinx KU060, 16-bit fixed, 200 MHz, costed with the Zhang model",
        "Zhang et al., Caffeine, ICCAD 2016 (365 GOPS version; digital_references.md 0.2, 3.4)"},
       [](DigitalTarget& t) { t.fpga = fpga_caffeine_ku060(); }},
  };
  return r;
}

template <class S>
S apply(const ParamTable<S>& table, const S& base, const ParamValues& overrides, const std::string& prefix) {
  ParamValues v = table.values(base);
  for (const auto& [k, x] : overrides) v[k] = x;
  return table.make(v, prefix);
}

}  // namespace

std::string_view to_string(TargetKind kind) {
  switch (kind) {
    case TargetKind::Roofline:
      return "roofline";
    case TargetKind::Systolic:
      return "systolic";
    case TargetKind::Fpga:
      return "fpga";
  }
  return "?";
}

const std::vector<TargetPresetInfo>& target_presets() {
  static const std::vector<TargetPresetInfo> list = [] {
    std::vector<TargetPresetInfo> v;
    for (const auto& e : registry()) v.push_back(e.info);
    return v;
  }();
  return list;
}

DigitalTarget make_target(std::string_view text) {
  const NamedSettings spec = parse_named_settings(text, "target");
  const auto& reg = registry();
  const auto it = std::find_if(reg.begin(), reg.end(), [&](const PresetEntry& e) { return e.info.name == spec.name; });
  if (it == reg.end()) {
    std::string names;
    for (const auto& e : reg) names += (names.empty() ? "" : ", ") + e.info.name;
    throw ConfigError("target", "unknown preset \"" + spec.name + "\"; known: " + names);
  }
  DigitalTarget t;
  t.name = std::string(text);
  t.preset = spec.name;
  t.kind = it->info.kind;
  it->fill(t);
  const std::string prefix = "target." + spec.name;

  std::vector<const ParamTableBase*> tables;
  switch (t.kind) {
    case TargetKind::Roofline:
      tables = {&RooflineParams::table()};
      break;
    case TargetKind::Systolic:
      tables = {&SystolicParams::table(), &EnergyTableParams::table()};
      break;
    case TargetKind::Fpga:
      tables = {&FpgaParams::table()};
      break;
  }
  std::vector<ParamValues> overrides(tables.size());
  ProblemList problems;
  for (const auto& [key, text_value] : spec.settings) {
    bool known = false;
    for (std::size_t i = 0; i < tables.size() && !known; ++i) {
      if (const ParamInfo* info = tables[i]->find(key)) {
        known = true;
        try {
          overrides[i][key] = tables[i]->parse_text(*info, text_value, key_path(prefix, key));
        } catch (const ConfigError& e) {
          problems.append(e.problems());
        }
      }
    }
    if (!known) {
      std::string valid;
      for (const auto* tb : tables)
        for (const auto& e : tb->entries()) valid += (valid.empty() ? "" : ", ") + e.name;
      problems.add(key_path(prefix, key), "unknown key; valid keys: " + valid);
    }
  }
  problems.throw_if_any();
  switch (t.kind) {
    case TargetKind::Roofline:
      t.roofline = apply(RooflineParams::table(), t.roofline, overrides[0], prefix);
      try {
        roofline_peak_ops_per_s(t.roofline);
      } catch (const ConfigError& e) {
        std::vector<Problem> ps = e.problems();
        for (auto& pr : ps) pr.where = key_path(prefix, pr.where);
        throw ConfigError(std::move(ps));
      }
      break;
    case TargetKind::Systolic:
      t.systolic = apply(SystolicParams::table(), t.systolic, overrides[0], prefix);
      t.energy = apply(EnergyTableParams::table(), t.energy, overrides[1], prefix);
      break;
    case TargetKind::Fpga:
      t.fpga = apply(FpgaParams::table(), t.fpga, overrides[0], prefix);
      break;
  }
  return t;
}

TargetCost evaluate_target(const DigitalTarget& target, const std::vector<LayerShape>& layers) {
  TargetCost out;
  out.target = target.name;
  switch (target.kind) {
    case TargetKind::Roofline:
      for (const auto& c : roofline_network(layers, target.roofline))
        out.layers.push_back({c.name, c.macs, c.cycles, c.latency_s, c.energy_J, c.dram_bytes, kNotModelled});
      break;
    case TargetKind::Systolic:
      for (const auto& c : systolic_network(layers, target.systolic, target.energy))
        out.layers.push_back(
            {c.name, c.macs, static_cast<double>(c.cycles), c.latency_s, c.energy_J, c.dram_bytes, c.sram_bytes});
      break;
    case TargetKind::Fpga: {
      std::vector<ZhangLayer> zl;
      zl.reserve(layers.size());
      for (const auto& l : layers) zl.push_back(zhang_layer(l));
      const ZhangDesign d = zhang_explore(zl, target.fpga);
      for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& c = d.layers[i];
        out.layers.push_back({c.name, layers[i].macs(), c.cycles, c.latency_s, c.energy_J, c.dram_bytes, kNotModelled});
      }
      break;
    }
  }
  out.total.name = "total";
  for (const auto& l : out.layers) {
    out.total.macs += l.macs;
    out.total.cycles += l.cycles;
    out.total.latency_s += l.latency_s;
    out.total.energy_J += l.energy_J;
  }
  auto sum_or_nan = [&](double TargetLayerCost::*m) {
    double s = 0;
    for (const auto& l : out.layers) s += l.*m;
    return out.layers.empty() ? kNotModelled : s;
  };
  out.total.dram_bytes = sum_or_nan(&TargetLayerCost::dram_bytes);
  out.total.sram_bytes = sum_or_nan(&TargetLayerCost::sram_bytes);
  return out;
}

}  // namespace xbarsim

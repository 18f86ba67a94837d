// SCALE-Sim v2 closed form for systolic arrays (see systolic.hpp).
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/systolic.hpp>

namespace xbarsim {

namespace {
constexpr const char* kScaleCfg = "SCALE-Sim v2 configs/scale.cfg @ 22f88b1 (digital_references.md 1.1)";
std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }
}  // namespace

Dataflow parse_dataflow(std::string_view text, std::string_view where) {
  if (text == "os") return Dataflow::OutputStationary;
  if (text == "ws") return Dataflow::WeightStationary;
  if (text == "is") return Dataflow::InputStationary;
  throw ConfigError(std::string(where), "expected one of {os, ws, is}, got \"" + std::string(text) + "\"");
}

std::string_view to_string(Dataflow d) {
  switch (d) {
    case Dataflow::OutputStationary:
      return "os";
    case Dataflow::WeightStationary:
      return "ws";
    case Dataflow::InputStationary:
      return "is";
  }
  return "?";
}

const ParamTable<SystolicParams>& SystolicParams::table() {
  static const ParamTable<SystolicParams> t = [] {
    ParamTable<SystolicParams> tab;
    tab.integer("rows", &SystolicParams::rows, "1", Range::at_least(1), "PE array height R (ArrayHeight)",
                std::string(kScaleCfg) + ": ArrayHeight 32");
    tab.integer("cols", &SystolicParams::cols, "1", Range::at_least(1), "PE array width C (ArrayWidth)",
                std::string(kScaleCfg) + ": ArrayWidth 32");
    tab.real("ifmap_sram_bytes", &SystolicParams::ifmap_sram_bytes, "B", Range::positive(),
             "ifmap scratchpad (double-buffered)", std::string(kScaleCfg) + ": IfmapSramSzkB 64 (x 1024)");
    tab.real("filter_sram_bytes", &SystolicParams::filter_sram_bytes, "B", Range::positive(),
             "filter scratchpad (double-buffered)", std::string(kScaleCfg) + ": FilterSramSzkB 64 (x 1024)");
    tab.real("ofmap_sram_bytes", &SystolicParams::ofmap_sram_bytes, "B", Range::positive(),
             "ofmap scratchpad (double-buffered)", std::string(kScaleCfg) + ": OfmapSramSzkB 64 (x 1024)");
    tab.choice("dataflow", &SystolicParams::dataflow, {"os", "ws", "is"}, "output, weight or input stationary",
               std::string(kScaleCfg) + ": Dataflow os");
    tab.integer("word_bytes", &SystolicParams::word_bytes, "B", Range::at_least(1), "bytes per operand word",
                "SCALE-Sim v2 memory model: 1-byte words (digital_references.md 1.1)");
    tab.real("clock_Hz", &SystolicParams::clock_Hz, "Hz", Range::positive(), "array clock (cycles to seconds)",
             "assumption [I]: SCALE-Sim has no clock; 1 GHz");
    tab.boolean("psum_on_chip", &SystolicParams::psum_on_chip,
                "accumulate partial sums of split windows (ws, is) in the ofmap SRAM instead of DRAM",
                "modelling choice [I]: on chip, as SCALE-Sim assumes");
    return tab;
  }();
  return t;
}

SystolicParams systolic_32x32() { return SystolicParams{}; }

SystolicParams systolic_tpu_v1() {
  SystolicParams p;  // SCALE-Sim v2 configs/google.cfg "GoogleTPU_v1_ws"
  p.rows = 256;
  p.cols = 256;
  p.ifmap_sram_bytes = 6144 * 1024.0;
  p.filter_sram_bytes = 6144 * 1024.0;
  p.ofmap_sram_bytes = 2048 * 1024.0;
  p.dataflow = "ws";
  p.clock_Hz = 700e6;  // TPU v1, Jouppi et al. ISCA 2017
  return p;
}

SystolicParams systolic_eyeriss() {
  SystolicParams p;  // SCALE-Sim v2 configs/eyeriss.cfg
  p.rows = 12;
  p.cols = 14;
  p.ifmap_sram_bytes = 36 * 1024.0;
  p.filter_sram_bytes = 36 * 1024.0;
  p.ofmap_sram_bytes = 36 * 1024.0;
  p.dataflow = "ws";
  p.word_bytes = 2;    // Eyeriss v1 16-bit fixed point (JSSC 2017)
  p.clock_Hz = 200e6;  // Eyeriss v1 core clock (JSSC 2017)
  return p;
}

SystolicLayerCost systolic_layer(const LayerShape& l, const SystolicParams& p, const EnergyTableParams& e) {
  ProblemList problems;
  SystolicParams::table().validate_struct(p, "systolic", problems);
  problems.throw_if_any();
  SystolicLayerCost c;
  c.name = l.name;
  c.dataflow = parse_dataflow(p.dataflow);
  c.groups = l.groups;
  const std::uint64_t P = l.positions(), K = l.rows(), M = l.cols();
  const std::uint64_t R = static_cast<std::uint64_t>(p.rows), C = static_cast<std::uint64_t>(p.cols);
  switch (c.dataflow) {
    case Dataflow::OutputStationary:
      c.sr = P, c.sc = M, c.t = K;
      break;
    case Dataflow::WeightStationary:
      c.sr = K, c.sc = M, c.t = P;
      break;
    case Dataflow::InputStationary:
      c.sr = K, c.sc = P, c.t = M;
      break;
  }
  c.row_folds = ceil_div(c.sr, R);
  c.col_folds = ceil_div(c.sc, C);
  c.folds = c.row_folds * c.col_folds;
  c.cycles_per_fold = c.dataflow == Dataflow::OutputStationary ? c.t + R + C - 2 : c.t + 2 * R + C - 2;
  c.cycles = c.groups * c.folds * c.cycles_per_fold;
  c.scalesim_total_cycles = c.cycles - 1;
  c.macs = l.macs();
  c.mapping_efficiency = static_cast<double>(c.sr * c.sc) / static_cast<double>(c.folds * R * C);
  c.utilization = static_cast<double>(c.macs) / (static_cast<double>(c.cycles) * static_cast<double>(R * C));

  // SRAM words per group (array side).
  const std::uint64_t rf = c.row_folds, cf = c.col_folds, g = c.groups;
  const std::uint64_t psum_backs = c.dataflow == Dataflow::OutputStationary ? 0 : P * M * (rf - 1);
  switch (c.dataflow) {
    case Dataflow::OutputStationary:
      c.ifmap_sram_reads = P * K * cf, c.filter_sram_reads = K * M * rf, c.ofmap_sram_writes = P * M;
      break;
    case Dataflow::WeightStationary:
      c.filter_sram_reads = K * M, c.ifmap_sram_reads = P * K * cf, c.ofmap_sram_writes = P * M * rf;
      break;
    case Dataflow::InputStationary:
      c.ifmap_sram_reads = K * P, c.filter_sram_reads = M * K * cf, c.ofmap_sram_writes = P * M * rf;
      break;
  }
  // DRAM words per group: unique footprints, re-fetched per streaming pass when they do
  // not fit the active half of their buffer.
  const double wb = p.word_bytes;
  const std::uint64_t u_ifmap = static_cast<std::uint64_t>(l.ifmap_h) * l.ifmap_w * (l.channels / l.groups);
  const std::uint64_t u_filter = K * M, u_ofmap = P * M;
  auto fits = [&](std::uint64_t words, double bytes) { return static_cast<double>(words) * wb <= 0.5 * bytes; };
  std::uint64_t ifmap_passes = 1, filter_passes = 1;
  switch (c.dataflow) {
    case Dataflow::OutputStationary:
      ifmap_passes = cf, filter_passes = rf;
      break;
    case Dataflow::WeightStationary:
      ifmap_passes = cf;
      break;
    case Dataflow::InputStationary:
      filter_passes = cf;
      break;
  }
  c.ifmap_dram_reads = u_ifmap * (fits(u_ifmap, p.ifmap_sram_bytes) ? 1 : ifmap_passes);
  c.filter_dram_reads = u_filter * (fits(u_filter, p.filter_sram_bytes) ? 1 : filter_passes);
  c.ofmap_dram_writes = u_ofmap;
  if (p.psum_on_chip) {
    c.ofmap_sram_reads = psum_backs;
  } else {
    c.ofmap_dram_writes += psum_backs;  // every partial except the last goes out and comes back
    c.ofmap_dram_reads = psum_backs;
  }
  for (auto* v : {&c.ifmap_sram_reads, &c.filter_sram_reads, &c.ofmap_sram_writes, &c.ofmap_sram_reads,
                  &c.ifmap_dram_reads, &c.filter_dram_reads, &c.ofmap_dram_writes, &c.ofmap_dram_reads})
    *v *= g;

  const double sram_read_B = static_cast<double>(c.ifmap_sram_reads + c.filter_sram_reads + c.ofmap_sram_reads) * wb;
  const double sram_write_B = static_cast<double>(c.ofmap_sram_writes) * wb;
  c.sram_bytes = sram_read_B + sram_write_B;
  c.dram_bytes =
      static_cast<double>(c.ifmap_dram_reads + c.filter_dram_reads + c.ofmap_dram_writes + c.ofmap_dram_reads) * wb;
  c.latency_s = static_cast<double>(c.cycles) / p.clock_Hz;
  c.dram_bandwidth_B_per_s = c.dram_bytes / c.latency_s;
  c.energy_J = action_energy_J(e, {c.macs, sram_read_B, sram_write_B, c.dram_bytes, c.latency_s});
  return c;
}

std::vector<SystolicLayerCost> systolic_network(const std::vector<LayerShape>& layers, const SystolicParams& p,
                                                const EnergyTableParams& e) {
  std::vector<SystolicLayerCost> out;
  out.reserve(layers.size());
  for (const auto& l : layers) out.push_back(systolic_layer(l, p, e));
  return out;
}

}  // namespace xbarsim

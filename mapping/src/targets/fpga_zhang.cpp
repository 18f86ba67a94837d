// Zhang et al. FPGA'15 tiling roofline and design-space exploration (see fpga_zhang.hpp).
#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/fpga_zhang.hpp>

namespace xbarsim {

namespace {
constexpr const char* kZhang = "Zhang et al., FPGA'15 (VC707, Virtex-7 485T), digital_references.md 1.4 and 3.4";
std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// Distinct tile sizes worth trying for a dimension of n: ceil(n / k) for k = 1..n.
std::vector<std::size_t> tile_candidates(std::size_t n) {
  std::vector<std::size_t> v;
  for (std::size_t k = 1; k <= n; ++k) {
    const std::size_t t = ceil_div(n, k);
    if (v.empty() || v.back() != t) v.push_back(t);
  }
  return v;
}
}  // namespace

const ParamTable<FpgaParams>& FpgaParams::table() {
  static const ParamTable<FpgaParams> t = [] {
    ParamTable<FpgaParams> tab;
    tab.real("clock_Hz", &FpgaParams::clock_Hz, "Hz", Range::positive(), "accelerator clock",
             std::string(kZhang) + ": 100 MHz");
    tab.integer("dsp_count", &FpgaParams::dsp_count, "1", Range::at_least(1), "DSP slices available",
                std::string(kZhang) + ": 2800 DSPs on the Virtex-7 485T (2240/2800 used)");
    tab.integer("dsp_per_mac", &FpgaParams::dsp_per_mac, "1", Range::at_least(1), "DSP slices per multiply-add lane",
                std::string(kZhang) + ": fp32 on 7-series = 3 (multiplier) + 2 (adder)");
    tab.integer("max_lanes", &FpgaParams::max_lanes, "1", Range::at_least(0),
                "cap on Tm Tn multiply-add lanes explored (0 = dsp_count / dsp_per_mac)",
                "Zhang et al. FPGA'15 Table 3 [R]: the layer-specific optima <48,3>, <20,24>, <96,5>, <95,5>, "
                "<32,15> all have Tm Tn <= 480; with the full 2800/5 = 560 lanes the DSE picks <64,8>, not the "
                "paper's <64,7>");
    tab.real("bram_bytes", &FpgaParams::bram_bytes, "B", Range::positive(), "on-chip block RAM",
             std::string(kZhang) + ": 2060 BRAM18 blocks (1024/2060 used) x 18 Kib");
    tab.real("dram_bandwidth_B_per_s", &FpgaParams::dram_bandwidth_B_per_s, "B/s", Range::positive(),
             "external memory bandwidth (the bandwidth roof)",
             "Zhang et al. FPGA'15 roofline figure: 4.5 GB/s [R: recalled, not in digital_references.md]");
    tab.integer("word_bytes", &FpgaParams::word_bytes, "B", Range::at_least(1), "bytes per data word",
                std::string(kZhang) + ": 32-bit floating point");
    tab.real("power_W", &FpgaParams::power_W, "W", Range::positive(), "board power (energy = power x time)",
             std::string(kZhang) + ": 18.61 W measured");
    tab.boolean("unified", &FpgaParams::unified, "one <Tm, Tn> for all layers (else per-layer optimum)",
                std::string(kZhang) + ": unified design, under 5% loss versus per-layer optima");
    return tab;
  }();
  return t;
}

FpgaParams fpga_zhang2015_vc707() { return FpgaParams{}; }

FpgaParams fpga_caffeine_ku060() {
  FpgaParams p;                           // Caffeine ICCAD'16 on the Xilinx KU060
  p.clock_Hz = 200e6;                     // ICCAD'16 abstract
  p.dsp_count = 2760;                     // Kintex UltraScale KU060 product table [R]
  p.dsp_per_mac = 1;                      // 16-bit fixed point: one DSP per MAC (digital_references.md 3.4)
  p.max_lanes = 0;                        // no cap beyond the DSPs [I]
  p.bram_bytes = 1080 * 36 * 1024 / 8.0;  // 1080 BRAM36 blocks (38 Mib) [R]
  p.dram_bandwidth_B_per_s = 12.8e9;      // one DDR3-1600 64-bit channel [I]
  p.word_bytes = 2;                       // 16-bit fixed point (ICCAD'16)
  p.power_W = 25.0;                       // [R] Caffeine ICCAD'16 reported board power
  return p;
}

double ZhangLayer::ops() const { return 2.0 * r * c * m * n * k_h * k_w * static_cast<double>(repeat); }

ZhangLayer zhang_layer(const LayerShape& l) {
  ZhangLayer z;
  z.name = l.name;
  z.m = l.num_filters / l.groups;
  z.n = l.channels / l.groups;
  z.r = l.ofmap_h;
  z.c = l.ofmap_w;
  z.k_h = l.filter_h;
  z.k_w = l.filter_w;
  z.s = l.stride;
  z.repeat = l.groups;
  return z;
}

ZhangLayerCost zhang_evaluate(const ZhangLayer& L, const ZhangTiling& t, const FpgaParams& p) {
  ZhangLayerCost c;
  c.name = L.name;
  c.tiling = t;
  const std::size_t S = L.s, Kh = L.k_h, Kw = L.k_w;
  // Buffers are sized by the hardware tiles; traffic moves only what exists.
  auto buffers = [&](std::size_t tm, std::size_t tn, double& b_in, double& b_w, double& b_out) {
    b_in = static_cast<double>(tn) * (S * t.tr + Kh - S) * (S * t.tc + Kw - S);
    b_w = static_cast<double>(tm) * tn * Kh * Kw;
    b_out = static_cast<double>(tm) * t.tr * t.tc;
  };
  double b_in = 0, b_w = 0, b_out = 0;
  buffers(t.tm, t.tn, b_in, b_w, b_out);
  c.fits_bram = 2.0 * (b_in + b_w + b_out) * p.word_bytes <= p.bram_bytes;
  buffers(std::min(t.tm, L.m), std::min(t.tn, L.n), b_in, b_w, b_out);
  const double mt = static_cast<double>(ceil_div(L.m, t.tm)), nt = static_cast<double>(ceil_div(L.n, t.tn));
  const double rt = static_cast<double>(ceil_div(L.r, t.tr)), ct = static_cast<double>(ceil_div(L.c, t.tc));
  const double a_in = mt * nt * rt * ct, a_out = mt * rt * ct;
  const double rep = static_cast<double>(L.repeat);
  c.ops = L.ops();
  c.compute_cycles = rep * mt * nt * static_cast<double>(L.r * L.c * Kh * Kw);
  c.dram_bytes = rep * p.word_bytes * (a_in * b_in + a_in * b_w + a_out * b_out);
  c.comp_roof_ops_per_s = c.ops / c.compute_cycles * p.clock_Hz;
  c.ctc_ops_per_B = c.ops / c.dram_bytes;
  c.attainable_ops_per_s = std::min(c.comp_roof_ops_per_s, c.ctc_ops_per_B * p.dram_bandwidth_B_per_s);
  c.cycles = std::max(c.compute_cycles, c.dram_bytes / p.dram_bandwidth_B_per_s * p.clock_Hz);
  c.latency_s = c.cycles / p.clock_Hz;
  c.energy_J = p.power_W * c.latency_s;
  return c;
}

ZhangLayerCost zhang_best_rc(const ZhangLayer& L, std::size_t tm, std::size_t tn, const FpgaParams& p) {
  ZhangLayerCost best;
  bool found = false;
  const auto trs = tile_candidates(L.r), tcs = tile_candidates(L.c);
  for (std::size_t tr : trs)
    for (std::size_t tc : tcs) {
      ZhangLayerCost c = zhang_evaluate(L, {tm, tn, tr, tc}, p);
      if (!c.fits_bram) continue;
      if (!found || c.cycles < best.cycles || (c.cycles == best.cycles && c.dram_bytes < best.dram_bytes)) {
        best = c;
        found = true;
      }
    }
  if (!found) best.fits_bram = false;
  return best;
}

ZhangDesign zhang_explore(const std::vector<ZhangLayer>& layers, const FpgaParams& p) {
  ProblemList problems;
  FpgaParams::table().validate_struct(p, "fpga", problems);
  problems.throw_if_any();
  std::size_t max_m = 1, max_n = 1;
  for (const auto& l : layers) max_m = std::max(max_m, l.m), max_n = std::max(max_n, l.n);
  std::size_t lanes = static_cast<std::size_t>(p.dsp_count / p.dsp_per_mac);
  if (p.max_lanes > 0) lanes = std::min(lanes, static_cast<std::size_t>(p.max_lanes));
  if (lanes == 0) throw MappingError("fpga: fewer DSPs than one multiply-add lane needs");

  ZhangDesign best;
  bool found = false;
  auto consider = [&](ZhangDesign d) {
    auto better = [&] {
      if (d.cycles != best.cycles) return d.cycles < best.cycles;
      if (d.dsps_used != best.dsps_used) return d.dsps_used < best.dsps_used;
      return d.dram_bytes < best.dram_bytes;
    };
    if (!found || better()) best = std::move(d), found = true;
  };
  auto total = [&](ZhangDesign& d) {
    for (const auto& c : d.layers) {
      d.ops += c.ops, d.cycles += c.cycles, d.dram_bytes += c.dram_bytes;
    }
    d.latency_s = d.cycles / p.clock_Hz;
    d.energy_J = p.power_W * d.latency_s;
    d.attainable_ops_per_s = d.latency_s > 0 ? d.ops / d.latency_s : 0;
  };

  if (p.unified) {
    for (std::size_t tm = 1; tm <= std::min(max_m, lanes); ++tm)
      for (std::size_t tn = 1; tn <= std::min(max_n, lanes / tm); ++tn) {
        ZhangDesign d;
        d.tm = tm, d.tn = tn;
        d.dsps_used = static_cast<int>(tm * tn) * p.dsp_per_mac;
        bool ok = true;
        for (const auto& l : layers) {
          d.layers.push_back(zhang_best_rc(l, tm, tn, p));
          if (!d.layers.back().fits_bram) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        total(d);
        consider(std::move(d));
      }
  } else {
    ZhangDesign d;
    for (const auto& l : layers) {
      ZhangLayerCost lb;
      bool any = false;
      for (std::size_t tm = 1; tm <= std::min(l.m, lanes); ++tm)
        for (std::size_t tn = 1; tn <= std::min(l.n, lanes / tm); ++tn) {
          ZhangLayerCost c = zhang_best_rc(l, tm, tn, p);
          if (!c.fits_bram) continue;
          if (!any || c.cycles < lb.cycles || (c.cycles == lb.cycles && c.dram_bytes < lb.dram_bytes))
            lb = c, any = true;
        }
      if (!any) throw MappingError("fpga: no tiling of layer '" + l.name + "' fits the DSPs and BRAM");
      d.dsps_used = std::max(d.dsps_used, static_cast<int>(lb.tiling.tm * lb.tiling.tn) * p.dsp_per_mac);
      d.layers.push_back(lb);
    }
    total(d);
    consider(std::move(d));
  }
  if (!found) throw MappingError("fpga: no unified <Tm, Tn> fits the DSPs and BRAM for every layer");
  return best;
}

}  // namespace xbarsim

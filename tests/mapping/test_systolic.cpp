// Systolic arrays: SCALE-Sim v2 closed form (cycles, folds, SRAM/DRAM traffic, energy) and
// the target-name parser.
#include <catch2/catch.hpp>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/mapping/systolic.hpp>
#include <xbarsim/mapping/targets.hpp>

using namespace xbarsim;

namespace {

LayerShape conv(std::size_t ih, std::size_t k, std::size_t cin, std::size_t cout, std::size_t stride = 1,
                std::size_t groups = 1) {
  LayerShape l;
  l.name = "conv";
  l.ifmap_h = l.ifmap_w = ih;
  l.filter_h = l.filter_w = k;
  l.channels = cin;
  l.num_filters = cout;
  l.stride = stride;
  l.groups = groups;
  l.ofmap_h = l.ofmap_w = (ih - k) / stride + 1;
  return l;
}

SystolicParams array(int rows, int cols, const char* dataflow) {
  SystolicParams p;
  p.rows = rows;
  p.cols = cols;
  p.dataflow = dataflow;
  return p;
}

std::string where_of(const ConfigError& e) { return e.problems().empty() ? "" : e.problems().front().where; }

}  // namespace

// Reference: SCALE-Sim v2's own golden outputs, test/general/golden_trace_user_{os,ws,is}/
// COMPUTE_REPORT.csv (scale-sim-v2 @ 18975c2 / 6c524ac), for configs/scale.cfg (32 x 32) and
// topologies/GEMM_mnk/test_mnk_input.csv (M = 256, N = 128, K = 256). Those runs are in USER
// bandwidth mode, so compute cycles = Total Cycles - Stall Cycles + 1 (Total is the index of
// the last cycle): os 52447 - 42272 + 1 = 10176, ws 52447 - 41248 + 1 = 11200,
// is 19984 - 5777 + 1 = 14208. The GEMM is a 1x1 conv with 256 output pixels (16 x 16),
// 256 input channels and 128 filters.
TEST_CASE("systolic cycles equal SCALE-Sim v2's golden reports on every dataflow", "[mapping]") {
  const LayerShape gemm = conv(16, 1, 256, 128);
  REQUIRE(gemm.positions() == 256);
  const auto os = systolic_layer(gemm, array(32, 32, "os"));
  const auto ws = systolic_layer(gemm, array(32, 32, "ws"));
  const auto is = systolic_layer(gemm, array(32, 32, "is"));
  CHECK(os.cycles == 10176);
  CHECK(ws.cycles == 11200);
  CHECK(is.cycles == 14208);
  CHECK(os.scalesim_total_cycles == 10175);
  // Golden Mapping Efficiency 100.0 % on all three; Compute Util % (os) 80.50314465408806 =
  // MACs / (compute cycles x 1024) = 8388608 / (10176 x 1024).
  CHECK(os.mapping_efficiency == Approx(1.0));
  CHECK(ws.mapping_efficiency == Approx(1.0));
  CHECK(is.mapping_efficiency == Approx(1.0));
  CHECK(os.utilization * 100 == Approx(80.50314465408806).epsilon(1e-9));
}

// Reference: SCALE-Sim v2's golden CALC-mode report test/golden_trace/COMPUTE_REPORT.csv
// (scale-sim-v2 @ 213cd1b): "0, 112283, 0, 91.68309650614964, 94.53125, ..." -- AlexNet
// conv1 (96 filters, 11 x 11 x 3, stride 4, 55 x 55 outputs) on a 32 x 32 weight-stationary
// array. Identification [I]: ws gives S_r = 363, S_c = 96, T = 3025, 12 x 3 = 36 folds of
// 3025 + 64 + 32 - 2 = 3119 cycles = 112,284 = 112283 + 1; mapping efficiency
// 363*96 / (36*1024) = 94.53125 %; overall utilisation 105,415,200 / (112283 x 1024) =
// 91.683 % -- all three columns agree.
TEST_CASE("systolic cycles equal SCALE-Sim v2's golden AlexNet conv1 (ws)", "[mapping]") {
  const LayerShape conv1 = conv(227, 11, 3, 96, 4);
  REQUIRE(conv1.ofmap_h == 55);
  const auto c = systolic_layer(conv1, array(32, 32, "ws"));
  CHECK(c.scalesim_total_cycles == 112283);
  CHECK(c.mapping_efficiency * 100 == Approx(94.53125));
  CHECK(static_cast<double>(c.macs) / (112283.0 * 1024) * 100 == Approx(91.68309650614964).epsilon(1e-12));
}

// Reference: the closed form of digital_references.md 1.1 evaluated by hand.
// Layer: 5 x 5 x 2 ifmap, 3 x 3 filters, 4 filters, stride 1 -> 3 x 3 ofmap:
// P = 9 pixels, K = 3*3*2 = 18, M = 4, on a 4 x 4 array.
//   os: S_r = P = 9, S_c = M = 4, T = K = 18; folds = ceil(9/4) ceil(4/4) = 3 x 1;
//       per fold T + R + C - 2 = 18 + 4 + 4 - 2 = 24; cycles 72.
//   ws: S_r = K = 18, S_c = M = 4, T = P = 9; folds = 5 x 1; per fold T + 2R + C - 2 = 9 + 8 + 4 - 2 = 19;
//       cycles 95.
//   is: S_r = K = 18, S_c = P = 9, T = M = 4; folds = 5 x 3 = 15; per fold 4 + 8 + 4 - 2 = 14; cycles 210.
TEST_CASE("systolic folds and cycles of a small layer by hand", "[mapping]") {
  const LayerShape l = conv(5, 3, 2, 4);
  const auto os = systolic_layer(l, array(4, 4, "os"));
  CHECK(os.sr == 9);
  CHECK(os.sc == 4);
  CHECK(os.t == 18);
  CHECK(os.row_folds == 3);
  CHECK(os.col_folds == 1);
  CHECK(os.cycles_per_fold == 24);
  CHECK(os.cycles == 72);
  const auto ws = systolic_layer(l, array(4, 4, "ws"));
  CHECK(ws.folds == 5);
  CHECK(ws.cycles_per_fold == 19);
  CHECK(ws.cycles == 95);
  const auto is = systolic_layer(l, array(4, 4, "is"));
  CHECK(is.row_folds == 5);
  CHECK(is.col_folds == 3);
  CHECK(is.cycles_per_fold == 14);
  CHECK(is.cycles == 210);
  // Mapping efficiency = S_r S_c / (folds R C): os 9*4/(3*16) = 0.75, is 18*9/(15*16) = 0.675.
  CHECK(os.mapping_efficiency == Approx(0.75));
  CHECK(is.mapping_efficiency == Approx(0.675));
  // Same MACs on every dataflow: 9 * 18 * 4 = 648.
  CHECK(os.macs == 648);
  CHECK(ws.macs == 648);
  CHECK(is.macs == 648);
}

// Reference: systolic.hpp's traffic rules evaluated by hand for the layer above
// (rf, cf = row and column folds; words = bytes with 1-byte words).
//   os (rf 3, cf 1): ifmap reads P K cf = 162, filter reads K M rf = 216, ofmap writes P M = 36.
//   ws (rf 5, cf 1): filter reads K M = 72, ifmap reads P K cf = 162, ofmap writes P M rf = 180,
//       partial-sum read-backs P M (rf - 1) = 144.
//   is (rf 5, cf 3): ifmap reads K P = 162, filter reads M K cf = 216, ofmap writes 180, read-backs 144.
//   DRAM with everything fitting: ifmap 5*5*2 = 50, filter 18*4 = 72, ofmap 9*4 = 36 -> 158.
TEST_CASE("systolic SRAM and DRAM traffic by hand", "[mapping]") {
  const LayerShape l = conv(5, 3, 2, 4);
  const auto os = systolic_layer(l, array(4, 4, "os"));
  CHECK(os.ifmap_sram_reads == 162);
  CHECK(os.filter_sram_reads == 216);
  CHECK(os.ofmap_sram_writes == 36);
  CHECK(os.ofmap_sram_reads == 0);
  CHECK(os.dram_bytes == 158);
  const auto ws = systolic_layer(l, array(4, 4, "ws"));
  CHECK(ws.filter_sram_reads == 72);
  CHECK(ws.ifmap_sram_reads == 162);
  CHECK(ws.ofmap_sram_writes == 180);
  CHECK(ws.ofmap_sram_reads == 144);
  CHECK(ws.dram_bytes == 158);
  const auto is = systolic_layer(l, array(4, 4, "is"));
  CHECK(is.ifmap_sram_reads == 162);
  CHECK(is.filter_sram_reads == 216);
  CHECK(is.ofmap_sram_writes == 180);

  SECTION("partial sums off chip go to DRAM and back") {
    // 144 partials written out and 144 read back: 158 + 288 = 446 bytes.
    SystolicParams p = array(4, 4, "ws");
    p.psum_on_chip = false;
    const auto off = systolic_layer(l, p);
    CHECK(off.ofmap_sram_reads == 0);
    CHECK(off.ofmap_dram_writes == 36 + 144);
    CHECK(off.ofmap_dram_reads == 144);
    CHECK(off.dram_bytes == 446);
    CHECK(off.cycles == ws.cycles);
  }
  SECTION("operands that do not fit half their buffer are re-fetched per pass") {
    // os: filter 72 words > 100/2 -> fetched rf = 3 times (216); ifmap 50 > 60/2 -> cf = 1 times (50).
    SystolicParams p = array(4, 4, "os");
    p.filter_sram_bytes = 100;
    p.ifmap_sram_bytes = 60;
    const auto small = systolic_layer(l, p);
    CHECK(small.filter_dram_reads == 216);
    CHECK(small.ifmap_dram_reads == 50);
    CHECK(small.dram_bytes == 216 + 50 + 36);
  }
}

// Reference: Horowitz 45 nm table (digital_references.md 2.1) by hand for the os case above:
// 648 MACs x 0.3 pJ + (162 + 216) B x 2.5 pJ + 36 B x 2.5 pJ + 158 B x 162.5 pJ
// = 194.4 + 945 + 90 + 25675 = 26904.4 pJ; latency 72 cycles / 1 GHz = 72 ns.
TEST_CASE("systolic energy from the per-action table", "[mapping]") {
  const auto os = systolic_layer(conv(5, 3, 2, 4), array(4, 4, "os"), horowitz45nm_int8());
  CHECK(os.energy_J == Approx(26904.4e-12).epsilon(1e-12));
  CHECK(os.latency_s == Approx(72e-9));
  CHECK(os.sram_bytes == 414);
}

// Reference: groups run one after another (SCALE-Sim has no groups): a 2-group conv costs
// twice one group. Group: 5x5x1 in, 3x3, 2 filters: P 9, K 9, M 2 on 4 x 4 os:
// folds ceil(9/4) ceil(2/4) = 3, per fold 9 + 4 + 4 - 2 = 15 -> 45 per group, 90 in all.
TEST_CASE("grouped convolutions run group after group", "[mapping]") {
  const auto c = systolic_layer(conv(5, 3, 2, 4, 1, 2), array(4, 4, "os"));
  CHECK(c.folds == 3);
  CHECK(c.cycles_per_fold == 15);
  CHECK(c.cycles == 90);
  CHECK(c.macs == 2 * 9 * 9 * 2);
}

TEST_CASE("systolic rejects bad parameters", "[mapping]") {
  SystolicParams p = array(0, 4, "os");
  CHECK_THROWS_AS(systolic_layer(conv(5, 3, 2, 4), p), ConfigError);
  CHECK_THROWS_AS(systolic_layer(conv(5, 3, 2, 4), array(4, 4, "xs")), ConfigError);
}

// Presets: SCALE-Sim v2 configs (digital_references.md 1.1): scale.cfg 32x32, 64 KB, os;
// google.cfg 256x256, 6144/6144/2048 KB, ws; eyeriss.cfg 12x14, 36 KB, ws.
TEST_CASE("systolic presets carry SCALE-Sim's configs", "[mapping]") {
  const auto a = systolic_32x32();
  CHECK((a.rows == 32 && a.cols == 32 && a.dataflow == "os" && a.ifmap_sram_bytes == 65536 &&
         a.filter_sram_bytes == 65536 && a.ofmap_sram_bytes == 65536));
  const auto t = systolic_tpu_v1();
  CHECK((t.rows == 256 && t.cols == 256 && t.dataflow == "ws" && t.ifmap_sram_bytes == 6144 * 1024.0 &&
         t.ofmap_sram_bytes == 2048 * 1024.0));
  const auto e = systolic_eyeriss();
  CHECK((e.rows == 12 && e.cols == 14 && e.dataflow == "ws" && e.filter_sram_bytes == 36 * 1024.0));
}

TEST_CASE("target names: PRESET[:key=value,...]", "[mapping]") {
  const DigitalTarget t = make_target("systolic-32x32:dataflow=ws,rows=64");
  CHECK(t.kind == TargetKind::Systolic);
  CHECK(t.systolic.rows == 64);
  CHECK(t.systolic.cols == 32);
  CHECK(t.systolic.dataflow == "ws");
  CHECK(make_target("eyeriss:mac_J=1e-12").energy.mac_J == 1e-12);
  CHECK(make_target("gpu-h100:sparse=true").roofline.sparse);

  const NamedSettings s = parse_named_settings("systolic-32x32: rows = 8 ,cols=4", "target");
  CHECK(s.name == "systolic-32x32");
  REQUIRE(s.settings.size() == 2);
  CHECK(s.settings[0] == std::pair<std::string, std::string>{"rows", "8"});

  auto where = [](const char* text) {
    try {
      make_target(text);
    } catch (const ConfigError& e) {
      return where_of(e);
    }
    return std::string("no error");
  };
  CHECK(where("tpu-v9") == "target");
  CHECK(where("") == "target");
  CHECK(where("systolic-32x32:rows") == "target");
  CHECK(where("systolic-32x32:=4") == "target");
  CHECK(where("systolic-32x32:rowz=4") == "target.systolic-32x32.rowz");
  CHECK(where("systolic-32x32:rows=abc") == "target.systolic-32x32.rows");
  CHECK(where("systolic-32x32:rows=0") == "target.systolic-32x32.rows");
  CHECK(where("systolic-32x32:dataflow=xs") == "target.systolic-32x32.dataflow");
  CHECK(where("systolic-32x32:rows=4,rows=8") == "target.systolic-32x32.rows");
  CHECK(where("fpga-zhang2015-vc707:rows=4") == "target.fpga-zhang2015-vc707.rows");
  CHECK(where("gpu-k80:precision=fp16") == "target.gpu-k80.precision");
  CHECK(where("gpu-v100:sparse=true") == "target.gpu-v100.sparse");
}

TEST_CASE("the preset list names every target of issue 5 with a source", "[mapping]") {
  const char* wanted[] = {"gpu-k80",
                          "gpu-v100",
                          "gpu-a100",
                          "gpu-h100",
                          "tpu-v1",
                          "tpu-v2",
                          "tpu-v3",
                          "tpu-v4",
                          "fpga-zhang2015-vc707",
                          "fpga-caffeine-ku060",
                          "systolic-32x32",
                          "systolic-tpu-v1",
                          "eyeriss"};
  for (const char* name : wanted) {
    bool found = false;
    for (const auto& p : target_presets())
      if (p.name == name) found = !p.description.empty() && !p.source.empty();
    CHECK(found);
    CHECK_NOTHROW(make_target(name));
  }
  CHECK(target_presets().size() == 13);
}

TEST_CASE("evaluate_target sums layers", "[mapping]") {
  const std::vector<LayerShape> layers = {conv(5, 3, 2, 4), conv(16, 1, 256, 128)};
  const TargetCost c = evaluate_target("systolic-32x32", layers);
  REQUIRE(c.layers.size() == 2);
  // layer 2 is the golden GEMM (10176 cycles, os, 32x32); layer 1 on 32x32 os:
  // folds ceil(9/32) ceil(4/32) = 1, 18 + 32 + 32 - 2 = 80 cycles.
  CHECK(c.layers[0].cycles == 80);
  CHECK(c.layers[1].cycles == 10176);
  CHECK(c.total.cycles == 10256);
  CHECK(c.total.latency_s == Approx(10256e-9));
  CHECK(c.total.macs == 648 + 256ull * 256 * 128);
}

// Tile placement and chip roll-up against hand computation (formulas of chip.hpp and
// interconnect.hpp evaluated by hand in the comments).
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/chip.hpp>
#include <xbarsim/mapping/interconnect.hpp>
#include <xbarsim/nn/zoo.hpp>

using namespace xbarsim;

namespace {

LayerShape conv_shape(std::string name, std::size_t k, std::size_t cin, std::size_t cout, std::size_t in_hw,
                      std::size_t out_hw) {
  LayerShape l;
  l.name = std::move(name);
  l.filter_h = l.filter_w = k;
  l.channels = cin;
  l.num_filters = cout;
  l.ifmap_h = l.ifmap_w = in_hw;
  l.ofmap_h = l.ofmap_w = out_hw;
  return l;
}

LayerShape dense_shape(std::string name, std::size_t in, std::size_t out) {
  LayerShape l;
  l.name = std::move(name);
  l.dense = true;
  l.channels = in;
  l.num_filters = out;
  return l;
}

TileCostInputs tile_of(int rows, int cols) {
  TileCostInputs t;
  t.rows = rows;
  t.cols = cols;
  t.g_avg_S = 10e-6;  // reads cost energy (the default 0 would hide the array term)
  return t;
}

// Every breakdown adds up to its total, per layer and for the chip; the layers add up to the chip.
void check_sums(const ChipReport& r) {
  CHECK(r.area_breakdown_m2.total() == Approx(r.area_m2).epsilon(1e-12));
  CHECK(r.energy_breakdown_J.total() == Approx(r.energy_per_image_J).epsilon(1e-12));
  CHECK(r.latency_breakdown_s.total() == Approx(r.latency_per_image_s).epsilon(1e-12));
  double e = 0, t = 0, share_e = 0, share_t = 0, tile_area = 0;
  ChipBreakdown sum_e;
  for (const auto& l : r.layers) {
    CHECK(l.energy_breakdown_J.total() == Approx(l.energy_J).epsilon(1e-12));
    CHECK(l.latency_breakdown_s.total() == Approx(l.latency_s).epsilon(1e-12));
    e += l.energy_J;
    t += l.latency_s;
    share_e += l.energy_share;
    share_t += l.latency_share;
    tile_area += l.tile_area_m2;
    sum_e.interconnect += l.energy_breakdown_J.interconnect;
    sum_e.pooling += l.energy_breakdown_J.pooling;
    sum_e.tile.adc += l.energy_breakdown_J.tile.adc;
  }
  CHECK(e == Approx(r.energy_per_image_J).epsilon(1e-12));
  CHECK(t == Approx(r.latency_per_image_s).epsilon(1e-12));
  CHECK(share_e == Approx(1.0));
  CHECK(share_t == Approx(1.0));
  CHECK(tile_area == Approx(r.area_breakdown_m2.tiles()).epsilon(1e-12));
  CHECK(sum_e.interconnect == Approx(r.energy_breakdown_J.interconnect).epsilon(1e-12));
  CHECK(sum_e.pooling == Approx(r.energy_breakdown_J.pooling).epsilon(1e-12));
  CHECK(sum_e.tile.adc == Approx(r.energy_breakdown_J.tile.adc).epsilon(1e-12));
}

}  // namespace

TEST_CASE("placement counts tiles and utilisation by hand, costs roll up", "[mapping][chip]") {
  // Two layers on 64 x 32 tiles: conv 3x3, 16 -> 40 on an 8 x 8 output map (rows 144 ->
  // 3 row blocks, cols 40 -> 2 column blocks: 6 tiles); dense 100 -> 10 (2 x 1 tiles).
  const LayerShape conv = conv_shape("conv", 3, 16, 40, 10, 8), fc = dense_shape("fc", 100, 10);
  const TileCostInputs tile = tile_of(64, 32);
  const TileCost tc = tile_cost(tile);
  const double p = std::sqrt(tc.area_total_m2);  // tile pitch
  ChipParams chip;
  const ChipReport r = place_and_cost({conv, fc}, tile, chip);
  REQUIRE(r.layers.size() == 2);
  CHECK(r.layers[0].tiles == 6);
  CHECK(r.layers[0].row_utilisation == Approx(144.0 / 192.0));
  CHECK(r.layers[0].col_utilisation == Approx(40.0 / 64.0));
  CHECK(r.layers[1].tiles == 2);
  CHECK(r.tiles == 8);
  // Interconnect: 8 tiles sit on a 3 x 3 grid, the H-tree pads it to 4 x 4 (k = 2): root to
  // leaf 3 p. Bits moved: conv in 10 10 16 = 1600 + out 64 40 = 2560 bytes -> 33280 bits;
  // fc 100 + 10 bytes -> 880 bits. Energy per bit 0.25 x 0.2 fF/um x 3 p x 0.85^2 (22 nm Vdd).
  CHECK(r.interconnect.grid_rows == 3);
  CHECK(r.interconnect.grid_cols == 3);
  CHECK(r.interconnect.path_length_m == Approx(3 * p));
  const double e_bit = 0.25 * 0.2e-9 * 3 * p * 0.85 * 0.85;
  const double ic = (33280.0 + 880.0) * e_bit;
  // Energy: 6 tile MVMs x 64 positions + 2 x 1, plus partial sums (3 - 1) 40 64 + (2 - 1) 10
  // adds, buffers 64 (144 + 40) + 1 (100 + 10) bytes at 2.5 pJ, activations 64 40 + 10 at 0.03 pJ.
  // Only used cells conduct and only used rows are driven: the conv's array energy x (144 /
  // 192)(40 / 64), its DAC energy x 144 / 192; the dense layer's x (100 / 128)(10 / 32), x 100 / 128.
  const double buffers = (64 * (144 + 40) + (100 + 10)) * 2.5e-12, acts = (64 * 40 + 10) * 0.03e-12;
  const double unused_array = 6 * 64 * tc.energy_J.array * (1 - (144.0 / 192) * (40.0 / 64)) +
                              2 * tc.energy_J.array * (1 - (100.0 / 128) * (10.0 / 32));
  const double unused_dac = 6 * 64 * tc.energy_J.dac * (1 - 144.0 / 192) + 2 * tc.energy_J.dac * (1 - 100.0 / 128);
  REQUIRE(unused_array > 0.01 * (6 * 64 + 2) * tc.energy_total_J);  // the reads do cost energy here
  const double e =
      (6 * 64 + 2) * tc.energy_total_J - unused_array - unused_dac + (2 * 40 * 64 + 10) * 0.1e-12 + buffers + acts + ic;
  CHECK(r.buffer_energy_J == Approx(buffers));
  CHECK(r.activation_energy_J == Approx(acts));
  CHECK(r.energy_breakdown_J.interconnect == Approx(ic));
  CHECK(r.energy_breakdown_J.pooling == 0.0);  // shapes only: no pooling layers known, and said so
  CHECK(r.excluded.find("pooling (no pooling layers given") != std::string::npos);
  CHECK(r.energy_per_image_J == Approx(e).epsilon(1e-12));
  // Latency: 64 + 1 tile MVMs, plus ceil(33280 / 1024) = 33 and 1 transfers of 50 ps/mm x 3 p.
  const double t_ic = (33 + 1) * 50e-9 * 3 * p;
  CHECK(r.latency_breakdown_s.interconnect == Approx(t_ic));
  CHECK(r.latency_per_image_s == Approx((64 + 1) * tc.latency_total_s + t_ic));
  // Area: 8 tiles; buffer max(1600 + 2560, 110) = 4160 bytes of 280 F^2 bit cells; adder
  // trees 32 columns x (3 - 1) units, ReLU and pooling 32 units each, 5000 F^2 a unit;
  // H-tree wire 1.5 p 4 (4 - 1) = 18 p long, 1024 tracks at 2 x 40 nm pitch folded 4 times.
  const double F2 = 22e-9 * 22e-9;
  CHECK(r.buffer_bytes == 4160);
  CHECK(r.area_breakdown_m2.buffers == Approx(4160 * 8 * 280 * F2));
  CHECK(r.area_breakdown_m2.accumulation == Approx(64 * 5000 * F2));
  CHECK(r.area_breakdown_m2.activation == Approx(32 * 5000 * F2));
  CHECK(r.area_breakdown_m2.interconnect == Approx(18 * p * 1024 * 2 * 40e-9 / 4));
  const double area =
      8 * tc.area_total_m2 + 4160 * 8 * 280 * F2 + (64 + 32 + 32) * 5000 * F2 + 18 * p * 1024 * 80e-9 / 4;
  CHECK(r.area_m2 == Approx(area).epsilon(1e-12));
  const double ops = 2.0 * (144.0 * 40 * 64 + 100 * 10);
  CHECK(r.tops_per_w == Approx(ops / e / 1e12));
  CHECK(r.tops == Approx(ops / r.latency_per_image_s / 1e12));
  CHECK(r.tops_per_mm2 == Approx(r.tops / (area * 1e6)));
  check_sums(r);
  // Pipelined with 4 copies: stage times ceil(64/4) and ceil(1/4) MVMs plus their transfers
  // (32 tiles: 6 x 6 grid -> 8 x 8 H-tree, root to leaf 7 p); the conv stage sets the cycle.
  chip.execution = "pipelined";
  chip.replication = 4;
  const ChipReport pr = place_and_cost({conv, fc}, tile, chip);
  CHECK(pr.tiles == 32);
  CHECK(pr.layers[0].replication == 4);
  CHECK(pr.interconnect.path_length_m == Approx(7 * p));
  CHECK(pr.images_per_s == Approx(1.0 / (16 * tc.latency_total_s + 33 * 50e-9 * 7 * p)));
  check_sums(pr);
  // Over budget: a report, not an exception.
  chip.tile_budget = 10;
  const ChipReport over = place_and_cost({conv, fc}, tile, chip);
  CHECK_FALSE(over.feasible);
  CHECK(over.message.find("32 tiles") != std::string::npos);
  CHECK(over.message.find("layer 'conv'") != std::string::npos);  // 24 conv tiles > 10
}

TEST_CASE("interconnect lengths: H-tree and bus on 4 and 16 tiles", "[mapping][chip]") {
  // H-tree (interconnect.hpp): root to leaf p (2^k - 1), all wire 1.5 p 2^k (2^k - 1).
  // 4 tiles, k = 1: 1 p and 3 p (an H of a 2p square: bar p + two legs of p). 16 tiles,
  // k = 2: p + 2p = 3 p and 18 p (one big H 3 x 2p = 6 p + four small ones 4 x 3 p).
  const double p = 100e-6;
  const auto h4 = interconnect_geometry("htree", 4, p), h16 = interconnect_geometry("htree", 16, p);
  CHECK(h4.levels == 1);
  CHECK(h4.path_length_m == Approx(100e-6));
  CHECK(h4.total_length_m == Approx(300e-6));
  CHECK(h16.levels == 2);
  CHECK(h16.path_length_m == Approx(300e-6));
  CHECK(h16.total_length_m == Approx(1800e-6));
  // Bus: trunk cols p + one column drop rows p: 2 x 2 -> 4 p path, 2 p + 4 p = 6 p wire;
  // 4 x 4 -> 8 p path, 4 p + 16 p = 20 p wire.
  const auto b4 = interconnect_geometry("bus", 4, p), b16 = interconnect_geometry("bus", 16, p);
  CHECK(b4.path_length_m == Approx(400e-6));
  CHECK(b4.total_length_m == Approx(600e-6));
  CHECK(b16.path_length_m == Approx(800e-6));
  CHECK(b16.total_length_m == Approx(2000e-6));
  // One tile: nothing to route.
  CHECK(interconnect_geometry("htree", 1, p).path_length_m == 0.0);
  CHECK_THROWS_AS(interconnect_geometry("mesh", 4, p), ConfigError);
}

TEST_CASE("interconnect energy and latency on a 4-tile and a 16-tile chip", "[mapping][chip]") {
  // One dense layer exactly filling 2 x 2 (or 4 x 4) tiles of 64 x 64: bits moved 8 (in + out).
  const TileCostInputs tile = tile_of(64, 64);
  const double p = std::sqrt(tile_cost(tile).area_total_m2), v2 = 0.85 * 0.85;
  ChipParams chip;
  struct Case {
    std::size_t n, tiles;
    const char* kind;
    double path_p;  // path length in pitches (previous test)
  };
  for (const Case c :
       {Case{128, 4, "htree", 1}, Case{128, 4, "bus", 4}, Case{256, 16, "htree", 3}, Case{256, 16, "bus", 8}}) {
    chip.interconnect = c.kind;
    const ChipReport r = place_and_cost({dense_shape("fc", c.n, c.n)}, tile, chip);
    INFO(c.kind << " " << c.tiles);
    REQUIRE(r.tiles == c.tiles);
    // 128 -> 128: 8 x 256 = 2048 bits, 2 transfers of 1024; 256 -> 256: 4096 bits, 4 transfers.
    const double bits = 8.0 * 2 * c.n, transfers = bits / 1024;
    CHECK(r.layers[0].interconnect_bits == bits);
    CHECK(r.energy_breakdown_J.interconnect == Approx(bits * 0.25 * 0.2e-9 * c.path_p * p * v2));
    CHECK(r.latency_breakdown_s.interconnect == Approx(transfers * 50e-9 * c.path_p * p));
  }
}

TEST_CASE("components sum to the totals on VGG-8, both executions and interconnects", "[mapping][chip]") {
  const Network net = make_model("vgg8");
  // Pooling inputs after conv 2, 4, 6: 128 x 32 x 32, 256 x 16 x 16, 512 x 8 x 8 (the
  // CIFAR-10 VGG-8 of zoo/vgg.cpp; 2 x 2 max pools).
  const std::vector<std::uint64_t> pool = pooling_inputs(net);
  CHECK(pool == std::vector<std::uint64_t>{0, 131072, 0, 65536, 0, 32768, 0, 0});
  ChipParams chip;
  for (const char* exec : {"layer-by-layer", "pipelined"})
    for (const char* ic : {"htree", "bus"})
      for (int rep : {1, 0}) {
        chip.execution = exec;
        chip.interconnect = ic;
        chip.replication = rep;
        chip.max_tiles = 2000;
        INFO(exec << " " << ic << " replication " << rep);
        const ChipReport r = place_and_cost(net, tile_of(128, 128), chip);
        CHECK(r.feasible);
        CHECK(r.energy_breakdown_J.pooling == Approx((131072 + 65536 + 32768) * 0.03e-12));
        CHECK(r.excluded.find("pooling") == std::string::npos);
        check_sums(r);
      }
}

namespace {
// Toy of three layers on 64 x 32 tiles: A 1x1 conv 8 -> 8 on 4 x 4 (b = 1 tile, P = 16),
// B 1x1 conv 100 -> 8 on 2 x 2 (rows 100 -> 2 row blocks: b = 2, P = 4), C dense 8 -> 8
// (b = 1, P = 1). One copy of each: 4 tiles.
std::vector<LayerShape> toy() {
  return {conv_shape("A", 1, 8, 8, 4, 4), conv_shape("B", 1, 100, 8, 2, 2), dense_shape("C", 8, 8)};
}
}  // namespace

TEST_CASE("auto replication balances the pipeline within the budget", "[mapping][chip]") {
  const TileCostInputs tile = tile_of(64, 32);
  const double Lt = tile_cost(tile).latency_total_s;
  ChipParams chip;
  chip.execution = "pipelined";
  chip.replication = 0;
  chip.wire_delay_s_per_m = 0;  // stage times are tile MVMs only
  // tiles(c) = 1 ceil(16 / c) + 2 ceil(4 / c) + 1: c = 4 -> 4 + 2 + 1 = 7, c = 3 -> 6 + 4 + 1
  // = 11, c = 2 -> 8 + 4 + 1 = 13, c = 1 -> 16 + 8 + 1 = 25.
  struct Case {
    int budget, max_tiles;
    std::size_t rA, rB, rC, tiles, cycle;  // cycle in tile MVMs
  };
  for (const Case c : {Case{10, 0, 4, 1, 1, 7, 4}, Case{11, 0, 6, 2, 1, 11, 3}, Case{12, 0, 6, 2, 1, 11, 3},
                       Case{0, 13, 8, 2, 1, 13, 2}, Case{0, 0, 16, 4, 1, 25, 1}, Case{4, 0, 1, 1, 1, 4, 16}}) {
    chip.tile_budget = c.budget;
    chip.max_tiles = c.max_tiles;
    INFO("budget " << c.budget << " max_tiles " << c.max_tiles);
    const ChipReport r = place_and_cost(toy(), tile, chip);
    REQUIRE(r.feasible);
    CHECK(r.layers[0].replication == c.rA);
    CHECK(r.layers[1].replication == c.rB);
    CHECK(r.layers[2].replication == c.rC);
    CHECK(r.tiles == c.tiles);
    CHECK(r.images_per_s == Approx(1.0 / (static_cast<double>(c.cycle) * Lt)));
  }
  // Budget 10: stages ceil(16/4) = 4, ceil(4/1) = 4, 1 MVMs: latency per image 9 L_t.
  chip.tile_budget = 10;
  chip.max_tiles = 0;
  CHECK(place_and_cost(toy(), tile, chip).latency_per_image_s == Approx(9 * Lt));
}

TEST_CASE("a budget below one copy of every layer is a report naming the layer", "[mapping][chip]") {
  // Toy: cumulative tiles A 1, B 1 + 2 = 3 > 2: B is the first layer that does not fit.
  ChipParams chip;
  chip.replication = 0;
  chip.tile_budget = 2;
  ChipReport r;
  REQUIRE_NOTHROW(r = place_and_cost(toy(), tile_of(64, 32), chip));
  CHECK_FALSE(r.feasible);
  CHECK(r.message.find("layer 'B' does not fit") != std::string::npos);
  CHECK(r.message.find("needs 4 tiles of 64 x 32") != std::string::npos);
  CHECK(r.message.find("which needs 2") != std::string::npos);
  CHECK(r.message.find("the chip has 2") != std::string::npos);
  CHECK(r.layers[1].replication == 1);
  // A bad configuration is an exception naming the key.
  chip.interconnect = "mesh";
  CHECK_THROWS_WITH(place_and_cost(toy(), tile_of(64, 32), chip), Catch::Contains("chip.interconnect"));
}

TEST_CASE("pipelined vs layer-by-layer: TOPS ratio sum/max of the stages, same TOPS/W", "[mapping][chip]") {
  const TileCostInputs tile = tile_of(64, 32);
  const TileCost tc = tile_cost(tile);
  const double Lt = tc.latency_total_s, p = std::sqrt(tc.area_total_m2);
  ChipParams chip;
  chip.wire_delay_s_per_m = 0;
  const ChipReport lbl = place_and_cost(toy(), tile, chip);
  chip.execution = "pipelined";
  const ChipReport pipe = place_and_cost(toy(), tile, chip);
  // Stages 16, 4, 1 MVMs: layer-by-layer 1 / 21 L_t, pipelined 1 / 16 L_t: ratio 21 / 16.
  CHECK(lbl.images_per_s == Approx(1.0 / (21 * Lt)));
  CHECK(pipe.tops / lbl.tops == Approx(21.0 / 16.0));
  CHECK(pipe.tops_per_w == Approx(lbl.tops_per_w));
  CHECK(pipe.latency_per_image_s == Approx(lbl.latency_per_image_s));
  // Shared bus vs H-tree with slow wires. Transfers of 1024 bits: A 8 (16 + 16) = 256 bytes
  // -> 2, B 8 (400 + 32) = 3456 bits -> 4, C 128 bits -> 1; 7 in all. 4 tiles: bus path 4 p,
  // H-tree path p. With d' = 16 L_t / (4 p) one bus transfer takes 16 L_t, an H-tree one 4 L_t.
  chip.wire_delay_s_per_m = 16 * Lt / (4 * p);
  chip.interconnect = "bus";
  const ChipReport bus = place_and_cost(toy(), tile, chip);
  // Bus stages 16 + 32, 4 + 64, 1 + 16 L_t; the bus is busy 7 x 16 = 112 L_t per image > 68.
  CHECK(bus.layers[1].latency_s == Approx(68 * Lt));
  CHECK(bus.cycle_s == Approx(112 * Lt));
  CHECK(bus.latency_per_image_s == Approx((48 + 68 + 17) * Lt));
  chip.interconnect = "htree";
  const ChipReport tree = place_and_cost(toy(), tile, chip);
  // H-tree stages 16 + 8, 4 + 16, 1 + 4 L_t: parallel branches, cycle 24 L_t.
  CHECK(tree.cycle_s == Approx(24 * Lt));
  CHECK(tree.images_per_s == Approx(1.0 / (24 * Lt)));
}

// Tile placement and chip roll-up against hand computation.
#include <catch2/catch.hpp>
#include <xbarsim/mapping/chip.hpp>

using namespace xbarsim;

TEST_CASE("placement counts tiles and utilisation by hand; costs roll up", "[mapping][chip]") {
  // Two layers on 64 x 32 tiles: conv 3x3, 16 -> 40 on an 8 x 8 output map (rows 144 ->
  // 3 row blocks, cols 40 -> 2 column blocks: 6 tiles); dense 100 -> 10 (2 x 1 tiles).
  LayerShape conv;
  conv.name = "conv";
  conv.filter_h = conv.filter_w = 3;
  conv.channels = 16;
  conv.num_filters = 40;
  conv.ifmap_h = conv.ifmap_w = 10;
  conv.ofmap_h = conv.ofmap_w = 8;
  LayerShape fc;
  fc.name = "fc";
  fc.dense = true;
  fc.channels = 100;
  fc.num_filters = 10;
  TileCostInputs tile;
  tile.rows = 64;
  tile.cols = 32;
  const TileCost tc = tile_cost(tile);
  ChipParams chip;
  const ChipReport r = place_and_cost({conv, fc}, tile, chip);
  REQUIRE(r.layers.size() == 2);
  CHECK(r.layers[0].tiles == 6);
  CHECK(r.layers[0].row_utilisation == Approx(144.0 / 192.0));
  CHECK(r.layers[0].col_utilisation == Approx(40.0 / 64.0));
  CHECK(r.layers[1].tiles == 2);
  CHECK(r.tiles == 8);
  // Energy: 6 tile MVMs x 64 positions + 2 x 1, plus partial sums (3 - 1) 40 64 + (2 - 1) 10
  // adds, buffers 64 (144 + 40) + 1 (100 + 10) bytes at 2.5 pJ, activations 64 40 + 10 at 0.03 pJ.
  const double buffers = (64 * (144 + 40) + (100 + 10)) * 2.5e-12, acts = (64 * 40 + 10) * 0.03e-12;
  const double e = (6 * 64 + 2) * tc.energy_total_J + (2 * 40 * 64 + 10) * 0.1e-12 + buffers + acts;
  CHECK(r.buffer_energy_J == Approx(buffers));
  CHECK(r.activation_energy_J == Approx(acts));
  CHECK(r.energy_per_image_J == Approx(e).epsilon(1e-12));
  CHECK(r.latency_per_image_s == Approx((64 + 1) * tc.latency_total_s));
  CHECK(r.area_m2 == Approx(8 * tc.area_total_m2));
  const double ops = 2.0 * (144.0 * 40 * 64 + 100 * 10);
  CHECK(r.tops_per_w == Approx(ops / e / 1e12));
  // Pipelined with 4 copies: stage times ceil(64/4) and ceil(1/4) positions; throughput set by the conv.
  chip.execution = "pipelined";
  chip.replication = 4;
  const ChipReport p = place_and_cost({conv, fc}, tile, chip);
  CHECK(p.tiles == 32);
  CHECK(p.images_per_s == Approx(1.0 / (16 * tc.latency_total_s)));
  // Over budget: a report, not an exception.
  chip.tile_budget = 10;
  const ChipReport over = place_and_cost({conv, fc}, tile, chip);
  CHECK_FALSE(over.feasible);
  CHECK(over.message.find("32 tiles") != std::string::npos);
}

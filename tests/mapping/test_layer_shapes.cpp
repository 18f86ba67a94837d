// Layer shapes of networks and SCALE-Sim topology files.
#include <catch2/catch.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>
#include <xbarsim/nn/zoo.hpp>

#include "../test_util.hpp"

using namespace xbarsim;

TEST_CASE("LeNet-5 weighted layers as shapes", "[mapping]") {
  // LeNet-5 of nn/src/zoo/lenet.cpp: conv1 6@5x5 pad 2 on 28 x 28 (a 32 x 32 padded map),
  // conv2 16@5x5 on 14 x 14, conv3 120@5x5 on 5 x 5, fc1 120 -> 84, fc2 84 -> 10.
  const auto s = weighted_layer_shapes(make_model("lenet5"));
  REQUIRE(s.size() == 5);
  CHECK(s[0].ifmap_h == 32);
  CHECK(s[0].ofmap_h == 28);
  CHECK(s[0].rows() == 25);
  CHECK(s[0].cols() == 6);
  CHECK(s[1].ifmap_h == 14);
  CHECK(s[1].rows() == 6 * 25);
  CHECK(s[2].ofmap_h == 1);
  CHECK(s[3].dense);
  CHECK(s[3].rows() == 120);
  CHECK(s[3].cols() == 84);
  // MAC totals equal the zoo summary's 416,520.
  std::uint64_t macs = 0;
  for (const auto& l : s) macs += l.macs();
  CHECK(macs == 416520);
}

TEST_CASE("SCALE-Sim topology CSV: shapes and errors with file and line", "[mapping]") {
  test::ScratchDir dir("topology");
  // SCALE-Sim's own format with its trailing commas; output (227 - 11)/4 + 1 = 55.
  const auto ok = dir.write("alexnet.csv",
                            "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
                            "Strides,\nConv1,227,227,11,11,3,96,4,\nFC1,1,1,1,1,9216,4096,1,\n");
  const auto s = read_scalesim_topology(ok);
  REQUIRE(s.size() == 2);
  CHECK(s[0].ofmap_h == 55);
  CHECK(s[0].macs() == 11ull * 11 * 3 * 96 * 55 * 55);
  CHECK(s[1].dense);
  const auto bad = dir.write("bad.csv", "header\nConv1,227,227,11,x,3,96,4\n");
  try {
    read_scalesim_topology(bad);
    FAIL("no error");
  } catch (const IoError& e) {
    CHECK(std::string(e.what()).find("bad.csv:2") != std::string::npos);
    CHECK(std::string(e.what()).find("column 5") != std::string::npos);
  }
  const auto short_row = dir.write("short.csv", "header\nConv1,227,227\n");
  CHECK_THROWS_AS(read_scalesim_topology(short_row), IoError);
  // SCALE-Sim's alexnet.csv conv1: 224, 11, stride 4 -> ceil((224 - 11 + 4) / 4) = 55.
  const auto sc = dir.write("sc.csv", "header\nConv1,224,224,11,11,3,96,4,\n");
  CHECK(read_scalesim_topology(sc)[0].ofmap_h == 55);
  const auto big = dir.write("big.csv", "header\nConv1,5,5,7,7,3,8,1\n");
  CHECK_THROWS_AS(read_scalesim_topology(big), IoError);
}

// Network weights in HDF5: round trip, layout readable as documented, shape errors.
#include <catch2/catch.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/nn_weights.hpp>
#include <xbarsim/nn/layers.hpp>

#include "../test_util.hpp"

using namespace xbarsim;

namespace {
Network small_net(std::size_t hidden) {
  Network net(Shape{0, 6, 1, 1});
  net.add(std::make_unique<Dense>("fc/1", 6, hidden));
  net.add(std::make_unique<Dense>("fc/2", hidden, 3, false));
  return net;
}
}  // namespace

TEST_CASE("weights round-trip through HDF5 in PyTorch's layout", "[io][nn]") {
  test::ScratchDir dir("nn_weights");
  Network a = small_net(4);
  {
    io::ResultFile out(dir / "w.h5", io::RunInfo{"", 1, "test"});
    io::write_weights(out, a, io::ModelInfo{"small", 3, Shape{1, 6, 1, 1}});
  }
  // Layout: node 1 is "fc/1" -> weights/1_fc|1/weight, 4 x 6 (out x in), float values.
  const io::FloatDataset w = io::read_float_dataset(dir / "w.h5", "weights/1_fc|1/weight");
  CHECK(w.shape == std::vector<std::size_t>{4, 6});
  auto& d1 = dynamic_cast<Dense&>(a.layer(1));
  CHECK(w.values[7] == d1.weight().value[7]);  // row 1, column 1 of the out x in matrix
  const io::ModelInfo info = io::read_model_info(dir / "w.h5");
  CHECK(info.model == "small");
  CHECK(info.classes == 3);
  CHECK(info.input == Shape{1, 6, 1, 1});

  Network b = small_net(4);
  for (Param* p : b.params()) p->value.fill(0.0f);
  io::read_weights(dir / "w.h5", b);
  const auto pa = a.params(), pb = b.params();
  REQUIRE(pa.size() == pb.size());
  for (std::size_t k = 0; k < pa.size(); ++k)
    for (std::size_t e = 0; e < pa[k]->value.size(); ++e) CHECK(pb[k]->value[e] == pa[k]->value[e]);

  // A network of another width: the error names the file, the dataset and both shapes.
  Network c = small_net(5);
  try {
    io::read_weights(dir / "w.h5", c);
    FAIL("no error");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("weights/1_fc|1/weight") != std::string::npos);
    CHECK(what.find("expected shape 5 x 6") != std::string::npos);
    CHECK(what.find("4 x 6") != std::string::npos);
  }
  // Not a weights file at all.
  { io::ResultFile other(dir / "other.h5", io::RunInfo{"", 1, "test"}); }
  CHECK_THROWS_AS(io::read_model_info(dir / "other.h5"), IoError);
}

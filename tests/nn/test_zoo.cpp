// Model zoo: every model validates its shapes, and its parameter and MAC counts equal
// the published values (sources per check; the architecture sources are cited in
// nn/src/zoo/<family>.cpp). Big models are built once each.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/zoo.hpp>

using namespace xbarsim;

namespace {

struct Counts {
  Shape out;
  std::uint64_t params = 0, macs = 0;
};

// Builds `name`, checks that shapes validate for batches 1 and 3 and that
// Network::num_params (the parameter tensors) agrees with the summary's costs.
Counts build_and_count(const std::string& name, std::size_t classes = 0, Shape input = {}) {
  Network net = make_model(name, classes, input);
  const std::vector<Shape> s3 = net.shapes(3);
  CHECK(s3.back().n == 3);
  const NetworkSummary sum = net.summary();
  CHECK(sum.total_params == net.num_params());
  return Counts{sum.layers.back().output, sum.total_params, sum.total_macs};
}

Shape node_shape(const Network& net, const std::string& node) { return net.shapes(1)[net.node(node)]; }

// |macs - published G| within the rounding of a value published to `digits` decimals.
bool gmacs_round_to(std::uint64_t macs, double published, int digits) {
  return std::abs(static_cast<double>(macs) / 1e9 - published) <= 0.5 * std::pow(10.0, -digits) + 1e-12;
}

}  // namespace

TEST_CASE("zoo: names and the unknown-name error", "[nn][zoo]") {
  const std::vector<std::string> names = zoo_models();
  REQUIRE(names.size() == 14);
  CHECK(names.front() == "lenet5");
  CHECK(names.back() == "mobilenet-v1");
  try {
    make_model("resnet19");
    FAIL("no error for an unknown model");
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("resnet19") != std::string::npos);  // names the model
    CHECK(msg.find("resnet18") != std::string::npos);  // lists the valid ones
    CHECK(msg.find("mobilenet-v1") != std::string::npos);
  }
}

TEST_CASE("zoo: lenet5 counts by hand, runs forward, takes other inputs and classes", "[nn][zoo]") {
  // Hand count: conv1 6*25+6 = 156, conv2 16*6*25+16 = 2416, conv3 120*16*25+120 = 48120,
  // fc1 84*120+84 = 10164, fc2 10*84+10 = 850 -> 61,706. MACs: 28*28*6*25 = 117,600,
  // 10*10*16*150 = 240,000, 120*400 = 48,000, 10,080, 840 -> 416,520.
  const Counts c = build_and_count("lenet5");
  CHECK(c.out == Shape{1, 10, 1, 1});
  CHECK(c.params == 61706);
  CHECK(c.macs == 416520);
  Network net = make_model("lenet5");
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  Tensor x(Shape{2, 1, 28, 28}, 0.5f);
  const Tensor& y = net.forward(x, ctx);
  CHECK(y.shape() == Shape{2, 10, 1, 1});
  for (std::size_t i = 0; i < y.size(); ++i) CHECK(std::isfinite(y[i]));
  // 32 x 32 input (the 1998 paper's): C5 is 2 x 2 so F6 takes 480 inputs (+360*84 params).
  const Counts c32 = build_and_count("lenet5", 0, Shape{0, 1, 32, 32});
  CHECK(c32.params == 61706 + 360 * 84);
  // 5 classes: fc2 = 5*84+5.
  CHECK(build_and_count("lenet5", 5).params == 61706 - 850 + 425);
  CHECK(build_and_count("lenet5", 5).out == Shape{1, 5, 1, 1});
  // 8 x 8 is too small for C3 (4 x 4 after S2): shapes() names the failing layer.
  try {
    make_model("lenet5", 0, Shape{0, 1, 8, 8}).shapes(1);
    FAIL("no error for an input too small for the model");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("conv2") != std::string::npos);
  }
}

TEST_CASE("zoo: alexnet (grouped) shapes and counts", "[nn][zoo]") {
  // Hand count of Krizhevsky et al. 2012 with groups = 2 in conv2/4/5:
  // conv 34,944 + 307,456 + 885,120 + 663,936 + 442,624, fc 37,752,832 + 16,781,312 +
  // 4,097,000 = 60,965,224. MACs: conv 105,415,200 + 223,948,800 + 149,520,384 +
  // 112,140,288 + 74,760,192 (= 665,784,864, the "666 M" of digital_references.md) + fc
  // 58,621,952 = 724,406,816.
  Network net = make_model("alexnet");
  CHECK(node_shape(net, "conv1") == Shape{1, 96, 55, 55});  // paper: 55 x 55 x 96
  CHECK(node_shape(net, "pool2") == Shape{1, 256, 13, 13});
  CHECK(node_shape(net, "pool5") == Shape{1, 256, 6, 6});
  const NetworkSummary s = net.summary();
  CHECK(s.total_params == 60965224);
  CHECK(s.total_macs == 724406816);
  CHECK(s.layers.back().output == Shape{1, 1000, 1, 1});
}

TEST_CASE("zoo: nin for CIFAR-10", "[nn][zoo]") {
  // Hand count (conv1 14,592, cccp1 30,880, cccp2 15,456, conv2 460,992, cccp3/4/5 37,056
  // each, conv3 331,968, cccp6 1,930) = 966,986; MACs 222,486,528. Caffe's ceil pooling
  // gives 16 x 16 and 8 x 8 maps (the released cifar10_nin prototxt).
  Network net = make_model("nin");
  CHECK(node_shape(net, "pool1") == Shape{1, 96, 16, 16});
  CHECK(node_shape(net, "pool2") == Shape{1, 192, 8, 8});
  const NetworkSummary s = net.summary();
  CHECK(s.total_params == 966986);
  CHECK(s.total_macs == 222486528);
  CHECK(s.layers.back().output == Shape{1, 10, 1, 1});
}

TEST_CASE("zoo: vgg8 matches NeuroSim's VGG-8", "[nn][zoo]") {
  // NeuroSim counts ops = sum 2 IFM_H IFM_W Cin K K Cout = 1.231835136 GOP for VGG-8
  // (reference/neurosim.md section 1.6) -> 615,917,568 MACs. Parameters without bias:
  // 3,456 + 147,456 + 294,912 + 589,824 + 1,179,648 + 2,359,296 + 8,388,608 + 10,240.
  const Counts c = build_and_count("vgg8");
  CHECK(c.macs * 2 == 1231835136ull);
  CHECK(c.params == 12973440);
  CHECK(c.out == Shape{1, 10, 1, 1});
}

TEST_CASE("zoo: resnet20 (option B shortcuts)", "[nn][zoo]") {
  // Hand count: option A (He 2016 CIFAR, identity shortcuts) has 269,722 parameters
  // (conv1 432 + bn 32, stage 1 14,016, stage 2 51,072, stage 3 203,520, fc 650); the two
  // 1 x 1 projections add 16*32 + 64 and 32*64 + 128 = 2,752 -> 272,474. MACs: conv1
  // 442,368, stage 1 6 x 2,359,296, stages 2 and 3 each 1,179,648 + 5 x 2,359,296 +
  // 131,072, fc 640 -> 40,813,184.
  const Counts c = build_and_count("resnet20");
  CHECK(c.params == 272474);
  CHECK(c.macs == 40813184);
  const Counts c100 = build_and_count("resnet20", 100);
  CHECK(c100.params == 272474 - 650 + 6500);
  CHECK(c100.out == Shape{1, 100, 1, 1});
}

TEST_CASE("zoo: mobilenet-v1", "[nn][zoo]") {
  // Parameters: 4,231,976 trainable in keras.applications.MobileNet(alpha=1.0) summary.
  // MACs: Howard et al. 2017 Table 1/8: 569 M mult-adds (rounded to 1 M).
  const Counts c = build_and_count("mobilenet-v1");
  CHECK(c.params == 4231976);
  CHECK(std::abs(static_cast<double>(c.macs) - 569e6) <= 0.5e6);
  CHECK(c.out == Shape{1, 1000, 1, 1});
}

TEST_CASE("zoo: googlenet", "[nn][zoo]") {
  // torchvision.models.googlenet docs: 6,624,904 parameters, 1.50 GFLOPS (MACs).
  Network net = make_model("googlenet");
  // Szegedy et al. 2015 Table 1: output sizes 28x28x256 (3a), 14x14x528 (4d -> 4e input),
  // 7x7x1024 (5b).
  CHECK(node_shape(net, "inception3a.concat") == Shape{1, 256, 28, 28});
  CHECK(node_shape(net, "inception4d.concat") == Shape{1, 528, 14, 14});
  CHECK(node_shape(net, "inception5b.concat") == Shape{1, 1024, 7, 7});
  const NetworkSummary s = net.summary();
  CHECK(s.total_params == 6624904);
  CHECK(gmacs_round_to(s.total_macs, 1.50, 2));
}

TEST_CASE("zoo: xception", "[nn][zoo]") {
  // Keras Xception summary: 22,855,952 trainable parameters; map sizes 147 x 147 x 64
  // (block1_conv2_act), 19 x 19 x 728 (middle flow), 10 x 10 x 2048 (block14).
  Network net = make_model("xception");
  CHECK(node_shape(net, "block1_conv2_act") == Shape{1, 64, 147, 147});
  CHECK(node_shape(net, "block2_add") == Shape{1, 128, 74, 74});
  CHECK(node_shape(net, "block3_add") == Shape{1, 256, 37, 37});
  CHECK(node_shape(net, "block12_add") == Shape{1, 728, 19, 19});
  CHECK(node_shape(net, "block14_sepconv2_act") == Shape{1, 2048, 10, 10});
  const NetworkSummary s = net.summary();
  CHECK(s.total_params == 22855952);
  CHECK(s.layers.back().output == Shape{1, 1000, 1, 1});
}

TEST_CASE("zoo: resnet18 and resnet50", "[nn][zoo]") {
  // torchvision docs: resnet18 11,689,512 params, 1.81 GFLOPS (MACs);
  // resnet50 25,557,032 params, 4.09 GFLOPS.
  const Counts r18 = build_and_count("resnet18");
  CHECK(r18.params == 11689512);
  CHECK(gmacs_round_to(r18.macs, 1.81, 2));
  const Counts r50 = build_and_count("resnet50");
  CHECK(r50.params == 25557032);
  CHECK(gmacs_round_to(r50.macs, 4.09, 2));
}

TEST_CASE("zoo: resnet152", "[nn][zoo]") {
  // torchvision docs: 60,192,808 params, 11.51 GFLOPS.
  const Counts c = build_and_count("resnet152");
  CHECK(c.params == 60192808);
  CHECK(gmacs_round_to(c.macs, 11.51, 2));
}

TEST_CASE("zoo: vgg16 (torchvision, no BN)", "[nn][zoo]") {
  // torchvision docs: 138,357,544 parameters, 15.47 GFLOPS (MACs).
  const Counts v16 = build_and_count("vgg16");
  CHECK(v16.params == 138357544);
  CHECK(gmacs_round_to(v16.macs, 15.47, 2));
}

// vgg11 and vgg19 allocate 0.5 and 0.6 G floats of weights and gradients (~4 s each).
TEST_CASE("zoo: vgg11 and vgg19 (torchvision, no BN)", "[nn][zoo][slow]") {
  // torchvision docs: params 132,863,336 / 143,667,240; GFLOPS (MACs) 7.61 / 19.63.
  const Counts v11 = build_and_count("vgg11");
  CHECK(v11.params == 132863336);
  CHECK(gmacs_round_to(v11.macs, 7.61, 2));
  const Counts v19 = build_and_count("vgg19");
  CHECK(v19.params == 143667240);
  CHECK(gmacs_round_to(v19.macs, 19.63, 2));
  // 448 x 448 ends in 14 x 14 maps: torchvision's AdaptiveAvgPool2d(7) is then an exact
  // 2 x 2 average pooling, the classifier keeps its 25,088 inputs and the parameter count.
  // MACs of the features scale by 4 (the pooling has none), the classifier's do not:
  // classifier 25088*4096 + 4096*4096 + 4096*1000 = 123,633,664.
  const Counts v448 = build_and_count("vgg11", 0, Shape{0, 3, 448, 448});
  CHECK(v448.params == 132863336);
  CHECK(v448.macs == (v11.macs - 123633664ull) * 4 + 123633664ull);
}

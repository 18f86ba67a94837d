// Structure-level compression transforms (issue 5): parameter counts by hand, exact
// sparsity, Eckart-Young errors, quantisation levels and errors, TWN / BinaryConnect by
// hand, and ConfigErrors that name the layer.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <set>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/compress.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/zoo.hpp>

using namespace xbarsim;

namespace {

// Deterministic nonzero pattern (no exact ties in |w| for distinct i).
float pattern(std::size_t i, double salt) {
  return static_cast<float>(std::sin(1.7 * static_cast<double>(i) + salt) + 0.01);
}

void fill_pattern(Tensor& t, double salt) {
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = pattern(i, salt);
}

Tensor make_input(Shape s, double salt) {
  Tensor x(s);
  fill_pattern(x, salt);
  return x;
}

Tensor run(Network& net, const Tensor& x) {
  DigitalBackend backend;
  LayerContext ctx;
  ctx.backend = &backend;
  return net.forward(x, ctx);
}

double max_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
  return m;
}

Conv2DSpec conv_spec(std::size_t in, std::size_t out, std::size_t k, std::size_t pad, std::size_t groups = 1) {
  Conv2DSpec s;
  s.in_channels = in;
  s.out_channels = out;
  s.kernel_h = s.kernel_w = k;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
  s.groups = groups;
  return s;
}

Pool2DSpec pool2() { return Pool2DSpec{}; }  // 2 x 2, stride 2

// input 2x6x6 -> c1 (2->4, 3x3, pad 1) -> bn1 -> r1 -> p1 (4x3x3) -> c2 (4->4, 3x3, pad 1)
// -> r2 -> fl (36) -> fc (36 -> 5).
// Params by hand: c1 4*2*9 + 4 = 76; bn1 2*4 = 8; c2 4*4*9 + 4 = 148; fc 36*5 + 5 = 185; total 417.
// c1's filters 1 and 3 and c2's filters 0 and 2 are zero with zero bias (L1 norm 0, so
// they are the ones removed at fraction 0.5), and bn1 maps channels 1 and 3 to 0
// (mean 0, beta 0): the pruned network computes exactly the same function.
Network small_net() {
  Network net(Shape{1, 2, 6, 6});
  net.add(std::make_unique<Conv2D>("c1", conv_spec(2, 4, 3, 1)));
  net.add(std::make_unique<BatchNorm2D>("bn1", 4));
  net.add(std::make_unique<Activation>("r1", ActivationKind::ReLU));
  net.add(std::make_unique<MaxPool2D>("p1", pool2()));
  net.add(std::make_unique<Conv2D>("c2", conv_spec(4, 4, 3, 1)));
  net.add(std::make_unique<Activation>("r2", ActivationKind::ReLU));
  net.add(std::make_unique<Flatten>("fl"));
  net.add(std::make_unique<Dense>("fc", 36, 5));
  auto& c1 = dynamic_cast<Conv2D&>(net.layer(net.node("c1")));
  auto& bn = dynamic_cast<BatchNorm2D&>(net.layer(net.node("bn1")));
  auto& c2 = dynamic_cast<Conv2D&>(net.layer(net.node("c2")));
  auto& fc = dynamic_cast<Dense&>(net.layer(net.node("fc")));
  fill_pattern(c1.weight().value, 0.1);
  fill_pattern(c1.bias()->value, 0.2);
  fill_pattern(c2.weight().value, 0.3);
  fill_pattern(c2.bias()->value, 0.4);
  fill_pattern(fc.weight().value, 0.5);
  for (std::size_t o : {1, 3}) {
    for (std::size_t i = 0; i < 18; ++i) c1.weight().value[o * 18 + i] = 0.0f;
    c1.bias()->value[o] = 0.0f;
  }
  for (std::size_t o : {0, 2}) {
    for (std::size_t i = 0; i < 36; ++i) c2.weight().value[o * 36 + i] = 0.0f;
    c2.bias()->value[o] = 0.0f;
  }
  for (std::size_t c = 0; c < 4; ++c) {
    bn.gamma().value[c] = 1.0f + 0.1f * static_cast<float>(c);
    bn.beta().value[c] = (c % 2 == 1) ? 0.0f : 0.05f;
    bn.running_mean()[c] = (c % 2 == 1) ? 0.0f : 0.1f;
    bn.running_var()[c] = 0.5f + 0.25f * static_cast<float>(c);
  }
  return net;
}

std::string where_of(const ConfigError& e) { return e.problems().empty() ? "" : e.problems()[0].where; }

// The ConfigError thrown by f, or fail.
template <class F>
ConfigError config_error(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  return ConfigError("", "");
}

Tensor& weight(Network& net, const std::string& name) {
  Layer& l = net.layer(net.node(name));
  if (auto* c = dynamic_cast<Conv2D*>(&l)) return c->weight().value;
  return dynamic_cast<Dense&>(l).weight().value;
}

// A network with one Dense layer (1 x 1 x 1 input of `in` channels) holding `w`.
Network dense_net(std::size_t in, std::size_t out, const std::vector<float>& w) {
  Network net(Shape{1, in, 1, 1});
  net.add(std::make_unique<Dense>("d", in, out));
  Tensor& t = weight(net, "d");
  REQUIRE(t.size() == w.size());
  for (std::size_t i = 0; i < w.size(); ++i) t[i] = w[i];
  return net;
}

// LeNet-5 (nn/src/zoo/lenet.cpp) parameters by hand: conv1 6*1*25 + 6 = 156; conv2
// 16*6*25 + 16 = 2416; conv3 120*16*25 + 120 = 48120; fc1 120*84 + 84 = 10164; fc2 84*10
// + 10 = 850; total 61706. Weights only: 150 + 2400 + 48000 + 10080 + 840 = 61470.
constexpr std::uint64_t kLenetParams = 61706, kLenetWeights = 61470;

}  // namespace

TEST_CASE("compress: filter pruning of a small conv/BN/dense network, counts by hand", "[mapping]") {
  Network net = small_net();
  REQUIRE(net.num_params() == 417);
  const Tensor x = make_input(Shape{3, 2, 6, 6}, 0.7);
  const Tensor before = run(net, x);

  const auto r = prune_filters(net, FilterPruneParams{0.5});
  // After: c1 2*2*9 + 2 = 38; bn1 2*2 = 4; c2 (2 in, 2 out) 2*2*9 + 2 = 38; fc 18*5 + 5 = 95.
  CHECK(r.params_before == 417);
  CHECK(r.params_after == 38 + 4 + 38 + 95);
  CHECK(net.num_params() == 175);
  CHECK(r.weights_before == 72 + 144 + 180);
  CHECK(r.weights_after == 36 + 36 + 90);
  // The zero-L1 filters were removed (ties: none among the nonzero ones).
  REQUIRE(r.layers.size() == 5);  // step c1: c1, bn1, c2 (its consumer); step c2: c2, fc
  CHECK(r.layers[0].name == "c1");
  CHECK(r.layers[0].removed == std::vector<std::size_t>{1, 3});
  CHECK(r.layers[0].channels_before == 4);
  CHECK(r.layers[0].channels_after == 2);
  CHECK(r.layers[1].name == "bn1");
  CHECK(r.layers[1].params_after == 4);
  CHECK(r.layers[2].name == "c2");
  CHECK(r.layers[3].name == "c2");
  CHECK(r.layers[3].removed == std::vector<std::size_t>{0, 2});
  CHECK(r.layers[4].name == "fc");
  CHECK(r.layers[4].channels_before == 36);
  CHECK(r.layers[4].channels_after == 18);
  // The removed channels carried exactly zero, so the function is unchanged.
  const Tensor after = run(net, x);
  CHECK(max_diff(before, after) < 1e-5);
}

TEST_CASE("compress: filter pruning of LeNet-5, counts by hand, still runs", "[mapping]") {
  Network net = make_model("lenet5");
  REQUIRE(net.num_params() == kLenetParams);
  auto r = prune_filters(net, FilterPruneParams{0.5}, {"conv1", "conv3"});
  // conv1 6 -> 3: 3*25 + 3 = 78; conv2 inputs 6 -> 3: 16*3*25 + 16 = 1216; conv3 120 -> 60:
  // 60*16*25 + 60 = 24060; fc1 inputs 120 -> 60 (1 x 1 map): 60*84 + 84 = 5124; fc2 850.
  CHECK(r.params_after == 78 + 1216 + 24060 + 5124 + 850);
  CHECK(net.num_params() == 31328);
  CHECK(run(net, make_input(Shape{2, 1, 28, 28}, 0.3)).shape() == (Shape{2, 10, 1, 1}));

  Network all = make_model("lenet5");
  prune_filters(all, FilterPruneParams{0.5});
  // Every conv: conv1 78; conv2 8*3*25 + 8 = 608; conv3 60*8*25 + 60 = 12060; fc1 5124; fc2 850.
  CHECK(all.num_params() == 78 + 608 + 12060 + 5124 + 850);
}

TEST_CASE("compress: filter pruning errors name the layer and leave the network unchanged", "[mapping]") {
  SECTION("residual Add") {
    Network net(Shape{1, 2, 4, 4});
    net.add(std::make_unique<Conv2D>("a", conv_spec(2, 2, 3, 1)));
    net.add(std::make_unique<Conv2D>("b", conv_spec(2, 2, 3, 1)));
    net.add(std::make_unique<Add>("sum"), {"a", "b"});
    net.add(std::make_unique<Flatten>("fl"));
    net.add(std::make_unique<Dense>("fc", 32, 3));
    const auto p = net.num_params();
    CHECK(where_of(config_error([&] { prune_filters(net, FilterPruneParams{0.5}, {"a"}); })) == "sum");
    CHECK(where_of(config_error([&] { prune_filters(net, FilterPruneParams{0.5}, {"b"}); })) == "sum");
    CHECK(net.num_params() == p);
  }
  SECTION("ResNet-20 from the zoo: the error names its residual Add") {
    Network net = make_model("resnet20");
    const auto e = config_error([&] { prune_filters(net, FilterPruneParams{0.5}); });
    CHECK(net.layer(net.node(where_of(e))).type() == "Add");
  }
  SECTION("Concat") {
    Network net(Shape{1, 2, 4, 4});
    net.add(std::make_unique<Conv2D>("a", conv_spec(2, 2, 3, 1)));
    net.add(std::make_unique<Conv2D>("b", conv_spec(2, 2, 3, 1)), {"input"});
    net.add(std::make_unique<Concat>("cat"), {"a", "b"});
    CHECK(where_of(config_error([&] { prune_filters(net, FilterPruneParams{0.5}, {"a"}); })) == "cat");
  }
  SECTION("grouped convolutions") {
    Network net(Shape{1, 4, 4, 4});
    net.add(std::make_unique<Conv2D>("a", conv_spec(4, 4, 3, 1)));
    net.add(std::make_unique<Conv2D>("g", conv_spec(4, 4, 3, 1, 2)));
    net.add(std::make_unique<Flatten>("fl"));
    net.add(std::make_unique<Dense>("fc", 64, 3));
    CHECK(where_of(config_error([&] { prune_filters(net, FilterPruneParams{0.5}, {"a"}); })) == "g");
    CHECK(where_of(config_error([&] { prune_filters(net, FilterPruneParams{0.5}, {"g"}); })) == "g");
    CHECK(where_of(config_error([&] { low_rank(net, LowRankParams{1, 0.5}, {"g"}); })) == "g");
    // Pruning every conv fails at g and leaves a unchanged too.
    const auto p = net.num_params();
    CHECK(where_of(config_error([&] { prune_filters(net, FilterPruneParams{0.5}); })) == "g");
    CHECK(net.num_params() == p);
  }
  SECTION("output layer, unknown names, bad parameters") {
    Network net(Shape{1, 2, 4, 4});
    net.add(std::make_unique<Conv2D>("a", conv_spec(2, 2, 3, 1)));
    net.add(std::make_unique<Activation>("relu", ActivationKind::ReLU));
    CHECK(where_of(config_error([&] { prune_filters(net, FilterPruneParams{0.5}); })) == "relu");
    CHECK(where_of(config_error([&] { prune_filters(net, FilterPruneParams{0.5}, {"nope"}); })) == "nope");
    CHECK(where_of(config_error([&] { quantize(net, QuantizeParams{8, "per_tensor"}, {"relu"}); })) == "relu");
    CHECK(where_of(config_error([&] { quantize(net, QuantizeParams{1, "per_tensor"}); })) == "quantize.bits");
    CHECK(where_of(config_error([&] { binarize(net, BinarizeParams{"sometimes"}); })) == "binarize.scale");
    CHECK(where_of(config_error([&] { low_rank(net, LowRankParams{3, 0.5}); })) == "a");  // full rank min(2, 18) = 2
  }
}

TEST_CASE("compress: magnitude pruning zeroes exactly the requested fraction", "[mapping]") {
  SECTION("ties broken by position") {
    // |w| = 1 1 1 0.5 0.5 2, fraction 0.5 -> k = 3: the two 0.5s, then the first 1 (index 0).
    Network net = dense_net(6, 1, {1, -1, 1, 0.5f, -0.5f, 2});
    const auto r = prune_magnitude(net, MagnitudePruneParams{0.5, "global"});
    const Tensor& w = weight(net, "d");
    const std::vector<float> expect = {0, -1, 1, 0, 0, 2};
    for (std::size_t i = 0; i < 6; ++i) CHECK(w[i] == expect[i]);
    CHECK(r.sparsity() == 0.5);
  }
  SECTION("LeNet-5, global") {
    Network net = make_model("lenet5");
    const auto r = prune_magnitude(net, MagnitudePruneParams{0.3, "global"});
    REQUIRE(r.nonzero_before == kLenetWeights);  // no zero weights before
    // k = round(0.3 * 61470) = round(18441.0) = 18441.
    CHECK(r.nonzero_after == kLenetWeights - 18441);
    CHECK(r.sparsity() == Approx(18441.0 / 61470.0).epsilon(1e-12));
    CHECK(r.params_after == kLenetParams);
    // Global threshold: every zeroed weight had |w| <= every kept one.
    Network orig = make_model("lenet5");
    float max_pruned = 0.0f, min_kept = 1e9f;
    std::size_t changed = 0;  // kept weights must keep their values
    for (const char* n : {"conv1", "conv2", "conv3", "fc1", "fc2"}) {
      const Tensor& a = weight(orig, n);
      const Tensor& b = weight(net, n);
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (b[i] == 0.0f)
          max_pruned = std::max(max_pruned, std::abs(a[i]));
        else
          min_kept = std::min(min_kept, std::abs(a[i]));
        if (b[i] != 0.0f && b[i] != a[i]) ++changed;
      }
    }
    CHECK(changed == 0);
    CHECK(max_pruned <= min_kept);
    CHECK(run(net, make_input(Shape{1, 1, 28, 28}, 0.1)).shape() == (Shape{1, 10, 1, 1}));
  }
  SECTION("LeNet-5, per layer") {
    Network net = make_model("lenet5");
    const auto r = prune_magnitude(net, MagnitudePruneParams{0.25, "layer"});
    // round(0.25 n): conv1 150 -> 38 (37.5 rounds away from zero), conv2 2400 -> 600,
    // conv3 48000 -> 12000, fc1 10080 -> 2520, fc2 840 -> 210.
    const std::vector<std::uint64_t> zeroed = {38, 600, 12000, 2520, 210};
    REQUIRE(r.layers.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) CHECK(r.layers[i].weights_after - r.layers[i].nonzero_after == zeroed[i]);
  }
}

TEST_CASE("compress: SVD of Dense is the Eckart-Young best rank-r approximation", "[mapping]") {
  // W = Q [diag(3, 2, 1) | 0] with Q a 45-degree rotation of the first two coordinates:
  // singular values 3, 2, 1; rank-1 error sqrt(2^2 + 1^2) = sqrt(5), rank-2 error 1.
  // The best rank-1 approximation is 3 q1 e1^T with q1 = (a, a, 0), a = 1/sqrt(2).
  const float a = static_cast<float>(1.0 / std::sqrt(2.0));
  const std::vector<float> w = {3 * a, -2 * a, 0, 0, 3 * a, 2 * a, 0, 0, 0, 0, 1, 0};
  for (int rank : {1, 2}) {
    Network net = dense_net(4, 3, w);
    const auto r = low_rank(net, LowRankParams{rank, 0.5});
    REQUIRE(r.layers.size() == 1);
    const auto& e = r.layers[0];
    REQUIRE(e.singular_values.size() == 3);
    CHECK(e.singular_values[0] == Approx(3).epsilon(1e-6));
    CHECK(e.singular_values[1] == Approx(2).epsilon(1e-6));
    CHECK(e.singular_values[2] == Approx(1).epsilon(1e-6));
    const double expect = rank == 1 ? std::sqrt(5.0) : 1.0;
    CHECK(e.frobenius_error_eckart_young == Approx(expect).epsilon(1e-6));
    CHECK(e.frobenius_error == Approx(expect).epsilon(1e-6));
    // Params: r (4 + 3) + 3 bias.
    CHECK(r.params_after == static_cast<std::uint64_t>(rank * 7 + 3));
    CHECK(e.new_layers == std::vector<std::string>{"d.lowrank", "d"});
    if (rank == 1) {                               // product of the two weights = 3 q1 e1^T
      const Tensor& A = weight(net, "d.lowrank");  // 1 x 4
      const Tensor& B = weight(net, "d");          // 3 x 1
      const double best[3][4] = {{3 * a, 0, 0, 0}, {3 * a, 0, 0, 0}, {0, 0, 0, 0}};
      for (int o = 0; o < 3; ++o)
        for (int i = 0; i < 4; ++i) CHECK(B[o] * A[i] == Approx(best[o][i]).margin(1e-6));
    }
  }
}

TEST_CASE("compress: SVD of LeNet-5, counts by hand, full rank reproduces outputs", "[mapping]") {
  Network net = make_model("lenet5");
  auto r = low_rank(net, LowRankParams{10, 0.5}, {"fc1"});
  // fc1 120 -> 84 at rank 10: 10*120 + 84*10 + 84 = 2124 instead of 10164.
  CHECK(r.params_after == kLenetParams - 10164 + 2124);
  CHECK(r.layers[0].frobenius_error == Approx(r.layers[0].frobenius_error_eckart_young).epsilon(1e-4));
  Network net2 = make_model("lenet5");
  r = low_rank(net2, LowRankParams{4, 0.5}, {"conv2"});
  // conv2 at rank 4: 4 filters of 6x5x5 (600) + 1x1 conv 16 x 4 (64) + bias 16 = 680 (was 2416).
  CHECK(r.params_after == kLenetParams - 2416 + 680);
  CHECK(r.layers[0].full_rank == 16);
  CHECK(r.layers[0].frobenius_error == Approx(r.layers[0].frobenius_error_eckart_young).epsilon(1e-4));

  // Full rank everywhere (conv1 6, conv2 16, conv3 120, fc1 84, fc2 10) reproduces logits.
  Network orig = make_model("lenet5");
  Network full = make_model("lenet5");
  const Tensor x = make_input(Shape{4, 1, 28, 28}, 0.9);
  const Tensor ref = run(orig, x);
  low_rank(full, LowRankParams{0, 1.0});
  CHECK(full.num_nodes() == orig.num_nodes() + 5);
  CHECK(max_diff(ref, run(full, x)) < 1e-4);
}

TEST_CASE("compress: SVD of a strided Conv2D, full rank exact", "[mapping]") {
  Network net(Shape{1, 2, 7, 7});
  Conv2DSpec s = conv_spec(2, 3, 3, 1);
  s.stride_h = s.stride_w = 2;
  net.add(std::make_unique<Conv2D>("c", s));
  fill_pattern(weight(net, "c"), 0.2);
  const Tensor x = make_input(Shape{2, 2, 7, 7}, 0.4);
  const Tensor ref = run(net, x);
  const auto r = low_rank(net, LowRankParams{3, 0.5});  // full rank min(3, 18) = 3
  // 3 filters 2x3x3 (54) + 1x1 conv 3 x 3 (9) + bias 3 = 66 (was 3*18 + 3 = 57).
  CHECK(r.params_before == 57);
  CHECK(r.params_after == 66);
  CHECK(max_diff(ref, run(net, x)) < 1e-4);
  Network one(Shape{1, 2, 7, 7});
  one.add(std::make_unique<Conv2D>("c", s));
  CHECK(low_rank(one, LowRankParams{1, 0.5}).params_after == 18 + 3 + 3);
}

TEST_CASE("compress: uniform quantisation levels and error", "[mapping]") {
  SECTION("4 bits by hand") {
    // L = 7, step = 1.4 / 7 = 0.2; w / step = 7, -2.25, 1.55, -1, 0.25 -> 7, -2, 2, -1, 0.
    Network net = dense_net(5, 1, {1.4f, -0.45f, 0.31f, -0.2f, 0.05f});
    const auto r = quantize(net, QuantizeParams{4, "per_tensor"});
    const Tensor& w = weight(net, "d");
    const std::vector<double> expect = {1.4, -0.4, 0.4, -0.2, 0.0};
    for (std::size_t i = 0; i < 5; ++i) CHECK(w[i] == Approx(expect[i]).margin(1e-6));
    CHECK(r.layers[0].levels == 15);
    CHECK(r.layers[0].scales[0] == Approx(0.2).epsilon(1e-6));
    CHECK(r.layers[0].max_abs_error == Approx(0.09).epsilon(1e-5));  // |0.31 - 0.4|
  }
  SECTION("2 bits per channel by hand") {
    // row 0: step 1 (L = 1): 1, 0.5 -> 1 (half away from zero), -0.25 -> 0;
    // row 1: step 0.3: 0.1/0.3 -> 0, -1, 0.2/0.3 -> 1.
    Network net = dense_net(3, 2, {1.0f, 0.5f, -0.25f, 0.1f, -0.3f, 0.2f});
    const auto r = quantize(net, QuantizeParams{2, "per_channel"});
    const Tensor& w = weight(net, "d");
    const std::vector<double> expect = {1, 1, 0, 0, -0.3, 0.3};
    for (std::size_t i = 0; i < 6; ++i) CHECK(w[i] == Approx(expect[i]).margin(1e-6));
    CHECK(r.layers[0].levels == 3);
    REQUIRE(r.layers[0].scales.size() == 2);
  }
  SECTION("LeNet-5 at 8, 4, 2 bits: levels on the grid, error <= step / 2") {
    for (int bits : {8, 4, 2})
      for (const char* g : {"per_tensor", "per_channel"}) {
        Network orig = make_model("lenet5");
        Network net = make_model("lenet5");
        const auto r = quantize(net, QuantizeParams{bits, g});
        const double L = std::pow(2.0, bits - 1) - 1;
        REQUIRE(r.layers.size() == 5);
        for (const auto& e : r.layers) {
          CHECK(e.levels == static_cast<std::size_t>(2 * L + 1));  // 255, 15, 3
          const Tensor& a = weight(orig, e.name);
          const Tensor& b = weight(net, e.name);
          const std::size_t groups = e.scales.size(), len = a.size() / groups;
          std::set<float> distinct;
          double off_grid = 0.0, max_level = 0.0, worst = 0.0;  // worst: max |error| / (step / 2)
          for (std::size_t i = 0; i < a.size(); ++i) {
            const double step = e.scales[i / len];
            const double q = b[i] / step;
            off_grid = std::max(off_grid, std::abs(q - std::round(q)));
            max_level = std::max(max_level, std::abs(q));
            worst = std::max(worst, std::abs(static_cast<double>(b[i]) - a[i]) / (step / 2));
            distinct.insert(b[i]);
          }
          CHECK(off_grid < 1e-3);
          CHECK(max_level <= L + 1e-3);
          CHECK(worst <= 1 + 1e-5);
          CHECK(e.max_abs_error <= (groups == 1 ? e.scales[0] / 2 * (1 + 1e-5) : 1e9));
          if (groups == 1) CHECK(distinct.size() <= static_cast<std::size_t>(2 * L + 1));
        }
        CHECK(run(net, make_input(Shape{1, 1, 28, 28}, 0.2)).shape() == (Shape{1, 10, 1, 1}));
      }
  }
}

TEST_CASE("compress: ternary (TWN) and binary (BinaryConnect / BWN) by hand", "[mapping]") {
  SECTION("TWN") {
    // mean|w| = (0.1 + 0.5 + 0.9 + 1.3 + 0.05 + 0.6) / 6 = 0.575; delta = 0.7 * 0.575 = 0.4025;
    // |w| > delta: 0.5, 0.9, 1.3, 0.6 -> alpha = 3.3 / 4 = 0.825.
    Network net = dense_net(6, 1, {0.1f, -0.5f, 0.9f, -1.3f, 0.05f, 0.6f});
    const auto r = ternarize(net, TernarizeParams{});
    CHECK(r.layers[0].threshold == Approx(0.4025).epsilon(1e-6));
    CHECK(r.layers[0].scales[0] == Approx(0.825).epsilon(1e-6));
    const Tensor& w = weight(net, "d");
    const std::vector<double> expect = {0, -0.825, 0.825, -0.825, 0, 0.825};
    for (std::size_t i = 0; i < 6; ++i) CHECK(w[i] == Approx(expect[i]).margin(1e-6));
    CHECK(r.nonzero_after == 4);
  }
  SECTION("BinaryConnect with the layer mean|w|") {
    // mean|w| = (0.5 + 1.5 + 0 + 3) / 4 = 1.25; sign(0) = +1.
    Network net = dense_net(4, 1, {0.5f, -1.5f, 0.0f, 3.0f});
    const auto r = binarize(net, BinarizeParams{"layer_mean_abs"});
    const Tensor& w = weight(net, "d");
    const std::vector<double> expect = {1.25, -1.25, 1.25, 1.25};
    for (std::size_t i = 0; i < 4; ++i) CHECK(w[i] == Approx(expect[i]));
    CHECK(r.layers[0].scales[0] == Approx(1.25));
  }
  SECTION("plain sign and per-filter (XNOR-Net BWN) scales") {
    Network a = dense_net(4, 1, {0.5f, -1.5f, 0.0f, 3.0f});
    binarize(a, BinarizeParams{"none"});
    const std::vector<double> sign = {1, -1, 1, 1};
    for (std::size_t i = 0; i < 4; ++i) CHECK(weight(a, "d")[i] == sign[i]);
    // rows [1, -3] -> alpha 2; [0.5, 0.5] -> alpha 0.5.
    Network b = dense_net(2, 2, {1.0f, -3.0f, 0.5f, 0.5f});
    binarize(b, BinarizeParams{"channel_mean_abs"});
    const std::vector<double> expect = {2, -2, 0.5, 0.5};
    for (std::size_t i = 0; i < 4; ++i) CHECK(weight(b, "d")[i] == Approx(expect[i]));
  }
}

TEST_CASE("compress: transforms by name equal the direct calls, bad names and settings are named", "[mapping]") {
  // By name, the same counts as the direct call of the LeNet-5 case above (31,328).
  Network net = make_model("lenet5");
  const auto r = apply_compression(net, "filter_prune: fraction=0.5, layers=conv1|conv3");
  CHECK(r.transform == "filter_prune");
  CHECK(net.num_params() == 31328);

  Network q = make_model("lenet5");
  const auto rq = apply_compression(q, "quantize:bits=4,granularity=per_channel");
  REQUIRE(rq.layers.size() == 5);
  CHECK(rq.layers[0].bits == 4);
  CHECK(rq.layers[0].scales.size() == 6);  // per channel: one step per conv1 filter

  auto where = [](const char* text) {
    Network n = make_model("lenet5");
    try {
      apply_compression(n, text);
    } catch (const ConfigError& e) {
      return e.problems().front().where;
    }
    return std::string("no error");
  };
  CHECK(where("prune") == "compress");
  CHECK(where("quantize:bitz=4") == "compress.quantize.bitz");
  CHECK(where("quantize:bits=four") == "compress.quantize.bits");
  CHECK(where("quantize:bits=4,bits=2") == "compress.quantize.bits");
  CHECK(where("low_rank:layers=conv1||fc1") == "compress.low_rank.layers");
  CHECK(where("ternarize:layers=nope") != "no error");
}

TEST_CASE("compress: magnitude bits needed after quantisation", "[mapping]") {
  // 2 L + 1 levels need the smallest b with 2^b - 1 >= L: 8-bit quantisation has L = 127
  // -> 7 bits, 4-bit L = 7 -> 3, 2-bit L = 1 -> 1; binary (2 levels) and ternary (3) -> 1.
  CHECK(magnitude_bits_for_levels(255) == 7);
  CHECK(magnitude_bits_for_levels(15) == 3);
  CHECK(magnitude_bits_for_levels(3) == 1);
  CHECK(magnitude_bits_for_levels(2) == 1);
  CHECK(magnitude_bits_for_levels(0) == 0);
}

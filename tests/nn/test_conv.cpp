// Conv2D: every algorithm against a naive direct convolution written here (the
// definition of PyTorch's Conv2d cross-correlation), hand-computed cases, numerical
// gradients, hand-counted arithmetic and configuration errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>

#include "gradcheck.hpp"

using namespace xbarsim;

namespace {

// Reference: y[n, co, oh, ow] = b[co] + sum_{c in group, i, j} w[co, c, i, j]
// x[n, g Cg + c, oh sh - pt + i dh, ow sw - pl + j dw] (zero outside), in double.
Tensor direct_conv(const Tensor& x, const Tensor& w, const float* bias, const Conv2DSpec& s) {
  const Shape xs = x.shape();
  const long H = static_cast<long>(xs.h), W = static_cast<long>(xs.w);
  const long ho =
      (H + static_cast<long>(s.pad_top + s.pad_bottom) - static_cast<long>(s.dilation_h * (s.kernel_h - 1)) - 1) /
          static_cast<long>(s.stride_h) +
      1;
  const long wo =
      (W + static_cast<long>(s.pad_left + s.pad_right) - static_cast<long>(s.dilation_w * (s.kernel_w - 1)) - 1) /
          static_cast<long>(s.stride_w) +
      1;
  Tensor y(Shape{xs.n, s.out_channels, static_cast<std::size_t>(ho), static_cast<std::size_t>(wo)});
  const std::size_t cg = s.in_channels / s.groups, mg = s.out_channels / s.groups;
  for (std::size_t n = 0; n < xs.n; ++n)
    for (std::size_t co = 0; co < s.out_channels; ++co)
      for (long oh = 0; oh < ho; ++oh)
        for (long ow = 0; ow < wo; ++ow) {
          double acc = bias ? bias[co] : 0.0;
          const std::size_t g = co / mg;
          for (std::size_t c = 0; c < cg; ++c)
            for (std::size_t i = 0; i < s.kernel_h; ++i)
              for (std::size_t j = 0; j < s.kernel_w; ++j) {
                const long ih = oh * static_cast<long>(s.stride_h) - static_cast<long>(s.pad_top) +
                                static_cast<long>(i * s.dilation_h);
                const long iw = ow * static_cast<long>(s.stride_w) - static_cast<long>(s.pad_left) +
                                static_cast<long>(j * s.dilation_w);
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += static_cast<double>(w.at(co, c, i, j)) *
                       x.at(n, g * cg + c, static_cast<std::size_t>(ih), static_cast<std::size_t>(iw));
              }
          y.at(n, co, static_cast<std::size_t>(oh), static_cast<std::size_t>(ow)) = static_cast<float>(acc);
        }
  return y;
}

Tensor run(Conv2D& conv, const Tensor& x, MatVecBackend* be = nullptr) {
  DigitalBackend digital;
  LayerContext ctx;
  ctx.backend = be ? be : &digital;
  Tensor y;
  conv.forward({&x}, y, ctx);
  return y;
}

// |a - ref| <= 1e-4 max(1, max |ref|) elementwise (float GEMM / transform rounding).
void check_close(const Tensor& a, const Tensor& ref) {
  REQUIRE(a.shape() == ref.shape());
  double scale = 1.0;
  for (std::size_t e = 0; e < ref.size(); ++e) scale = std::max(scale, static_cast<double>(std::abs(ref[e])));
  for (std::size_t e = 0; e < ref.size(); ++e) {
    INFO("element " << e);
    CHECK(std::abs(a[e] - ref[e]) <= 1e-4 * scale);
  }
}

Conv2DSpec spec(std::size_t cin, std::size_t cout, std::size_t kh, std::size_t kw) {
  Conv2DSpec s;
  s.in_channels = cin;
  s.out_channels = cout;
  s.kernel_h = kh;
  s.kernel_w = kw;
  return s;
}

// Each backend call recorded (ids and shapes), products computed exactly.
struct RecordingBackend final : MatVecBackend {
  std::vector<std::size_t> groups;
  std::vector<std::size_t> cols;
  float gain = 1.0f;
  void forward(const MatVecId& id, const arma::fmat& W, const arma::fmat& X, arma::fmat& Y) override {
    groups.push_back(id.group);
    cols.push_back(X.n_cols);
    Y = gain * (W * X);
  }
  void backward(const MatVecId&, const arma::fmat& W, const arma::fmat& dY, arma::fmat& dX) override {
    dX = W.t() * dY;
  }
};

}  // namespace

TEST_CASE("conv2d: a hand-computed 2x2 kernel with and without padding", "[nn][conv]") {
  // x = [1 2 3; 4 5 6; 7 8 9], w = [1 0; 0 -1], b = 0.5: y(i, j) = x(i, j) - x(i+1, j+1)
  // + 0.5 = -4 + 0.5 = -3.5 everywhere (2x2). With padding 1 the 4x4 output's corner
  // (0, 0) only sees -x(0, 0): -1 + 0.5 = -0.5; corner (3, 3) only sees x(2, 2) = 9: 9.5.
  Conv2DSpec s = spec(1, 1, 2, 2);
  Conv2D conv("c", s);
  const float w[] = {1, 0, 0, -1};
  std::copy(w, w + 4, conv.weight().value.data());
  conv.bias()->value[0] = 0.5f;
  Tensor x(Shape{1, 1, 3, 3});
  for (std::size_t k = 0; k < 9; ++k) x[k] = static_cast<float>(k + 1);
  const Tensor y = run(conv, x);
  REQUIRE(y.shape() == Shape{1, 1, 2, 2});
  for (std::size_t k = 0; k < 4; ++k) CHECK(y[k] == Approx(-3.5));
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  Conv2D padded("p", s);
  std::copy(w, w + 4, padded.weight().value.data());
  padded.bias()->value[0] = 0.5f;
  const Tensor yp = run(padded, x);
  REQUIRE(yp.shape() == Shape{1, 1, 4, 4});
  CHECK(yp.at(0, 0, 0, 0) == Approx(-0.5));
  CHECK(yp.at(0, 0, 3, 3) == Approx(9.5));
  CHECK(yp.at(0, 0, 1, 1) == Approx(-3.5));
}

TEST_CASE("conv2d: im2col and FFT match a direct convolution over many configurations", "[nn][conv]") {
  struct Case {
    const char* what;
    Conv2DSpec s;
    Shape in;
  };
  std::vector<Case> cases;
  auto add = [&](const char* what, Conv2DSpec s, Shape in) { cases.push_back({what, s, in}); };
  {
    Conv2DSpec s = spec(3, 4, 3, 3);
    s.stride_h = s.stride_w = 2;
    add("stride 2", s, Shape{2, 3, 9, 8});
  }
  {
    Conv2DSpec s = spec(2, 3, 3, 3);
    s.pad_top = 2, s.pad_left = 0, s.pad_bottom = 1, s.pad_right = 3;
    add("asymmetric pads", s, Shape{2, 2, 6, 5});
  }
  {
    Conv2DSpec s = spec(2, 2, 3, 3);
    s.dilation_h = s.dilation_w = 2;
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
    add("dilation 2", s, Shape{2, 2, 9, 9});
  }
  {
    Conv2DSpec s = spec(4, 6, 3, 3);
    s.groups = 2;
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
    add("groups 2", s, Shape{3, 4, 5, 6});
  }
  {
    Conv2DSpec s = spec(5, 5, 3, 3);
    s.groups = 5;
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
    add("depthwise", s, Shape{2, 5, 6, 6});
  }
  add("1x1", spec(6, 4, 1, 1), Shape{2, 6, 4, 5});
  {
    Conv2DSpec s = spec(2, 3, 2, 5);
    s.stride_w = 2;
    s.dilation_h = 2;
    s.pad_left = 1;
    s.bias = false;
    add("non-square kernel, no bias", s, Shape{2, 2, 7, 11});
  }
  {
    Conv2DSpec s = spec(3, 4, 3, 3);
    s.stride_h = 2;
    s.dilation_w = 3;
    s.groups = 1;
    s.pad_top = 1;
    s.pad_right = 2;
    add("mixed stride/dilation/pads", s, Shape{1, 3, 8, 10});
  }
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    INFO(c.what);
    Conv2D conv("conv", c.s);
    const Tensor x = test::random_tensor(c.in, 40 + static_cast<std::uint32_t>(k));
    const Tensor ref = direct_conv(x, conv.weight().value, c.s.bias ? conv.bias()->value.data() : nullptr, c.s);
    check_close(run(conv, x), ref);
    conv.set_algorithm(ConvAlgorithm::Fft);
    check_close(run(conv, x), ref);
    CHECK(conv.output_shape({x.shape()}) == ref.shape());
  }
}

TEST_CASE("conv2d: Winograd F(2x2,3x3) matches the direct convolution", "[nn][conv][winograd]") {
  struct Case {
    Conv2DSpec s;
    Shape in;
  };
  std::vector<Case> cases;
  {
    Conv2DSpec s = spec(3, 4, 3, 3);  // even output (2x2 tiles exactly)
    cases.push_back({s, Shape{2, 3, 6, 6}});
  }
  {
    Conv2DSpec s = spec(2, 3, 3, 3);  // odd output, asymmetric pads: partial edge tiles
    s.pad_top = 2, s.pad_left = 0, s.pad_bottom = 1, s.pad_right = 1;
    cases.push_back({s, Shape{2, 2, 7, 6}});
  }
  {
    Conv2DSpec s = spec(4, 6, 3, 3);  // groups
    s.groups = 2;
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
    cases.push_back({s, Shape{2, 4, 5, 9}});
  }
  {
    Conv2DSpec s = spec(3, 3, 3, 3);  // depthwise, no bias, 1-wide output
    s.groups = 3;
    s.bias = false;
    cases.push_back({s, Shape{1, 3, 3, 4}});
  }
  for (std::size_t k = 0; k < cases.size(); ++k) {
    INFO("case " << k);
    Conv2DSpec s = cases[k].s;
    s.algorithm = ConvAlgorithm::Winograd;
    Conv2D conv("wino", s);
    const Tensor x = test::random_tensor(cases[k].in, 60 + static_cast<std::uint32_t>(k));
    const Tensor ref = direct_conv(x, conv.weight().value, s.bias ? conv.bias()->value.data() : nullptr, s);
    check_close(run(conv, x), ref);
  }
}

TEST_CASE("conv2d: one backend call per group for the whole batch, through the backend", "[nn][conv]") {
  // The layer must compute through ctx.backend: a backend that doubles W X doubles the
  // bias-free output; the batch is folded into the columns (N Ho Wo of them).
  Conv2DSpec s = spec(4, 6, 3, 3);
  s.groups = 2;
  s.bias = false;
  Conv2D conv("grp", s);
  const Tensor x = test::random_tensor(Shape{3, 4, 5, 5}, 7);
  RecordingBackend be;
  be.gain = 2.0f;
  const Tensor y = run(conv, x, &be);
  REQUIRE(be.groups == std::vector<std::size_t>{0, 1});
  CHECK(be.cols == std::vector<std::size_t>{3 * 9, 3 * 9});
  const Tensor ref = direct_conv(x, conv.weight().value, nullptr, s);
  for (std::size_t e = 0; e < y.size(); ++e) CHECK(y[e] == Approx(2.0 * ref[e]).margin(1e-4));
}

TEST_CASE("conv2d gradients match central differences", "[nn][conv][grad]") {
  SECTION("plain 3x3, padding 1") {
    Conv2DSpec s = spec(2, 3, 3, 3);
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
    Conv2D conv("g1", s);
    test::check_gradients(conv, {test::random_tensor(Shape{2, 2, 5, 4}, 1)});
  }
  SECTION("stride 2, asymmetric pads, non-square kernel") {
    Conv2DSpec s = spec(2, 2, 2, 3);
    s.stride_h = s.stride_w = 2;
    s.pad_top = 1, s.pad_right = 2;
    Conv2D conv("g2", s);
    test::check_gradients(conv, {test::random_tensor(Shape{2, 2, 7, 6}, 2)});
  }
  SECTION("dilation 2") {
    Conv2DSpec s = spec(2, 2, 3, 3);
    s.dilation_h = s.dilation_w = 2;
    s.pad_top = s.pad_left = 1;
    Conv2D conv("g3", s);
    test::check_gradients(conv, {test::random_tensor(Shape{2, 2, 7, 7}, 3)});
  }
  SECTION("groups 2 and depthwise") {
    Conv2DSpec s = spec(4, 6, 3, 3);
    s.groups = 2;
    s.pad_top = s.pad_bottom = 1;
    Conv2D conv("g4", s);
    test::check_gradients(conv, {test::random_tensor(Shape{2, 4, 5, 5}, 4)});
    Conv2DSpec d = spec(3, 3, 3, 3);
    d.groups = 3;
    d.bias = false;
    Conv2D dw("g5", d);
    test::check_gradients(dw, {test::random_tensor(Shape{2, 3, 5, 5}, 5)});
  }
  SECTION("Winograd and FFT forwards with the shared backward") {
    Conv2DSpec s = spec(2, 3, 3, 3);
    s.pad_top = s.pad_left = 1;
    s.algorithm = ConvAlgorithm::Winograd;
    Conv2D w("g6", s);
    test::check_gradients(w, {test::random_tensor(Shape{2, 2, 5, 5}, 6)});
    s.algorithm = ConvAlgorithm::Fft;
    s.stride_h = 2;
    Conv2D f("g7", s);
    test::check_gradients(f, {test::random_tensor(Shape{2, 2, 5, 5}, 8)});
  }
}

TEST_CASE("conv2d: backward reproduces the direct adjoint for every algorithm", "[nn][conv][grad]") {
  // dX and dW from backward() must not depend on which forward ran (cached columns vs
  // rebuilt ones): compare against the im2col run.
  Conv2DSpec s = spec(4, 4, 3, 3);
  s.groups = 2;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  const Tensor x = test::random_tensor(Shape{2, 4, 6, 6}, 9);
  const Tensor dy = test::random_tensor(Shape{2, 4, 6, 6}, 10);
  std::vector<Tensor> dxs, dws;
  for (ConvAlgorithm a : {ConvAlgorithm::Im2col, ConvAlgorithm::Winograd, ConvAlgorithm::Fft}) {
    Conv2D conv("adj", s);
    conv.set_algorithm(a);
    DigitalBackend be;
    LayerContext ctx;
    ctx.backend = &be;
    ctx.training = true;
    Tensor y, dx(x.shape());
    conv.forward({&x}, y, ctx);
    conv.backward({&x}, y, dy, {&dx}, ctx);
    dxs.push_back(dx);
    dws.push_back(conv.weight().grad);
  }
  for (std::size_t k = 1; k < 3; ++k) {
    for (std::size_t e = 0; e < dxs[0].size(); ++e) CHECK(dxs[k][e] == dxs[0][e]);
    for (std::size_t e = 0; e < dws[0].size(); ++e) CHECK(dws[k][e] == dws[0][e]);
  }
}

TEST_CASE("conv2d: op counts and cost by hand", "[nn][conv][ops]") {
  // Cin 2, Cout 3, 3x3 kernel, 4x4 input, no padding, no bias: Ho = Wo = 2.
  Conv2DSpec s = spec(2, 3, 3, 3);
  s.bias = false;
  Conv2D conv("ops", s);
  const Shape in{1, 2, 4, 4};
  // Direct: 3 * 4 outputs, each 18 mults and 17 adds -> 216, 204.
  ConvOpCounts d = conv.op_counts(in, ConvAlgorithm::Im2col);
  CHECK(d.mults == 216);
  CHECK(d.adds == 204);
  // Winograd: one 2x2 tile. mults 16 * 1 * 2 * 3 = 96; adds: input transforms 32 * 2 = 64,
  // channel sums 16 * 3 * (2 - 1) = 48, output transforms 24 * 3 = 72 -> 184.
  ConvOpCounts w = conv.op_counts(in, ConvAlgorithm::Winograd);
  CHECK(w.mults == 96);
  CHECK(w.adds == 184);
  // FFT: 4x4 grid, P = 16, log2 P = 4; 2 + 3 = 5 transforms of 2*16*4 = 128 mults and
  // 3*16*4 = 192 adds; 3*2*16 = 96 complex products (384 mults, 192 adds); 3*1*16
  // complex accumulations (96 adds); 3*16 = 48 scaling mults -> 1072 mults, 1248 adds.
  ConvOpCounts f = conv.op_counts(in, ConvAlgorithm::Fft);
  CHECK(f.mults == 1072);
  CHECK(f.adds == 1248);
  // cost: macs = Cout Ho Wo Cin kh kw = 3 * 4 * 18; params = 3 * 2 * 9 (no bias).
  CHECK(conv.cost({in}).macs == 216);
  CHECK(conv.cost({in}).params == 54);
  // With bias: 12 more adds per algorithm, 3 more parameters.
  conv.ensure_bias();
  REQUIRE(conv.bias() != nullptr);
  CHECK(conv.bias()->value.size() == 3);
  CHECK(conv.bias()->value[1] == 0.0f);
  CHECK(conv.params().size() == 2);
  CHECK(conv.op_counts(in, ConvAlgorithm::Im2col).adds == 216);
  CHECK(conv.cost({in}).params == 57);
  // Grouped 1x1 (groups 2, Cin 4, Cout 6, 3x3 input): 6 * 9 outputs of 2 mults.
  Conv2DSpec g = spec(4, 6, 1, 1);
  g.groups = 2;
  Conv2D grouped("g", g);
  CHECK(grouped.op_counts(Shape{1, 4, 3, 3}, ConvAlgorithm::Im2col).mults == 108);
  CHECK(grouped.cost({Shape{5, 4, 3, 3}}).macs == 108);
  CHECK(grouped.cost({Shape{5, 4, 3, 3}}).params == 6 * 2 + 6);
}

TEST_CASE("conv2d: configuration errors name the layer", "[nn][conv]") {
  using Catch::Matchers::Contains;
  Conv2DSpec s = spec(3, 4, 3, 3);
  s.groups = 2;  // 3 not divisible
  CHECK_THROWS_WITH(Conv2D("convA", s), Contains("convA") && Contains("groups"));
  s = spec(3, 4, 3, 3);
  s.stride_w = 0;
  CHECK_THROWS_WITH(Conv2D("convB", s), Contains("convB") && Contains("stride"));
  s = spec(3, 4, 3, 3);
  s.dilation_h = 0;
  CHECK_THROWS_AS(Conv2D("convB2", s), ConfigError);
  Conv2D c("convC", spec(3, 4, 3, 3));
  CHECK_THROWS_WITH(c.output_shape({Shape{1, 2, 5, 5}}), Contains("convC") && Contains("channels"));
  CHECK_THROWS_WITH(c.output_shape({Shape{1, 3, 2, 5}}), Contains("convC") && Contains("smaller"));
  s = spec(3, 4, 3, 3);
  s.dilation_h = 2;  // span 5 > 4
  Conv2D dil("convD", s);
  CHECK_THROWS_AS(dil.output_shape({Shape{1, 3, 4, 9}}), ConfigError);
  CHECK_THROWS_WITH(dil.set_algorithm(ConvAlgorithm::Winograd), Contains("convD") && Contains("Winograd"));
  CHECK_THROWS_AS(dil.op_counts(Shape{1, 3, 9, 9}, ConvAlgorithm::Winograd), ConfigError);
  s = spec(1, 1, 5, 5);
  s.algorithm = ConvAlgorithm::Winograd;
  CHECK_THROWS_WITH(Conv2D("convE", s), Contains("convE"));
}

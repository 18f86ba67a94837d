// Pooling layers: hand-computed values under PyTorch's rules (output size with ceil_mode
// and its last-window rule, count_include_pad divisor, padding never winning a max,
// first maximum on ties), numerical gradients and configuration errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>

#include "gradcheck.hpp"

using namespace xbarsim;

namespace {

Tensor iota(Shape s, float scale = 1.0f, float offset = 0.0f) {
  Tensor t(s);
  for (std::size_t e = 0; e < t.size(); ++e) t[e] = offset + scale * static_cast<float>(e);
  return t;
}

// Distinct values 0.1 apart in a scrambled order, so a finite-difference step of 1e-2
// never changes which element is the maximum of a window.
Tensor distinct(Shape s) {
  Tensor t(s);
  const std::size_t n = t.size();
  for (std::size_t e = 0; e < n; ++e) t[e] = 0.1f * static_cast<float>((e * 7919) % n) - 0.05f * static_cast<float>(n);
  return t;
}

Tensor run(Layer& l, const Tensor& x) {
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  ctx.training = true;
  Tensor y;
  l.forward({&x}, y, ctx);
  return y;
}

Tensor grad_of(Layer& l, const Tensor& x, const Tensor& dy) {
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  ctx.training = true;
  Tensor y, dx(x.shape());
  l.forward({&x}, y, ctx);
  l.backward({&x}, y, dy, {&dx}, ctx);
  return dx;
}

Pool2DSpec pool(std::size_t k, std::size_t s, std::size_t pad = 0, bool ceil_mode = false) {
  Pool2DSpec p;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = s;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
  p.ceil_mode = ceil_mode;
  return p;
}

}  // namespace

TEST_CASE("maxpool: 2x2 stride 2 by hand", "[nn][pool]") {
  // x = 0..15 row-major in 4x4: the window maxima are the bottom-right entries 5, 7, 13, 15.
  MaxPool2D mp("mp", pool(2, 2));
  const Tensor y = run(mp, iota(Shape{1, 1, 4, 4}));
  REQUIRE(y.shape() == Shape{1, 1, 2, 2});
  CHECK(y[0] == 5);
  CHECK(y[1] == 7);
  CHECK(y[2] == 13);
  CHECK(y[3] == 15);
}

TEST_CASE("pooling output sizes follow PyTorch's floor/ceil rule", "[nn][pool]") {
  // PyTorch pooling_output_shape: floor or ceil((H + pads - k) / s) + 1, and in ceil mode
  // a last window starting at or after H + pad_left is dropped.
  //  H 5, k 2, s 2: floor 2, ceil 3 (the extra window covers row 4 only).
  //  H 6, k 3, s 2: floor 2, ceil 3.
  //  H 5, k 3, s 3, pad 1: ceil((7 - 3) / 3) + 1 = 3, but (3 - 1) 3 = 6 >= 5 + 1: 2.
  struct C {
    std::size_t h, k, s, pad;
    bool ceil_mode;
    std::size_t expected;
  };
  for (const C c : {C{5, 2, 2, 0, false, 2}, C{5, 2, 2, 0, true, 3}, C{6, 3, 2, 0, false, 2}, C{6, 3, 2, 0, true, 3},
                    C{5, 3, 3, 1, true, 2}, C{5, 3, 3, 1, false, 2}, C{7, 3, 2, 1, true, 4}}) {
    INFO("H " << c.h << " k " << c.k << " s " << c.s << " pad " << c.pad << " ceil " << c.ceil_mode);
    MaxPool2D mp("mp", pool(c.k, c.s, c.pad, c.ceil_mode));
    CHECK(mp.output_shape({Shape{2, 3, c.h, c.h}}) == Shape{2, 3, c.expected, c.expected});
    AvgPool2D ap("ap", pool(c.k, c.s, c.pad, c.ceil_mode));
    CHECK(ap.output_shape({Shape{2, 3, c.h, c.h}}) == Shape{2, 3, c.expected, c.expected});
  }
  // Asymmetric: H 4 with pads top 1 / bottom 0, W 5 with pads 0 / 1, k 2, s 2:
  // (4 + 1 - 2) / 2 + 1 = 2 rows, (5 + 1 - 2) / 2 + 1 = 3 columns.
  Pool2DSpec a = pool(2, 2);
  a.pad_top = 1;
  a.pad_right = 1;
  CHECK(MaxPool2D("m", a).output_shape({Shape{1, 1, 4, 5}}) == Shape{1, 1, 2, 3});
}

TEST_CASE("maxpool: ceil-mode edge window, padding never wins, ties go to the first maximum", "[nn][pool]") {
  // Ceil mode on 5x5 (0..24), k 2, s 2: the third row/column of windows covers only row /
  // column 4: y(2, 2) = 24, y(0, 2) = max(4, 9) = 9.
  MaxPool2D ceil_mp("ceil", pool(2, 2, 0, true));
  const Tensor y = run(ceil_mp, iota(Shape{1, 1, 5, 5}));
  REQUIRE(y.shape() == Shape{1, 1, 3, 3});
  CHECK(y.at(0, 0, 2, 2) == 24);
  CHECK(y.at(0, 0, 0, 2) == 9);
  // All-negative input with padding 1: every output is an input value, never the 0 pad.
  MaxPool2D padded("pad", pool(3, 2, 1));
  const Tensor yn = run(padded, iota(Shape{1, 1, 4, 4}, 1.0f, -20.0f));  // -20 .. -5
  REQUIRE(yn.shape() == Shape{1, 1, 2, 2});
  CHECK(yn.at(0, 0, 0, 0) == -15);  // rows 0-1, cols 0-1: max of -20, -19, -16, -15
  CHECK(yn.at(0, 0, 1, 1) == -5);
  // Constant input: PyTorch routes the gradient to the first element of each window (in
  // row-major order). 3x3 windows, stride 1 on 4x4 ones: windows start at (0,0), (0,1),
  // (1,0), (1,1), so those four positions each get one dout.
  MaxPool2D tie("tie", pool(3, 1));
  const Tensor dx = grad_of(tie, Tensor(Shape{1, 1, 4, 4}, 1.0f), Tensor(Shape{1, 1, 2, 2}, 1.0f));
  CHECK(dx.at(0, 0, 0, 0) == 1);
  CHECK(dx.at(0, 0, 0, 1) == 1);
  CHECK(dx.at(0, 0, 1, 0) == 1);
  CHECK(dx.at(0, 0, 1, 1) == 1);
  double total = 0;
  for (std::size_t e = 0; e < dx.size(); ++e) total += dx[e];
  CHECK(total == 4);
  // Overlapping windows accumulate: 0..15 with k 3 s 1, every window's max is its
  // bottom-right element, i.e. (2,2), (2,3), (3,2), (3,3) with dout 1, 2, 3, 4.
  Tensor dy(Shape{1, 1, 2, 2});
  for (std::size_t e = 0; e < 4; ++e) dy[e] = static_cast<float>(e + 1);
  const Tensor dx2 = grad_of(tie, iota(Shape{1, 1, 4, 4}), dy);
  CHECK(dx2.at(0, 0, 2, 2) == 1);
  CHECK(dx2.at(0, 0, 3, 3) == 4);
  CHECK(dx2.at(0, 0, 0, 0) == 0);
}

TEST_CASE("avgpool: hand values, count_include_pad and the ceil-mode divisor", "[nn][pool]") {
  // 0..15 in 4x4, k 2 s 2: window means 2.5, 4.5, 10.5, 12.5.
  AvgPool2D ap("ap", pool(2, 2));
  const Tensor y = run(ap, iota(Shape{1, 1, 4, 4}));
  CHECK(y[0] == Approx(2.5));
  CHECK(y[3] == Approx(12.5));
  // Ones 3x3, k 3, s 2, pad 1 -> 2x2; every window holds 4 inputs out of 9 positions:
  // 4/9 with count_include_pad, 1 without.
  Pool2DSpec p = pool(3, 2, 1);
  p.count_include_pad = true;
  AvgPool2D inc("inc", p);
  const Tensor yi = run(inc, Tensor(Shape{1, 1, 3, 3}, 1.0f));
  REQUIRE(yi.shape() == Shape{1, 1, 2, 2});
  for (std::size_t e = 0; e < 4; ++e) CHECK(yi[e] == Approx(4.0 / 9.0));
  p.count_include_pad = false;
  AvgPool2D exc("exc", p);
  const Tensor ye = run(exc, Tensor(Shape{1, 1, 3, 3}, 1.0f));
  for (std::size_t e = 0; e < 4; ++e) CHECK(ye[e] == Approx(1.0));
  // Ceil mode, 5x5 of 0..24, k 2 s 2, count_include_pad: PyTorch clips the window to
  // H + pad before computing the divisor, so the edge windows divide by their real size:
  // y(0, 2) = (4 + 9) / 2 = 6.5, y(2, 2) = 24 / 1.
  Pool2DSpec c = pool(2, 2, 0, true);
  c.count_include_pad = true;
  AvgPool2D ceil_ap("ceil", c);
  const Tensor yc = run(ceil_ap, iota(Shape{1, 1, 5, 5}));
  CHECK(yc.at(0, 0, 0, 2) == Approx(6.5));
  CHECK(yc.at(0, 0, 2, 2) == Approx(24.0));
  // Backward of the include-pad case: each input of the corner window gets dout / 9;
  // the centre (1, 1) is in all four windows: 4/9.
  const Tensor dx = grad_of(inc, Tensor(Shape{1, 1, 3, 3}, 1.0f), Tensor(Shape{1, 1, 2, 2}, 1.0f));
  CHECK(dx.at(0, 0, 0, 0) == Approx(1.0 / 9.0));
  CHECK(dx.at(0, 0, 1, 1) == Approx(4.0 / 9.0));
}

TEST_CASE("global average pooling by hand", "[nn][pool]") {
  // Channel 0 = 0..5 (mean 2.5), channel 1 = 6..11 (mean 8.5); gradient dout / 6.
  GlobalAvgPool gap("gap");
  const Tensor x = iota(Shape{1, 2, 2, 3});
  const Tensor y = run(gap, x);
  REQUIRE(y.shape() == Shape{1, 2, 1, 1});
  CHECK(y[0] == Approx(2.5));
  CHECK(y[1] == Approx(8.5));
  Tensor dy(Shape{1, 2, 1, 1});
  dy[0] = 6;
  dy[1] = -3;
  const Tensor dx = grad_of(gap, x, dy);
  CHECK(dx[0] == Approx(1.0));
  CHECK(dx[11] == Approx(-0.5));
}

TEST_CASE("spatial pyramid pooling: adaptive bins by hand", "[nn][pool]") {
  // x channel 0 = [1 9 2; 3 4 5; 8 6 7], channel 1 = -x. Level 1: the plane max. Level 2
  // (H = 3, L = 2): rows/cols of bin 0 = [0, 2), bin 1 = [1, 3) (overlapping). Channel 0:
  // {1,9,3,4} 9, {9,2,4,5} 9, {3,4,8,6} 8, {4,5,6,7} 7; channel 1: -1, -2, -3, -4.
  // Order: level 1 (c0, c1), then level 2 (c0 bins, c1 bins).
  SpatialPyramidPool spp("spp", {1, 2});
  Tensor x(Shape{1, 2, 3, 3});
  const float v[] = {1, 9, 2, 3, 4, 5, 8, 6, 7};
  for (std::size_t e = 0; e < 9; ++e) {
    x[e] = v[e];
    x[9 + e] = -v[e];
  }
  const Tensor y = run(spp, x);
  REQUIRE(y.shape() == Shape{1, 10, 1, 1});
  const float expected[] = {9, -1, 9, 9, 8, 7, -1, -2, -3, -4};
  for (std::size_t e = 0; e < 10; ++e) CHECK(y[e] == expected[e]);
  // dout = 1: the 9 (index 1) wins three bins, the 8 and the 7 one each.
  const Tensor dx = grad_of(spp, x, Tensor(y.shape(), 1.0f));
  CHECK(dx[1] == 3);
  CHECK(dx[6] == 1);
  CHECK(dx[8] == 1);
  CHECK(dx[0] == 0);
  CHECK(dx[9] == 2);  // -1 wins level 1 and bin (0, 0) of channel 1
  // A plane smaller than the level still gives non-empty bins: 1x1 with L = 3.
  SpatialPyramidPool tiny("tiny", {3});
  const Tensor yt = run(tiny, Tensor(Shape{2, 1, 1, 1}, 5.0f));
  REQUIRE(yt.shape() == Shape{2, 9, 1, 1});
  CHECK(yt[17] == 5.0f);
}

TEST_CASE("pooling gradients match central differences", "[nn][pool][grad]") {
  MaxPool2D mp("mp", pool(3, 2, 1, true));
  test::check_gradients(mp, {distinct(Shape{2, 2, 6, 7})});
  Pool2DSpec a = pool(3, 2, 1, true);
  a.pad_top = 0;
  AvgPool2D ap("ap", a);
  test::check_gradients(ap, {test::random_tensor(Shape{2, 2, 6, 7}, 20)});
  a.count_include_pad = true;
  AvgPool2D api("api", a);
  test::check_gradients(api, {test::random_tensor(Shape{2, 2, 6, 7}, 21)});
  GlobalAvgPool gap("gap");
  test::check_gradients(gap, {test::random_tensor(Shape{2, 3, 4, 5}, 22)});
  SpatialPyramidPool spp("spp", {1, 2, 4});
  test::check_gradients(spp, {distinct(Shape{2, 2, 7, 5})});
}

TEST_CASE("pooling configuration errors name the layer", "[nn][pool]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(MaxPool2D("poolA", pool(2, 0)), Contains("poolA") && Contains("stride"));
  CHECK_THROWS_WITH(AvgPool2D("poolB", pool(2, 2, 2)), Contains("poolB") && Contains("padding"));
  CHECK_THROWS_WITH(MaxPool2D("poolC", pool(3, 1)).output_shape({Shape{1, 1, 2, 5}}),
                    Contains("poolC") && Contains("smaller"));
  CHECK_THROWS_WITH(SpatialPyramidPool("sppA", {}), Contains("sppA"));
  CHECK_THROWS_WITH(SpatialPyramidPool("sppB", {1, 0}), Contains("sppB"));
}

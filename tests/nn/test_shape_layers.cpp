// Flatten, Reshape and Pad2D: element positions by hand (NCHW), gradients by central
// differences, size mismatches as ConfigErrors naming the layer.
#include <catch2/catch.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>

#include "gradcheck.hpp"

using namespace xbarsim;

namespace {

Tensor run(Layer& l, const Tensor& x) {
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  Tensor y;
  l.forward({&x}, y, ctx);
  return y;
}

}  // namespace

TEST_CASE("flatten and reshape keep the NCHW element order", "[nn][shape]") {
  const Tensor x = test::random_tensor(Shape{2, 3, 2, 2}, 1);
  Flatten f("flat");
  const Tensor y = run(f, x);
  REQUIRE(y.shape() == Shape{2, 12, 1, 1});
  // Sample 1, channel 2, (1, 0) is flat feature (2 * 2 + 1) * 2 + 0 = 10 of sample 1.
  CHECK(y.at(1, 10, 0, 0) == x.at(1, 2, 1, 0));
  Reshape r("re", 4, 3, 1);
  const Tensor z = run(r, y);
  REQUIRE(z.shape() == Shape{2, 4, 3, 1});
  CHECK(z.at(1, 3, 1, 0) == x.at(1, 2, 1, 0));  // flat index 10 = 3 * 3 + 1
  CHECK_THROWS_WITH(r.output_shape({Shape{2, 5, 1, 1}}),
                    Catch::Matchers::Contains("re") && Catch::Matchers::Contains("12"));
  CHECK_THROWS_AS(Reshape("zero", 0, 1, 1), ConfigError);
  test::check_gradients(f, {test::random_tensor(Shape{2, 3, 2, 2}, 2)});
  test::check_gradients(r, {test::random_tensor(Shape{2, 6, 2, 1}, 3)});
}

TEST_CASE("pad2d: constant padding by hand and its gradient", "[nn][shape]") {
  // 1 x 1 x 2 x 2 [1 2; 3 4], pads top 1, left 0, bottom 2, right 1, value -1:
  // 5 x 3 = [-1 -1 -1; 1 2 -1; 3 4 -1; -1 -1 -1; -1 -1 -1].
  Pad2D p("pad", 1, 0, 2, 1, -1.0f);
  Tensor x(Shape{1, 1, 2, 2});
  for (std::size_t e = 0; e < 4; ++e) x[e] = static_cast<float>(e + 1);
  const Tensor y = run(p, x);
  REQUIRE(y.shape() == Shape{1, 1, 5, 3});
  const float expected[] = {-1, -1, -1, 1, 2, -1, 3, 4, -1, -1, -1, -1, -1, -1, -1};
  for (std::size_t e = 0; e < 15; ++e) CHECK(y[e] == expected[e]);
  test::check_gradients(p, {test::random_tensor(Shape{2, 2, 3, 2}, 4)});
  CHECK_THROWS_WITH(p.output_shape({}), Catch::Matchers::Contains("pad"));
}

// Add and Concat: forward and backward by hand, shape errors, gradient checks.
#include <catch2/catch.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/network.hpp>

#include "gradcheck.hpp"

using namespace xbarsim;
using Catch::Matchers::Contains;

namespace {

Tensor counting(Shape s, float start) {
  Tensor t(s);
  for (std::size_t e = 0; e < t.size(); ++e) t[e] = start + static_cast<float>(e);
  return t;
}

LayerContext context(DigitalBackend& be) {
  LayerContext ctx;
  ctx.backend = &be;
  return ctx;
}

}  // namespace

TEST_CASE("add: elementwise sum forward, gradient copied to both inputs", "[nn][merge]") {
  Add add("res");
  CHECK(add.type() == "Add");
  CHECK(add.arity() == 2);
  const Shape s{2, 2, 1, 2};
  const Tensor a = counting(s, 0.0f), b = counting(s, 10.0f);  // a[e] = e, b[e] = 10 + e
  DigitalBackend be;
  Tensor y;
  add.forward({&a, &b}, y, context(be));
  REQUIRE(y.shape() == s);
  for (std::size_t e = 0; e < y.size(); ++e) CHECK(y[e] == 10.0f + 2.0f * static_cast<float>(e));
  const Tensor dy = counting(s, -3.0f);
  Tensor da(s), db(s);
  add.backward({&a, &b}, y, dy, {&da, &db}, context(be));
  for (std::size_t e = 0; e < y.size(); ++e) {
    CHECK(da[e] == dy[e]);
    CHECK(db[e] == dy[e]);
  }
  // A null gradient slot is skipped.
  Tensor da2(s);
  add.backward({&a, &b}, y, dy, {&da2, nullptr}, context(be));
  CHECK(da2[3] == dy[3]);
  test::check_gradients(add, {test::random_tensor(s, 1), test::random_tensor(s, 2)});
}

TEST_CASE("add rejects shape mismatch, naming the layer", "[nn][merge]") {
  Add add("res_add");
  CHECK_THROWS_WITH(add.output_shape({Shape{1, 2, 3, 3}, Shape{1, 2, 3, 4}}),
                    Contains("res_add") && Contains("1 x 2 x 3 x 4"));
  CHECK_THROWS_AS(add.output_shape({Shape{1, 2, 3, 3}}), ConfigError);
}

TEST_CASE("concat: channels of any number of inputs, forward and backward by hand", "[nn][merge]") {
  Concat cat("cat");
  CHECK(cat.type() == "Concat");
  CHECK(cat.arity() == 0);
  // N = 2, H = 1, W = 2; inputs with 1, 2 and 1 channels. Sample n of the output is
  // [a_n (2 values), b_n (4 values), c_n (2 values)].
  const Tensor a = counting(Shape{2, 1, 1, 2}, 0.0f);    // {0, 1 | 2, 3}
  const Tensor b = counting(Shape{2, 2, 1, 2}, 100.0f);  // {100..103 | 104..107}
  const Tensor c = counting(Shape{2, 1, 1, 2}, 200.0f);  // {200, 201 | 202, 203}
  DigitalBackend be;
  Tensor y;
  cat.forward({&a, &b, &c}, y, context(be));
  REQUIRE(y.shape() == Shape{2, 4, 1, 2});
  const std::vector<float> expect = {0, 1, 100, 101, 102, 103, 200, 201, 2, 3, 104, 105, 106, 107, 202, 203};
  for (std::size_t e = 0; e < expect.size(); ++e) CHECK(y[e] == expect[e]);
  // Backward splits dy the same way: dy[e] = e.
  const Tensor dy = counting(y.shape(), 0.0f);
  Tensor da(a.shape()), db(b.shape()), dc(c.shape());
  cat.backward({&a, &b, &c}, y, dy, {&da, &db, &dc}, context(be));
  const std::vector<float> ea = {0, 1, 8, 9}, eb = {2, 3, 4, 5, 10, 11, 12, 13}, ec = {6, 7, 14, 15};
  for (std::size_t e = 0; e < 4; ++e) CHECK(da[e] == ea[e]);
  for (std::size_t e = 0; e < 8; ++e) CHECK(db[e] == eb[e]);
  for (std::size_t e = 0; e < 4; ++e) CHECK(dc[e] == ec[e]);
  // One input is a copy.
  Tensor y1;
  cat.forward({&b}, y1, context(be));
  for (std::size_t e = 0; e < b.size(); ++e) CHECK(y1[e] == b[e]);
  test::check_gradients(cat, {test::random_tensor(Shape{2, 3, 2, 2}, 3), test::random_tensor(Shape{2, 1, 2, 2}, 4)});
}

TEST_CASE("concat rejects differing N, H or W, naming the layer", "[nn][merge]") {
  Concat cat("cat_bad");
  CHECK(cat.output_shape({Shape{2, 3, 4, 4}, Shape{2, 5, 4, 4}}) == Shape{2, 8, 4, 4});
  CHECK_THROWS_WITH(cat.output_shape({Shape{2, 3, 4, 4}, Shape{2, 3, 4, 5}}),
                    Contains("cat_bad") && Contains("input 1"));
  CHECK_THROWS_WITH(cat.output_shape({Shape{2, 3, 4, 4}, Shape{2, 3, 4, 4}, Shape{2, 3, 3, 4}}), Contains("input 2"));
  CHECK_THROWS_AS(cat.output_shape({Shape{2, 3, 4, 4}, Shape{1, 3, 4, 4}}), ConfigError);
  CHECK_THROWS_AS(cat.output_shape({}), ConfigError);
}

TEST_CASE("add and concat inside a network graph", "[nn][merge]") {
  // y = concat(x + x, x) with x = {1, 2}: {2, 4, 1, 2} by hand.
  Network net(Shape{0, 2, 1, 1});
  net.add(std::make_unique<Add>("add"), {"input", "input"});
  net.add(std::make_unique<Concat>("cat"), {"add", "input"});
  const Tensor x = counting(Shape{1, 2, 1, 1}, 1.0f);
  DigitalBackend be;
  const Tensor& y = net.forward(x, context(be));
  REQUIRE(y.shape() == Shape{1, 4, 1, 1});
  CHECK(y[0] == 2.0f);
  CHECK(y[1] == 4.0f);
  CHECK(y[2] == 1.0f);
  CHECK(y[3] == 2.0f);
}

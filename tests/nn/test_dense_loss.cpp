// Dense layer and losses: closed forms, PyTorch's definitions and gradient checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/network.hpp>

#include "gradcheck.hpp"

using namespace xbarsim;

TEST_CASE("dense computes W x + b with PyTorch's weight layout", "[nn][dense]") {
  // Hand computation: W = [[1, 2, 3], [4, 5, 6]] (out x in, row-major), b = [0.5, -1].
  Dense d("fc", 3, 2);
  const float w[] = {1, 2, 3, 4, 5, 6};
  std::copy(w, w + 6, d.weight().value.data());
  d.bias()->value[0] = 0.5f;
  d.bias()->value[1] = -1.0f;
  Tensor x(Shape{2, 3, 1, 1});
  const float xv[] = {1, 0, -1, 2, 1, 0};
  std::copy(xv, xv + 6, x.data());
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  Tensor y;
  d.forward({&x}, y, ctx);
  CHECK(y.at(0, 0, 0, 0) == Approx(1 - 3 + 0.5));
  CHECK(y.at(0, 1, 0, 0) == Approx(4 - 6 - 1));
  CHECK(y.at(1, 0, 0, 0) == Approx(2 + 2 + 0.5));
  CHECK(y.at(1, 1, 0, 0) == Approx(8 + 5 - 1));
  CHECK(d.cost({x.shape()}).macs == 6);
  CHECK(d.cost({x.shape()}).params == 8);
}

TEST_CASE("dense gradients match central differences", "[nn][dense]") {
  Dense d("fc", 12, 5);
  test::check_gradients(d, {test::random_tensor(Shape{4, 3, 2, 2}, 1)});
}

TEST_CASE("softmax cross-entropy: value and gradient by hand", "[nn][loss]") {
  // logits [1, 2, 3], label 2: loss = log(e^1 + e^2 + e^3) - 3 = 0.40760596; grad =
  // softmax - onehot = [0.09003057, 0.24472847, -0.33475904] (batch of 1).
  Tensor z(Shape{1, 3, 1, 1});
  z[0] = 1;
  z[1] = 2;
  z[2] = 3;
  const LossResult r = softmax_cross_entropy(z, {2});
  CHECK(r.loss == Approx(0.40760596));
  CHECK(r.grad[0] == Approx(0.09003057));
  CHECK(r.grad[2] == Approx(-0.33475904));
  CHECK_THROWS_AS(softmax_cross_entropy(z, {3}), ConfigError);
  CHECK_THROWS_AS(softmax_cross_entropy(z, {0, 1}), ConfigError);
  // MSE: mean of (1 - 0)^2, (2 - 4)^2, (3 - 3)^2 = 5/3, grad 2 (y - t) / 3.
  Tensor t(Shape{1, 3, 1, 1});
  t[1] = 4;
  t[2] = 3;
  const LossResult m = mse_loss(z, t);
  CHECK(m.loss == Approx(5.0 / 3.0));
  CHECK(m.grad[1] == Approx(2.0 * (2 - 4) / 3.0));
}

TEST_CASE("network: shapes, forward, backward through two dense layers", "[nn][network]") {
  Network net(Shape{0, 4, 1, 1});
  net.add(std::make_unique<Dense>("fc1", 4, 3));
  net.add(std::make_unique<Dense>("fc2", 3, 2));
  CHECK(net.output_shape(7) == Shape{7, 2, 1, 1});
  CHECK(net.summary().total_params == 4 * 3 + 3 + 3 * 2 + 2);
  CHECK_THROWS_AS(net.add(std::make_unique<Dense>("fc1", 2, 2)), ConfigError);
  CHECK_THROWS_AS(net.add(std::make_unique<Dense>("fc3", 2, 2), {"nope"}), ConfigError);
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  ctx.training = true;
  const Tensor x = test::random_tensor(Shape{5, 4, 1, 1}, 3);
  const Tensor& y = net.forward(x, ctx);
  // Reference: the same composition by hand with the layers' own weights.
  const arma::fmat W1 = arma::fmat(dynamic_cast<Dense&>(net.layer(1)).weight().value.as_matrix(4, 3)).t();
  const arma::fmat W2 = arma::fmat(dynamic_cast<Dense&>(net.layer(2)).weight().value.as_matrix(3, 2)).t();
  arma::fmat h = W1 * x.as_matrix(4, 5);
  h.each_col() += arma::fvec(dynamic_cast<Dense&>(net.layer(1)).bias()->value.as_matrix(3, 1));
  arma::fmat o = W2 * h;
  o.each_col() += arma::fvec(dynamic_cast<Dense&>(net.layer(2)).bias()->value.as_matrix(2, 1));
  for (std::size_t e = 0; e < o.n_elem; ++e) CHECK(y[e] == Approx(o(e)).epsilon(1e-5));
  net.zero_grad();
  const LossResult l = softmax_cross_entropy(y, {0, 1, 0, 1, 1});
  net.backward(l.grad, ctx);
  double gsum = 0;
  for (Param* p : net.params())
    for (std::size_t e = 0; e < p->grad.size(); ++e) gsum += std::abs(p->grad[e]);
  CHECK(gsum > 0.0);
  CHECK_THROWS_AS(net.forward(Tensor(Shape{2, 5, 1, 1}), ctx), ConfigError);
}

// Activations, PReLU and Softmax: hand-computed values, std:: closed forms, keyed RReLU
// slopes and numerical gradient checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>

#include "gradcheck.hpp"

using namespace xbarsim;
using Catch::Matchers::Contains;

namespace {

const std::vector<float> kX = {-2.0f, -0.5f, 0.0f, 0.5f, 2.0f};

Tensor vec(const std::vector<float>& v) {
  Tensor t(Shape{1, v.size(), 1, 1});
  std::copy(v.begin(), v.end(), t.data());
  return t;
}

Tensor run(Layer& l, const Tensor& x, bool training = false, std::uint64_t step = 0) {
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  ctx.training = training;
  ctx.seed = 42;
  ctx.step = step;
  ctx.layer_index = 2;
  Tensor y(l.output_shape({x.shape()}));
  l.forward({&x}, y, ctx);
  return y;
}

std::vector<float> apply(ActivationKind kind, double alpha = std::numeric_limits<double>::quiet_NaN()) {
  Activation a("act", kind, alpha);
  const Tensor y = run(a, vec(kX));
  return std::vector<float>(y.data(), y.data() + y.size());
}

/// Normal inputs pushed at least 0.1 away from the kink at 0, so central differences
/// with h = 0.01 never straddle it.
Tensor away_from_zero(Shape s, std::uint32_t stream) {
  Tensor t = test::random_tensor(s, stream);
  for (std::size_t e = 0; e < t.size(); ++e) t[e] += t[e] >= 0.0f ? 0.1f : -0.1f;
  return t;
}

}  // namespace

TEST_CASE("activations: hand-computed values including negative inputs", "[nn][activation]") {
  using V = std::vector<float>;
  // ReLU: max(0, x).
  CHECK(apply(ActivationKind::ReLU) == V{0.0f, 0.0f, 0.0f, 0.5f, 2.0f});
  // LeakyReLU alpha 0.1: 0.1 x for x < 0; default alpha 0.01 (PyTorch, ONNX).
  const V lr = apply(ActivationKind::LeakyReLU, 0.1);
  CHECK(lr[0] == Approx(-0.2));
  CHECK(lr[1] == Approx(-0.05));
  CHECK(lr[2] == 0.0f);
  CHECK(lr[4] == 2.0f);
  CHECK(apply(ActivationKind::LeakyReLU)[0] == Approx(-0.02));
  // ELU alpha 1: e^-2 - 1 = -0.8646647168, e^-0.5 - 1 = -0.3934693403; alpha 2 doubles them.
  const V e1 = apply(ActivationKind::ELU);
  CHECK(e1[0] == Approx(-0.8646647168));
  CHECK(e1[1] == Approx(-0.3934693403));
  CHECK(e1[2] == 0.0f);
  CHECK(e1[3] == 0.5f);
  const V e2 = apply(ActivationKind::ELU, 2.0);
  CHECK(e2[0] == Approx(-1.7293294335));
  CHECK(e2[4] == 2.0f);
  // Sigmoid: 1/(1 + e^2) = 0.1192029220, 0.5 at 0, 1/(1 + e^-0.5) = 0.6224593312.
  const V sg = apply(ActivationKind::Sigmoid);
  CHECK(sg[0] == Approx(0.1192029220));
  CHECK(sg[2] == 0.5f);
  CHECK(sg[3] == Approx(0.6224593312));
  // Tanh: tanh(-2) = -0.9640275801, tanh(0.5) = 0.4621171573.
  const V th = apply(ActivationKind::Tanh);
  CHECK(th[0] == Approx(-0.9640275801));
  CHECK(th[3] == Approx(0.4621171573));
  // RReLU in inference: slope (1/8 + 1/3) / 2 = 11/48.
  Activation rr("rr", ActivationKind::RReLU);
  const Tensor yr = run(rr, vec(kX));
  CHECK(yr[0] == Approx(-2.0 * 11.0 / 48.0));
  CHECK(yr[1] == Approx(-0.5 * 11.0 / 48.0));
  CHECK(yr[4] == 2.0f);
}

TEST_CASE("sigmoid and tanh match std:: closed forms, also far out", "[nn][activation]") {
  std::vector<float> xs;
  for (int i = -60; i <= 60; ++i) xs.push_back(0.25f * static_cast<float>(i));
  xs.push_back(-100.0f);
  xs.push_back(100.0f);
  Activation sg("s", ActivationKind::Sigmoid), th("t", ActivationKind::Tanh);
  const Tensor ys = run(sg, vec(xs)), yt = run(th, vec(xs));
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double x = xs[i];
    CHECK(ys[i] == Approx(1.0 / (1.0 + std::exp(-x))).epsilon(1e-6).margin(1e-30));
    CHECK(yt[i] == Approx(std::tanh(x)).epsilon(1e-6));
    CHECK(std::isfinite(ys[i]));
  }
}

TEST_CASE("activation type() gives the ONNX op names", "[nn][activation]") {
  CHECK(Activation("a", ActivationKind::Sigmoid).type() == "Sigmoid");
  CHECK(Activation("a", ActivationKind::Tanh).type() == "Tanh");
  CHECK(Activation("a", ActivationKind::ReLU).type() == "Relu");
  CHECK(Activation("a", ActivationKind::LeakyReLU).type() == "LeakyRelu");
  CHECK(Activation("a", ActivationKind::ELU).type() == "Elu");
  CHECK(Activation("a", ActivationKind::RReLU).type() == "RReLU");
  CHECK(Activation("a", ActivationKind::LeakyReLU).alpha() == Approx(0.01));
  CHECK(Activation("a", ActivationKind::ELU).alpha() == Approx(1.0));
  CHECK(PReLU("p", 1).type() == "PRelu");
  CHECK(Softmax("s").type() == "Softmax");
}

TEST_CASE("activation gradients match central differences", "[nn][activation]") {
  const Shape s{2, 3, 2, 3};
  SECTION("deterministic kinds") {
    for (auto [kind, alpha] : {std::pair{ActivationKind::Sigmoid, 0.0}, std::pair{ActivationKind::Tanh, 0.0},
                               std::pair{ActivationKind::ReLU, 0.0}, std::pair{ActivationKind::LeakyReLU, 0.2},
                               std::pair{ActivationKind::ELU, 1.5}}) {
      Activation a("act", kind, alpha);
      INFO(a.type());
      test::check_gradients(a, {away_from_zero(s, 70)});
    }
  }
  SECTION("RReLU in inference") {
    Activation a("rrelu", ActivationKind::RReLU);
    test::GradCheckOptions o;
    o.training = false;
    test::check_gradients(a, {away_from_zero(s, 71)}, o);
  }
  SECTION("RReLU in training: slopes fixed by the step of check_gradients' context") {
    Activation a("rrelu", ActivationKind::RReLU, 0.0, 0.1, 0.9);
    test::check_gradients(a, {away_from_zero(s, 72)});
  }
}

TEST_CASE("RReLU training slopes: keyed, within [lower, upper], mean (lower+upper)/2", "[nn][activation]") {
  const double lo = 0.1, hi = 0.5;
  Activation a("rrelu", ActivationKind::RReLU, 0.0, lo, hi);
  const Tensor x(Shape{2, 10, 50, 50}, -1.0f);  // all negative: y = -slope
  const Tensor y1 = run(a, x, true, 3);
  double sum = 0.0, sum2 = 0.0;
  for (std::size_t e = 0; e < y1.size(); ++e) {
    const double slope = -y1[e];
    REQUIRE(slope >= lo);
    REQUIRE(slope <= hi);
    sum += slope;
    sum2 += slope * slope;
  }
  // U(lo, hi): mean 0.3, variance (hi - lo)^2 / 12; the sample mean within 5 standard errors.
  const double n = static_cast<double>(y1.size()), var = (hi - lo) * (hi - lo) / 12.0;
  CHECK(std::abs(sum / n - 0.5 * (lo + hi)) < 5 * std::sqrt(var / n));
  CHECK(sum2 / n - (sum / n) * (sum / n) == Approx(var).epsilon(0.05));
  // Reference keying: slope_e = lo + (hi - lo) u_e, u_e = element e of uniform_block under
  // (seed 42, rng_purpose("nn.rrelu")), stream {layer 2, step 3, 0}, drawn here in one call.
  std::vector<float> u(y1.size());
  uniform_block(u.data(), u.size(), RngKey(42, rng_purpose("nn.rrelu")), StreamId{2, 3, 0});
  for (std::size_t e = 0; e < u.size(); e += 7) REQUIRE(-y1[e] == Approx(lo + (hi - lo) * u[e]).epsilon(1e-6));
  // Same step: same slopes; another step: other slopes; positive inputs pass through.
  const Tensor y2 = run(a, x, true, 3), y3 = run(a, x, true, 4);
  std::size_t differ = 0;
  for (std::size_t e = 0; e < y1.size(); ++e) {
    REQUIRE(y1[e] == y2[e]);
    differ += y1[e] != y3[e];
  }
  CHECK(differ > y1.size() * 9 / 10);
  const Tensor pos(Shape{1, 4, 1, 1}, 0.75f);
  const Tensor yp = run(a, pos, true, 3);
  for (std::size_t e = 0; e < 4; ++e) CHECK(yp[e] == 0.75f);
  // Backward in training uses the forward's slopes: dx = slope dy for x < 0.
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  ctx.training = true;
  ctx.seed = 42;
  ctx.step = 3;
  ctx.layer_index = 2;
  Tensor y(x.shape()), dx(x.shape());
  a.forward({&x}, y, ctx);
  const Tensor dy(x.shape(), 2.0f);
  a.backward({&x}, y, dy, {&dx}, ctx);
  for (std::size_t e = 0; e < x.size(); e += 101) CHECK(dx[e] == Approx(-2.0 * y[e]));
  CHECK_THROWS_WITH(Activation("rr_bad", ActivationKind::RReLU, 0.0, 0.5, 0.1), Contains("rr_bad"));
}

// ---------------------------------------------------------------- PReLU

TEST_CASE("PReLU: per-channel and shared slopes by hand, initialised to 0.25", "[nn][prelu]") {
  PReLU shared("prelu1", 1);
  REQUIRE(shared.params().size() == 1);
  CHECK(shared.slope().value.size() == 1);
  CHECK(shared.slope().value[0] == 0.25f);
  const Tensor x = vec(kX);
  const Tensor ys = run(shared, x);
  CHECK(ys[0] == Approx(-0.5));
  CHECK(ys[1] == Approx(-0.125));
  CHECK(ys[4] == 2.0f);
  // Per channel: N = 1, C = 2, H = 1, W = 2; slopes {0.1, -0.5}.
  PReLU pc("prelu2", 2);
  pc.slope().value[0] = 0.1f;
  pc.slope().value[1] = -0.5f;
  Tensor x2(Shape{1, 2, 1, 2});
  const float v[] = {-1.0f, 3.0f, -4.0f, 2.0f};
  std::copy(v, v + 4, x2.data());
  const Tensor y2 = run(pc, x2);
  CHECK(y2[0] == Approx(-0.1));
  CHECK(y2[1] == 3.0f);
  CHECK(y2[2] == Approx(2.0));
  CHECK(y2[3] == 2.0f);
  CHECK_THROWS_WITH(pc.output_shape({Shape{1, 3, 2, 2}}), Contains("prelu2"));
  CHECK_THROWS_AS(PReLU("p0", 0), ConfigError);
}

TEST_CASE("PReLU gradients (input and slope) match central differences", "[nn][prelu]") {
  PReLU pc("prelu", 3);
  pc.slope().value[1] = -0.3f;
  pc.slope().value[2] = 0.6f;
  test::check_gradients(pc, {away_from_zero(Shape{2, 3, 2, 2}, 80)});
  PReLU sh("prelu_shared", 1);
  test::check_gradients(sh, {away_from_zero(Shape{2, 3, 2, 2}, 81)});
}

// ---------------------------------------------------------------- Softmax

TEST_CASE("softmax by hand and against exp/sum over channels", "[nn][softmax]") {
  // [1, 2, 3] -> e^k / (e + e^2 + e^3) = [0.0900305732, 0.2447284711, 0.6652409558].
  Softmax sm("sm");
  const Tensor y = run(sm, vec({1.0f, 2.0f, 3.0f}));
  CHECK(y[0] == Approx(0.0900305732));
  CHECK(y[1] == Approx(0.2447284711));
  CHECK(y[2] == Approx(0.6652409558));
  // Large logits do not overflow (the max shift): [1000, 1001] -> [1/(1+e), e/(1+e)].
  const Tensor big = run(sm, vec({1000.0f, 1001.0f}));
  CHECK(big[0] == Approx(1.0 / (1.0 + std::exp(1.0))));
  CHECK(big[1] == Approx(std::exp(1.0) / (1.0 + std::exp(1.0))));
  // Spatial input: softmax over C at each (n, h, w), as PyTorch Softmax(dim=1).
  const Tensor x = test::random_tensor(Shape{3, 5, 2, 3}, 90, 3.0f);
  const Tensor ys = run(sm, x);
  for (std::size_t n = 0; n < 3; ++n)
    for (std::size_t h = 0; h < 2; ++h)
      for (std::size_t w = 0; w < 3; ++w) {
        double z = 0.0, total = 0.0;
        for (std::size_t c = 0; c < 5; ++c) z += std::exp(static_cast<double>(x.at(n, c, h, w)));
        for (std::size_t c = 0; c < 5; ++c) {
          CHECK(ys.at(n, c, h, w) == Approx(std::exp(static_cast<double>(x.at(n, c, h, w))) / z).epsilon(1e-5));
          total += ys.at(n, c, h, w);
        }
        CHECK(total == Approx(1.0).epsilon(1e-6));
      }
}

TEST_CASE("softmax gradient matches central differences", "[nn][softmax]") {
  Softmax sm("sm");
  test::check_gradients(sm, {test::random_tensor(Shape{2, 4, 1, 1}, 91)});
  test::check_gradients(sm, {test::random_tensor(Shape{2, 3, 2, 2}, 92)});
}

// BatchNorm2D, Dropout and LRN: hand computations with PyTorch's rules, a naive LRN
// written from the ONNX formula, binomial statistics and numerical gradient checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/nn/layers.hpp>

#include "gradcheck.hpp"

using namespace xbarsim;
using Catch::Matchers::Contains;

namespace {

Tensor from_values(Shape s, std::initializer_list<float> v) {
  Tensor t(s);
  REQUIRE(v.size() == t.size());
  std::copy(v.begin(), v.end(), t.data());
  return t;
}

struct Ctx {
  DigitalBackend backend;
  LayerContext ctx;
  explicit Ctx(bool training, std::uint64_t step = 0, std::size_t layer = 3) {
    ctx.training = training;
    ctx.backend = &backend;
    ctx.seed = 42;
    ctx.step = step;
    ctx.layer_index = layer;
  }
};

Tensor run(Layer& l, const Tensor& x, const LayerContext& ctx) {
  Tensor y(l.output_shape({x.shape()}));
  l.forward({&x}, y, ctx);
  return y;
}

}  // namespace

// ---------------------------------------------------------------- BatchNorm2D

TEST_CASE("batchnorm training normalises with the biased batch variance", "[nn][batchnorm]") {
  // N = 2, C = 2, H = 1, W = 2. Channel 0 holds {1, 2, 3, 4}: mean 2.5, biased variance
  // ((1.5^2 + 0.5^2) * 2) / 4 = 1.25. Channel 1 holds {0, 0, 0, 8}: mean 2, biased
  // variance (4 + 4 + 4 + 36) / 4 = 12. Expected y = gamma (x - mean) / sqrt(var + eps) + beta.
  BatchNorm2D bn("bn1", 2);
  bn.gamma().value[0] = 2.0f;
  bn.beta().value[0] = 0.5f;
  bn.gamma().value[1] = -1.0f;
  bn.beta().value[1] = 0.0f;
  const Tensor x = from_values(Shape{2, 2, 1, 2}, {1, 2, 0, 0, 3, 4, 0, 8});
  Ctx c(true);
  const Tensor y = run(bn, x, c.ctx);
  const double s0 = std::sqrt(1.25 + 1e-5), s1 = std::sqrt(12.0 + 1e-5);
  CHECK(y.at(0, 0, 0, 0) == Approx(2.0 * (1 - 2.5) / s0 + 0.5));
  CHECK(y.at(0, 0, 0, 1) == Approx(2.0 * (2 - 2.5) / s0 + 0.5));
  CHECK(y.at(1, 0, 0, 0) == Approx(2.0 * (3 - 2.5) / s0 + 0.5));
  CHECK(y.at(1, 0, 0, 1) == Approx(2.0 * (4 - 2.5) / s0 + 0.5));
  CHECK(y.at(0, 1, 0, 0) == Approx(-1.0 * (0 - 2) / s1));
  CHECK(y.at(1, 1, 0, 1) == Approx(-1.0 * (8 - 2) / s1));
  CHECK(bn.type() == "BatchNormalization");
  // gamma and beta are learnable without weight decay; defaults 1 and 0 (PyTorch).
  BatchNorm2D fresh("bn2", 3);
  REQUIRE(fresh.params().size() == 2);
  CHECK(fresh.gamma().value[2] == 1.0f);
  CHECK(fresh.beta().value[2] == 0.0f);
  CHECK_FALSE(fresh.gamma().decay);
  CHECK_FALSE(fresh.beta().decay);
  CHECK(fresh.running_mean()[1] == 0.0f);
  CHECK(fresh.running_var()[1] == 1.0f);
}

TEST_CASE("batchnorm running statistics follow PyTorch's update over two batches", "[nn][batchnorm]") {
  // PyTorch: running = (1 - 0.1) running + 0.1 batch, with the UNBIASED batch variance.
  // Start: mean 0, var 1.
  // Batch 1, channel 0 = {1, 2, 3, 4}: mean 2.5, unbiased var 5/3.
  //   mean = 0.25, var = 0.9 + 0.1 * 5/3 = 1.0666667.
  // Batch 2, channel 0 = {0, 0, 2, 6}: mean 2, squared deviations 4 + 4 + 0 + 16 = 24, unbiased 8.
  //   mean = 0.9 * 0.25 + 0.2 = 0.425, var = 0.9 * 1.0666667 + 0.8 = 1.76.
  // Channel 1 is {5, 5, 5, 5} then {-1, 1, -1, 1}: var 0 then 4/3.
  //   mean 0.5 then 0.45 + 0 = 0.45; var 0.9 then 0.81 + 0.1333333 = 0.9433333.
  BatchNorm2D bn("bn", 2);
  Ctx c(true);
  run(bn, from_values(Shape{2, 2, 1, 2}, {1, 2, 5, 5, 3, 4, 5, 5}), c.ctx);
  CHECK(bn.running_mean()[0] == Approx(0.25));
  CHECK(bn.running_var()[0] == Approx(0.9 + 0.1 * 5.0 / 3.0));
  CHECK(bn.running_mean()[1] == Approx(0.5));
  CHECK(bn.running_var()[1] == Approx(0.9));
  run(bn, from_values(Shape{2, 2, 1, 2}, {0, 0, -1, 1, 2, 6, -1, 1}), c.ctx);
  CHECK(bn.running_mean()[0] == Approx(0.425));
  CHECK(bn.running_var()[0] == Approx(1.76));
  CHECK(bn.running_mean()[1] == Approx(0.45));
  CHECK(bn.running_var()[1] == Approx(0.81 + 0.4 / 3.0));
}

TEST_CASE("batchnorm inference uses the running statistics and leaves them alone", "[nn][batchnorm]") {
  BatchNorm2D bn("bn", 2, 1e-3);
  bn.running_mean() = {1.0f, -2.0f};
  bn.running_var() = {4.0f, 0.25f};
  bn.gamma().value[1] = 3.0f;
  bn.beta().value[1] = 0.5f;
  const Tensor x = from_values(Shape{1, 2, 1, 2}, {3, 5, -2, 0});
  Ctx c(false);
  const Tensor y = run(bn, x, c.ctx);
  // y = gamma (x - running_mean) / sqrt(running_var + eps) + beta, by hand.
  CHECK(y[0] == Approx((3 - 1) / std::sqrt(4.001)));
  CHECK(y[1] == Approx((5 - 1) / std::sqrt(4.001)));
  CHECK(y[2] == Approx(0.5));
  CHECK(y[3] == Approx(3.0 * 2.0 / std::sqrt(0.251) + 0.5));
  CHECK(bn.running_mean()[1] == -2.0f);
  CHECK(bn.running_var()[0] == 4.0f);
}

TEST_CASE("batchnorm gradients (input, gamma, beta) match central differences", "[nn][batchnorm]") {
  BatchNorm2D bn("bn", 3);
  for (std::size_t c = 0; c < 3; ++c) {
    bn.gamma().value[c] = 0.5f + 0.7f * static_cast<float>(c);
    bn.beta().value[c] = 0.3f * static_cast<float>(c) - 0.2f;
  }
  SECTION("training: batch statistics depend on the input") {
    test::check_gradients(bn, {test::random_tensor(Shape{4, 3, 3, 2}, 21)});
  }
  SECTION("inference: running statistics are constants") {
    bn.running_mean() = {0.3f, -0.5f, 1.0f};
    bn.running_var() = {0.5f, 2.0f, 1.5f};
    test::GradCheckOptions o;
    o.training = false;
    test::check_gradients(bn, {test::random_tensor(Shape{2, 3, 2, 2}, 22)}, o);
  }
}

TEST_CASE("batchnorm errors name the layer", "[nn][batchnorm]") {
  BatchNorm2D bn("bn_err", 4);
  CHECK_THROWS_WITH(bn.output_shape({Shape{2, 3, 4, 4}}), Contains("bn_err") && Contains("4 channels"));
  CHECK_THROWS_AS(BatchNorm2D("bn_zero", 0), ConfigError);
  CHECK_THROWS_WITH(BatchNorm2D("bn_mom", 2, 1e-5, 1.5), Contains("bn_mom"));
  // One value per channel cannot give a batch variance (PyTorch raises too).
  Ctx c(true);
  const Tensor x(Shape{1, 4, 1, 1}, 1.0f);
  Tensor y;
  CHECK_THROWS_WITH(bn.forward({&x}, y, c.ctx), Contains("bn_err"));
}

// fold_into needs Conv2D (nn/src/layers/conv.cpp, written by another helper).
TEST_CASE("batchnorm folded into the preceding conv equals conv then batchnorm", "[nn][batchnorm]") {
  // Reference: the unfolded pair conv -> bn (inference) evaluated by the layers themselves.
  for (bool with_bias : {true, false}) {
    Conv2DSpec sp;
    sp.in_channels = 3;
    sp.out_channels = 4;
    sp.kernel_h = sp.kernel_w = 3;
    sp.pad_top = sp.pad_left = sp.pad_bottom = sp.pad_right = 1;
    sp.bias = with_bias;
    Conv2D conv("conv", sp);
    BatchNorm2D bn("bn", 4, 1e-3);
    for (std::size_t c = 0; c < 4; ++c) {
      bn.gamma().value[c] = 0.5f + 0.4f * static_cast<float>(c);
      bn.beta().value[c] = -0.3f + 0.2f * static_cast<float>(c);
      bn.running_mean()[c] = 0.1f * static_cast<float>(c) - 0.15f;
      bn.running_var()[c] = 0.6f + 0.3f * static_cast<float>(c);
    }
    const Tensor x = test::random_tensor(Shape{2, 3, 5, 5}, 31);
    Ctx c(false);
    const Tensor ref = run(bn, run(conv, x, c.ctx), c.ctx);
    bn.fold_into(conv);
    REQUIRE(conv.bias() != nullptr);
    const Tensor folded = run(conv, x, c.ctx);
    REQUIRE(folded.shape() == ref.shape());
    for (std::size_t e = 0; e < ref.size(); ++e) CHECK(folded[e] == Approx(ref[e]).margin(1e-5).epsilon(1e-5));
  }
  Conv2DSpec sp;
  sp.out_channels = 2;
  Conv2D conv("conv2", sp);
  BatchNorm2D bn("bn_fold", 3);
  CHECK_THROWS_WITH(bn.fold_into(conv), Contains("bn_fold") && Contains("conv2"));
}

// ---------------------------------------------------------------- Dropout

TEST_CASE("dropout keeps 1 - p of the elements, scaled by 1/(1 - p)", "[nn][dropout]") {
  const double p = 0.3;
  Dropout d("drop", p);
  CHECK(d.type() == "Dropout");
  const Tensor x(Shape{4, 5, 50, 100}, 1.0f);  // 100000 elements
  Ctx c(true, 7);
  const Tensor y = run(d, x, c.ctx);
  std::size_t kept = 0;
  double sum = 0.0;
  for (std::size_t e = 0; e < y.size(); ++e) {
    if (y[e] != 0.0f) {
      ++kept;
      CHECK(y[e] == Approx(1.0 / (1.0 - p)).epsilon(1e-6));
    }
    sum += y[e];
  }
  // Binomial(n, 1 - p): sd = sqrt(n p (1 - p)) = 145; allow 5 sd.
  const double n = static_cast<double>(y.size()), sd = std::sqrt(n * p * (1 - p));
  CHECK(std::abs(static_cast<double>(kept) - n * (1 - p)) < 5 * sd);
  // Inverted dropout keeps the expectation: mean output 1 within 5 sd of kept / (n (1 - p)).
  CHECK(std::abs(sum / n - 1.0) < 5 * sd / (n * (1 - p)));
  // Backward multiplies by the same mask: with x = 1 the mask is y itself.
  Tensor dx(x.shape());
  const Tensor dy(x.shape(), 1.0f);
  d.backward({&x}, y, dy, {&dx}, c.ctx);
  for (std::size_t e = 0; e < y.size(); e += 97) CHECK(dx[e] == y[e]);
}

TEST_CASE("dropout is the identity in inference", "[nn][dropout]") {
  Dropout d("drop", 0.5);
  const Tensor x = test::random_tensor(Shape{3, 4, 5, 6}, 41);
  Ctx c(false, 3);
  const Tensor y = run(d, x, c.ctx);
  for (std::size_t e = 0; e < x.size(); ++e) REQUIRE(y[e] == x[e]);
  Tensor dx(x.shape());
  d.backward({&x}, y, x, {&dx}, c.ctx);
  for (std::size_t e = 0; e < x.size(); ++e) REQUIRE(dx[e] == x[e]);
}

TEST_CASE("dropout masks: same step same mask, other step or layer another", "[nn][dropout]") {
  Dropout d("drop", 0.5);
  const Tensor x(Shape{2, 8, 16, 16}, 1.0f);
  auto mask = [&](std::uint64_t step, std::size_t layer, std::uint64_t seed = 42) {
    Ctx c(true, step, layer);
    c.ctx.seed = seed;
    return run(d, x, c.ctx);
  };
  auto differing = [](const Tensor& a, const Tensor& b) {
    std::size_t k = 0;
    for (std::size_t e = 0; e < a.size(); ++e) k += a[e] != b[e];
    return k;
  };
  const Tensor a = mask(5, 1);
  CHECK(differing(a, mask(5, 1)) == 0);
  // Independent masks with p = 0.5 differ in about half of the 4096 elements.
  CHECK(differing(a, mask(6, 1)) > 1500);
  CHECK(differing(a, mask(5, 2)) > 1500);
  CHECK(differing(a, mask(5, 1, 43)) > 1500);
  // The step's high 32 bits are part of the key too.
  CHECK(differing(a, mask(5 + (std::uint64_t{1} << 32), 1)) > 1500);
}

TEST_CASE("dropout mask is keyed by (seed, nn.dropout, layer, step, element)", "[nn][dropout]") {
  // Reference: element e is kept iff u_e >= p, u_e = element e of uniform_block under key
  // (seed, rng_purpose("nn.dropout")), stream {layer, step lo32, step hi32}, drawn here in
  // one call over the whole tensor (the layer draws raw words in parallel blocks and
  // compares them with an integer threshold; this checks that threshold too).
  const Tensor x(Shape{2, 3, 80, 90}, 1.0f);  // 43200 elements: several blocks
  const std::uint64_t step = (std::uint64_t{3} << 32) + 17;
  std::vector<float> u(x.size());
  uniform_block(u.data(), u.size(), RngKey(42, rng_purpose("nn.dropout")), StreamId{4, 17, 3});
  for (double p : {0.0, 0.25, 0.37, 0.5, 0.9, 0.999}) {
    Dropout d("drop", p);
    Ctx c(true, step, 4);
    const Tensor y = run(d, x, c.ctx);
    std::size_t mismatches = 0;
    for (std::size_t e = 0; e < u.size(); ++e) mismatches += (y[e] != 0.0f) != (u[e] >= static_cast<float>(p));
    INFO("p = " << p);
    CHECK(mismatches == 0);
  }
}

TEST_CASE("dropout masks do not depend on the thread count", "[nn][dropout]") {
  Dropout d("drop", 0.4);
  const Tensor x = test::random_tensor(Shape{3, 7, 61, 59}, 43);  // 75579 elements: several blocks
  Ctx c(true, 11);
  std::vector<Tensor> ys;
  for (std::size_t threads : {1, 2, 7}) {
    ThreadLimit limit(threads);
    ys.push_back(run(d, x, c.ctx));
  }
  for (std::size_t e = 0; e < x.size(); ++e) {
    REQUIRE(ys[0][e] == ys[1][e]);
    REQUIRE(ys[0][e] == ys[2][e]);
  }
}

TEST_CASE("dropout gradient with its mask fixed by the step matches central differences", "[nn][dropout]") {
  // check_gradients runs every forward with the same ctx (seed 5, step 0), so the same mask.
  Dropout d("drop", 0.35);
  test::check_gradients(d, {test::random_tensor(Shape{2, 3, 4, 5}, 44)});
}

TEST_CASE("dropout rejects p outside [0, 1), naming the layer", "[nn][dropout]") {
  CHECK_THROWS_WITH(Dropout("drop_bad", 1.0), Contains("drop_bad") && Contains("[0, 1)"));
  CHECK_THROWS_AS(Dropout("drop_neg", -0.1), ConfigError);
  CHECK_THROWS_AS(Dropout("drop_nan", std::nan("")), ConfigError);
  CHECK_NOTHROW(Dropout("drop_zero", 0.0));
}

// ---------------------------------------------------------------- LRN

namespace {

/// The ONNX LRN formula written out directly, in double.
double naive_lrn(const Tensor& x, std::size_t n, std::size_t c, std::size_t h, std::size_t w, std::size_t size,
                 double alpha, double beta, double k) {
  const long C = static_cast<long>(x.shape().c);
  const long lo = static_cast<long>(std::floor((static_cast<double>(size) - 1) / 2));
  const long hi = static_cast<long>(std::ceil((static_cast<double>(size) - 1) / 2));
  double sq = 0.0;
  for (long i = std::max(0L, static_cast<long>(c) - lo); i <= std::min(C - 1, static_cast<long>(c) + hi); ++i) {
    const double v = x.at(n, static_cast<std::size_t>(i), h, w);
    sq += v * v;
  }
  return x.at(n, c, h, w) / std::pow(k + alpha / static_cast<double>(size) * sq, beta);
}

}  // namespace

TEST_CASE("LRN: asymmetric window by hand", "[nn][lrn]") {
  // size 2: window {c, c + 1} (floor(1/2) = 0 below, ceil(1/2) = 1 above). x = {1, 2, 3},
  // alpha 1, beta 1, k 1: y = {1 / (1 + (1 + 4)/2), 2 / (1 + (4 + 9)/2), 3 / (1 + 9/2)}.
  LRN lrn("lrn", 2, 1.0, 1.0, 1.0);
  CHECK(lrn.type() == "LRN");
  const Tensor x = from_values(Shape{1, 3, 1, 1}, {1, 2, 3});
  Ctx c(false);
  const Tensor y = run(lrn, x, c.ctx);
  CHECK(y[0] == Approx(1.0 / 3.5));
  CHECK(y[1] == Approx(2.0 / 7.5));
  CHECK(y[2] == Approx(3.0 / 5.5));
}

TEST_CASE("LRN matches the ONNX formula evaluated naively", "[nn][lrn]") {
  // beta 0.75, 0.5 and 1 take the layer's square-root paths, 0.6 its general pow path.
  for (double beta : {0.75, 0.6, 0.5, 1.0})
    for (std::size_t size : {1, 3, 4, 5, 9}) {
      LRN lrn("lrn", size, 0.3, beta, 2.0);
      const Tensor x = test::random_tensor(Shape{2, 7, 3, 4}, 50 + static_cast<std::uint32_t>(size), 2.0f);
      Ctx c(false);
      const Tensor y = run(lrn, x, c.ctx);
      const Shape s = x.shape();
      for (std::size_t n = 0; n < s.n; ++n)
        for (std::size_t ch = 0; ch < s.c; ++ch)
          for (std::size_t h = 0; h < s.h; ++h)
            for (std::size_t w = 0; w < s.w; ++w) {
              INFO("beta " << beta << " size " << size << " at " << n << "," << ch << "," << h << "," << w);
              CHECK(y.at(n, ch, h, w) == Approx(naive_lrn(x, n, ch, h, w, size, 0.3, beta, 2.0)).epsilon(1e-5));
            }
    }
}

TEST_CASE("LRN gradients match central differences", "[nn][lrn]") {
  for (double beta : {0.75, 0.6})
    for (std::size_t size : {2, 3, 5}) {
      LRN lrn("lrn", size, 0.5, beta, 1.0);
      test::check_gradients(lrn, {test::random_tensor(Shape{2, 6, 2, 3}, 60 + static_cast<std::uint32_t>(size))});
    }
}

TEST_CASE("LRN rejects a zero window, naming the layer", "[nn][lrn]") {
  CHECK_THROWS_WITH(LRN("lrn_bad", 0), Contains("lrn_bad"));
  CHECK_THROWS_AS(LRN("lrn_k", 3, 1e-4, 0.75, 0.0), ConfigError);
}

// Training loop: full-batch and online updates against a naive softmax-regression
// gradient step written here, loss reduction on a separable problem, thread-count
// independence, cancellation consistency and backend notification.
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/trainer.hpp>

using namespace xbarsim;

namespace {

// n samples of 4 features, 3 classes: class k = i mod 3 centred at 2 e_k (+ e_3 for
// k = 2), with N(0, 0.3^2) noise from the project RNG. Linearly separable in practice.
ImageDataset blobs(std::size_t n) {
  ImageDataset d;
  d.images = Tensor(Shape{n, 4, 1, 1});
  d.labels.resize(n);
  d.classes = 3;
  d.name = "blobs";
  const RngKey key(1, rng_purpose("test.trainer.blobs"));
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k = i % 3;
    float noise[4];
    normal_block(noise, 4, key, StreamId{static_cast<std::uint32_t>(i), 0, 0});
    for (std::size_t j = 0; j < 4; ++j) d.images[4 * i + j] = 0.3f * noise[j] + (j == k ? 2.0f : 0.0f);
    if (k == 2) d.images[4 * i + 3] += 2.0f;
    d.labels[i] = static_cast<std::uint8_t>(k);
  }
  return d;
}

Network two_layer() {
  Network net(Shape{1, 4, 1, 1});
  net.add(std::make_unique<Dense>("fc1", 4, 8));
  net.add(std::make_unique<Dense>("fc2", 8, 3));
  return net;
}

Network one_layer() {
  Network net(Shape{1, 4, 1, 1});
  net.add(std::make_unique<Dense>("fc", 4, 3));
  return net;
}

std::vector<float> weights_of(Network& net) {
  std::vector<float> w;
  for (Param* p : net.params()) w.insert(w.end(), p->value.data(), p->value.data() + p->value.size());
  return w;
}

// One plain-SGD step of softmax regression on samples [begin, end), in double, from the
// definition: dL/dW[o][j] = mean_b (softmax(z_b)_o - [o == y_b]) x_bj, dL/db = mean of
// the same without x. Returns the mean loss before the step.
double naive_step(std::vector<double>& W, std::vector<double>& b, const ImageDataset& d, std::size_t begin,
                  std::size_t end, double lr) {
  const std::size_t n = end - begin;
  std::vector<double> gW(12, 0.0), gb(3, 0.0);
  double loss = 0.0;
  for (std::size_t s = begin; s < end; ++s) {
    const float* x = d.images.data() + 4 * s;
    double z[3], m = -1e300, sum = 0.0;
    for (int o = 0; o < 3; ++o) {
      z[o] = b[o];
      for (int j = 0; j < 4; ++j) z[o] += W[4 * o + j] * x[j];
      m = std::max(m, z[o]);
    }
    for (double v : z) sum += std::exp(v - m);
    loss += m + std::log(sum) - z[d.labels[s]];
    for (int o = 0; o < 3; ++o) {
      const double g = std::exp(z[o] - m) / sum - (o == d.labels[s] ? 1.0 : 0.0);
      gb[o] += g / static_cast<double>(n);
      for (int j = 0; j < 4; ++j) gW[4 * o + j] += g * x[j] / static_cast<double>(n);
    }
  }
  for (int i = 0; i < 12; ++i) W[i] -= lr * gW[i];
  for (int o = 0; o < 3; ++o) b[o] -= lr * gb[o];
  return loss / static_cast<double>(n);
}

struct CountingBackend final : MatVecBackend {
  DigitalBackend inner;
  std::size_t changed = 0;
  void forward(const MatVecId& id, const arma::fmat& W, const arma::fmat& X, arma::fmat& Y) override {
    inner.forward(id, W, X, Y);
  }
  void backward(const MatVecId& id, const arma::fmat& W, const arma::fmat& dY, arma::fmat& dX) override {
    inner.backward(id, W, dY, dX);
  }
  void weights_changed(const MatVecId&) override { ++changed; }
};

}  // namespace

TEST_CASE("full-batch and online epochs equal naive SGD steps", "[nn][trainer]") {
  const ImageDataset d = blobs(12);
  for (std::size_t bs : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
    INFO("batch size " << bs);
    Network net = one_layer();
    auto& fc = static_cast<Dense&>(net.layer(1));
    std::vector<double> W(fc.weight().value.data(), fc.weight().value.data() + 12);
    std::vector<double> b(fc.bias()->value.data(), fc.bias()->value.data() + 3);
    Sgd sgd;
    TrainOptions opt;
    opt.batch_size = bs;
    opt.shuffle = false;
    opt.optimizer = &sgd;
    opt.schedule.base_lr = 0.5;
    CountingBackend be;
    LayerContext ctx;
    ctx.backend = &be;
    const EpochStats st = train_epoch(net, d, 0, opt, ctx);
    // Reference: consecutive batches of bs (0 = all 12) samples, one step each; the
    // reported loss is the sample-weighted mean of the pre-step batch losses.
    const std::size_t step = bs == 0 ? 12 : bs;
    double loss = 0.0;
    std::size_t batches = 0;
    for (std::size_t s = 0; s < 12; s += step, ++batches) {
      const std::size_t e = std::min<std::size_t>(12, s + step);
      loss += naive_step(W, b, d, s, e, 0.5) * static_cast<double>(e - s);
    }
    CHECK(st.batches == batches);
    CHECK(st.samples == 12);
    CHECK(be.changed == batches);  // one weight matrix, notified after every step
    CHECK(st.loss == Approx(loss / 12.0).epsilon(1e-5));
    CHECK(st.lr == 0.5);
    for (int i = 0; i < 12; ++i) CHECK(fc.weight().value[i] == Approx(W[i]).epsilon(1e-5).margin(1e-6));
    for (int o = 0; o < 3; ++o) CHECK(fc.bias()->value[o] == Approx(b[o]).epsilon(1e-5).margin(1e-6));
  }
}

TEST_CASE("training reduces the loss and separates the classes", "[nn][trainer]") {
  const ImageDataset d = blobs(300);
  Network net = two_layer();
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  const EpochStats before = evaluate(net, d, 64, ctx);
  Sgd sgd(0.9);
  TrainOptions opt;
  opt.batch_size = 16;
  opt.seed = 5;
  opt.optimizer = &sgd;
  opt.schedule.base_lr = 0.05;
  for (std::size_t e = 0; e < 5; ++e) train_epoch(net, d, e, opt, ctx);
  const EpochStats after = evaluate(net, d, 64, ctx);
  // Chance level is 1/3 and log 3 = 1.0986 nats; a separable problem must do far better.
  CHECK(after.loss < 0.2 * before.loss);
  CHECK(after.accuracy > 0.97);
  CHECK(after.samples == 300);
  CHECK(after.batches == 5);
}

TEST_CASE("trained weights do not depend on the thread count", "[nn][trainer]") {
  const ImageDataset d = blobs(120);
  auto run = [&](std::size_t threads) {
    ThreadLimit limit(threads);
    Network net = two_layer();
    Adam adam;
    TrainOptions opt;
    opt.batch_size = 8;
    opt.seed = 9;
    opt.optimizer = &adam;
    opt.schedule.base_lr = 0.01;
    DigitalBackend be;
    LayerContext ctx;
    ctx.backend = &be;
    for (std::size_t e = 0; e < 2; ++e) train_epoch(net, d, e, opt, ctx);
    return weights_of(net);
  };
  const auto w1 = run(1), w2 = run(2);
  CHECK(w1 == w2);
  Network fresh = two_layer();
  CHECK(w1 != weights_of(fresh));  // training changed something
}

TEST_CASE("cancellation between batches leaves the weights of the last complete step", "[nn][trainer]") {
  const ImageDataset d = blobs(60);
  struct CancelAfter final : ProgressSink {
    CancellationToken* token;
    std::size_t batches = 0, limit;
    CancelAfter(CancellationToken* t, std::size_t l) : token(t), limit(l) {}
    void update(std::size_t, std::size_t, std::string_view) override {
      if (++batches == limit) token->cancel();
    }
  };
  CancellationToken token;
  CancelAfter sink(&token, 3);
  RunControl run{&sink, &token};
  Network net = two_layer();
  Sgd sgd(0.9, 0.0, true);
  TrainOptions opt;
  opt.batch_size = 10;
  opt.shuffle = false;
  opt.optimizer = &sgd;
  opt.schedule.base_lr = 0.1;
  CountingBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  CHECK_THROWS_AS(train_epoch(net, d, 0, opt, ctx, run), Cancelled);
  CHECK(sink.batches == 3);
  CHECK(be.changed == 3 * 2);  // two weight matrices, three steps
  // Reference: a fresh network trained on exactly the first 30 samples in order.
  Network ref = two_layer();
  Sgd sgd2(0.9, 0.0, true);
  opt.optimizer = &sgd2;
  train_epoch(ref, slice(d, 0, 30), 0, opt, ctx);
  CHECK(weights_of(net) == weights_of(ref));
  // An already cancelled token stops evaluation too.
  CHECK_THROWS_AS(evaluate(net, d, 10, ctx, run), Cancelled);
}

TEST_CASE("trainer rejects mismatched data and missing pieces", "[nn][trainer]") {
  Network net = one_layer();
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  Sgd sgd;
  TrainOptions opt;
  opt.optimizer = &sgd;
  ImageDataset d = blobs(6);
  d.classes = 10;  // network has 3 outputs
  CHECK_THROWS_AS(train_epoch(net, d, 0, opt, ctx), ConfigError);
  d.classes = 3;
  TrainOptions none;
  CHECK_THROWS_AS(train_epoch(net, d, 0, none, ctx), ConfigError);
  LayerContext no_backend;
  CHECK_THROWS_AS(evaluate(net, d, 2, no_backend), ConfigError);
  // A non-finite loss (here from an infinite pixel in sample 7, batch 1) is a
  // NumericalError raised before that batch's step: the weights are those after batch 0.
  ImageDataset bad = blobs(12);
  bad.images[4 * 7] = INFINITY;
  opt.batch_size = 6;
  opt.shuffle = false;
  Network a = one_layer(), b = one_layer();
  Sgd s1, s2;
  opt.optimizer = &s1;
  CHECK_THROWS_AS(train_epoch(a, bad, 0, opt, ctx), NumericalError);
  opt.optimizer = &s2;
  train_epoch(b, slice(bad, 0, 6), 0, opt, ctx);
  CHECK(weights_of(a) == weights_of(b));
  CHECK(batches_per_epoch(10, 3) == 4);
  CHECK(batches_per_epoch(10, 0) == 1);
  CHECK(batches_per_epoch(10, 1) == 10);
  CHECK(batches_per_epoch(0, 4) == 0);
}

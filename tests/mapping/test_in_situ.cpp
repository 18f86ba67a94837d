// In-situ training of small networks on ConstantStep tiles (issue 5): aihwkit's analog SGD
// (SingleRPUConfig) and Tiki-Taka v1 (TransferCompound), dense and convolution layers.
#include <catch2/catch.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/rpu_step.hpp>
#include <xbarsim/mapping/in_situ.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/zoo.hpp>

using namespace xbarsim;

namespace {
Network mlp() {
  Network net(Shape{0, 1, 28, 28});
  net.add(std::make_unique<Flatten>("flatten"));
  net.add(std::make_unique<Dense>("fc1", 784, 64));
  net.add(std::make_unique<Activation>("relu", ActivationKind::ReLU));
  net.add(std::make_unique<Dense>("fc2", 64, 10));
  return net;
}

/// aihwkit's ConstantStep device (dw_min 0.001, 30% device-to-device and cycle-to-cycle
/// spread, bounds +-0.6 with 30% spread), one device per weight against a reference
/// column, weights in device units (fixed scale 0.6 = w_max), aihwkit's default
/// forward and backward periphery (7-bit DAC, ADC, output noise, noise and bound management).
AnalogBackendOptions constant_step_tiles() {
  AnalogBackendOptions o;
  o.tile.mapping.scheme = "reference-column";
  o.tile.mapping.scale = "fixed";
  o.tile.mapping.fixed_scale = 0.6;
  o.tile.cell_access.cell = "0T1R";
  o.tile.forward_adc.bits = 9;
  o.tile.backward_adc.bits = 9;
  o.backward = "analog";
  o.device = [] { return std::make_unique<RpuStepModel>(RpuStepParams{}); };
  return o;
}

/// One conv layer and a dense classifier on 7 x 7 images: the 28 x 28 input is averaged
/// over 4 x 4 blocks digitally first (AvgPool2D), then conv 3x3 (1 -> 8 channels, 5 x 5
/// outputs, im2col K = 9 rows), ReLU, dense 200 -> 10.
Network small_cnn() {
  Network net(Shape{0, 1, 28, 28});
  Pool2DSpec pool;
  pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 4;
  net.add(std::make_unique<AvgPool2D>("down", pool));
  Conv2DSpec conv;
  conv.in_channels = 1;
  conv.out_channels = 8;
  net.add(std::make_unique<Conv2D>("conv1", conv));
  net.add(std::make_unique<Activation>("relu", ActivationKind::ReLU));
  net.add(std::make_unique<Flatten>("flatten"));
  net.add(std::make_unique<Dense>("fc", 200, 10));
  return net;
}

/// Trains `net` in situ for `epochs` and returns the test accuracy read on the tiles.
double train_and_test(Network& net, AnalogBackend& analog, const ImageDataset& train, const ImageDataset& test,
                      std::size_t epochs, double lr) {
  InSituOptions io;
  io.lr = lr;
  for (std::size_t epoch = 0; epoch < epochs; ++epoch) train_in_situ_epoch(net, analog, train, epoch, io);
  LayerContext ctx;
  ctx.backend = &analog;
  return evaluate(net, test, 500, ctx).accuracy;
}

/// Digital SGD on the same data (batch 10, constant lr) as the reference.
double digital_sgd(Network& net, const ImageDataset& train, const ImageDataset& test, std::size_t epochs, double lr) {
  DigitalBackend digital;
  LayerContext ctx;
  ctx.backend = &digital;
  std::unique_ptr<Optimizer> sgd = make_optimizer(OptimizerConfig{});
  TrainOptions to;
  to.batch_size = 10;
  to.optimizer = sgd.get();
  to.schedule.base_lr = lr;
  for (std::size_t epoch = 0; epoch < epochs; ++epoch) train_epoch(net, train, epoch, to, ctx);
  return evaluate(net, test, 500, ctx).accuracy;
}
}  // namespace

TEST_CASE("in-situ training of an MLP on ConstantStep tiles learns Fashion-MNIST", "[mapping][insitu]") {
  // 3000 training images, 3 epochs of pulsed SGD (batch 10, lr 0.1), tested on 1000
  // test images. Reference: chance is 10%; the same MLP trained digitally with plain
  // SGD on the same data reaches ~80% (measured below in the same test). Stated goal:
  // in-situ accuracy >= 65% and within 15 points of digital (ConstantStep's asymmetric,
  // noisy steps cost a few points, as in aihwkit's examples).
  const ImageDataset train = slice(load_fashion_mnist(kFashionMnistDir, "train"), 0, 3000);
  const ImageDataset test = slice(load_fashion_mnist(kFashionMnistDir, "test"), 0, 1000);
  Network net = mlp();
  AnalogBackend analog(constant_step_tiles());
  const double acc_insitu = train_and_test(net, analog, train, test, 3, 0.1);
  Network ref = mlp();
  const double acc_digital = digital_sgd(ref, train, test, 3, 0.1);
  INFO("in-situ " << acc_insitu << ", digital SGD " << acc_digital);
  CHECK(acc_insitu >= 0.65);
  CHECK(acc_insitu >= acc_digital - 0.15);
  // The tiles hold the trained weights: reading them back differs from the initial ones,
  // which the layer still holds (in-situ updates change only the tiles).
  const arma::fmat W = analog.weights(MatVecId{2, 0, "fc1"});
  REQUIRE(W.n_rows == 64);
  REQUIRE(W.n_cols == 784);
  const Param& w0 = dynamic_cast<Dense&>(net.layer(2)).weight();
  CHECK(arma::abs(W - arma::fmat(const_cast<float*>(w0.value.data()), 784, 64, false, true).t()).max() > 0.05f);
}

TEST_CASE("Tiki-Taka in-situ training of the MLP on ConstantStep tiles", "[mapping][insitu]") {
  // Same data, MLP, devices, periphery and lr (0.1) as the SGD test above, with aihwkit's
  // TransferCompound defaults (aihwkit.md 1.4: gamma 0, fast_lr 1 and transfer_lr 1 scaled
  // by the SGD lr, one column read per mini-batch, aihwkit-default transfer read and
  // update). Measured (seed 1): Tiki-Taka 74.0%, analog SGD 75.4% (backend seeds 2, 3, 4:
  // Tiki-Taka 73.0%, 72.9%, 72.5%). Stated goal: >= 68% and within 8 points of analog SGD.
  // ConstantStep has no symmetry point, so A is a pure integrator (no decay); with more
  // reads per transfer (4: 43-57% over the same seeds) the A -> C loop overshoots.
  const ImageDataset train = slice(load_fashion_mnist(kFashionMnistDir, "train"), 0, 3000);
  const ImageDataset test = slice(load_fashion_mnist(kFashionMnistDir, "test"), 0, 1000);
  AnalogBackendOptions o = constant_step_tiles();
  o.in_situ = "tiki-taka";
  Network net = mlp();
  AnalogBackend analog(o);
  const double acc_tt = train_and_test(net, analog, train, test, 3, 0.1);
  Network ref = mlp();
  AnalogBackend sgd_tiles(constant_step_tiles());
  const double acc_sgd = train_and_test(ref, sgd_tiles, train, test, 3, 0.1);
  INFO("tiki-taka " << acc_tt << ", analog sgd " << acc_sgd);
  CHECK(acc_tt >= 0.68);
  CHECK(acc_tt >= acc_sgd - 0.08);
  // fc1 (784 inputs) is 4 row blocks of <= 256 inputs, fc2 one block: 5 blocks, A and C each.
  CHECK(analog.num_tiles() == 10);
}

TEST_CASE("in-situ training of a small CNN (conv + dense) on ConstantStep tiles", "[mapping][insitu]") {
  // small_cnn() on 3000 training images (3 epochs, batch 10, lr 0.1), tested on 1000: the
  // conv tile is updated once per mini-batch with the im2col inputs of all 10 x 25
  // positions. Reference: chance is 10%; the same CNN trained digitally with SGD on the
  // same data, measured in this test (73.2%). Measured: analog SGD 72.1%, Tiki-Taka
  // (aihwkit defaults) 63.6% (backend seeds 2, 3: 63.5%, 65.3%; with 2 reads per transfer
  // 68.0%, 69.3%). Stated goals: analog SGD >= 65% and within 10 points of digital;
  // Tiki-Taka >= 58% (chance 10%) and within 15 points of digital.
  const ImageDataset train = slice(load_fashion_mnist(kFashionMnistDir, "train"), 0, 3000);
  const ImageDataset test = slice(load_fashion_mnist(kFashionMnistDir, "test"), 0, 1000);
  Network net = small_cnn();
  AnalogBackend analog(constant_step_tiles());
  const double acc_sgd = train_and_test(net, analog, train, test, 3, 0.1);
  AnalogBackendOptions o = constant_step_tiles();
  o.in_situ = "tiki-taka";
  Network tt = small_cnn();
  AnalogBackend tt_tiles(o);
  const double acc_tt = train_and_test(tt, tt_tiles, train, test, 3, 0.1);
  Network ref = small_cnn();
  const double acc_digital = digital_sgd(ref, train, test, 3, 0.1);
  INFO("analog sgd " << acc_sgd << ", tiki-taka " << acc_tt << ", digital " << acc_digital);
  CHECK(acc_sgd >= 0.65);
  CHECK(acc_tt >= 0.58);
  CHECK(acc_sgd >= acc_digital - 0.10);
  CHECK(acc_tt >= acc_digital - 0.15);
  // The conv tile learned: its weights differ from the layer's initial digital weights.
  const arma::fmat Wc = analog.weights(MatVecId{2, 0, "conv1"});
  CHECK(Wc.n_rows == 8);
  CHECK(Wc.n_cols == 9);
  const Param& w0 = dynamic_cast<Conv2D&>(net.layer(2)).weight();
  CHECK(arma::abs(Wc - arma::fmat(const_cast<float*>(w0.value.data()), 9, 8, false, true).t()).max() > 0.05f);
}

TEST_CASE("in-situ conv update is the outer-product sum over all positions of the batch", "[mapping][insitu]") {
  // Reference: the digital weight gradient the Conv2D layer itself computes in the same
  // backward pass (nn: dW = dY X^T over every image and output position). One mini-batch
  // of 16 random 8 x 8 images of one class through conv 3x3 (1 -> 8 channels, 36
  // positions) on ideal
  // ConstantStep tiles (no spreads, q = 0.001 per coincidence): the tile change must be
  // -lr dW in expectation. The counts are sums of independent binomials, so
  // Var(dW_ij) <= q lr sum_b |x_bi d_bj| (computed here from the im2col inputs and the
  // output gradients); the least-squares slope of the change against -lr dW is 1 within
  // 4 standard errors, and that band is required to be below 8% (a position / channel
  // mix-up between X and dY gives a slope near 0).
  const std::size_t n = 16, hw = 8, ho = 6, P = ho * ho, cout = 8;
  Network net(Shape{0, 1, hw, hw});
  Conv2DSpec spec;
  spec.out_channels = cout;
  net.add(std::make_unique<Conv2D>("conv1", spec));
  net.add(std::make_unique<Flatten>("flatten"));
  net.add(std::make_unique<Dense>("fc", cout * P, 10));
  ImageDataset data;
  arma::arma_rng::set_seed(3);
  data.images = Tensor(Shape{n, 1, hw, hw});
  const arma::fvec pixels(n * hw * hw, arma::fill::randu);
  std::copy(pixels.begin(), pixels.end(), data.images.data());
  data.labels.assign(n, 0);  // one class: the gradients of the samples add up coherently
  AnalogBackendOptions o = constant_step_tiles();
  o.tile.forward_io.is_perfect = o.tile.backward_io.is_perfect = true;
  o.device = [] {
    RpuStepParams p;
    p.dw_min_dtod = p.dw_min_std = p.up_down_dtod = p.w_max_dtod = p.w_min_dtod = 0.0;
    return std::make_unique<RpuStepModel>(p);
  };
  AnalogBackend analog(o);
  LayerContext ctx;
  ctx.backend = &analog;
  // Conv weights start at 0 so that W0 - lr dW stays inside the device bounds +-0.6.
  Conv2D& conv = dynamic_cast<Conv2D&>(net.layer(1));
  conv.weight().value.fill(0.0f);
  evaluate(net, data, n, ctx);  // programs the tiles
  const MatVecId id{1, 0, "conv1"};
  const arma::mat W0 = arma::conv_to<arma::mat>::from(analog.weights(id));
  InSituOptions io;
  io.batch_size = n;
  io.lr = 2.5;
  train_in_situ_epoch(net, analog, data, 0, io);
  const arma::mat dW = arma::conv_to<arma::mat>::from(analog.weights(id)) - W0;
  const arma::mat grad = arma::conv_to<arma::mat>::from(arma::fmat(conv.weight().grad.data(), 9, cout).t());
  const arma::mat expect = -io.lr * grad;
  // im2col of the (unpadded, stride 1) 3x3 patches: X (9 x n P) and dY (cout x n P).
  arma::mat X(9, n * P), dY(cout, n * P);
  const Tensor& dout = net.gradient(1);
  const Tensor& batch = net.activation(0);  // the images in the epoch's shuffled order
  double k_max = 0.0;
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t y = 0; y < ho; ++y)
      for (std::size_t x = 0; x < ho; ++x) {
        const std::size_t col = b * P + y * ho + x;
        for (std::size_t i = 0; i < 3; ++i)
          for (std::size_t j = 0; j < 3; ++j) X(i * 3 + j, col) = batch.data()[b * hw * hw + (y + i) * hw + x + j];
        for (std::size_t c = 0; c < cout; ++c) dY(c, col) = dout.data()[(b * cout + c) * P + y * ho + x];
        // aihwkit's k = lr x_max d_max / q of this sample must stay <= desired_bl = 31.
        k_max = std::max(k_max, io.lr * arma::abs(X.col(col)).max() * arma::abs(dY.col(col)).max() / 0.001);
      }
  REQUIRE(k_max <= 31.0);
  CHECK(arma::abs(dY * X.t() - grad).max() < 1e-5);  // the reconstruction matches nn's gradient
  const arma::mat var = 0.001 * io.lr * (arma::abs(dY) * arma::abs(X).t());
  const double den = arma::accu(expect % expect);
  const double slope = arma::accu(dW % expect) / den;
  const double sd = std::sqrt(arma::accu(expect % expect % var)) / den;
  INFO("slope " << slope << " +- " << sd);
  CHECK(std::abs(slope - 1.0) <= 4 * sd);
  CHECK(4 * sd < 0.08);
  CHECK(arma::abs(W0 + expect).max() < 0.6);  // no step was clipped at a device bound
}

TEST_CASE("in-situ training repeats bit for bit with 1 and 2 threads", "[mapping][insitu]") {
  // Reference: ARCHITECTURE.md "Random numbers and determinism" -- every draw is keyed by
  // logical coordinates, never by thread. Tiki-Taka CNN, 200 images, one epoch.
  const ImageDataset train = slice(load_fashion_mnist(kFashionMnistDir, "train"), 0, 200);
  auto run = [&](std::size_t threads) {
    ThreadLimit limit(threads);
    AnalogBackendOptions o = constant_step_tiles();
    o.in_situ = "tiki-taka";
    Network net = small_cnn();
    AnalogBackend analog(o);
    const EpochStats st = train_in_situ_epoch(net, analog, train, 0, InSituOptions{});
    const arma::fmat wc = analog.weights(MatVecId{2, 0, "conv1"}), wf = analog.weights(MatVecId{5, 0, "fc"});
    return std::make_pair(st.loss, arma::fmat(arma::join_cols(arma::vectorise(wc), arma::vectorise(wf))));
  };
  const auto a = run(1), b = run(2);
  CHECK(a.first == b.first);
  CHECK(arma::approx_equal(a.second, b.second, "absdiff", 0.0f));
}

TEST_CASE("bad in-situ options are ConfigErrors naming the key", "[mapping][insitu]") {
  AnalogBackendOptions o = constant_step_tiles();
  o.in_situ = "adam";
  CHECK_THROWS_WITH(AnalogBackend(o), Catch::Contains("analog.in_situ"));
  o.in_situ = "tiki-taka";
  o.transfer.transfer.gamma = 0.1;  // the backend reads C only
  CHECK_THROWS_WITH(AnalogBackend(o), Catch::Contains("analog.transfer.gamma"));
}

TEST_CASE("in-situ training needs the im2col convolution, naming the layer", "[mapping][insitu]") {
  Network net(Shape{0, 1, 8, 8});
  Conv2DSpec conv;
  conv.algorithm = ConvAlgorithm::Winograd;
  net.add(std::make_unique<Conv2D>("conv_w", conv));
  net.add(std::make_unique<Flatten>("flatten"));
  net.add(std::make_unique<Dense>("fc", 36, 2));
  AnalogBackend analog(constant_step_tiles());
  ImageDataset tiny;
  tiny.images = Tensor(Shape{2, 1, 8, 8});
  tiny.labels = {0, 1};
  try {
    train_in_situ_epoch(net, analog, tiny, 0, InSituOptions{});
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("conv_w") != std::string::npos);
  }
}

// In-situ training of a small network on ConstantStep tiles (issue 5).
#include <catch2/catch.hpp>
#include <xbarsim/core/error.hpp>
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
  InSituOptions io;
  io.lr = 0.1;
  for (std::size_t epoch = 0; epoch < 3; ++epoch) train_in_situ_epoch(net, analog, train, epoch, io);
  LayerContext ctx;
  ctx.backend = &analog;
  const double acc_insitu = evaluate(net, test, 500, ctx).accuracy;

  Network ref = mlp();
  DigitalBackend digital;
  ctx.backend = &digital;
  std::unique_ptr<Optimizer> sgd = make_optimizer(OptimizerConfig{});
  TrainOptions to;
  to.batch_size = 10;
  to.optimizer = sgd.get();
  to.schedule.base_lr = 0.1;
  for (std::size_t epoch = 0; epoch < 3; ++epoch) train_epoch(ref, train, epoch, to, ctx);
  const double acc_digital = evaluate(ref, test, 500, ctx).accuracy;
  INFO("in-situ " << acc_insitu << ", digital SGD " << acc_digital);
  CHECK(acc_insitu >= 0.65);
  CHECK(acc_insitu >= acc_digital - 0.15);
  // The tiles hold the trained weights: reading them back differs from the initial ones.
  const arma::fmat W = analog.weights(MatVecId{2, 0, "fc1"});
  CHECK(W.n_rows == 64);
  CHECK(W.n_cols == 784);
}

TEST_CASE("in-situ training refuses convolutions, naming the layer", "[mapping][insitu]") {
  Network net = make_model("lenet5");
  AnalogBackend analog(constant_step_tiles());
  ImageDataset tiny;
  tiny.images = Tensor(Shape{2, 1, 28, 28});
  tiny.labels = {0, 1};
  try {
    train_in_situ_epoch(net, analog, tiny, 0, InSituOptions{});
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("conv1") != std::string::npos);
  }
}

// Training loop and evaluation (see trainer.hpp).
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/trainer.hpp>

namespace xbarsim {
namespace {

void check_fit(Network& net, const ImageDataset& data, const LayerContext& ctx, const char* who) {
  if (!ctx.backend) throw ConfigError(std::string(who) + ".backend", "a MatVecBackend is required");
  Shape sample = data.images.shape();
  sample.n = 1;
  if (!(sample == net.input_shape()))
    throw ConfigError(data.name.empty() ? "dataset" : data.name,
                      "samples are " + sample.str() + " but the network takes " + net.input_shape().str());
  if (data.labels.size() != data.images.shape().n)
    throw ConfigError(data.name.empty() ? "dataset" : data.name, "has " + std::to_string(data.labels.size()) +
                                                                     " labels for " +
                                                                     std::to_string(data.images.shape().n) + " images");
  const Shape out = net.output_shape(1);
  if (out.sample_size() != data.classes)
    throw ConfigError(data.name.empty() ? "dataset" : data.name,
                      "has " + std::to_string(data.classes) + " classes but the network outputs " +
                          std::to_string(out.sample_size()) + " logits per sample");
}

std::size_t count_correct(const Tensor& logits, const std::vector<std::uint8_t>& labels) {
  const std::size_t k = logits.shape().sample_size();
  std::size_t correct = 0;
  for (std::size_t b = 0; b < labels.size(); ++b) {
    const float* z = logits.data() + b * k;
    std::size_t arg = 0;  // first maximum, as torch.argmax
    for (std::size_t j = 1; j < k; ++j)
      if (z[j] > z[arg]) arg = j;
    correct += arg == labels[b];
  }
  return correct;
}

// The analog backend reprograms after a step; Dense and Conv are the layers that compute
// through it (one matrix per convolution group).
void notify_weights_changed(Network& net, MatVecBackend& backend) {
  for (std::size_t k = 1; k < net.num_nodes(); ++k) {
    Layer& l = net.layer(k);
    std::size_t groups = 0;
    if (l.type() == "Gemm") groups = 1;
    // static_cast by type name: the layer's type() identifies its class.
    if (l.type() == "Conv") groups = static_cast<Conv2D&>(l).spec().groups;
    for (std::size_t g = 0; g < groups; ++g) backend.weights_changed(MatVecId{k, g, l.name()});
  }
}

std::string progress_text(const char* what, double loss_sum, std::size_t correct, std::size_t seen) {
  char buf[96];
  const double n = static_cast<double>(seen ? seen : 1);
  std::snprintf(buf, sizeof buf, "%s loss %.4f acc %.4f", what, loss_sum / n, static_cast<double>(correct) / n);
  return buf;
}

}  // namespace

std::size_t batches_per_epoch(std::size_t n, std::size_t batch_size) {
  if (n == 0) return 0;
  if (batch_size == 0 || batch_size >= n) return 1;
  return (n + batch_size - 1) / batch_size;
}

EpochStats train_epoch(Network& net, const ImageDataset& data, std::size_t epoch, const TrainOptions& opt,
                       const LayerContext& ctx, const RunControl& run) {
  if (!opt.optimizer) throw ConfigError("trainer.optimizer", "an optimiser is required");
  opt.schedule.validate();
  check_fit(net, data, ctx, "trainer");
  const std::size_t n = data.size();
  const std::size_t bs = opt.batch_size == 0 ? n : std::min(opt.batch_size, n);
  const std::size_t nb = batches_per_epoch(n, opt.batch_size);
  std::vector<std::size_t> order;
  if (opt.shuffle) {
    order = shuffled_indices(n, opt.seed, epoch);
  } else {
    order.resize(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
  }
  EpochStats st;
  st.lr = opt.schedule.lr(epoch);
  std::vector<Param*> params = net.params();
  LayerContext c = ctx;
  c.training = true;
  Tensor x;
  std::vector<std::uint8_t> y;
  double loss_sum = 0.0;
  std::size_t correct = 0;
  if (opt.first_batch > nb)
    throw ConfigError("trainer.first_batch",
                      std::to_string(opt.first_batch) + " is beyond the epoch's " + std::to_string(nb) + " batches");
  for (std::size_t b = opt.first_batch; b < nb; ++b) {
    run.check();  // the only cancellation point: between complete steps
    const std::size_t begin = b * bs, end = std::min(n, begin + bs);
    gather_batch(data, order, begin, end, x, y);
    c.step = static_cast<std::uint64_t>(epoch) * nb + b;
    const Tensor& logits = net.forward(x, c);
    correct += count_correct(logits, y);
    LossResult lr = softmax_cross_entropy(logits, y);
    if (!std::isfinite(lr.loss))
      throw NumericalError("training loss is " + std::to_string(lr.loss) + " at epoch " + std::to_string(epoch) +
                           ", batch " + std::to_string(b) + " (learning rate " + std::to_string(st.lr) +
                           " too high?); the weights are those before this batch");
    net.zero_grad();
    net.backward(lr.grad, c);
    opt.optimizer->step(params, st.lr);
    notify_weights_changed(net, *ctx.backend);
    loss_sum += lr.loss * static_cast<double>(end - begin);
    st.samples += end - begin;
    st.batches = b + 1;
    if (opt.batches_done) *opt.batches_done = b + 1;
    if (run.progress) run.report(std::min(n, (b + 1) * bs), n, progress_text("train", loss_sum, correct, st.samples));
  }
  const double denom = static_cast<double>(st.samples ? st.samples : 1);
  st.loss = loss_sum / denom;
  st.accuracy = static_cast<double>(correct) / denom;
  return st;
}

EpochStats evaluate(Network& net, const ImageDataset& data, std::size_t batch_size, const LayerContext& ctx,
                    const RunControl& run) {
  check_fit(net, data, ctx, "evaluate");
  const std::size_t n = data.size();
  const std::size_t bs = batch_size == 0 ? n : std::min(batch_size, n);
  const std::size_t nb = batches_per_epoch(n, batch_size);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  LayerContext c = ctx;
  c.training = false;
  Tensor x;
  std::vector<std::uint8_t> y;
  EpochStats st;
  double loss_sum = 0.0;
  std::size_t correct = 0;
  for (std::size_t b = 0; b < nb; ++b) {
    run.check();
    const std::size_t begin = b * bs, end = std::min(n, begin + bs);
    gather_batch(data, order, begin, end, x, y);
    c.step = b;
    const Tensor& logits = net.forward(x, c);
    correct += count_correct(logits, y);
    loss_sum += softmax_cross_entropy(logits, y).loss * static_cast<double>(end - begin);
    st.samples += end - begin;
    st.batches = b + 1;
    if (run.progress) run.report(st.samples, n, progress_text("eval", loss_sum, correct, st.samples));
  }
  const double denom = static_cast<double>(st.samples ? st.samples : 1);
  st.loss = loss_sum / denom;
  st.accuracy = static_cast<double>(correct) / denom;
  return st;
}

}  // namespace xbarsim

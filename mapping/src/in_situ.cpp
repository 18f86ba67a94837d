// In-situ training on pulsed-device tiles (see in_situ.hpp).
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/in_situ.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

EpochStats train_in_situ_epoch(Network& net, AnalogBackend& backend, const ImageDataset& data, std::size_t epoch,
                               const InSituOptions& o, const RunControl& run) {
  for (std::size_t k = 1; k < net.num_nodes(); ++k)
    if (dynamic_cast<const Conv2D*>(&net.layer(k)))
      throw ConfigError(net.layer(k).name(), "in-situ training supports Dense layers only (no conv yet)");
  if (o.batch_size == 0 || !(o.lr > 0.0)) throw ConfigError("in_situ", "batch_size and lr must be > 0");
  const std::size_t n = data.size();
  const std::vector<std::size_t> order = shuffled_indices(n, o.seed, epoch);
  LayerContext ctx;
  ctx.backend = &backend;
  ctx.training = true;
  Tensor x;
  std::vector<std::uint8_t> y;
  EpochStats st;
  st.lr = o.lr;
  double loss_sum = 0.0;
  std::size_t correct = 0;
  for (std::size_t begin = 0; begin < n; begin += o.batch_size) {
    run.check();
    const std::size_t end = std::min(n, begin + o.batch_size);
    gather_batch(data, order, begin, end, x, y);
    ctx.step = epoch * ((n + o.batch_size - 1) / o.batch_size) + begin / o.batch_size;
    const Tensor& logits = net.forward(x, ctx);
    const std::size_t k_out = logits.shape().sample_size();
    for (std::size_t b = 0; b < end - begin; ++b) {
      const float* z = logits.data() + b * k_out;
      correct += static_cast<std::size_t>(std::max_element(z, z + k_out) - z) == y[b];
    }
    const LossResult loss = softmax_cross_entropy(logits, y);
    if (!std::isfinite(loss.loss)) throw NumericalError("in-situ training loss is " + std::to_string(loss.loss));
    net.zero_grad();
    net.backward(loss.grad, ctx);
    for (std::size_t k = 1; k < net.num_nodes(); ++k) {
      Layer& layer = net.layer(k);
      if (auto* dense = dynamic_cast<Dense*>(&layer)) {
        const Tensor& in = net.activation(net.inputs_of(k).at(0));
        const Tensor& dy = net.gradient(k);
        const std::size_t b = in.shape().n;
        backend.update(MatVecId{k, 0, layer.name()}, in.as_matrix(dense->in_features(), b),
                       dy.as_matrix(dense->out_features(), b), o.lr);
        if (Param* bias = dense->bias())
          for (std::size_t e = 0; e < bias->value.size(); ++e)
            bias->value[e] -= static_cast<float>(o.lr) * bias->grad[e];
      } else {
        for (Param* p : layer.params())
          for (std::size_t e = 0; e < p->value.size(); ++e) p->value[e] -= static_cast<float>(o.lr) * p->grad[e];
      }
    }
    loss_sum += loss.loss * static_cast<double>(end - begin);
    st.samples = end;
    st.batches += 1;
    run.report(end, n, "in-situ training");
  }
  st.loss = loss_sum / static_cast<double>(std::max<std::size_t>(st.samples, 1));
  st.accuracy = static_cast<double>(correct) / static_cast<double>(std::max<std::size_t>(st.samples, 1));
  return st;
}

}  // namespace xbarsim

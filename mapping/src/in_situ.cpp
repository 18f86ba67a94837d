// In-situ training on pulsed-device tiles (see in_situ.hpp).
#include <algorithm>
#include <cmath>
#include <map>
#include <utility>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/in_situ.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

namespace {
/// Passes every product to the analog backend and keeps a copy of each weight matrix's
/// last forward input X (K x B; im2col columns for a convolution): aihwkit's tiles keep
/// their forward input for the update the same way.
class RecordingBackend final : public MatVecBackend {
 public:
  explicit RecordingBackend(AnalogBackend& inner) : inner_(inner) {}
  void forward(const MatVecId& id, const arma::fmat& W, const arma::fmat& X, arma::fmat& Y) override {
    inputs_[{id.layer, id.group}] = X;  // deep copy: X may view the layer's scratch
    inner_.forward(id, W, X, Y);
  }
  void backward(const MatVecId& id, const arma::fmat& W, const arma::fmat& dY, arma::fmat& dX) override {
    inner_.backward(id, W, dY, dX);
  }
  void weights_changed(const MatVecId& id) override { inner_.weights_changed(id); }
  const arma::fmat& input(const MatVecId& id) const {
    const auto it = inputs_.find({id.layer, id.group});
    if (it == inputs_.end())
      throw ConfigError(id.name,
                        "in-situ update: the layer's forward did not run through the tiles (a convolution "
                        "must use the im2col algorithm)");
    return it->second;
  }

 private:
  AnalogBackend& inner_;
  std::map<std::pair<std::size_t, std::size_t>, arma::fmat> inputs_;
};

/// Plain SGD step of digital parameters.
void sgd_step(Param& p, double lr) {
  for (std::size_t e = 0; e < p.value.size(); ++e) p.value[e] -= static_cast<float>(lr) * p.grad[e];
}
}  // namespace

EpochStats train_in_situ_epoch(Network& net, AnalogBackend& backend, const ImageDataset& data, std::size_t epoch,
                               const InSituOptions& o, const RunControl& run) {
  for (std::size_t k = 1; k < net.num_nodes(); ++k)
    if (const auto* conv = dynamic_cast<const Conv2D*>(&net.layer(k)))
      if (conv->spec().algorithm != ConvAlgorithm::Im2col)
        throw ConfigError(net.layer(k).name(),
                          "in-situ training needs the im2col convolution (the products must run "
                          "on the tiles), not Winograd or FFT");
  if (o.batch_size == 0 || !(o.lr > 0.0)) throw ConfigError("in_situ", "batch_size and lr must be > 0");
  const std::size_t n = data.size();
  const std::vector<std::size_t> order = shuffled_indices(n, o.seed, epoch);
  LayerContext ctx;
  RecordingBackend recorder(backend);
  ctx.backend = &recorder;
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
        const MatVecId id{k, 0, layer.name()};
        const Tensor& dy = net.gradient(k);
        backend.update(id, recorder.input(id), dy.as_matrix(dense->out_features(), dy.shape().n), o.lr);
        if (Param* bias = dense->bias()) sgd_step(*bias, o.lr);
      } else if (auto* conv = dynamic_cast<Conv2D*>(&layer)) {
        // One update per group with all positions of the batch (aihwkit's conv tiles): X
        // the im2col columns (K x n P, column s P + p), dY the output gradients of the
        // group's channels in the same column order (Mg x n P), as Conv2D::backward builds.
        const Tensor& dout = net.gradient(k);
        const Shape& os = dout.shape();
        const std::size_t n_s = os.n, P = os.h * os.w, cout = os.c, groups = conv->spec().groups;
        const std::size_t mg = cout / groups;
        arma::fmat dY(mg, n_s * P);
        for (std::size_t gr = 0; gr < groups; ++gr) {
          for (std::size_t s = 0; s < n_s; ++s)
            for (std::size_t m = 0; m < mg; ++m) {
              const float* d = dout.data() + (s * cout + gr * mg + m) * P;
              for (std::size_t p = 0; p < P; ++p) dY(m, s * P + p) = d[p];
            }
          const MatVecId id{k, gr, layer.name()};
          backend.update(id, recorder.input(id), dY, o.lr);
        }
        if (Param* bias = conv->bias()) sgd_step(*bias, o.lr);
      } else {
        for (Param* p : layer.params()) sgd_step(*p, o.lr);
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

// Helpers shared by the NN commands (see nn_support.hpp).
#include "nn_support.hpp"

#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/nn/zoo.hpp>

namespace xbarsim::cli {

std::vector<std::string> zoo_model_names() { return zoo_models(); }

ImageDataset load_named_dataset(const std::string& name, const std::string& split, const std::string& dir) {
  if (name == "fashion-mnist") return load_fashion_mnist(dir.empty() ? kFashionMnistDir : dir, split);
  throw ConfigError("--dataset", "unknown dataset '" + name + "' (known: fashion-mnist)");
}

Tensor network_logits(Network& net, const Tensor& x, std::size_t batch, const LayerContext& ctx) {
  const Shape s = x.shape();
  const Shape out = net.output_shape(s.n);
  Tensor logits(out);
  const std::size_t k = out.sample_size(), per = s.sample_size();
  LayerContext c = ctx;
  c.training = false;
  for (std::size_t b0 = 0; b0 < s.n; b0 += batch) {
    const std::size_t n = std::min(batch, s.n - b0);
    Tensor xb(Shape{n, s.c, s.h, s.w});
    std::copy(x.data() + b0 * per, x.data() + (b0 + n) * per, xb.data());
    const Tensor& y = net.forward(xb, c);
    std::copy(y.data(), y.data() + n * k, logits.data() + b0 * k);
  }
  return logits;
}

Tensor read_input_tensor(const std::string& path, const Shape& expected) {
  const io::FloatDataset d = io::read_float_dataset(path, "x");
  if (d.shape.size() != 4 || d.shape[1] != expected.c || d.shape[2] != expected.h || d.shape[3] != expected.w)
    throw ConfigError(path + ": x", "expected N x " + std::to_string(expected.c) + " x " + std::to_string(expected.h) +
                                        " x " + std::to_string(expected.w) + " (float32), the model's input");
  Tensor x(Shape{d.shape[0], d.shape[1], d.shape[2], d.shape[3]});
  std::copy(d.values.begin(), d.values.end(), x.data());
  return x;
}

}  // namespace xbarsim::cli

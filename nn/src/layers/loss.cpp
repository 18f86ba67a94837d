// Losses (see layers.hpp).
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

LossResult softmax_cross_entropy(const Tensor& logits, const std::vector<std::uint8_t>& labels) {
  const std::size_t n = logits.shape().n, k = logits.shape().sample_size();
  if (labels.size() != n)
    throw ConfigError("labels",
                      "has " + std::to_string(labels.size()) + " entries for a batch of " + std::to_string(n));
  LossResult r;
  r.grad.resize(logits.shape());
  double total = 0.0;
  for (std::size_t b = 0; b < n; ++b) {
    if (labels[b] >= k)
      throw ConfigError("labels", "label " + std::to_string(labels[b]) + " of sample " + std::to_string(b) +
                                      " is not below the class count " + std::to_string(k));
    const float* z = logits.data() + b * k;
    float* g = r.grad.data() + b * k;
    const double zmax = *std::max_element(z, z + k);
    double sum = 0.0;
    for (std::size_t j = 0; j < k; ++j) sum += std::exp(z[j] - zmax);
    const double lse = zmax + std::log(sum);
    total += lse - z[labels[b]];
    for (std::size_t j = 0; j < k; ++j)
      g[j] = static_cast<float>((std::exp(z[j] - lse) - (j == labels[b] ? 1.0 : 0.0)) / static_cast<double>(n));
  }
  r.loss = total / static_cast<double>(n);
  return r;
}

LossResult mse_loss(const Tensor& output, const Tensor& target) {
  if (!(output.shape() == target.shape()))
    throw ConfigError("target", "shape " + target.shape().str() + " differs from the output's " + output.shape().str());
  LossResult r;
  r.grad.resize(output.shape());
  const double inv = 1.0 / static_cast<double>(std::max<std::size_t>(output.size(), 1));
  double total = 0.0;
  for (std::size_t e = 0; e < output.size(); ++e) {
    const double d = static_cast<double>(output[e]) - target[e];
    total += d * d;
    r.grad[e] = static_cast<float>(2.0 * d * inv);
  }
  r.loss = total * inv;
  return r;
}

}  // namespace xbarsim

// Batch normalisation (PyTorch BatchNorm2d semantics, see layers.hpp).
//
// Training normalises with the biased batch variance and feeds the unbiased one into the
// running estimate (PyTorch's rule); inference uses the running statistics. Channels are
// independent, so they are processed in parallel blocks of one channel each: every
// channel's sums run in a fixed order and the result does not depend on the thread count.
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/nn/layers.hpp>

#include "init.hpp"

namespace xbarsim {

BatchNorm2D::BatchNorm2D(std::string name, std::size_t channels, double eps, double momentum)
    : Layer(std::move(name)), channels_(channels), eps_(eps), momentum_(momentum) {
  if (channels == 0) throw ConfigError(this->name(), "BatchNorm2D needs channels > 0");
  if (!(eps > 0.0)) throw ConfigError(this->name(), "BatchNorm2D eps must be > 0, got " + std::to_string(eps));
  if (!(momentum >= 0.0 && momentum <= 1.0))
    throw ConfigError(this->name(), "BatchNorm2D momentum must be in [0, 1], got " + std::to_string(momentum));
  // PyTorch defaults: gamma 1, beta 0, running mean 0, running variance 1.
  gamma_ = make_param("gamma", Shape{channels, 1, 1, 1}, false);
  beta_ = make_param("beta", Shape{channels, 1, 1, 1}, false);
  gamma_.value.fill(1.0f);
  mean_.assign(channels, 0.0f);
  var_.assign(channels, 1.0f);
}

Shape BatchNorm2D::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1 || inputs[0].c != channels_)
    throw ConfigError(name(), "expected one input with " + std::to_string(channels_) + " channels, got " +
                                  (inputs.size() == 1 ? inputs[0].str() : std::to_string(inputs.size()) + " inputs"));
  return inputs[0];
}

void BatchNorm2D::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) {
  const Shape s = output_shape({in[0]->shape()});
  const std::size_t N = s.n, C = s.c, HW = s.h * s.w, M = N * HW;
  if (ctx.training && M < 2)
    throw ConfigError(name(), "training needs more than one value per channel (batch x H x W), got input " + s.str());
  out.resize(s);
  batch_mean_.resize(C);
  batch_inv_std_.resize(C);
  const float* x = in[0]->data();
  float* y = out.data();
  parallel_blocks(C, 1, [&](std::size_t c0, std::size_t c1) {
    for (std::size_t c = c0; c < c1; ++c) {
      double mean, var;
      if (ctx.training) {
        // Two passes in double: the mean, then the biased variance about it.
        double sum = 0.0;
        for (std::size_t n = 0; n < N; ++n) {
          const float* xc = x + (n * C + c) * HW;
          for (std::size_t i = 0; i < HW; ++i) sum += xc[i];
        }
        mean = sum / static_cast<double>(M);
        double ss = 0.0;
        for (std::size_t n = 0; n < N; ++n) {
          const float* xc = x + (n * C + c) * HW;
          for (std::size_t i = 0; i < HW; ++i) {
            const double d = xc[i] - mean;
            ss += d * d;
          }
        }
        var = ss / static_cast<double>(M);
        const double unbiased = ss / static_cast<double>(M - 1);
        mean_[c] = static_cast<float>((1.0 - momentum_) * mean_[c] + momentum_ * mean);
        var_[c] = static_cast<float>((1.0 - momentum_) * var_[c] + momentum_ * unbiased);
      } else {
        mean = mean_[c];
        var = var_[c];
      }
      const double inv_std = 1.0 / std::sqrt(var + eps_);
      batch_mean_[c] = static_cast<float>(mean);
      batch_inv_std_[c] = static_cast<float>(inv_std);
      // y = a x + b with a = gamma / std, b = beta - a mean.
      const float a = static_cast<float>(gamma_.value[c] * inv_std);
      const float b = static_cast<float>(beta_.value[c] - gamma_.value[c] * inv_std * mean);
      for (std::size_t n = 0; n < N; ++n) {
        const float* xc = x + (n * C + c) * HW;
        float* yc = y + (n * C + c) * HW;
        for (std::size_t i = 0; i < HW; ++i) yc[i] = a * xc[i] + b;
      }
    }
  });
}

void BatchNorm2D::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                           const std::vector<Tensor*>& din, const LayerContext& ctx) {
  const Shape s = in[0]->shape();
  const std::size_t N = s.n, C = s.c, HW = s.h * s.w, M = N * HW;
  if (batch_mean_.size() != C) throw InternalError(name() + ": backward called before forward");
  const float* x = in[0]->data();
  const float* dy = dout.data();
  float* dx = din[0] ? din[0]->data() : nullptr;
  parallel_blocks(C, 1, [&](std::size_t c0, std::size_t c1) {
    for (std::size_t c = c0; c < c1; ++c) {
      const double mean = batch_mean_[c], inv_std = batch_inv_std_[c], g = gamma_.value[c];
      // sum(dy) and sum(dy xhat), the gradients of beta and gamma.
      double sdy = 0.0, sdyx = 0.0;
      for (std::size_t n = 0; n < N; ++n) {
        const float* xc = x + (n * C + c) * HW;
        const float* dyc = dy + (n * C + c) * HW;
        for (std::size_t i = 0; i < HW; ++i) {
          sdy += dyc[i];
          sdyx += dyc[i] * ((xc[i] - mean) * inv_std);
        }
      }
      gamma_.grad[c] += static_cast<float>(sdyx);
      beta_.grad[c] += static_cast<float>(sdy);
      if (!dx) continue;
      // Training: the batch statistics depend on x, giving
      //   dx = g inv_std (dy - mean(dy) - xhat mean(dy xhat)).
      // Inference: the statistics are constants, dx = g inv_std dy. (backward runs with the
      // ctx of its forward, so ctx.training tells which statistics were used.)
      const double k = g * inv_std;
      const double mdy = ctx.training ? sdy / static_cast<double>(M) : 0.0;
      const double mdyx = ctx.training ? sdyx / static_cast<double>(M) : 0.0;
      for (std::size_t n = 0; n < N; ++n) {
        const float* xc = x + (n * C + c) * HW;
        const float* dyc = dy + (n * C + c) * HW;
        float* dxc = dx + (n * C + c) * HW;
        for (std::size_t i = 0; i < HW; ++i) {
          const double xhat = (xc[i] - mean) * inv_std;
          dxc[i] = static_cast<float>(k * (dyc[i] - mdy - xhat * mdyx));
        }
      }
    }
  });
}

std::vector<Param*> BatchNorm2D::params() { return {&gamma_, &beta_}; }

void BatchNorm2D::fold_into(Conv2D& conv) const {
  const Conv2DSpec& sp = conv.spec();
  if (sp.out_channels != channels_)
    throw ConfigError(name(), "cannot fold into '" + conv.name() + "': it has " + std::to_string(sp.out_channels) +
                                  " output channels, expected " + std::to_string(channels_));
  conv.ensure_bias();
  // Inference transform y = a (conv + b - mean) + beta with a = gamma / sqrt(var + eps):
  // scale each output channel's weights by a, and b' = a (b - mean) + beta.
  Tensor& w = conv.weight().value;
  Tensor& b = conv.bias()->value;
  const std::size_t per_out = w.size() / channels_;
  for (std::size_t c = 0; c < channels_; ++c) {
    const double a = gamma_.value[c] / std::sqrt(static_cast<double>(var_[c]) + eps_);
    float* wc = w.data() + c * per_out;
    for (std::size_t i = 0; i < per_out; ++i) wc[i] = static_cast<float>(a * wc[i]);
    b[c] = static_cast<float>(a * (static_cast<double>(b[c]) - mean_[c]) + beta_.value[c]);
  }
}

}  // namespace xbarsim

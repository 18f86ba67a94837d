// Elementwise activations, PReLU and channel Softmax (PyTorch / ONNX semantics, see
// layers.hpp).
//
// Conventions at the kink x = 0 follow PyTorch: ReLU, LeakyReLU, PReLU and ELU take the
// negative branch for x <= 0 (gradient 0, alpha, slope, alpha respectively); RReLU too
// (PyTorch's rrelu_with_noise uses the random slope for x <= 0).
//
// Large tensors are split into fixed-size parallel blocks; every element is a pure
// function of its input (and, for RReLU, of its keyed random number), so the result does
// not depend on the thread count. The kind is switched once per call, never per element.
#include <algorithm>
#include <array>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/nn/layers.hpp>

#include "init.hpp"

namespace xbarsim {

namespace {

constexpr std::size_t kBlock = 1 << 14;  // elements per parallel block (fixed, not per thread)
constexpr std::size_t kChunk = 1024;     // random words drawn at a time (RReLU)

/// Applies fn(begin, end) over [0, n) in fixed blocks.
template <class Fn>
void blocks(std::size_t n, Fn&& fn) {
  if (n <= kBlock) {
    fn(std::size_t{0}, n);
    return;
  }
  parallel_blocks(n, kBlock, [&](std::size_t b0, std::size_t b1) { fn(b0, b1); });
}

/// Numerically safe logistic: exp of -|x| only, so it never overflows; branch-free so
/// mixed signs cost no mispredictions.
inline float sigmoid(float x) {
  const float e = std::exp(-std::abs(x));
  const float r = 1.0f / (1.0f + e);
  return x >= 0.0f ? r : e * r;
}

StreamId step_stream(const LayerContext& ctx) {
  return StreamId{static_cast<std::uint32_t>(ctx.layer_index), static_cast<std::uint32_t>(ctx.step),
                  static_cast<std::uint32_t>(ctx.step >> 32)};
}

}  // namespace

// ---------------------------------------------------------------- Activation

Activation::Activation(std::string name, ActivationKind kind, double alpha, double lower, double upper)
    : Layer(std::move(name)), kind_(kind), alpha_(alpha), lower_(lower), upper_(upper) {
  // NaN (the constructor's default) selects the kind's PyTorch/ONNX default; an explicit
  // 0 stays 0 (a LeakyReLU with alpha 0 is a ReLU, as ONNX allows).
  if (std::isnan(alpha)) alpha_ = kind == ActivationKind::ELU ? 1.0 : kind == ActivationKind::LeakyReLU ? 0.01 : 0.0;
  if (!std::isfinite(alpha_)) throw ConfigError(this->name(), "activation alpha must be finite");
  if (kind == ActivationKind::RReLU && !(std::isfinite(lower) && std::isfinite(upper) && lower <= upper))
    throw ConfigError(this->name(), "RReLU needs finite lower <= upper, got lower " + std::to_string(lower) +
                                        ", upper " + std::to_string(upper));
}

std::string_view Activation::type() const {
  switch (kind_) {
    case ActivationKind::Sigmoid:
      return "Sigmoid";
    case ActivationKind::Tanh:
      return "Tanh";
    case ActivationKind::ReLU:
      return "Relu";
    case ActivationKind::LeakyReLU:
      return "LeakyRelu";
    case ActivationKind::ELU:
      return "Elu";
    case ActivationKind::RReLU:
      return "RReLU";
  }
  return "Activation";
}

Shape Activation::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1) throw ConfigError(name(), "expected one input, got " + std::to_string(inputs.size()));
  return inputs[0];
}

void Activation::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) {
  const Tensor& xt = *in[0];
  out.resize(xt.shape());
  const std::size_t n = xt.size();
  const float* x = xt.data();
  float* y = out.data();
  const float a = static_cast<float>(alpha_);
  switch (kind_) {
    case ActivationKind::Sigmoid:
      blocks(n, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t i = b0; i < b1; ++i) y[i] = sigmoid(x[i]);
      });
      break;
    case ActivationKind::Tanh:
      blocks(n, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t i = b0; i < b1; ++i) y[i] = std::tanh(x[i]);
      });
      break;
    case ActivationKind::ReLU:
      for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;
    case ActivationKind::LeakyReLU:
      for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : a * x[i];
      break;
    case ActivationKind::ELU:
      blocks(n, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t i = b0; i < b1; ++i) y[i] = x[i] > 0.0f ? x[i] : a * std::expm1(x[i]);
      });
      break;
    case ActivationKind::RReLU:
      if (ctx.training) {
        // One slope per element, keyed by (seed, "nn.rrelu", layer, step, element).
        slopes_.resize(n);
        const RngKey key(ctx.seed, rng_purpose("nn.rrelu"));
        const StreamId id = step_stream(ctx);
        const float lo = static_cast<float>(lower_), span = static_cast<float>(upper_ - lower_);
        blocks(n, [&](std::size_t b0, std::size_t b1) {
          // Vectorised raw words mapped exactly as uniform_block maps them; stack chunks.
          std::array<std::uint32_t, kChunk> bits;
          for (std::size_t c0 = b0; c0 < b1; c0 += kChunk) {
            const std::size_t len = std::min(kChunk, b1 - c0);
            bits_block(bits.data(), len, key, id, c0);
            for (std::size_t j = 0, i = c0; j < len; ++j, ++i) {
              slopes_[i] = lo + span * u32_to_open01f(bits[j]);
              y[i] = x[i] > 0.0f ? x[i] : slopes_[i] * x[i];
            }
          }
        });
      } else {
        const float s = static_cast<float>(0.5 * (lower_ + upper_));
        for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : s * x[i];
      }
      break;
  }
}

void Activation::backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                          const std::vector<Tensor*>& din, const LayerContext& ctx) {
  if (!din[0]) return;
  const std::size_t n = dout.size();
  const float* x = in[0]->data();
  const float* y = out.data();
  const float* g = dout.data();
  float* d = din[0]->data();
  const float a = static_cast<float>(alpha_);
  switch (kind_) {
    case ActivationKind::Sigmoid:  // y' = y (1 - y)
      for (std::size_t i = 0; i < n; ++i) d[i] = g[i] * y[i] * (1.0f - y[i]);
      break;
    case ActivationKind::Tanh:  // y' = 1 - y^2
      for (std::size_t i = 0; i < n; ++i) d[i] = g[i] * (1.0f - y[i] * y[i]);
      break;
    case ActivationKind::ReLU:
      for (std::size_t i = 0; i < n; ++i) d[i] = x[i] > 0.0f ? g[i] : 0.0f;
      break;
    case ActivationKind::LeakyReLU:
      for (std::size_t i = 0; i < n; ++i) d[i] = x[i] > 0.0f ? g[i] : a * g[i];
      break;
    case ActivationKind::ELU:  // for x <= 0: y' = alpha e^x = y + alpha
      for (std::size_t i = 0; i < n; ++i) d[i] = x[i] > 0.0f ? g[i] : g[i] * (y[i] + a);
      break;
    case ActivationKind::RReLU:
      if (ctx.training) {
        if (slopes_.size() != n) throw InternalError(name() + ": backward called without a matching training forward");
        for (std::size_t i = 0; i < n; ++i) d[i] = x[i] > 0.0f ? g[i] : slopes_[i] * g[i];
      } else {
        const float s = static_cast<float>(0.5 * (lower_ + upper_));
        for (std::size_t i = 0; i < n; ++i) d[i] = x[i] > 0.0f ? g[i] : s * g[i];
      }
      break;
  }
}

// ---------------------------------------------------------------- PReLU

PReLU::PReLU(std::string name, std::size_t channels) : Layer(std::move(name)), channels_(channels) {
  if (channels == 0) throw ConfigError(this->name(), "PReLU needs channels >= 1 (1 = one shared slope)");
  // No weight decay on the slope: PyTorch's PReLU documentation advises against it.
  slope_ = make_param("slope", Shape{channels, 1, 1, 1}, false);
  slope_.value.fill(0.25f);
}

Shape PReLU::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1) throw ConfigError(name(), "expected one input, got " + std::to_string(inputs.size()));
  if (channels_ != 1 && inputs[0].c != channels_)
    throw ConfigError(name(), "PReLU has " + std::to_string(channels_) +
                                  " slopes, expected an input with that many "
                                  "channels, got " +
                                  inputs[0].str());
  return inputs[0];
}

void PReLU::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  const Shape s = output_shape({in[0]->shape()});
  out.resize(s);
  const std::size_t HW = s.h * s.w;
  const float* x = in[0]->data();
  float* y = out.data();
  for (std::size_t n = 0; n < s.n; ++n)
    for (std::size_t c = 0; c < s.c; ++c) {
      const float a = slope_.value[channels_ == 1 ? 0 : c];
      const std::size_t o = (n * s.c + c) * HW;
      for (std::size_t i = o; i < o + HW; ++i) y[i] = x[i] > 0.0f ? x[i] : a * x[i];
    }
}

void PReLU::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                     const std::vector<Tensor*>& din, const LayerContext&) {
  const Shape s = in[0]->shape();
  const std::size_t HW = s.h * s.w;
  const float* x = in[0]->data();
  const float* g = dout.data();
  float* d = din[0] ? din[0]->data() : nullptr;
  for (std::size_t c = 0; c < s.c; ++c) {
    const std::size_t k = channels_ == 1 ? 0 : c;
    const float a = slope_.value[k];
    double ga = 0.0;  // d L / d slope = sum over x <= 0 of dy x
    for (std::size_t n = 0; n < s.n; ++n) {
      const std::size_t o = (n * s.c + c) * HW;
      for (std::size_t i = o; i < o + HW; ++i) {
        if (x[i] > 0.0f) {
          if (d) d[i] = g[i];
        } else {
          ga += static_cast<double>(g[i]) * x[i];
          if (d) d[i] = a * g[i];
        }
      }
    }
    slope_.grad[k] += static_cast<float>(ga);
  }
}

std::vector<Param*> PReLU::params() { return {&slope_}; }

// ---------------------------------------------------------------- Softmax

Shape Softmax::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1) throw ConfigError(name(), "expected one input, got " + std::to_string(inputs.size()));
  if (inputs[0].c == 0) throw ConfigError(name(), "Softmax needs at least one channel, got " + inputs[0].str());
  return inputs[0];
}

// Softmax runs over the channels of each (n, h, w) position: PyTorch Softmax(dim=1),
// ONNX Softmax axis 1 from opset 13. For N x K x 1 x 1 logits that is one softmax per sample.
void Softmax::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  const Shape s = output_shape({in[0]->shape()});
  out.resize(s);
  const std::size_t C = s.c, HW = s.h * s.w;
  for (std::size_t n = 0; n < s.n; ++n)
    for (std::size_t p = 0; p < HW; ++p) {
      const float* x = in[0]->data() + n * C * HW + p;
      float* y = out.data() + n * C * HW + p;
      float m = x[0];
      for (std::size_t c = 1; c < C; ++c) m = std::max(m, x[c * HW]);
      double sum = 0.0;  // shifted by the maximum, so exp never overflows
      for (std::size_t c = 0; c < C; ++c) {
        y[c * HW] = std::exp(x[c * HW] - m);
        sum += y[c * HW];
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (std::size_t c = 0; c < C; ++c) y[c * HW] *= inv;
    }
}

void Softmax::backward(const std::vector<const Tensor*>&, const Tensor& out, const Tensor& dout,
                       const std::vector<Tensor*>& din, const LayerContext&) {
  if (!din[0]) return;
  const Shape s = out.shape();
  const std::size_t C = s.c, HW = s.h * s.w;
  // dx_c = y_c (dy_c - sum_j dy_j y_j)
  for (std::size_t n = 0; n < s.n; ++n)
    for (std::size_t p = 0; p < HW; ++p) {
      const std::size_t o = n * C * HW + p;
      double dot = 0.0;
      for (std::size_t c = 0; c < C; ++c) dot += static_cast<double>(dout[o + c * HW]) * out[o + c * HW];
      for (std::size_t c = 0; c < C; ++c)
        (*din[0])[o + c * HW] = out[o + c * HW] * (dout[o + c * HW] - static_cast<float>(dot));
    }
}

}  // namespace xbarsim

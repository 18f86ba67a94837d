// Local response normalisation across channels (ONNX LRN, see layers.hpp):
//   s_c = k + alpha / size * sum_{i = c - lo}^{c + hi} x_i^2,  y_c = x_c s_c^-beta,
// lo = floor((size - 1) / 2), hi = ceil((size - 1) / 2), the window clipped to [0, C).
// Backward: dx_j = dy_j s_j^-beta - 2 alpha beta / size x_j sum_{c : j in win(c)} dy_c y_c / s_c,
// where j in win(c) iff j - hi <= c <= j + lo (the window mirrored).
// Samples are independent and processed in parallel, one per block.
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

LRN::LRN(std::string name, std::size_t size, double alpha, double beta, double k)
    : Layer(std::move(name)), size_(size), alpha_(alpha), beta_(beta), k_(k) {
  if (size == 0) throw ConfigError(this->name(), "LRN size must be >= 1");
  if (!(k > 0.0)) throw ConfigError(this->name(), "LRN bias k must be > 0, got " + std::to_string(k));
  if (!(alpha >= 0.0)) throw ConfigError(this->name(), "LRN alpha must be >= 0, got " + std::to_string(alpha));
}

Shape LRN::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1) throw ConfigError(name(), "expected one input, got " + std::to_string(inputs.size()));
  return inputs[0];
}

namespace {

/// s (C x HW, one sample) = k + alpha/size * windowed sum of squares over channels.
void window_scale(const float* x, float* s, std::size_t C, std::size_t HW, std::size_t lo, std::size_t hi, float k,
                  float a_over_n) {
  for (std::size_t c = 0; c < C; ++c) {
    const std::size_t c0 = c >= lo ? c - lo : 0, c1 = std::min(C - 1, c + hi);
    float* sc = s + c * HW;
    std::fill(sc, sc + HW, 0.0f);
    for (std::size_t i = c0; i <= c1; ++i) {
      const float* xi = x + i * HW;
      for (std::size_t p = 0; p < HW; ++p) sc[p] += xi[p] * xi[p];
    }
    for (std::size_t p = 0; p < HW; ++p) sc[p] = k + a_over_n * sc[p];
  }
}

/// p[e] = s[e]^-beta. pow is the costly part of LRN: the common exponents (0.75 in
/// AlexNet and GoogLeNet, 0.5, 1) use square roots and a division instead; the choice is
/// made once per call, not per element.
void inv_pow(const float* s, float* p, std::size_t n, float beta) {
  if (beta == 0.75f) {
    for (std::size_t e = 0; e < n; ++e) {
      const float r = std::sqrt(s[e]);
      p[e] = 1.0f / (r * std::sqrt(r));
    }
  } else if (beta == 0.5f) {
    for (std::size_t e = 0; e < n; ++e) p[e] = 1.0f / std::sqrt(s[e]);
  } else if (beta == 1.0f) {
    for (std::size_t e = 0; e < n; ++e) p[e] = 1.0f / s[e];
  } else {
    for (std::size_t e = 0; e < n; ++e) p[e] = std::pow(s[e], -beta);
  }
}

}  // namespace

void LRN::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  const Shape sh = in[0]->shape();
  out.resize(sh);
  const std::size_t C = sh.c, HW = sh.h * sh.w, lo = (size_ - 1) / 2, hi = size_ / 2;  // size/2 = ceil((size-1)/2)
  const float k = static_cast<float>(k_), an = static_cast<float>(alpha_ / static_cast<double>(size_));
  const float b = static_cast<float>(beta_);
  parallel_blocks(sh.n, 1, [&](std::size_t n0, std::size_t n1) {
    std::vector<float> s(C * HW);
    for (std::size_t n = n0; n < n1; ++n) {
      const float* x = in[0]->data() + n * C * HW;
      float* y = out.data() + n * C * HW;
      window_scale(x, s.data(), C, HW, lo, hi, k, an);
      inv_pow(s.data(), s.data(), C * HW, b);
      for (std::size_t e = 0; e < C * HW; ++e) y[e] = x[e] * s[e];
    }
  });
}

void LRN::backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                   const std::vector<Tensor*>& din, const LayerContext&) {
  if (!din[0]) return;
  const Shape sh = in[0]->shape();
  const std::size_t C = sh.c, HW = sh.h * sh.w, lo = (size_ - 1) / 2, hi = size_ / 2;
  const float k = static_cast<float>(k_), an = static_cast<float>(alpha_ / static_cast<double>(size_));
  const float b = static_cast<float>(beta_), two_ab = 2.0f * an * b;
  parallel_blocks(sh.n, 1, [&](std::size_t n0, std::size_t n1) {
    std::vector<float> s(C * HW), sp(C * HW), t(C * HW), acc(HW);
    for (std::size_t n = n0; n < n1; ++n) {
      const std::size_t off = n * C * HW;
      const float* x = in[0]->data() + off;
      const float* y = out.data() + off;
      const float* dy = dout.data() + off;
      float* dx = din[0]->data() + off;
      window_scale(x, s.data(), C, HW, lo, hi, k, an);
      inv_pow(s.data(), sp.data(), C * HW, b);
      for (std::size_t e = 0; e < C * HW; ++e) t[e] = dy[e] * y[e] / s[e];
      for (std::size_t j = 0; j < C; ++j) {
        // Channels c whose window contains j: [j - hi, j + lo] clipped.
        const std::size_t c0 = j >= hi ? j - hi : 0, c1 = std::min(C - 1, j + lo);
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (std::size_t c = c0; c <= c1; ++c) {
          const float* tc = t.data() + c * HW;
          for (std::size_t p = 0; p < HW; ++p) acc[p] += tc[p];
        }
        const std::size_t o = j * HW;
        for (std::size_t p = 0; p < HW; ++p) dx[o + p] = dy[o + p] * sp[o + p] - two_ab * x[o + p] * acc[p];
      }
    }
  });
}

}  // namespace xbarsim

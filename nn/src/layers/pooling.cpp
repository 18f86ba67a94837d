// Pooling layers (see layers.hpp) with PyTorch's output-size, ceil-mode and divisor rules
// (aten/src/ATen/native/Pool.h pooling_output_shape_pad_lr, AvgPool2d kernels).
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

namespace {

using idx = std::ptrdiff_t;

// PyTorch: out = floor-or-ceil((in + pa + pb - k) / s) + 1; in ceil mode the last window
// is dropped when it would start at or after in + pa (inside the trailing padding).
std::size_t pool_extent(std::size_t in, std::size_t pa, std::size_t pb, std::size_t k, std::size_t s, bool ceil_mode) {
  const std::size_t padded = in + pa + pb;
  if (padded < k) return 0;
  std::size_t out = (padded - k + (ceil_mode ? s - 1 : 0)) / s + 1;
  if (ceil_mode && (out - 1) * s >= in + pa) --out;
  return out;
}

void check_pool_spec(const std::string& name, const Pool2DSpec& s) {
  std::vector<Problem> p;
  if (s.kernel_h == 0 || s.kernel_w == 0) p.push_back({name, "expected a pooling window of at least 1x1"});
  if (s.stride_h == 0 || s.stride_w == 0) p.push_back({name, "expected strides > 0"});
  // Every window then holds at least one input element (PyTorch requires pad <= k / 2).
  if (s.pad_top >= s.kernel_h || s.pad_bottom >= s.kernel_h || s.pad_left >= s.kernel_w || s.pad_right >= s.kernel_w)
    p.push_back({name, "expected every padding smaller than the window (" + std::to_string(s.kernel_h) + "x" +
                           std::to_string(s.kernel_w) + ")"});
  if (!p.empty()) throw ConfigError(std::move(p));
}

Shape pool_shape(const std::string& name, const Pool2DSpec& s, const std::vector<Shape>& inputs) {
  if (inputs.size() != 1) throw ConfigError(name, "expected one input, got " + std::to_string(inputs.size()));
  const Shape& x = inputs[0];
  const std::size_t ho = pool_extent(x.h, s.pad_top, s.pad_bottom, s.kernel_h, s.stride_h, s.ceil_mode);
  const std::size_t wo = pool_extent(x.w, s.pad_left, s.pad_right, s.kernel_w, s.stride_w, s.ceil_mode);
  if (x.c == 0 || ho == 0 || wo == 0)
    throw ConfigError(name, "input " + x.str() + " is smaller than the padded " + std::to_string(s.kernel_h) + "x" +
                                std::to_string(s.kernel_w) + " window");
  return Shape{x.n, x.c, ho, wo};
}

// Index (h W + w) of the maximum of plane over [h0, h1) x [w0, w1): only input elements
// compete (padding never wins), the first maximum in row-major order is kept on ties and
// a NaN wins and propagates (PyTorch's max-pool kernels).
idx window_argmax(const float* plane, idx W, idx h0, idx h1, idx w0, idx w1) {
  idx best = h0 * W + w0;
  float bv = plane[best];
  if (std::isnan(bv)) return best;
  for (idx h = h0; h < h1; ++h)
    for (idx w = w0; w < w1; ++w) {
      const float v = plane[h * W + w];
      if (std::isnan(v)) return h * W + w;
      if (v > bv) {
        bv = v;
        best = h * W + w;
      }
    }
  return best;
}

}  // namespace

// ---------------------------------------------------------------- max pooling

MaxPool2D::MaxPool2D(std::string name, Pool2DSpec spec) : Layer(std::move(name)), spec_(spec) {
  check_pool_spec(this->name(), spec_);
}

Shape MaxPool2D::output_shape(const std::vector<Shape>& inputs) const { return pool_shape(name(), spec_, inputs); }

void MaxPool2D::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  const Tensor& x = *in[0];
  const Shape os = output_shape({x.shape()});
  out.resize(os);
  argmax_.resize(os.size());
  const idx H = static_cast<idx>(x.shape().h), W = static_cast<idx>(x.shape().w);
  const std::size_t op = os.h * os.w;
  // The common 2 x 2 / stride 2 / unpadded pooling: every window lies inside the input
  // (2 oh + 1 < H), so the window bounds need no clipping; same first-max / NaN rule.
  const bool fast2 = spec_.kernel_h == 2 && spec_.kernel_w == 2 && spec_.stride_h == 2 && spec_.stride_w == 2 &&
                     spec_.pad_top == 0 && spec_.pad_left == 0 && static_cast<idx>(2 * os.h) <= H &&
                     static_cast<idx>(2 * os.w) <= W;
  parallel_blocks(os.n * os.c, 16, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      const float* plane = x.data() + b * static_cast<std::size_t>(H * W);
      if (fast2) {
        float* o = out.data() + b * op;
        std::uint32_t* am = argmax_.data() + b * op;
        for (std::size_t oh = 0; oh < os.h; ++oh)
          for (std::size_t ow = 0; ow < os.w; ++ow) {
            const idx base = static_cast<idx>(2 * oh) * W + static_cast<idx>(2 * ow);
            const idx cand[4] = {base, base + 1, base + W, base + W + 1};
            idx best = cand[0];
            float bv = plane[best];
            for (int k = 1; k < 4 && !std::isnan(bv); ++k) {
              const float v = plane[cand[k]];
              if (v > bv || std::isnan(v)) {
                bv = v;
                best = cand[k];
              }
            }
            o[oh * os.w + ow] = bv;
            am[oh * os.w + ow] = static_cast<std::uint32_t>(best);
          }
        continue;
      }
      for (std::size_t oh = 0; oh < os.h; ++oh) {
        const idx h0 = std::max<idx>(static_cast<idx>(oh * spec_.stride_h) - static_cast<idx>(spec_.pad_top), 0);
        const idx h1 =
            std::min<idx>(static_cast<idx>(oh * spec_.stride_h + spec_.kernel_h) - static_cast<idx>(spec_.pad_top), H);
        for (std::size_t ow = 0; ow < os.w; ++ow) {
          const idx w0 = std::max<idx>(static_cast<idx>(ow * spec_.stride_w) - static_cast<idx>(spec_.pad_left), 0);
          const idx w1 = std::min<idx>(
              static_cast<idx>(ow * spec_.stride_w + spec_.kernel_w) - static_cast<idx>(spec_.pad_left), W);
          const idx best = window_argmax(plane, W, h0, h1, w0, w1);
          out[b * op + oh * os.w + ow] = plane[best];
          argmax_[b * op + oh * os.w + ow] = static_cast<std::uint32_t>(best);
        }
      }
    }
  });
}

void MaxPool2D::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                         const std::vector<Tensor*>& din, const LayerContext&) {
  if (!din[0]) return;
  const Shape xs = in[0]->shape(), os = dout.shape();
  din[0]->resize(xs);
  din[0]->fill(0.0f);
  const std::size_t plane = xs.h * xs.w, op = os.h * os.w;
  for (std::size_t b = 0; b < os.n * os.c; ++b)
    for (std::size_t k = 0; k < op; ++k) (*din[0])[b * plane + argmax_[b * op + k]] += dout[b * op + k];
}

// ---------------------------------------------------------------- average pooling

AvgPool2D::AvgPool2D(std::string name, Pool2DSpec spec) : Layer(std::move(name)), spec_(spec) {
  check_pool_spec(this->name(), spec_);
}

Shape AvgPool2D::output_shape(const std::vector<Shape>& inputs) const { return pool_shape(name(), spec_, inputs); }

namespace {

// PyTorch's AvgPool2d window: [start, end) clipped to the padded extent gives the
// count_include_pad divisor, then clipped to the input gives the summed range and the
// exclusive divisor.
struct AvgWindow {
  idx h0, h1, w0, w1;
  float inv_div;
};

AvgWindow avg_window(const Pool2DSpec& s, std::size_t oh, std::size_t ow, idx H, idx W) {
  idx h0 = static_cast<idx>(oh * s.stride_h) - static_cast<idx>(s.pad_top);
  idx w0 = static_cast<idx>(ow * s.stride_w) - static_cast<idx>(s.pad_left);
  idx h1 = std::min<idx>(h0 + static_cast<idx>(s.kernel_h), H + static_cast<idx>(s.pad_bottom));
  idx w1 = std::min<idx>(w0 + static_cast<idx>(s.kernel_w), W + static_cast<idx>(s.pad_right));
  const idx pool = (h1 - h0) * (w1 - w0);
  h0 = std::max<idx>(h0, 0);
  w0 = std::max<idx>(w0, 0);
  h1 = std::min(h1, H);
  w1 = std::min(w1, W);
  const idx div = s.count_include_pad ? pool : (h1 - h0) * (w1 - w0);
  return {h0, h1, w0, w1, 1.0f / static_cast<float>(div)};
}

}  // namespace

void AvgPool2D::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  const Tensor& x = *in[0];
  const Shape os = output_shape({x.shape()});
  out.resize(os);
  const idx H = static_cast<idx>(x.shape().h), W = static_cast<idx>(x.shape().w);
  const std::size_t op = os.h * os.w;
  parallel_blocks(os.n * os.c, 16, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      const float* plane = x.data() + b * static_cast<std::size_t>(H * W);
      for (std::size_t oh = 0; oh < os.h; ++oh)
        for (std::size_t ow = 0; ow < os.w; ++ow) {
          const AvgWindow a = avg_window(spec_, oh, ow, H, W);
          float sum = 0.0f;
          for (idx h = a.h0; h < a.h1; ++h)
            for (idx w = a.w0; w < a.w1; ++w) sum += plane[h * W + w];
          out[b * op + oh * os.w + ow] = sum * a.inv_div;
        }
    }
  });
}

void AvgPool2D::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                         const std::vector<Tensor*>& din, const LayerContext&) {
  if (!din[0]) return;
  const Shape xs = in[0]->shape(), os = dout.shape();
  din[0]->resize(xs);
  din[0]->fill(0.0f);
  const idx H = static_cast<idx>(xs.h), W = static_cast<idx>(xs.w);
  const std::size_t op = os.h * os.w;
  parallel_blocks(os.n * os.c, 16, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      float* plane = din[0]->data() + b * static_cast<std::size_t>(H * W);
      for (std::size_t oh = 0; oh < os.h; ++oh)
        for (std::size_t ow = 0; ow < os.w; ++ow) {
          const AvgWindow a = avg_window(spec_, oh, ow, H, W);
          const float g = dout[b * op + oh * os.w + ow] * a.inv_div;
          for (idx h = a.h0; h < a.h1; ++h)
            for (idx w = a.w0; w < a.w1; ++w) plane[h * W + w] += g;
        }
    }
  });
}

// ---------------------------------------------------------------- global average pooling

Shape GlobalAvgPool::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1 || inputs[0].sample_size() == 0) throw ConfigError(name(), "expected one non-empty input");
  return Shape{inputs[0].n, inputs[0].c, 1, 1};
}

void GlobalAvgPool::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  const Shape xs = in[0]->shape();
  out.resize(output_shape({xs}));
  const std::size_t plane = xs.h * xs.w;
  for (std::size_t b = 0; b < xs.n * xs.c; ++b) {
    double sum = 0.0;
    const float* p = in[0]->data() + b * plane;
    for (std::size_t k = 0; k < plane; ++k) sum += p[k];
    out[b] = static_cast<float>(sum / static_cast<double>(plane));
  }
}

void GlobalAvgPool::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                             const std::vector<Tensor*>& din, const LayerContext&) {
  if (!din[0]) return;
  const Shape xs = in[0]->shape();
  din[0]->resize(xs);
  const std::size_t plane = xs.h * xs.w;
  for (std::size_t b = 0; b < xs.n * xs.c; ++b) {
    const float g = dout[b] / static_cast<float>(plane);
    std::fill(din[0]->data() + b * plane, din[0]->data() + (b + 1) * plane, g);
  }
}

// ---------------------------------------------------------------- spatial pyramid pooling

SpatialPyramidPool::SpatialPyramidPool(std::string name, std::vector<std::size_t> levels)
    : Layer(std::move(name)), levels_(std::move(levels)) {
  if (levels_.empty()) throw ConfigError(this->name(), "expected at least one pyramid level");
  for (std::size_t l : levels_)
    if (l == 0) throw ConfigError(this->name(), "expected pyramid levels >= 1");
}

Shape SpatialPyramidPool::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1 || inputs[0].sample_size() == 0) throw ConfigError(name(), "expected one non-empty input");
  std::size_t bins = 0;
  for (std::size_t l : levels_) bins += l * l;
  return Shape{inputs[0].n, inputs[0].c * bins, 1, 1};
}

void SpatialPyramidPool::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  const Shape xs = in[0]->shape();
  const Shape os = output_shape({xs});
  out.resize(os);
  argmax_.resize(os.size());
  const std::size_t H = xs.h, W = xs.w, plane = H * W, per = os.c;
  for (std::size_t smp = 0; smp < xs.n; ++smp) {
    std::size_t o = smp * per;
    for (std::size_t L : levels_)
      for (std::size_t c = 0; c < xs.c; ++c) {
        const float* p = in[0]->data() + (smp * xs.c + c) * plane;
        for (std::size_t i = 0; i < L; ++i) {
          // AdaptiveMaxPool2d bins: [floor(i H / L), ceil((i + 1) H / L)).
          const std::size_t h0 = i * H / L, h1 = ((i + 1) * H + L - 1) / L;
          for (std::size_t j = 0; j < L; ++j, ++o) {
            const std::size_t w0 = j * W / L, w1 = ((j + 1) * W + L - 1) / L;
            const auto best = static_cast<std::size_t>(window_argmax(p, static_cast<idx>(W), static_cast<idx>(h0),
                                                                     static_cast<idx>(h1), static_cast<idx>(w0),
                                                                     static_cast<idx>(w1)));
            out[o] = p[best];
            argmax_[o] = static_cast<std::uint32_t>(best);
          }
        }
      }
  }
}

void SpatialPyramidPool::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                                  const std::vector<Tensor*>& din, const LayerContext&) {
  if (!din[0]) return;
  const Shape xs = in[0]->shape();
  din[0]->resize(xs);
  din[0]->fill(0.0f);
  const std::size_t plane = xs.h * xs.w, per = dout.shape().c;
  for (std::size_t smp = 0; smp < xs.n; ++smp) {
    std::size_t o = smp * per;
    for (std::size_t L : levels_)
      for (std::size_t c = 0; c < xs.c; ++c)
        for (std::size_t k = 0; k < L * L; ++k, ++o) (*din[0])[(smp * xs.c + c) * plane + argmax_[o]] += dout[o];
  }
}

}  // namespace xbarsim

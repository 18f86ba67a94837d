// 2-D convolution (see layers.hpp). The default path is im2col + one backend GEMM per
// group for the whole batch (batch folded into the columns), so an analog backend sees
// every product of the layer; Winograd and FFT are digital alternatives whose backward
// reuses the im2col backward (the gradient of the same linear map).
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/nn/layers.hpp>

#include "im2col.hpp"
#include "init.hpp"

namespace xbarsim {

using conv_detail::ConvGeometry;

namespace {

void check_algorithm(const std::string& name, const Conv2DSpec& s, ConvAlgorithm a) {
  if (a == ConvAlgorithm::Winograd && (s.kernel_h != 3 || s.kernel_w != 3 || s.stride_h != 1 || s.stride_w != 1 ||
                                       s.dilation_h != 1 || s.dilation_w != 1))
    throw ConfigError(name, "Winograd F(2x2, 3x3) needs a 3x3 kernel with stride 1 and dilation 1, got " +
                                std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) + " stride " +
                                std::to_string(s.stride_h) + "x" + std::to_string(s.stride_w) + " dilation " +
                                std::to_string(s.dilation_h) + "x" + std::to_string(s.dilation_w));
}

}  // namespace

Conv2D::Conv2D(std::string name, Conv2DSpec spec) : Layer(std::move(name)), spec_(spec) {
  const Conv2DSpec& s = spec_;
  std::vector<Problem> problems;
  auto need = [&](bool ok, const std::string& what) {
    if (!ok) problems.push_back({this->name(), what});
  };
  need(s.in_channels > 0 && s.out_channels > 0, "expected in_channels > 0 and out_channels > 0");
  need(s.kernel_h > 0 && s.kernel_w > 0, "expected a kernel of at least 1x1");
  need(s.stride_h > 0 && s.stride_w > 0, "expected strides > 0");
  need(s.dilation_h > 0 && s.dilation_w > 0, "expected dilations > 0");
  need(s.groups > 0 && s.in_channels % std::max<std::size_t>(s.groups, 1) == 0 &&
           s.out_channels % std::max<std::size_t>(s.groups, 1) == 0,
       "expected groups (" + std::to_string(s.groups) + ") > 0 dividing in_channels (" + std::to_string(s.in_channels) +
           ") and out_channels (" + std::to_string(s.out_channels) + ")");
  if (!problems.empty()) throw ConfigError(std::move(problems));
  check_algorithm(this->name(), s, s.algorithm);
  const std::size_t cg = s.in_channels / s.groups;
  weight_ = make_param("weight", Shape{s.out_channels, cg, s.kernel_h, s.kernel_w});
  bias_ = make_param("bias", Shape{s.bias ? s.out_channels : 0, 1, 1, 1}, false);
  // PyTorch Conv2d default (kaiming_uniform with a = sqrt(5)): U(+-1/sqrt(fan_in)) for
  // weight and bias, fan_in = Cin/groups kh kw.
  const double bound = 1.0 / std::sqrt(static_cast<double>(cg * s.kernel_h * s.kernel_w));
  fill_uniform(weight_.value, bound, this->name() + ".weight");
  fill_uniform(bias_.value, bound, this->name() + ".bias");
}

Shape Conv2D::output_shape(const std::vector<Shape>& inputs) const {
  const Conv2DSpec& s = spec_;
  if (inputs.size() != 1) throw ConfigError(name(), "expected one input, got " + std::to_string(inputs.size()));
  const Shape& x = inputs[0];
  if (x.c != s.in_channels)
    throw ConfigError(name(), "expected " + std::to_string(s.in_channels) + " input channels, got " + x.str());
  const ConvGeometry g = conv_detail::make_geometry(s, x.h, x.w);
  if (g.ho == 0 || g.wo == 0)
    throw ConfigError(name(), "input " + x.str() + " with padding (" + std::to_string(s.pad_top) + ", " +
                                  std::to_string(s.pad_left) + ", " + std::to_string(s.pad_bottom) + ", " +
                                  std::to_string(s.pad_right) + ") is smaller than the dilated " +
                                  std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w) + " kernel");
  return Shape{x.n, s.out_channels, g.ho, g.wo};
}

void Conv2D::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) {
  const Tensor& x = *in[0];
  const Shape os = output_shape({x.shape()});
  out.resize(os);
  const float* bias = spec_.bias ? bias_.value.data() : nullptr;
  if (spec_.algorithm == ConvAlgorithm::Winograd) {
    cols_.clear();  // no columns cached for backward
    conv_detail::winograd_forward(spec_, weight_.value.data(), bias, x, out);
    return;
  }
  if (spec_.algorithm == ConvAlgorithm::Fft) {
    cols_.clear();
    conv_detail::fft_forward(spec_, weight_.value.data(), bias, x, out);
    return;
  }
  const ConvGeometry g = conv_detail::make_geometry(spec_, x.shape().h, x.shape().w);
  const std::size_t n = x.shape().n, K = g.k(), P = g.p(), plane = x.shape().h * x.shape().w;
  const std::size_t groups = spec_.groups, cin = spec_.in_channels, cout = spec_.out_channels;
  // Columns of every group stay cached: backward of the same batch reuses them.
  cols_.resize(groups * K * n * P);
  parallel_blocks(n * groups, 1, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      const std::size_t s = b / groups, gr = b % groups;
      conv_detail::im2col(x.data() + (s * cin + gr * g.cg) * plane, g, cols_.data() + (gr * n + s) * K * P);
    }
  });
  for (std::size_t gr = 0; gr < groups; ++gr) {
    const arma::fmat X(cols_.data() + gr * K * n * P, K, n * P, false, true);
    // The group's weight rows (row-major Mg x K) are a column-major K x Mg view.
    const arma::fmat W = arma::fmat(weight_.value.data() + gr * g.mg * K, K, g.mg, false, true).t();
    arma::fmat Y;
    ctx.backend->forward(MatVecId{ctx.layer_index, gr, name()}, W, X, Y);
    parallel_blocks(n, 1, [&](std::size_t s0, std::size_t s1) {
      for (std::size_t s = s0; s < s1; ++s)
        for (std::size_t m = 0; m < g.mg; ++m) {
          const std::size_t co = gr * g.mg + m;
          const float b = bias ? bias[co] : 0.0f;
          float* o = out.data() + (s * cout + co) * P;
          const float* y = Y.memptr() + s * P * g.mg + m;
          for (std::size_t p = 0; p < P; ++p) o[p] = y[p * g.mg] + b;
        }
    });
  }
}

void Conv2D::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                      const std::vector<Tensor*>& din, const LayerContext& ctx) {
  const Tensor& x = *in[0];
  const ConvGeometry g = conv_detail::make_geometry(spec_, x.shape().h, x.shape().w);
  const std::size_t n = x.shape().n, K = g.k(), P = g.p(), plane = x.shape().h * x.shape().w;
  const std::size_t groups = spec_.groups, cin = spec_.in_channels, cout = spec_.out_channels;
  if (cols_.size() != groups * K * n * P) {  // the forward ran another algorithm
    cols_.resize(groups * K * n * P);
    parallel_blocks(n * groups, 1, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) {
        const std::size_t s = b / groups, gr = b % groups;
        conv_detail::im2col(x.data() + (s * cin + gr * g.cg) * plane, g, cols_.data() + (gr * n + s) * K * P);
      }
    });
  }
  if (spec_.bias) {
    for (std::size_t co = 0; co < cout; ++co) {
      double acc = 0.0;
      for (std::size_t s = 0; s < n; ++s) {
        const float* d = dout.data() + (s * cout + co) * P;
        for (std::size_t p = 0; p < P; ++p) acc += d[p];
      }
      bias_.grad[co] += static_cast<float>(acc);
    }
  }
  Tensor* dx = din.empty() ? nullptr : din[0];
  if (dx) {
    dx->resize(x.shape());
    dx->fill(0.0f);
  }
  arma::fmat dY(g.mg, n * P);
  for (std::size_t gr = 0; gr < groups; ++gr) {
    parallel_blocks(n, 1, [&](std::size_t s0, std::size_t s1) {
      for (std::size_t s = s0; s < s1; ++s)
        for (std::size_t m = 0; m < g.mg; ++m) {
          const float* d = dout.data() + (s * cout + gr * g.mg + m) * P;
          float* y = dY.memptr() + s * P * g.mg + m;
          for (std::size_t p = 0; p < P; ++p) y[p * g.mg] = d[p];
        }
    });
    const arma::fmat X(cols_.data() + gr * K * n * P, K, n * P, false, true);
    // dW (Mg x K row-major) = dY X^T, i.e. its column-major K x Mg view += X dY^T.
    arma::fmat dWt(weight_.grad.data() + gr * g.mg * K, K, g.mg, false, true);
    dWt += X * dY.t();
    if (dx) {
      const arma::fmat W = arma::fmat(weight_.value.data() + gr * g.mg * K, K, g.mg, false, true).t();
      arma::fmat dX;
      ctx.backend->backward(MatVecId{ctx.layer_index, gr, name()}, W, dY, dX);
      parallel_blocks(n, 1, [&](std::size_t s0, std::size_t s1) {
        for (std::size_t s = s0; s < s1; ++s)
          conv_detail::col2im_add(dX.memptr() + s * K * P, g, dx->data() + (s * cin + gr * g.cg) * plane);
      });
    }
  }
}

std::vector<Param*> Conv2D::params() {
  if (spec_.bias) return {&weight_, &bias_};
  return {&weight_};
}

LayerCost Conv2D::cost(const std::vector<Shape>& inputs) const {
  const Shape o = output_shape(inputs);
  const std::size_t K = spec_.in_channels / spec_.groups * spec_.kernel_h * spec_.kernel_w;
  LayerCost c;
  c.macs = static_cast<std::uint64_t>(o.c) * o.h * o.w * K;
  c.params = weight_.value.size() + (spec_.bias ? spec_.out_channels : 0);
  c.other_ops = spec_.bias ? o.sample_size() : 0;
  return c;
}

ConvOpCounts Conv2D::op_counts(const Shape& in, ConvAlgorithm algorithm) const {
  check_algorithm(name(), spec_, algorithm);
  Shape s1 = in;
  s1.n = 1;
  const Shape o = output_shape({s1});
  using u64 = std::uint64_t;
  const u64 cg = spec_.in_channels / spec_.groups, cin = spec_.in_channels, cout = spec_.out_channels;
  const u64 outs = u64{cout} * o.h * o.w;
  const u64 bias_adds = spec_.bias ? outs : 0;
  ConvOpCounts c;
  switch (algorithm) {
    case ConvAlgorithm::Im2col: {
      // Direct / GEMM: one dot product of length K per output (K mults, K - 1 adds).
      const u64 K = cg * spec_.kernel_h * spec_.kernel_w;
      c.mults = outs * K;
      c.adds = outs * (K - 1) + bias_adds;
      break;
    }
    case ConvAlgorithm::Winograd: {
      // Lavin & Gray 2016, per 2x2 output tile (T tiles per plane, partial edge tiles
      // computed in full): input transform B^T d B = 32 adds per input channel (B has
      // entries 0, +-1), 16 mults per (cin, cout) pair, 16 (cg - 1) adds per output
      // channel to sum over the group's inputs, output transform A^T M A = 24 adds per
      // output channel. The filter transform G g G^T is per weight update, not per
      // sample, and is not counted.
      const u64 T = u64{(o.h + 1) / 2} * ((o.w + 1) / 2);
      c.mults = 16 * T * cg * cout;
      c.adds = 32 * T * cin + 16 * T * (cg - 1) * cout + 24 * T * cout + bias_adds;
      break;
    }
    case ConvAlgorithm::Fft: {
      // Complex radix-2 FFTs of P = Ph Pw points (each axis the padded extent rounded up
      // to a power of two): (P/2) log2 P butterflies, each one complex mult (4 real mults,
      // 2 adds) and two complex adds (4 adds) -> 2 P log2 P mults, 3 P log2 P adds, trivial
      // twiddles included. Per sample: cin forward and cout inverse transforms, cout cg P
      // complex products (4 mults, 2 adds), cout (cg - 1) P complex accumulations
      // (2 adds), cout P mults for the 1/P scaling; kernel spectra (per weight update)
      // are not counted.
      const u64 ph = conv_detail::fft_size(in.h + spec_.pad_top + spec_.pad_bottom);
      const u64 pw = conv_detail::fft_size(in.w + spec_.pad_left + spec_.pad_right);
      const u64 P = ph * pw;
      u64 lg = 0;
      while ((u64{1} << lg) < P) ++lg;
      const u64 ffts = cin + cout;
      c.mults = ffts * 2 * P * lg + cout * cg * P * 4 + cout * P;
      c.adds = ffts * 3 * P * lg + cout * cg * P * 2 + cout * (cg - 1) * P * 2 + bias_adds;
      break;
    }
  }
  return c;
}

void Conv2D::set_algorithm(ConvAlgorithm a) {
  check_algorithm(name(), spec_, a);
  spec_.algorithm = a;
}

void Conv2D::ensure_bias() {
  if (spec_.bias) return;
  spec_.bias = true;
  bias_ = make_param("bias", Shape{spec_.out_channels, 1, 1, 1}, false);  // zeros
}

}  // namespace xbarsim

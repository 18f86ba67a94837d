// im2col / col2im for Conv2D (see im2col.hpp).
#include "im2col.hpp"

#include <algorithm>

namespace xbarsim::conv_detail {

std::size_t conv_out_extent(std::size_t in, std::size_t pad_a, std::size_t pad_b, std::size_t k, std::size_t stride,
                            std::size_t dil) {
  const std::size_t span = dil * (k - 1) + 1;
  const std::size_t padded = in + pad_a + pad_b;
  if (stride == 0 || span > padded) return 0;
  return (padded - span) / stride + 1;
}

ConvGeometry make_geometry(const Conv2DSpec& s, std::size_t h, std::size_t w) {
  ConvGeometry g;
  g.cg = s.in_channels / s.groups;
  g.mg = s.out_channels / s.groups;
  g.h = h;
  g.w = w;
  g.kh = s.kernel_h;
  g.kw = s.kernel_w;
  g.sh = s.stride_h;
  g.sw = s.stride_w;
  g.pt = s.pad_top;
  g.pl = s.pad_left;
  g.dh = s.dilation_h;
  g.dw = s.dilation_w;
  g.ho = conv_out_extent(h, s.pad_top, s.pad_bottom, s.kernel_h, s.stride_h, s.dilation_h);
  g.wo = conv_out_extent(w, s.pad_left, s.pad_right, s.kernel_w, s.stride_w, s.dilation_w);
  return g;
}

namespace {

using idx = std::ptrdiff_t;

// KW > 0: the kernel width as a compile-time constant (common sizes), so the row
// copies of interior windows unroll; KW = 0: any width.
template <std::size_t KW>
void im2col_impl(const float* x, const ConvGeometry& g, float* cols) {
  const std::size_t kw = KW > 0 ? KW : g.kw;
  const idx H = static_cast<idx>(g.h), W = static_cast<idx>(g.w);
  const std::size_t plane = g.h * g.w;
  float* out = cols;
  for (std::size_t oh = 0; oh < g.ho; ++oh) {
    const idx ih0 = static_cast<idx>(oh * g.sh) - static_cast<idx>(g.pt);
    for (std::size_t ow = 0; ow < g.wo; ++ow) {
      const idx iw0 = static_cast<idx>(ow * g.sw) - static_cast<idx>(g.pl);
      // A window fully inside the input along w (the common case) copies rows without
      // per-element bounds checks.
      const bool w_inside = iw0 >= 0 && iw0 + static_cast<idx>(g.dw * (kw - 1)) < W;
      for (std::size_t c = 0; c < g.cg; ++c) {
        const float* xc = x + c * plane;
        for (std::size_t i = 0; i < g.kh; ++i, out += kw) {
          const idx ih = ih0 + static_cast<idx>(i * g.dh);
          if (ih < 0 || ih >= H) {
            for (std::size_t j = 0; j < kw; ++j) out[j] = 0.0f;
            continue;
          }
          const float* row = xc + ih * W;
          if (w_inside) {
            const float* src = row + iw0;
            if (g.dw == 1) {
              for (std::size_t j = 0; j < kw; ++j) out[j] = src[j];
            } else {
              for (std::size_t j = 0; j < kw; ++j) out[j] = src[j * g.dw];
            }
          } else {
            for (std::size_t j = 0; j < kw; ++j) {
              const idx iw = iw0 + static_cast<idx>(j * g.dw);
              out[j] = (iw >= 0 && iw < W) ? row[iw] : 0.0f;
            }
          }
        }
      }
    }
  }
}

}  // namespace

void im2col(const float* x, const ConvGeometry& g, float* cols) {
  switch (g.kw) {
    case 1:
      return im2col_impl<1>(x, g, cols);
    case 3:
      return im2col_impl<3>(x, g, cols);
    case 5:
      return im2col_impl<5>(x, g, cols);
    case 7:
      return im2col_impl<7>(x, g, cols);
    default:
      return im2col_impl<0>(x, g, cols);
  }
}

namespace {

template <std::size_t KW>
void col2im_impl(const float* cols, const ConvGeometry& g, float* dx) {
  const std::size_t kw = KW > 0 ? KW : g.kw;
  const idx H = static_cast<idx>(g.h), W = static_cast<idx>(g.w);
  const std::size_t plane = g.h * g.w;
  const float* in = cols;
  for (std::size_t oh = 0; oh < g.ho; ++oh) {
    const idx ih0 = static_cast<idx>(oh * g.sh) - static_cast<idx>(g.pt);
    for (std::size_t ow = 0; ow < g.wo; ++ow) {
      const idx iw0 = static_cast<idx>(ow * g.sw) - static_cast<idx>(g.pl);
      const bool w_inside = iw0 >= 0 && iw0 + static_cast<idx>(g.dw * (kw - 1)) < W;
      for (std::size_t c = 0; c < g.cg; ++c) {
        float* xc = dx + c * plane;
        for (std::size_t i = 0; i < g.kh; ++i, in += kw) {
          const idx ih = ih0 + static_cast<idx>(i * g.dh);
          if (ih < 0 || ih >= H) continue;
          float* row = xc + ih * W;
          if (w_inside) {
            float* dst = row + iw0;
            for (std::size_t j = 0; j < kw; ++j) dst[j * g.dw] += in[j];
          } else {
            for (std::size_t j = 0; j < kw; ++j) {
              const idx iw = iw0 + static_cast<idx>(j * g.dw);
              if (iw >= 0 && iw < W) row[iw] += in[j];
            }
          }
        }
      }
    }
  }
}

}  // namespace

void col2im_add(const float* cols, const ConvGeometry& g, float* dx) {
  switch (g.kw) {
    case 1:
      return col2im_impl<1>(cols, g, dx);
    case 3:
      return col2im_impl<3>(cols, g, dx);
    case 5:
      return col2im_impl<5>(cols, g, dx);
    case 7:
      return col2im_impl<7>(cols, g, dx);
    default:
      return col2im_impl<0>(cols, g, dx);
  }
}

}  // namespace xbarsim::conv_detail

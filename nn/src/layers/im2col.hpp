#pragma once
// Private helpers of Conv2D: the convolution geometry of one group and the im2col /
// col2im transforms between a sample's NCHW planes and the GEMM column matrix.
#include <cstddef>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim::conv_detail {

/// Geometry of one group of a convolution on one input shape.
struct ConvGeometry {
  std::size_t cg = 0, mg = 0;  // input / output channels per group
  std::size_t h = 0, w = 0;    // input plane
  std::size_t kh = 0, kw = 0, sh = 1, sw = 1, pt = 0, pl = 0, dh = 1, dw = 1;
  std::size_t ho = 0, wo = 0;                     // output plane
  std::size_t k() const { return cg * kh * kw; }  // GEMM inner dimension
  std::size_t p() const { return ho * wo; }       // output positions per sample
};

/// Output extent floor((in + pads - dil (k - 1) - 1) / stride) + 1 (PyTorch Conv2d), or 0
/// when the dilated kernel does not fit into the padded input.
std::size_t conv_out_extent(std::size_t in, std::size_t pad_a, std::size_t pad_b, std::size_t k, std::size_t stride,
                            std::size_t dil);

/// Geometry of `spec` on input planes of h x w.
ConvGeometry make_geometry(const Conv2DSpec& spec, std::size_t h, std::size_t w);

/// Columns of one sample and group: x points to the group's first input channel
/// (cg planes of h x w); cols receives p() columns of k() contiguous floats (column-major
/// k x p, the MatVecBackend's X layout), row index (c kh + i) kw + j, zero padding.
void im2col(const float* x, const ConvGeometry& g, float* cols);

/// The adjoint of im2col: adds every column entry back to the input position it was read
/// from (dx holds the group's cg planes; entries that came from padding are dropped).
void col2im_add(const float* cols, const ConvGeometry& g, float* dx);

/// Forward by Winograd F(2x2, 3x3) (conv_winograd.cpp): y (already N x Cout x Ho x Wo)
/// = conv(x) + bias; bias may be null. Requires 3x3, stride 1, dilation 1.
void winograd_forward(const Conv2DSpec& s, const float* weight, const float* bias, const Tensor& x, Tensor& y);

/// Forward through 2-D FFTs (conv_fft.cpp), same contract; any kernel, stride, dilation.
void fft_forward(const Conv2DSpec& s, const float* weight, const float* bias, const Tensor& x, Tensor& y);

/// Smallest power of two >= n (n >= 1): the FFT size along one axis.
std::size_t fft_size(std::size_t n);

}  // namespace xbarsim::conv_detail

// Convolution through 2-D FFTs: per sample, the zero-padded input planes (Hp x Wp,
// embedded in a Ph x Pw power-of-two grid) and the dilated kernels (placed at the
// origin) are transformed with a radix-2 complex FFT; the cross-correlation is
// IFFT(X . conj(K)) (circular, but Ph >= Hp and Pw >= Wp so no valid output wraps), summed
// over the group's input channels in the frequency domain. Stride and dilation are
// supported by dilating the kernel and reading every stride-th output of the stride-1
// correlation (simple rather than fast; the FFT path is a digital reference). Double
// precision inside, so the result agrees with the direct sum to float rounding.
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>
#include <xbarsim/core/parallel.hpp>

#include "im2col.hpp"

namespace xbarsim::conv_detail {

std::size_t fft_size(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

namespace {

using cplx = std::complex<double>;

// In-place iterative radix-2 FFT of one power-of-two length (bit reversal, then
// butterflies with precomputed twiddles e^{-2 pi i k / n}).
class Fft1D {
 public:
  explicit Fft1D(std::size_t n) : n_(n), rev_(n), tw_(n / 2) {
    std::size_t lg = 0;
    while ((std::size_t{1} << lg) < n) ++lg;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t r = 0;
      for (std::size_t b = 0; b < lg; ++b)
        if (i & (std::size_t{1} << b)) r |= std::size_t{1} << (lg - 1 - b);
      rev_[i] = r;
    }
    for (std::size_t k = 0; k < n / 2; ++k)
      tw_[k] = std::polar(1.0, -2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n));
  }
  // a[0], a[stride], ... a[(n-1) stride]; inverse uses conj twiddles (no 1/n scaling).
  void run(cplx* a, std::size_t stride, bool inverse) const {
    for (std::size_t i = 0; i < n_; ++i)
      if (i < rev_[i]) std::swap(a[i * stride], a[rev_[i] * stride]);
    for (std::size_t len = 2; len <= n_; len <<= 1) {
      const std::size_t half = len / 2, step = n_ / len;
      for (std::size_t i = 0; i < n_; i += len)
        for (std::size_t k = 0; k < half; ++k) {
          const cplx w = inverse ? std::conj(tw_[k * step]) : tw_[k * step];
          cplx& u = a[(i + k) * stride];
          cplx& v = a[(i + k + half) * stride];
          const cplx t = w * v;
          v = u - t;
          u = u + t;
        }
    }
  }

 private:
  std::size_t n_;
  std::vector<std::size_t> rev_;
  std::vector<cplx> tw_;
};

// 2-D FFT of a row-major ph x pw grid: rows, then columns.
void fft2(const Fft1D& fr, const Fft1D& fc, cplx* a, std::size_t ph, std::size_t pw, bool inverse) {
  for (std::size_t r = 0; r < ph; ++r) fr.run(a + r * pw, 1, inverse);
  for (std::size_t c = 0; c < pw; ++c) fc.run(a + c, pw, inverse);
}

}  // namespace

void fft_forward(const Conv2DSpec& s, const float* weight, const float* bias, const Tensor& x, Tensor& y) {
  const Shape xs = x.shape(), ys = y.shape();
  const std::size_t H = xs.h, W = xs.w, Ho = ys.h, Wo = ys.w;
  const std::size_t cg = s.in_channels / s.groups, cout = s.out_channels, mg = cout / s.groups;
  const std::size_t ph = fft_size(H + s.pad_top + s.pad_bottom), pw = fft_size(W + s.pad_left + s.pad_right);
  const std::size_t P = ph * pw;
  const Fft1D frow(pw), fcol(ph);
  // Kernel spectra, one per (cout, cin of its group): computed once per call and shared
  // by the batch.
  std::vector<cplx> K(cout * cg * P);
  parallel_blocks(cout * cg, 1, [&](std::size_t k0, std::size_t k1) {
    for (std::size_t k = k0; k < k1; ++k) {
      cplx* kf = K.data() + k * P;
      const float* wk = weight + k * s.kernel_h * s.kernel_w;
      for (std::size_t i = 0; i < s.kernel_h; ++i)
        for (std::size_t j = 0; j < s.kernel_w; ++j)
          kf[i * s.dilation_h * pw + j * s.dilation_w] = wk[i * s.kernel_w + j];
      fft2(frow, fcol, kf, ph, pw, false);
    }
  });
  const double scale = 1.0 / static_cast<double>(P);
  parallel_blocks(xs.n, 1, [&](std::size_t s0, std::size_t s1) {
    std::vector<cplx> X(cg * P), acc(P);
    for (std::size_t smp = s0; smp < s1; ++smp)
      for (std::size_t gr = 0; gr < s.groups; ++gr) {
        std::fill(X.begin(), X.end(), cplx{});
        for (std::size_t c = 0; c < cg; ++c) {
          const float* plane = x.data() + (smp * s.in_channels + gr * cg + c) * H * W;
          cplx* xf = X.data() + c * P;
          for (std::size_t i = 0; i < H; ++i)
            for (std::size_t j = 0; j < W; ++j) xf[(i + s.pad_top) * pw + j + s.pad_left] = plane[i * W + j];
          fft2(frow, fcol, xf, ph, pw, false);
        }
        for (std::size_t m = 0; m < mg; ++m) {
          const std::size_t co = gr * mg + m;
          std::fill(acc.begin(), acc.end(), cplx{});
          for (std::size_t c = 0; c < cg; ++c) {
            const cplx* xf = X.data() + c * P;
            const cplx* kf = K.data() + (co * cg + c) * P;
            for (std::size_t f = 0; f < P; ++f) acc[f] += xf[f] * std::conj(kf[f]);
          }
          fft2(frow, fcol, acc.data(), ph, pw, true);
          const double bv = bias ? bias[co] : 0.0;
          float* out = y.data() + (smp * cout + co) * Ho * Wo;
          for (std::size_t i = 0; i < Ho; ++i)
            for (std::size_t j = 0; j < Wo; ++j)
              out[i * Wo + j] = static_cast<float>(acc[i * s.stride_h * pw + j * s.stride_w].real() * scale + bv);
        }
      }
  });
}

}  // namespace xbarsim::conv_detail

// Winograd F(2x2, 3x3) convolution (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks", CVPR 2016): Y = A^T [(G g G^T) . (B^T d B)] A per 4x4 input tile d
// and 2x2 output tile, with
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
//   A^T = [1 1 1 0; 0 1 -1 -1].
// The sum over input channels of the 16 elementwise products is 16 GEMMs per group
// (U_xi: Mg x Cg times V_xi: Cg x tiles), as in the paper.
#include <armadillo>
#include <vector>
#include <xbarsim/core/parallel.hpp>

#include "im2col.hpp"

namespace xbarsim::conv_detail {

namespace {

// U = G g G^T for one 3x3 kernel g (row-major); u receives 16 values, row-major 4x4.
void filter_transform(const float* g, float* u) {
  float t[4][3];  // G g
  for (int j = 0; j < 3; ++j) {
    const float a = g[j], b = g[3 + j], c = g[6 + j];
    t[0][j] = a;
    t[1][j] = 0.5f * (a + b + c);
    t[2][j] = 0.5f * (a - b + c);
    t[3][j] = c;
  }
  for (int i = 0; i < 4; ++i) {
    const float a = t[i][0], b = t[i][1], c = t[i][2];
    u[i * 4 + 0] = a;
    u[i * 4 + 1] = 0.5f * (a + b + c);
    u[i * 4 + 2] = 0.5f * (a - b + c);
    u[i * 4 + 3] = c;
  }
}

// V = B^T d B for one 4x4 tile d (row-major).
void input_transform(const float d[4][4], float v[16]) {
  float t[4][4];  // B^T d
  for (int j = 0; j < 4; ++j) {
    t[0][j] = d[0][j] - d[2][j];
    t[1][j] = d[1][j] + d[2][j];
    t[2][j] = d[2][j] - d[1][j];
    t[3][j] = d[1][j] - d[3][j];
  }
  for (int i = 0; i < 4; ++i) {
    v[i * 4 + 0] = t[i][0] - t[i][2];
    v[i * 4 + 1] = t[i][1] + t[i][2];
    v[i * 4 + 2] = t[i][2] - t[i][1];
    v[i * 4 + 3] = t[i][1] - t[i][3];
  }
}

// Y = A^T M A for one 4x4 product tile m (row-major) -> 2x2.
void output_transform(const float m[16], float y[2][2]) {
  float t[2][4];  // A^T M
  for (int j = 0; j < 4; ++j) {
    t[0][j] = m[j] + m[4 + j] + m[8 + j];
    t[1][j] = m[4 + j] - m[8 + j] - m[12 + j];
  }
  for (int i = 0; i < 2; ++i) {
    y[i][0] = t[i][0] + t[i][1] + t[i][2];
    y[i][1] = t[i][1] - t[i][2] - t[i][3];
  }
}

}  // namespace

void winograd_forward(const Conv2DSpec& s, const float* weight, const float* bias, const Tensor& x, Tensor& y) {
  const Shape xs = x.shape(), ys = y.shape();
  const std::size_t n = xs.n, H = xs.h, W = xs.w, Ho = ys.h, Wo = ys.w;
  const std::size_t cg = s.in_channels / s.groups, mg = s.out_channels / s.groups;
  const std::size_t th = (Ho + 1) / 2, tw = (Wo + 1) / 2, T = th * tw, NT = n * T;
  const std::ptrdiff_t pt = static_cast<std::ptrdiff_t>(s.pad_top), pl = static_cast<std::ptrdiff_t>(s.pad_left);
  std::vector<float> V(16 * cg * NT), M(16 * mg * NT), U(16 * mg * cg);
  for (std::size_t gr = 0; gr < s.groups; ++gr) {
    // U_xi (Mg x Cg, column-major) for the group's kernels.
    for (std::size_t m = 0; m < mg; ++m)
      for (std::size_t c = 0; c < cg; ++c) {
        float u[16];
        filter_transform(weight + ((gr * mg + m) * cg + c) * 9, u);
        for (int xi = 0; xi < 16; ++xi) U[xi * mg * cg + c * mg + m] = u[xi];
      }
    // V_xi (Cg x NT, column-major): transformed 4x4 input tiles, zero outside the input.
    parallel_blocks(n, 1, [&](std::size_t s0, std::size_t s1) {
      for (std::size_t smp = s0; smp < s1; ++smp)
        for (std::size_t c = 0; c < cg; ++c) {
          const float* plane = x.data() + ((smp * s.in_channels) + gr * cg + c) * H * W;
          for (std::size_t a = 0; a < th; ++a)
            for (std::size_t b = 0; b < tw; ++b) {
              float d[4][4];
              const std::ptrdiff_t h0 = static_cast<std::ptrdiff_t>(2 * a) - pt;
              const std::ptrdiff_t w0 = static_cast<std::ptrdiff_t>(2 * b) - pl;
              for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j) {
                  const std::ptrdiff_t hh = h0 + i, ww = w0 + j;
                  d[i][j] =
                      (hh >= 0 && hh < static_cast<std::ptrdiff_t>(H) && ww >= 0 && ww < static_cast<std::ptrdiff_t>(W))
                          ? plane[hh * static_cast<std::ptrdiff_t>(W) + ww]
                          : 0.0f;
                }
              float v[16];
              input_transform(d, v);
              const std::size_t col = smp * T + a * tw + b;
              for (int xi = 0; xi < 16; ++xi) V[xi * cg * NT + col * cg + c] = v[xi];
            }
        }
    });
    // M_xi = U_xi V_xi: the sum over input channels of the elementwise products.
    for (int xi = 0; xi < 16; ++xi) {
      const arma::fmat Ux(U.data() + xi * mg * cg, mg, cg, false, true);
      const arma::fmat Vx(V.data() + xi * cg * NT, cg, NT, false, true);
      arma::fmat Mx(M.data() + xi * mg * NT, mg, NT, false, true);
      Mx = Ux * Vx;
    }
    parallel_blocks(n, 1, [&](std::size_t s0, std::size_t s1) {
      for (std::size_t smp = s0; smp < s1; ++smp)
        for (std::size_t m = 0; m < mg; ++m) {
          const std::size_t co = gr * mg + m;
          const float bv = bias ? bias[co] : 0.0f;
          float* out = y.data() + (smp * s.out_channels + co) * Ho * Wo;
          for (std::size_t a = 0; a < th; ++a)
            for (std::size_t b = 0; b < tw; ++b) {
              const std::size_t col = smp * T + a * tw + b;
              float mt[16], yt[2][2];
              for (int xi = 0; xi < 16; ++xi) mt[xi] = M[xi * mg * NT + col * mg + m];
              output_transform(mt, yt);
              for (std::size_t i = 0; i < 2 && 2 * a + i < Ho; ++i)
                for (std::size_t j = 0; j < 2 && 2 * b + j < Wo; ++j) out[(2 * a + i) * Wo + 2 * b + j] = yt[i][j] + bv;
            }
        }
    });
  }
}

}  // namespace xbarsim::conv_detail

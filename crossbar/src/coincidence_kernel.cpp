// Binary "GEMM" of packed pulse trains, pulse thresholds and the 16-bit pulse compare
// (see pulsed_update.hpp). Two versions of each: AVX-512 (F, BW, VPOPCNTDQ) selected at
// run time and a portable scalar one. Integer work is exact and the float threshold
// arithmetic is the same IEEE operations in the same order without contraction, so both
// versions agree bit for bit.
#include <algorithm>
#include <bit>
#include <cstring>
#include <xbarsim/crossbar/pulsed_update.hpp>

#if defined(__x86_64__) && defined(__GNUC__)
#define XBARSIM_XBAR_X86 1
#include <immintrin.h>
// GCC 12's avx512fintrin.h builds _mm512_undefined_* as `__m512i __Y = __Y;`, which
// -Wmaybe-uninitialized reports where those intrinsics are inlined (a known false
// positive, as in core/src/random.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#else
#define XBARSIM_XBAR_X86 0
#endif

namespace xbarsim::detail {
namespace {
// Words per K block: the column strings of a kernel task (32 columns x 2 arrays x 8 bytes
// x kKBlock = 256 KiB) stay in L2 while the row strings stream past them.
constexpr std::size_t kKBlock = 512;
}  // namespace

namespace {
// The portable kernel; instantiated for the baseline ISA and, on x86, once more with the
// POPCNT instruction (std::popcount is otherwise a libgcc call per word).
template <int Variant>
inline __attribute__((always_inline)) std::uint64_t coincidence_portable(
    const std::uint64_t* xp, const std::uint64_t* xs, std::size_t nx, const std::uint64_t* dp, const std::uint64_t* ds,
    std::size_t c0, std::size_t c1, std::size_t kw, std::int32_t* out) {
  std::uint64_t gross = 0;
  for (std::size_t k0 = 0; k0 < kw; k0 += kKBlock) {
    const std::size_t k1 = std::min(kw, k0 + kKBlock);
    for (std::size_t c = c0; c < c1; ++c) {
      const std::uint64_t* pd = dp + c * kw;
      const std::uint64_t* sd = ds + c * kw;
      for (std::size_t r = 0; r < nx; ++r) {
        const std::uint64_t* px = xp + r * kw;
        const std::uint64_t* sx = xs + r * kw;
        std::int64_t all = 0, opposite = 0;
        for (std::size_t k = k0; k < k1; ++k) {
          const std::uint64_t t = px[k] & pd[k];
          all += std::popcount(t);
          opposite += std::popcount(t & (sx[k] ^ sd[k]));
        }
        out[c * nx + r] += static_cast<std::int32_t>(all - 2 * opposite);
        gross += static_cast<std::uint64_t>(all);
      }
    }
  }
  return gross;
}

std::uint64_t coincidence_baseline(const std::uint64_t* xp, const std::uint64_t* xs, std::size_t nx,
                                   const std::uint64_t* dp, const std::uint64_t* ds, std::size_t c0, std::size_t c1,
                                   std::size_t kw, std::int32_t* out) {
  return coincidence_portable<0>(xp, xs, nx, dp, ds, c0, c1, kw, out);
}

#if XBARSIM_XBAR_X86
__attribute__((target("popcnt"))) std::uint64_t coincidence_popcnt(const std::uint64_t* xp, const std::uint64_t* xs,
                                                                   std::size_t nx, const std::uint64_t* dp,
                                                                   const std::uint64_t* ds, std::size_t c0,
                                                                   std::size_t c1, std::size_t kw, std::int32_t* out) {
  return coincidence_portable<1>(xp, xs, nx, dp, ds, c0, c1, kw, out);
}
#endif
}  // namespace

std::uint64_t coincidence_scalar(const std::uint64_t* xp, const std::uint64_t* xs, std::size_t nx,
                                 const std::uint64_t* dp, const std::uint64_t* ds, std::size_t c0, std::size_t c1,
                                 std::size_t kw, std::int32_t* out) {
#if XBARSIM_XBAR_X86
  static const bool has_popcnt = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("popcnt") != 0;
  }();
  if (has_popcnt) return coincidence_popcnt(xp, xs, nx, dp, ds, c0, c1, kw, out);
#endif
  return coincidence_baseline(xp, xs, nx, dp, ds, c0, c1, kw, out);
}

std::uint64_t pulse_masks_scalar(const std::uint16_t* u16, const std::uint16_t* q, const std::uint32_t* certain,
                                 const std::uint32_t* active, std::size_t groups, std::uint32_t* out) {
  std::uint64_t n = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    std::uint32_t m = 0;
    for (unsigned l = 0; l < 32; ++l) m |= static_cast<std::uint32_t>(u16[32 * g + l] < q[32 * g + l]) << l;
    out[g] = (m | certain[g]) & active[g];
    n += static_cast<std::uint64_t>(std::popcount(out[g]));
  }
  return n;
}

__attribute__((optimize("fp-contract=off"))) void line_thresholds_scalar(const float* v, const float* scale,
                                                                         std::size_t n, std::uint16_t* q,
                                                                         std::uint32_t* certain, std::uint32_t* sign) {
  const std::size_t groups = (n + 31) / 32;
  for (std::size_t g = 0; g < groups; ++g) {
    std::uint32_t c = 0, s = 0;
    for (std::size_t l = 0; l < 32; ++l) {
      const std::size_t e = 32 * g + l;
      std::int32_t qi = 0;
      if (e < n) {
        const float p = std::min(1.0f, scale[e] * std::abs(v[e]));
        qi = static_cast<std::int32_t>(p * 65536.0f + 0.5f);
        s |= static_cast<std::uint32_t>(v[e] < 0.0f) << l;
      }
      c |= static_cast<std::uint32_t>(qi == 65536) << l;
      q[e] = static_cast<std::uint16_t>(qi);
    }
    certain[g] = c;
    sign[g] = s;
  }
}

#if XBARSIM_XBAR_X86
namespace {
// Lane k of the result = sum of the 8 lanes of v[k]: three levels of pairwise folding.
__attribute__((target("avx512f"))) inline __m512i reduce8(const __m512i* v) {
  __m512i a[4];
  for (int i = 0; i < 4; ++i)
    a[i] =
        _mm512_add_epi64(_mm512_unpacklo_epi64(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_epi64(v[2 * i], v[2 * i + 1]));
  // a[i]: each 128-bit lane holds (partial of v[2i], partial of v[2i+1]).
  const __m512i b0 = _mm512_add_epi64(_mm512_shuffle_i64x2(a[0], a[1], 0x88), _mm512_shuffle_i64x2(a[0], a[1], 0xdd));
  const __m512i b1 = _mm512_add_epi64(_mm512_shuffle_i64x2(a[2], a[3], 0x88), _mm512_shuffle_i64x2(a[2], a[3], 0xdd));
  // b0 lanes: (v0, v1) from a0 L0+L1, (v0, v1) from a0 L2+L3, (v2, v3) twice; b1 alike.
  return _mm512_add_epi64(_mm512_shuffle_i64x2(b0, b1, 0x88), _mm512_shuffle_i64x2(b0, b1, 0xdd));
}
}  // namespace

// 4 row strings x 2 column strings per register block: 16 accumulators (all and
// opposite-sign counts per pair) plus 12 loaded vectors fit the 32 zmm registers.
__attribute__((target("avx512f,avx512vpopcntdq"))) std::uint64_t coincidence_avx512(
    const std::uint64_t* xp, const std::uint64_t* xs, std::size_t nx, const std::uint64_t* dp, const std::uint64_t* ds,
    std::size_t c0, std::size_t c1, std::size_t kw, std::int32_t* out) {
  __m512i gross = _mm512_setzero_si512();
  for (std::size_t k0 = 0; k0 < kw; k0 += kKBlock) {
    const std::size_t k1 = std::min(kw, k0 + kKBlock);
    for (std::size_t r = 0; r < nx; r += 4) {
      const std::uint64_t* px[4] = {xp + r * kw, xp + (r + 1) * kw, xp + (r + 2) * kw, xp + (r + 3) * kw};
      const std::uint64_t* sx[4] = {xs + r * kw, xs + (r + 1) * kw, xs + (r + 2) * kw, xs + (r + 3) * kw};
      for (std::size_t c = c0; c < c1; c += 2) {
        const std::uint64_t* pd[2] = {dp + c * kw, dp + (c + 1) * kw};
        const std::uint64_t* sd[2] = {ds + c * kw, ds + (c + 1) * kw};
        __m512i all[8], opp[8];  // pair (a, b) at index 2 a + b
        for (int p = 0; p < 8; ++p) all[p] = opp[p] = _mm512_setzero_si512();
        for (std::size_t k = k0; k < k1; k += 8) {
          const __m512i vpd0 = _mm512_loadu_si512(pd[0] + k), vpd1 = _mm512_loadu_si512(pd[1] + k);
          const __m512i vsd0 = _mm512_loadu_si512(sd[0] + k), vsd1 = _mm512_loadu_si512(sd[1] + k);
#pragma GCC unroll 4
          for (int a = 0; a < 4; ++a) {
            const __m512i vpx = _mm512_loadu_si512(px[a] + k), vsx = _mm512_loadu_si512(sx[a] + k);
            const __m512i t0 = _mm512_and_si512(vpx, vpd0), t1 = _mm512_and_si512(vpx, vpd1);
            // t & (sx ^ sd): truth table 0x60 for (A = t, B = sx, C = sd).
            const __m512i o0 = _mm512_ternarylogic_epi64(t0, vsx, vsd0, 0x60);
            const __m512i o1 = _mm512_ternarylogic_epi64(t1, vsx, vsd1, 0x60);
            all[2 * a] = _mm512_add_epi64(all[2 * a], _mm512_popcnt_epi64(t0));
            all[2 * a + 1] = _mm512_add_epi64(all[2 * a + 1], _mm512_popcnt_epi64(t1));
            opp[2 * a] = _mm512_add_epi64(opp[2 * a], _mm512_popcnt_epi64(o0));
            opp[2 * a + 1] = _mm512_add_epi64(opp[2 * a + 1], _mm512_popcnt_epi64(o1));
          }
        }
        __m512i net[8];
        for (int p = 0; p < 8; ++p) {
          net[p] = _mm512_sub_epi64(all[p], _mm512_add_epi64(opp[p], opp[p]));
          gross = _mm512_add_epi64(gross, all[p]);
        }
        alignas(64) std::int64_t n[8];
        _mm512_store_si512(n, reduce8(net));
        for (int a = 0; a < 4; ++a)
          for (int b = 0; b < 2; ++b) out[(c + b) * nx + r + a] += static_cast<std::int32_t>(n[2 * a + b]);
      }
    }
  }
  return static_cast<std::uint64_t>(_mm512_reduce_add_epi64(gross));
}

// Short strings: one column word broadcast against 8 rows' words per vector, 4 row
// groups per step; the 8 counts of a group are contiguous in `out` (column-major).
__attribute__((target("avx512f,avx512vpopcntdq"))) std::uint64_t coincidence_avx512_narrow(
    const std::uint64_t* xpt, const std::uint64_t* xst, std::size_t nxp, const std::uint64_t* dp,
    const std::uint64_t* ds, std::size_t c0, std::size_t c1, std::size_t kw, std::int32_t* out) {
  __m512i gross = _mm512_setzero_si512();
  for (std::size_t c = c0; c < c1; ++c) {
    for (std::size_t r = 0; r < nxp; r += 32) {
      const int groups = static_cast<int>(std::min<std::size_t>(4, (nxp - r) / 8));
      __m512i all[4], opp[4];
      for (int g = 0; g < 4; ++g) all[g] = opp[g] = _mm512_setzero_si512();
      for (std::size_t k = 0; k < kw; ++k) {
        const __m512i bd = _mm512_set1_epi64(static_cast<long long>(dp[c * kw + k]));
        const __m512i bs = _mm512_set1_epi64(static_cast<long long>(ds[c * kw + k]));
        for (int g = 0; g < groups; ++g) {
          const __m512i vx = _mm512_loadu_si512(xpt + k * nxp + r + 8 * g);
          const __m512i vs = _mm512_loadu_si512(xst + k * nxp + r + 8 * g);
          const __m512i t = _mm512_and_si512(vx, bd);
          const __m512i o = _mm512_ternarylogic_epi64(t, vs, bs, 0x60);  // t & (sx ^ sd)
          all[g] = _mm512_add_epi64(all[g], _mm512_popcnt_epi64(t));
          opp[g] = _mm512_add_epi64(opp[g], _mm512_popcnt_epi64(o));
        }
      }
      for (int g = 0; g < groups; ++g) {
        gross = _mm512_add_epi64(gross, all[g]);
        const __m256i n = _mm512_cvtepi64_epi32(_mm512_sub_epi64(all[g], _mm512_add_epi64(opp[g], opp[g])));
        std::int32_t* o = out + c * nxp + r + 8 * g;
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(o),
                            _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(o)), n));
      }
    }
  }
  return static_cast<std::uint64_t>(_mm512_reduce_add_epi64(gross));
}

__attribute__((target("avx512f,avx512bw,popcnt"))) std::uint64_t pulse_masks_avx512(
    const std::uint16_t* u16, const std::uint16_t* q, const std::uint32_t* certain, const std::uint32_t* active,
    std::size_t groups, std::uint32_t* out) {
  std::uint64_t n = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const __m512i u = _mm512_loadu_si512(u16 + 32 * g), t = _mm512_loadu_si512(q + 32 * g);
    out[g] = (static_cast<std::uint32_t>(_mm512_cmplt_epu16_mask(u, t)) | certain[g]) & active[g];
    n += static_cast<std::uint64_t>(_mm_popcnt_u32(out[g]));
  }
  return n;
}

__attribute__((target("avx512f,avx512bw"), optimize("fp-contract=off"))) void line_thresholds_avx512(
    const float* v, const float* scale, std::size_t n, std::uint16_t* q, std::uint32_t* certain, std::uint32_t* sign) {
  const std::size_t groups = (n + 31) / 32;
  const __m512 one = _mm512_set1_ps(1.0f), k65536 = _mm512_set1_ps(65536.0f), half = _mm512_set1_ps(0.5f);
  const __m512 zero = _mm512_setzero_ps();
  const __m512i full = _mm512_set1_epi32(65536);
  for (std::size_t g = 0; g < groups; ++g) {
    std::uint32_t c = 0, s = 0;
    for (int h = 0; h < 2; ++h) {
      const std::size_t e = 32 * g + 16 * static_cast<std::size_t>(h);
      const std::size_t left = e < n ? n - e : 0;
      const __mmask16 lanes = left >= 16 ? __mmask16(0xffff) : static_cast<__mmask16>((1u << left) - 1u);
      const __m512 x = _mm512_maskz_loadu_ps(lanes, v + e), sc = _mm512_maskz_loadu_ps(lanes, scale + e);
      const __m512 p = _mm512_min_ps(_mm512_mul_ps(sc, _mm512_abs_ps(x)), one);
      const __m512i qi = _mm512_cvttps_epi32(_mm512_add_ps(_mm512_mul_ps(p, k65536), half));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + e), _mm512_cvtepi32_epi16(qi));
      c |= static_cast<std::uint32_t>(_mm512_cmpeq_epi32_mask(qi, full)) << (16 * h);
      s |= static_cast<std::uint32_t>(_mm512_mask_cmp_ps_mask(lanes, x, zero, _CMP_LT_OQ)) << (16 * h);
    }
    certain[g] = c;
    sign[g] = s;
  }
}

bool avx512_popcnt_supported() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vpopcntdq");
  }();
  return ok;
}
#else
std::uint64_t coincidence_avx512(const std::uint64_t* xp, const std::uint64_t* xs, std::size_t nx,
                                 const std::uint64_t* dp, const std::uint64_t* ds, std::size_t c0, std::size_t c1,
                                 std::size_t kw, std::int32_t* out) {
  return coincidence_scalar(xp, xs, nx, dp, ds, c0, c1, kw, out);
}
std::uint64_t coincidence_avx512_narrow(const std::uint64_t* xpt, const std::uint64_t* xst, std::size_t nxp,
                                        const std::uint64_t* dp, const std::uint64_t* ds, std::size_t c0,
                                        std::size_t c1, std::size_t kw, std::int32_t* out) {
  std::uint64_t gross = 0;
  for (std::size_t c = c0; c < c1; ++c)
    for (std::size_t r = 0; r < nxp; ++r) {
      std::int64_t all = 0, opposite = 0;
      for (std::size_t k = 0; k < kw; ++k) {
        const std::uint64_t t = xpt[k * nxp + r] & dp[c * kw + k];
        all += std::popcount(t);
        opposite += std::popcount(t & (xst[k * nxp + r] ^ ds[c * kw + k]));
      }
      out[c * nxp + r] += static_cast<std::int32_t>(all - 2 * opposite);
      gross += static_cast<std::uint64_t>(all);
    }
  return gross;
}
std::uint64_t pulse_masks_avx512(const std::uint16_t* u16, const std::uint16_t* q, const std::uint32_t* certain,
                                 const std::uint32_t* active, std::size_t groups, std::uint32_t* out) {
  return pulse_masks_scalar(u16, q, certain, active, groups, out);
}
void line_thresholds_avx512(const float* v, const float* scale, std::size_t n, std::uint16_t* q, std::uint32_t* certain,
                            std::uint32_t* sign) {
  line_thresholds_scalar(v, scale, n, q, certain, sign);
}
bool avx512_popcnt_supported() { return false; }
#endif

}  // namespace xbarsim::detail

// Counter-based random numbers: Random123 Philox4x32-10 for the scalar API, and a
// batched re-implementation of the same Philox rounds plus our own Box-Muller for
// normal_block(), the hot path of every stochastic device update.
//
// Why a second Philox: Random123 computes one counter per call, which leaves the
// vector units idle; here one call computes W counters side by side in SIMD lanes
// (W = 4 with SSE2, 8 with AVX2, 16 with AVX-512, picked at run time). The
// Random123 known-answer test and a comparison against philox_block() in the tests
// pin the two implementations together.
//
// Why our own log/sin/cos: std::log and std::sin do not vectorise without
// -ffast-math. The approximations below (Cephes single-precision polynomials; the
// square root is the correctly rounded hardware one) are accurate to a few float ulps.
// Every lane and every instruction set performs the same IEEE float operations in the
// same order (FMA contraction is switched off for every function doing float math,
// see normal_block), so results are bit-identical whether a stream is computed element
// by element, in blocks, or by any of the kernels, on any x86-64 CPU and with or
// without -march=native.
#include <Random123/philox.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>
#include <type_traits>
#include <xbarsim/core/random.hpp>

#if defined(__GNUC__)
#define XBARSIM_INLINE inline __attribute__((always_inline))
#else
#define XBARSIM_INLINE inline
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define XBARSIM_RNG_X86 1
#include <immintrin.h>
// The lane templates below take and return 256/512-bit vectors; they are always
// inlined into functions compiled for AVX2 / AVX-512, so no call ever passes such a
// vector across an ABI boundary and the "changes the ABI" note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
// GCC 12's avx512fintrin.h builds _mm512_undefined_* as `__m512i __Y = __Y;`, which
// -Wmaybe-uninitialized reports wherever those intrinsics are inlined (a known false
// positive: the lanes are masked off).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#else
#define XBARSIM_RNG_X86 0
#endif

namespace xbarsim {
namespace {
using Philox = r123::Philox4x32_R<10>;

// SplitMix64 finaliser: spreads seed and purpose bits over the whole key.
std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Philox4x32 constants (Salmon et al., SC'11; Random123 philox.h).
constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;
constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;

// The Box-Muller arithmetic is written once as templates over the lane type: F is
// float or a GCC vector of floats, U / I the matching unsigned / signed 32-bit
// integers. Scalar and vector instances perform the same IEEE operations in order.
template <class F, class I>
XBARSIM_INLINE F to_float(const I& i) {
  if constexpr (std::is_same_v<I, std::int32_t>)
    return static_cast<float>(i);
  else
    return __builtin_convertvector(i, F);
}

// u32_to_open01f (random.hpp) on lanes: (float(x >> 8) + 0.5) / 2^24, in (0, 1).
template <class U, class I, class F>
XBARSIM_INLINE F open01(const U& x) {
  return (to_float<F>((I)(x >> 8)) + 0.5f) * (1.0f / 16777216.0f);
}

// -2 ln(u) for u in (0, 1), u a normal float. Cephes logf: u = m 2^e with m in
// [sqrt(1/2), sqrt(2)), ln(m) from a degree-9 polynomial in x = m - 1 (exact by
// Sterbenz), ln(2) split into 0.693359375 - 2.12194440e-4 so e*ln2 adds no error.
template <class U, class I, class F>
XBARSIM_INLINE F neg2log(const F& u) {
  const U bits = std::bit_cast<U>(u);
  const I e0 = (I)(bits >> 23) - 126;  // u = m 2^e0, m in [0.5, 1)
  // m < sqrt(1/2) (0x3f3504f3) decided on the mantissa bits; then 2m is m with the
  // exponent of [1, 2). Branch-free integer selects on purpose: with the default
  // -ftrapping-math the compiler will not if-convert (and so not vectorise)
  // floating-point work that is done on only one side of a condition.
  const U mant = bits & 0x007fffffu;
  const U low = (U)(mant < 0x003504f3u) & 1u;
  const F x = std::bit_cast<F>(mant | ((low << 23) + 0x3f000000u)) - 1.0f;  // exact (Sterbenz)
  const F e = to_float<F>(e0 - (I)low);
  // Cephes' degree-8 polynomial P(x) (ln(1+x) = x - x^2/2 + x^3 P(x)) by Estrin's
  // scheme: the same operation count as Horner's but a third of its dependency chain,
  // which is what limits this code.
  const F z = x * x;
  const F z2 = z * z;
  const F q01 = x * -2.4999993993e-1f + 3.3333331174e-1f;
  const F q23 = x * -1.6668057665e-1f + 2.0000714765e-1f;
  const F q45 = x * -1.2420140846e-1f + 1.4249322787e-1f;
  const F q67 = x * -1.1514610310e-1f + 1.1676998740e-1f;
  const F q03 = z * q23 + q01;
  const F q47 = z * q67 + q45;
  const F q08 = (z2 * 7.0376836292e-2f + q47) * z2 + q03;
  F y = q08 * x * z;
  y = y + e * -2.12194440e-4f;
  y = y + z * -0.5f;
  F r = x + y;
  r = r + e * 0.693359375f;
  return r * -2.0f;
}

// cos and sin of theta = 2 pi (m + 1/2) / 2^24 for the 24-bit integer m = word >> 8.
// The quadrant k = round(4 theta / 2 pi) and the residual angle in [-pi/4, pi/4] come
// from integer arithmetic, so the range reduction itself is exact; Cephes sinf/cosf
// polynomials then give the residual's sine and cosine.
template <class U, class I, class F>
XBARSIM_INLINE void sincos_turn(const U& word, F& c, F& s) {
  constexpr float kStep = 2.0f * std::numbers::pi_v<float> / 16777216.0f;
  const I m = (I)(word >> 8);
  const I k = (m + (1 << 21)) >> 22;  // 0..4
  const I d = m - (k << 22);          // [-2^21, 2^21)
  const F y = (to_float<F>(d) + 0.5f) * kStep;
  const F z = y * y;
  F sp = z * -1.9515295891e-4f;
  sp = (sp + 8.3321608736e-3f) * z;
  sp = (sp - 1.6666654611e-1f) * z;
  const F sy = sp * y + y;
  F cp = z * 2.443315711809948e-5f;
  cp = (cp - 1.388731625493765e-3f) * z;
  cp = (cp + 4.166664568298827e-2f) * z;
  F cy = cp * z;
  cy = cy - z * 0.5f;
  cy = cy + 1.0f;
  // Quadrant q: 1 and 3 swap sine and cosine; cos < 0 in 1 and 2, sin < 0 in 2 and 3.
  // Done on bit patterns, for the reason given in neg2log.
  const U q = (U)k & 3u;
  const U swap = (q & 1u) * 0xffffffffu;
  const U cb = std::bit_cast<U>(cy), sb = std::bit_cast<U>(sy);
  const U c0 = (cb & ~swap) | (sb & swap);
  const U s0 = (sb & ~swap) | (cb & swap);
  c = std::bit_cast<F>(c0 ^ (((q + 1u) & 2u) << 30));
  s = std::bit_cast<F>(s0 ^ ((q & 2u) << 30));
}

// Box-Muller on two words of each lane: radius from `wr` (as u32_to_open01f), angle
// from `wa`. The square root comes from the instruction-set policy P (correctly
// rounded in every case, so identical everywhere).
template <class P>
XBARSIM_INLINE void box_muller_words(const typename P::U& wr, const typename P::U& wa, typename P::F& z0,
                                     typename P::F& z1) {
  using U = typename P::U;
  using I = typename P::I;
  using F = typename P::F;
  const F r = P::sqrt(neg2log<U, I, F>(open01<U, I, F>(wr)));
  F c, s;
  sincos_turn<U, I, F>(wa, c, s);
  z0 = r * c;
  z1 = r * s;
}

// Philox4x32-10 rounds on W lanes with the 32 x 32 -> 64-bit multiply of policy P.
template <class P>
XBARSIM_INLINE void philox_rounds(typename P::U& x0, typename P::U& x1, typename P::U& x2, typename P::U& x3,
                                  std::uint32_t k0, std::uint32_t k1) {
  using U = typename P::U;
#pragma GCC unroll 10
  for (int round = 0; round < 10; ++round) {
    U hi0, lo0, hi1, lo1;
    P::mulhilo(x0, kPhiloxM0, hi0, lo0);
    P::mulhilo(x2, kPhiloxM1, hi1, lo1);
    x0 = hi1 ^ x1 ^ k0;
    x2 = hi0 ^ x3 ^ k1;
    x1 = lo1;
    x3 = lo0;
    k0 += kPhiloxW0;
    k1 += kPhiloxW1;
  }
}

// The 4 W normals of Philox blocks block .. block + W - 1 of stream id:
// out[4 l + 0..1] from words 0 and 1 of block + l, out[4 l + 2..3] from words 2 and 3.
template <class P>
XBARSIM_INLINE void normal_batch(float* out, std::uint32_t block, const StreamId& id, std::uint32_t k0,
                                 std::uint32_t k1) {
  typename P::U x0, x1, x2, x3;
  P::philox(block, id, k0, k1, x0, x1, x2, x3);
  typename P::F z0, z1, z2, z3;
  box_muller_words<P>(x0, x1, z0, z1);
  box_muller_words<P>(x2, x3, z2, z3);
  P::store(out, z0, z1, z2, z3);
}

// Scalar policy: the reference arithmetic, used for partial blocks at either end of a
// request and as the fallback off x86.
struct IsaScalar {
  using U = std::uint32_t;
  using I = std::int32_t;
  using F = float;
  static XBARSIM_INLINE void mulhilo(U a, std::uint32_t m, U& hi, U& lo) {
    const std::uint64_t p = static_cast<std::uint64_t>(m) * a;
    hi = static_cast<U>(p >> 32);
    lo = static_cast<U>(p);
  }
  static XBARSIM_INLINE void philox(std::uint32_t block, const StreamId& id, std::uint32_t k0, std::uint32_t k1, U& x0,
                                    U& x1, U& x2, U& x3) {
    x0 = block;
    x1 = id.a;
    x2 = id.b;
    x3 = id.c;
    philox_rounds<IsaScalar>(x0, x1, x2, x3, k0, k1);
  }
  static XBARSIM_INLINE F sqrt(F x) {
#if XBARSIM_RNG_X86
    return _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(x)));  // sqrtss: no errno branch
#else
    return std::sqrt(x);
#endif
  }
  static XBARSIM_INLINE void store(float* out, F z0, F z1, F z2, F z3) {
    out[0] = z0;
    out[1] = z1;
    out[2] = z2;
    out[3] = z3;
  }
};

#if XBARSIM_RNG_X86
using u32x4 = std::uint32_t __attribute__((vector_size(16)));
using i32x4 = std::int32_t __attribute__((vector_size(16)));
using f32x4 = float __attribute__((vector_size(16)));
using u32x8 = std::uint32_t __attribute__((vector_size(32)));
using i32x8 = std::int32_t __attribute__((vector_size(32)));
using f32x8 = float __attribute__((vector_size(32)));
using u32x16 = std::uint32_t __attribute__((vector_size(64)));
using i32x16 = std::int32_t __attribute__((vector_size(64)));
using f32x16 = float __attribute__((vector_size(64)));

// The policies' member functions are not always_inline: the lane templates that call
// them are compiled for the baseline instruction set, and only the kernels (target
// attributes plus flatten) inline them.

// SSE2 (every x86-64 CPU): 4 lanes, even/odd-lane multiplies merged with masks.
struct IsaSse2 {
  using U = u32x4;
  using I = i32x4;
  using F = f32x4;
  static inline void mulhilo(const U& a, std::uint32_t m, U& hi, U& lo) {
    const __m128i x = (__m128i)a, mm = _mm_set1_epi32(static_cast<int>(m));
    const __m128i even = _mm_mul_epu32(x, mm);                     // lanes 0, 2 as 64-bit products
    const __m128i odd = _mm_mul_epu32(_mm_srli_epi64(x, 32), mm);  // lanes 1, 3
    const __m128i high = _mm_set_epi32(-1, 0, -1, 0);
    hi = (U)_mm_or_si128(_mm_srli_epi64(even, 32), _mm_and_si128(odd, high));
    lo = (U)_mm_or_si128(_mm_andnot_si128(high, even), _mm_slli_epi64(odd, 32));
  }
  static inline void philox(std::uint32_t block, const StreamId& id, std::uint32_t k0, std::uint32_t k1, U& x0, U& x1,
                            U& x2, U& x3) {
    const U zero{};
    x0 = U{0, 1, 2, 3} + block;
    x1 = zero + id.a;
    x2 = zero + id.b;
    x3 = zero + id.c;
    philox_rounds<IsaSse2>(x0, x1, x2, x3, k0, k1);
  }
  static inline F sqrt(const F& x) { return (F)_mm_sqrt_ps((__m128)x); }
  static inline void store(float* out, const F& z0, const F& z1, const F& z2, const F& z3) {
    __m128 r0 = (__m128)z0, r1 = (__m128)z1, r2 = (__m128)z2, r3 = (__m128)z3;
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    _mm_storeu_ps(out, r0);
    _mm_storeu_ps(out + 4, r1);
    _mm_storeu_ps(out + 8, r2);
    _mm_storeu_ps(out + 12, r3);
  }
};

// AVX2: 8 lanes, even/odd-lane multiplies merged with blends.
struct IsaAvx2 {
  using U = u32x8;
  using I = i32x8;
  using F = f32x8;
  static inline __attribute__((target("avx2"))) void mulhilo(const U& a, std::uint32_t m, U& hi, U& lo) {
    const __m256i x = (__m256i)a, mm = _mm256_set1_epi32(static_cast<int>(m));
    const __m256i even = _mm256_mul_epu32(x, mm);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), mm);
    hi = (U)_mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xaa);
    lo = (U)_mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
  }
  static inline __attribute__((target("avx2"))) void philox(std::uint32_t block, const StreamId& id, std::uint32_t k0,
                                                            std::uint32_t k1, U& x0, U& x1, U& x2, U& x3) {
    const U zero{};
    x0 = U{0, 1, 2, 3, 4, 5, 6, 7} + block;
    x1 = zero + id.a;
    x2 = zero + id.b;
    x3 = zero + id.c;
    philox_rounds<IsaAvx2>(x0, x1, x2, x3, k0, k1);
  }
  static inline __attribute__((target("avx2"))) F sqrt(const F& x) { return (F)_mm256_sqrt_ps((__m256)x); }
  // out[4 l + j] = zj[l]: a 4 x 8 transpose.
  static inline __attribute__((target("avx2"))) void store(float* out, const F& z0, const F& z1, const F& z2,
                                                           const F& z3) {
    const __m256 t0 = _mm256_unpacklo_ps((__m256)z0, (__m256)z1), t1 = _mm256_unpackhi_ps((__m256)z0, (__m256)z1);
    const __m256 t2 = _mm256_unpacklo_ps((__m256)z2, (__m256)z3), t3 = _mm256_unpackhi_ps((__m256)z2, (__m256)z3);
    const __m256 v0 = _mm256_shuffle_ps(t0, t2, 0x44), v1 = _mm256_shuffle_ps(t0, t2, 0xee);  // blocks 0|4, 1|5
    const __m256 v2 = _mm256_shuffle_ps(t1, t3, 0x44), v3 = _mm256_shuffle_ps(t1, t3, 0xee);  // blocks 2|6, 3|7
    _mm256_storeu_ps(out, _mm256_permute2f128_ps(v0, v1, 0x20));
    _mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(v2, v3, 0x20));
    _mm256_storeu_ps(out + 16, _mm256_permute2f128_ps(v0, v1, 0x31));
    _mm256_storeu_ps(out + 24, _mm256_permute2f128_ps(v2, v3, 0x31));
  }
};

// AVX-512: 16 lanes. The Philox rounds run on two halves of 8 counters held in the low
// 32 bits of 64-bit lanes: one vpmuludq then yields the whole product (high word by one
// shift, low word in place), and the high halves may carry garbage because vpmuludq
// ignores them. One two-source permute per word packs the halves into 16 dense lanes.
struct IsaAvx512 {
  using U = u32x16;
  using I = i32x16;
  using F = f32x16;
  static inline __attribute__((target("avx512f"))) void philox(std::uint32_t block, const StreamId& id,
                                                               std::uint32_t k0, std::uint32_t k1, U& x0, U& x1, U& x2,
                                                               U& x3) {
    const __m512i blk = _mm512_set1_epi32(static_cast<int>(block));
    __m512i a0 = _mm512_add_epi32(_mm512_set_epi32(0, 7, 0, 6, 0, 5, 0, 4, 0, 3, 0, 2, 0, 1, 0, 0), blk);
    __m512i b0 = _mm512_add_epi32(_mm512_set_epi32(0, 15, 0, 14, 0, 13, 0, 12, 0, 11, 0, 10, 0, 9, 0, 8), blk);
    __m512i a1 = _mm512_set1_epi32(static_cast<int>(id.a)), b1 = a1;
    __m512i a2 = _mm512_set1_epi32(static_cast<int>(id.b)), b2 = a2;
    __m512i a3 = _mm512_set1_epi32(static_cast<int>(id.c)), b3 = a3;
    const __m512i m0 = _mm512_set1_epi32(static_cast<int>(kPhiloxM0));
    const __m512i m1 = _mm512_set1_epi32(static_cast<int>(kPhiloxM1));
#pragma GCC unroll 10
    for (int round = 0; round < 10; ++round) {
      const __m512i kk0 = _mm512_set1_epi32(static_cast<int>(k0)), kk1 = _mm512_set1_epi32(static_cast<int>(k1));
      const __m512i pa0 = _mm512_mul_epu32(a0, m0), pa1 = _mm512_mul_epu32(a2, m1);
      const __m512i pb0 = _mm512_mul_epu32(b0, m0), pb1 = _mm512_mul_epu32(b2, m1);
      a0 = _mm512_ternarylogic_epi32(_mm512_srli_epi64(pa1, 32), a1, kk0, 0x96);  // hi1 ^ x1 ^ k0
      a2 = _mm512_ternarylogic_epi32(_mm512_srli_epi64(pa0, 32), a3, kk1, 0x96);  // hi0 ^ x3 ^ k1
      b0 = _mm512_ternarylogic_epi32(_mm512_srli_epi64(pb1, 32), b1, kk0, 0x96);
      b2 = _mm512_ternarylogic_epi32(_mm512_srli_epi64(pb0, 32), b3, kk1, 0x96);
      a1 = pa1;  // lo1
      a3 = pa0;  // lo0
      b1 = pb1;
      b3 = pb0;
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    x0 = (U)_mm512_permutex2var_epi32(a0, even, b0);
    x1 = (U)_mm512_permutex2var_epi32(a1, even, b1);
    x2 = (U)_mm512_permutex2var_epi32(a2, even, b2);
    x3 = (U)_mm512_permutex2var_epi32(a3, even, b3);
  }
  static inline __attribute__((target("avx512f"))) F sqrt(const F& x) { return (F)_mm512_sqrt_ps((__m512)x); }
  // A 4 x 16 transpose: within 128-bit lanes first, then the 128-bit lanes themselves.
  static inline __attribute__((target("avx512f"))) void store(float* out, const F& z0, const F& z1, const F& z2,
                                                              const F& z3) {
    const __m512 t0 = _mm512_unpacklo_ps((__m512)z0, (__m512)z1), t1 = _mm512_unpackhi_ps((__m512)z0, (__m512)z1);
    const __m512 t2 = _mm512_unpacklo_ps((__m512)z2, (__m512)z3), t3 = _mm512_unpackhi_ps((__m512)z2, (__m512)z3);
    const __m512 u0 = _mm512_shuffle_ps(t0, t2, 0x44), u1 = _mm512_shuffle_ps(t0, t2, 0xee);  // 0|4|8|12, 1|5|9|13
    const __m512 u2 = _mm512_shuffle_ps(t1, t3, 0x44), u3 = _mm512_shuffle_ps(t1, t3, 0xee);  // 2|6|10|14, 3|7|11|15
    const __m512 v0 = _mm512_shuffle_f32x4(u0, u1, 0x44),
                 v1 = _mm512_shuffle_f32x4(u0, u1, 0xee);  // 0 4 1 5, 8 12 9 13
    const __m512 v2 = _mm512_shuffle_f32x4(u2, u3, 0x44),
                 v3 = _mm512_shuffle_f32x4(u2, u3, 0xee);  // 2 6 3 7, 10 14 11 15
    _mm512_storeu_ps(out, _mm512_shuffle_f32x4(v0, v2, 0x88));
    _mm512_storeu_ps(out + 16, _mm512_shuffle_f32x4(v0, v2, 0xdd));
    _mm512_storeu_ps(out + 32, _mm512_shuffle_f32x4(v1, v3, 0x88));
    _mm512_storeu_ps(out + 48, _mm512_shuffle_f32x4(v1, v3, 0xdd));
  }
};
#endif

// Whole batches of W blocks, then the last partial batch through a temporary:
// computing a few unused lanes costs less than the scalar code for the rest.
template <class P>
XBARSIM_INLINE void normal_blocks_with(float* out, std::size_t nblocks, std::uint32_t block, const StreamId& id,
                                       std::uint32_t k0, std::uint32_t k1) {
  constexpr std::size_t W = sizeof(typename P::U) / sizeof(std::uint32_t);
  std::size_t i = 0;
  for (; i + W <= nblocks; i += W) normal_batch<P>(out + 4 * i, block + static_cast<std::uint32_t>(i), id, k0, k1);
  if (i < nblocks) {
    float tmp[4 * W];
    normal_batch<P>(tmp, block + static_cast<std::uint32_t>(i), id, k0, k1);
    std::memcpy(out + 4 * i, tmp, 4 * (nblocks - i) * sizeof(float));
  }
}

using NormalBlocksFn = void (*)(float*, std::size_t, std::uint32_t, const StreamId&, std::uint32_t, std::uint32_t);

#if XBARSIM_RNG_X86
__attribute__((optimize("fp-contract=off"), flatten)) void normal_blocks_sse2(float* out, std::size_t nblocks,
                                                                              std::uint32_t block, const StreamId& id,
                                                                              std::uint32_t k0, std::uint32_t k1) {
  normal_blocks_with<IsaSse2>(out, nblocks, block, id, k0, k1);
}

__attribute__((target("avx2"), optimize("fp-contract=off"), flatten)) void normal_blocks_avx2(
    float* out, std::size_t nblocks, std::uint32_t block, const StreamId& id, std::uint32_t k0, std::uint32_t k1) {
  normal_blocks_with<IsaAvx2>(out, nblocks, block, id, k0, k1);
}

// Requests shorter than one 16-lane batch take the 8-lane batches.
__attribute__((target("avx512f"), optimize("fp-contract=off"), flatten)) void normal_blocks_avx512(
    float* out, std::size_t nblocks, std::uint32_t block, const StreamId& id, std::uint32_t k0, std::uint32_t k1) {
  const std::size_t whole = nblocks / 16 * 16;
  normal_blocks_with<IsaAvx512>(out, whole, block, id, k0, k1);
  normal_blocks_with<IsaAvx2>(out + 4 * whole, nblocks - whole, block + static_cast<std::uint32_t>(whole), id, k0, k1);
}
#else
__attribute__((optimize("fp-contract=off"))) void normal_blocks_scalar(float* out, std::size_t nblocks,
                                                                       std::uint32_t block, const StreamId& id,
                                                                       std::uint32_t k0, std::uint32_t k1) {
  for (std::size_t i = 0; i < nblocks; ++i)
    normal_batch<IsaScalar>(out + 4 * i, block + static_cast<std::uint32_t>(i), id, k0, k1);
}
#endif

NormalBlocksFn select_normal_blocks() {
#if XBARSIM_RNG_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return normal_blocks_avx512;
  if (__builtin_cpu_supports("avx2")) return normal_blocks_avx2;
  return normal_blocks_sse2;
#else
  return normal_blocks_scalar;
#endif
}

// Resolved once (thread-safe static); the choice changes speed only, never the numbers.
void normal_blocks(float* out, std::size_t nblocks, std::uint32_t block, const StreamId& id, std::uint32_t k0,
                   std::uint32_t k1) {
  static const NormalBlocksFn fn = select_normal_blocks();
  fn(out, nblocks, block, id, k0, k1);
}

// Raw words of W Philox blocks: out[4 l + j] = word j of block + l. The float stores of
// the policies are pure shuffles, so they move the 32-bit patterns unchanged.
template <class P>
XBARSIM_INLINE void bits_batch(std::uint32_t* out, std::uint32_t block, const StreamId& id, std::uint32_t k0,
                               std::uint32_t k1) {
  typename P::U x0, x1, x2, x3;
  P::philox(block, id, k0, k1, x0, x1, x2, x3);
  using F = typename P::F;
  float tmp[4 * sizeof(typename P::U) / sizeof(std::uint32_t)];
  P::store(tmp, std::bit_cast<F>(x0), std::bit_cast<F>(x1), std::bit_cast<F>(x2), std::bit_cast<F>(x3));
  std::memcpy(out, tmp, sizeof(tmp));
}

template <class P>
XBARSIM_INLINE void bits_blocks_with(std::uint32_t* out, std::size_t nblocks, std::uint32_t block, const StreamId& id,
                                     std::uint32_t k0, std::uint32_t k1) {
  constexpr std::size_t W = sizeof(typename P::U) / sizeof(std::uint32_t);
  std::size_t i = 0;
  for (; i + W <= nblocks; i += W) bits_batch<P>(out + 4 * i, block + static_cast<std::uint32_t>(i), id, k0, k1);
  if (i < nblocks) {
    std::uint32_t tmp[4 * W];
    bits_batch<P>(tmp, block + static_cast<std::uint32_t>(i), id, k0, k1);
    std::memcpy(out + 4 * i, tmp, 4 * (nblocks - i) * sizeof(std::uint32_t));
  }
}

using BitsBlocksFn = void (*)(std::uint32_t*, std::size_t, std::uint32_t, const StreamId&, std::uint32_t,
                              std::uint32_t);

#if XBARSIM_RNG_X86
__attribute__((flatten)) void bits_blocks_sse2(std::uint32_t* out, std::size_t nblocks, std::uint32_t block,
                                               const StreamId& id, std::uint32_t k0, std::uint32_t k1) {
  bits_blocks_with<IsaSse2>(out, nblocks, block, id, k0, k1);
}
__attribute__((target("avx2"), flatten)) void bits_blocks_avx2(std::uint32_t* out, std::size_t nblocks,
                                                               std::uint32_t block, const StreamId& id,
                                                               std::uint32_t k0, std::uint32_t k1) {
  bits_blocks_with<IsaAvx2>(out, nblocks, block, id, k0, k1);
}
__attribute__((target("avx512f"), flatten)) void bits_blocks_avx512(std::uint32_t* out, std::size_t nblocks,
                                                                    std::uint32_t block, const StreamId& id,
                                                                    std::uint32_t k0, std::uint32_t k1) {
  const std::size_t whole = nblocks / 16 * 16;
  bits_blocks_with<IsaAvx512>(out, whole, block, id, k0, k1);
  bits_blocks_with<IsaAvx2>(out + 4 * whole, nblocks - whole, block + static_cast<std::uint32_t>(whole), id, k0, k1);
}
#endif

void bits_blocks_scalar(std::uint32_t* out, std::size_t nblocks, std::uint32_t block, const StreamId& id,
                        std::uint32_t k0, std::uint32_t k1) {
  for (std::size_t i = 0; i < nblocks; ++i) {
    IsaScalar::U x0, x1, x2, x3;
    IsaScalar::philox(block + static_cast<std::uint32_t>(i), id, k0, k1, x0, x1, x2, x3);
    out[4 * i] = x0;
    out[4 * i + 1] = x1;
    out[4 * i + 2] = x2;
    out[4 * i + 3] = x3;
  }
}

BitsBlocksFn select_bits_blocks() {
#if XBARSIM_RNG_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return bits_blocks_avx512;
  if (__builtin_cpu_supports("avx2")) return bits_blocks_avx2;
  return bits_blocks_sse2;
#else
  return bits_blocks_scalar;
#endif
}
}  // namespace

RngKey::RngKey(std::uint64_t seed, std::uint32_t purpose) {
  const std::uint64_t k = mix64(seed ^ mix64(0x5851f42d4c957f2dull * (static_cast<std::uint64_t>(purpose) + 1)));
  k0 = static_cast<std::uint32_t>(k);
  k1 = static_cast<std::uint32_t>(k >> 32);
}

std::array<std::uint32_t, 4> philox_block(const RngKey& key, std::uint32_t index, std::uint32_t a, std::uint32_t b,
                                          std::uint32_t c) {
  Philox::ctr_type ctr = {{index, a, b, c}};
  Philox::key_type k = {{key.k0, key.k1}};
  const auto r = Philox()(ctr, k);
  return {r[0], r[1], r[2], r[3]};
}

std::uint32_t CounterRng::next_u32() {
  if (used_ == 4) {
    buf_ = philox_block(key_, index_++, a_, b_, c_);
    used_ = 0;
  }
  return buf_[used_++];
}

double CounterRng::uniform() { return u32_to_open01(next_u32()); }

double CounterRng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  const double u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_normal_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

void uniform_block(float* out, std::size_t n, const RngKey& key, StreamId id, std::uint64_t first) {
  std::size_t i = 0;
  std::uint64_t pos = first;
  while (i < n) {
    const auto r = philox_block(key, static_cast<std::uint32_t>(pos / 4), id.a, id.b, id.c);
    for (std::size_t j = pos % 4; j < 4 && i < n; ++j, ++i, ++pos) out[i] = u32_to_open01f(r[j]);
  }
}

// fp-contract=off here and on every kernel: with FMA available (AVX-512, or a build for
// the host CPU) the compiler could otherwise fuse a*b+c in some code paths and not in
// others, and the partial blocks computed here would no longer match the kernels.
__attribute__((optimize("fp-contract=off"))) void normal_block(float* out, std::size_t n, const RngKey& key,
                                                               StreamId id, std::uint64_t first) {
  // Element k of a stream is normal k % 4 of Philox block k / 4 (counter (k / 4, a, b, c)).
  // A partial block at either end is computed whole by the one-lane kernel (the same
  // arithmetic as every lane of the batched kernels) and the needed elements copied.
  if (n == 0) return;
  std::uint64_t pos = first;
  std::size_t i = 0;
  if (pos % 4 != 0 || n < 4) {
    float tmp[4];
    normal_batch<IsaScalar>(tmp, static_cast<std::uint32_t>(pos / 4), id, key.k0, key.k1);
    for (std::size_t j = pos % 4; j < 4 && i < n; ++j, ++i, ++pos) out[i] = tmp[j];
  }
  const std::size_t whole = (n - i) / 4;
  if (whole > 0) normal_blocks(out + i, whole, static_cast<std::uint32_t>(pos / 4), id, key.k0, key.k1);
  i += 4 * whole;
  pos += 4 * whole;
  if (i < n) {
    float tmp[4];
    normal_batch<IsaScalar>(tmp, static_cast<std::uint32_t>(pos / 4), id, key.k0, key.k1);
    for (std::size_t j = 0; i < n; ++j, ++i) out[i] = tmp[j];
  }
}

void bits_block(std::uint32_t* out, std::size_t n, const RngKey& key, StreamId id, std::uint64_t first) {
  // Partial Philox blocks at either end are computed whole by the scalar rounds and the
  // needed words copied; whole blocks go to the vector kernel chosen once at run time.
  static const BitsBlocksFn fn = select_bits_blocks();
  if (n == 0) return;
  std::uint64_t pos = first;
  std::size_t i = 0;
  if (pos % 4 != 0 || n < 4) {
    std::uint32_t tmp[4];
    bits_blocks_scalar(tmp, 1, static_cast<std::uint32_t>(pos / 4), id, key.k0, key.k1);
    for (std::size_t j = pos % 4; j < 4 && i < n; ++j, ++i, ++pos) out[i] = tmp[j];
  }
  const std::size_t whole = (n - i) / 4;
  if (whole > 0) fn(out + i, whole, static_cast<std::uint32_t>(pos / 4), id, key.k0, key.k1);
  i += 4 * whole;
  pos += 4 * whole;
  if (i < n) {
    std::uint32_t tmp[4];
    bits_blocks_scalar(tmp, 1, static_cast<std::uint32_t>(pos / 4), id, key.k0, key.k1);
    for (std::size_t j = 0; i < n; ++j, ++i) out[i] = tmp[j];
  }
}

std::uint64_t derive_seed(std::uint64_t master, std::uint64_t index) { return mix64(master ^ mix64(index + 1)); }

}  // namespace xbarsim

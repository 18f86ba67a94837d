// rpu-step pulses: one inline update-once rule per step type (aihwkit
// rpu_*_device.cpp update_once), a column loop templated on the rule, and one
// dispatch on the step type per call. Equations in rpu_step.hpp.
//
// The soft-bounds / linear / constant rules are the hot path (a 1024 x 1024 tile
// takes ~ms) and are written so the compiler vectorises them: every cell computes
// its potential new weight without branches, inactive cells add exactly 0, and
// conditions only select loaded values or constants (with the default
// -ftrapping-math, floating-point work on one side of a condition blocks
// vectorisation). Exp, pow and piecewise steps call exp/pow/floor and stay scalar.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/rpu_step.hpp>

#include "rpu_internal.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define XBARSIM_RPU_DISPATCH 1
#define XBARSIM_RPU_INLINE inline __attribute__((always_inline))
#else
#define XBARSIM_RPU_DISPATCH 0
#define XBARSIM_RPU_INLINE inline
#endif

namespace xbarsim {
using namespace rpu_detail;

namespace {

// Pointers into the SoA state plus the scalars a rule needs. `o` offsets a column
// segment; all arrays share the tile's column-major layout.
struct Cells {
  float* w;
  const float* su;
  const float* sd;
  const float* bx;
  const float* bn;
};

inline float clip(float w, float lo, float hi) { return std::min(std::max(w, lo), hi); }

// cond ? a : b on bit patterns, so both operands are loaded unconditionally and the
// compiler can vectorise (a conditional load might trap as far as it knows).
inline float pick(bool cond, float a, float b) {
  const std::uint32_t m = 0u - static_cast<std::uint32_t>(cond);
  return std::bit_cast<float>((std::bit_cast<std::uint32_t>(a) & m) | (std::bit_cast<std::uint32_t>(b) & ~m));
}

// The k-th coincidence of a cell with signed count c happens iff |c| > k. Both
// return values are exact constants, so multiplying a step by them is exact.
inline float active(int c, int k) { return (c > 0 ? c : -c) > k ? 1.0f : 0.0f; }
inline float direction(int c) { return c > 0 ? 1.0f : -1.0f; }

// aihwkit ConstantStepRPUDevice: w +-= scale (1 + sigma xi), clip. The n coincidences
// of a count are applied at once (kClosedForm): their sum scale (n + sigma sqrt(n) xi)
// has exactly the law of n steps with independent noise, and one clip equals clipping
// after every step as long as no step reverses (1 + sigma xi > 0; P = 4e-4 at sigma 0.3).
// A count then costs one pass instead of n (the pulsed update's counts reach ~30).
struct ConstantRule {
  static constexpr bool kClosedForm = true;
  Cells x;
  float sigma;
  void column(std::size_t o, const std::int16_t* cnt, const float* z, std::size_t n, int /*k*/) const {
    float* __restrict w = x.w + o;
    const float *su = x.su + o, *sd = x.sd + o, *bx = x.bx + o, *bn = x.bn + o;
    for (std::size_t i = 0; i < n; ++i) {
      const int c = cnt[i];
      const float a = static_cast<float>(c > 0 ? c : -c);
      const float s = pick(c > 0, su[i], sd[i]);
      const float dw = direction(c) * s * (a + sigma * std::sqrt(a) * z[i]);
      w[i] = clip(w[i] + dw, bn[i], bx[i]);
    }
  }
};

// aihwkit SoftBoundsRPUDevice (LinearStep with gamma = 1, device bounds):
// up: scale_up (1 - w/b_max), down: scale_down (1 - w/b_min); a zero bound gives a
// zero slope as in aihwkit (w/inf = 0). kMult: noise multiplies the whole step,
// otherwise only its constant part: scale (1 - w/b + sigma xi).
template <bool kMult>
struct SoftBoundsRule {
  Cells x;
  float sigma;
  void column(std::size_t o, const std::int16_t* cnt, const float* z, std::size_t n, int k) const {
    float* __restrict w = x.w + o;
    const float *su = x.su + o, *sd = x.sd + o, *bx = x.bx + o, *bn = x.bn + o;
    constexpr float inf = std::numeric_limits<float>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
      const int c = cnt[i];
      const float wi = w[i], hi = bx[i], lo = bn[i];
      const float s = pick(c > 0, su[i], sd[i]);
      const float b = pick(c > 0, hi, lo);
      const float f = 1.0f - wi / pick(b != 0.0f, b, inf);
      const float g = kMult ? f * (1.0f + sigma * z[i]) : f + sigma * z[i];
      w[i] = clip(wi + direction(c) * active(c, k) * s * g, lo, hi);
    }
  }
};

// aihwkit LinearStepRPUDevice: up: w += (slope_up w + scale_up)(1 + sigma xi),
// down: w -= (slope_down w + scale_down)(1 + sigma xi); additive noise variant.
template <bool kMult>
struct LinearRule {
  Cells x;
  const float* slu;
  const float* sld;
  float sigma;
  void column(std::size_t o, const std::int16_t* cnt, const float* z, std::size_t n, int k) const {
    float* __restrict w = x.w + o;
    const float *su = x.su + o, *sd = x.sd + o, *bx = x.bx + o, *bn = x.bn + o;
    const float *pu = slu + o, *pd = sld + o;
    for (std::size_t i = 0; i < n; ++i) {
      const int c = cnt[i];
      const float wi = w[i];
      const float s = pick(c > 0, su[i], sd[i]);
      const float sl = pick(c > 0, pu[i], pd[i]);
      const float dw = kMult ? (sl * wi + s) * (1.0f + sigma * z[i]) : sl * wi + s * (1.0f + sigma * z[i]);
      w[i] = clip(wi + direction(c) * active(c, k) * dw, bn[i], bx[i]);
    }
  }
};

// aihwkit ExpStepRPUDevice update_once / update_once_complex_noise.
struct ExpRule {
  Cells x;
  float sigma, a, b, A_up, A_down, g_up, g_down, std_add, std_slope;
  bool complex_noise;
  void column(std::size_t o, const std::int16_t* cnt, const float* z, std::size_t n, int k) const {
    for (std::size_t i = 0; i < n; ++i) {
      const int c = cnt[i];
      if ((c > 0 ? c : -c) <= k) continue;
      const std::size_t q = o + i;
      float wi = x.w[q];
      const float b_diff = x.bx[q] - x.bn[q];
      if (!(b_diff > 0.0f)) continue;  // aihwkit leaves collapsed (corrupt) devices untouched
      const float zz = 2.0f * wi / b_diff * a + b;
      const float y = c > 0 ? std::max(1.0f - A_up * std::exp(g_up * zz), 0.0f)
                            : std::max(1.0f - A_down * std::exp(-g_down * zz), 0.0f);
      const float dw = c > 0 ? y * x.su[q] : -y * x.sd[q];
      if (complex_noise)
        wi += dw + sigma * (std::abs(dw) + std_add + std_slope * std::abs(wi)) * z[i];
      else
        wi += dw * (1.0f + sigma * z[i]);
      x.w[q] = clip(wi, x.bn[q], x.bx[q]);
    }
  }
};

// aihwkit PowStepRPUDevice: up: scale_up ((b_max - w)/range)^gamma_up, down:
// scale_down ((w - b_min)/range)^gamma_down, noise multiplicative.
struct PowRule {
  Cells x;
  const float* gu;
  const float* gd;
  float sigma;
  void column(std::size_t o, const std::int16_t* cnt, const float* z, std::size_t n, int k) const {
    for (std::size_t i = 0; i < n; ++i) {
      const int c = cnt[i];
      if ((c > 0 ? c : -c) <= k) continue;
      const std::size_t q = o + i;
      const float range = x.bx[q] - x.bn[q];
      if (range == 0.0f) continue;  // aihwkit: no update of a collapsed device
      float wi = x.w[q];
      if (c > 0)
        wi += x.su[q] * std::pow((x.bx[q] - wi) / range, gu[q]) * (1.0f + sigma * z[i]);
      else
        wi -= x.sd[q] * std::pow((wi - x.bn[q]) / range, gd[q]) * (1.0f + sigma * z[i]);
      x.w[q] = clip(wi, x.bn[q], x.bx[q]);
    }
  }
};

// aihwkit PiecewiseStepRPUDevice: the step factor interpolated linearly between
// nodes spread evenly over [b_min, b_max].
struct PiecewiseRule {
  Cells x;
  const float* up;
  const float* down;
  std::size_t nodes;
  float sigma;
  void column(std::size_t o, const std::int16_t* cnt, const float* z, std::size_t n, int k) const {
    const std::size_t sections = nodes - 1;
    for (std::size_t i = 0; i < n; ++i) {
      const int c = cnt[i];
      if ((c > 0 ? c : -c) <= k) continue;
      const std::size_t q = o + i;
      float wi = x.w[q];
      const float* v = c > 0 ? up : down;
      float factor = v[0];
      if (sections > 0 && x.bx[q] > x.bn[q]) {
        const float ws = std::max((wi - x.bn[q]) / (x.bx[q] - x.bn[q]) * static_cast<float>(sections), 0.0f);
        const std::size_t idx = std::min(static_cast<std::size_t>(std::floor(ws)), sections - 1);
        const float t = std::min(ws - static_cast<float>(idx), 1.0f);
        factor = (1.0f - t) * v[idx] + t * v[idx + 1];
      }
      const float s = (c > 0 ? x.su[q] : -x.sd[q]) * factor;
      wi += s * (1.0f + sigma * z[i]);
      x.w[q] = clip(wi, x.bn[q], x.bx[q]);
    }
  }
};

// Largest pulse count magnitude in a column segment.
int max_count(const std::int16_t* c, std::size_t n) {
  int m = 0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, c[i] > 0 ? int{c[i]} : -int{c[i]});
  return m;
}

// Everything the column loop needs besides the rule.
struct PulseJob {
  const PulseCounts* counts;
  std::size_t rows_total, cols;
  RowRange rows;
  std::uint32_t tile;
  std::uint64_t step;
  RngKey key;
  bool noise;
  float* z;  // scratch: tile_stream_size(rows) floats, zeros when there is no noise
};

// The loop over column groups of a row range: per group of kTile columns and
// coincidence k, one call makes the normals of all its cell tiles in the rows (see
// rpu_internal.hpp), then the rule runs down each column, a tile at a time. Inlined
// into one function per instruction set below, so the rule is vectorised for that set.
template <class Rule>
XBARSIM_RPU_INLINE void pulse_columns(const Rule& rule, const PulseJob& job) {
  const std::size_t R = job.rows_total, b = job.rows.begin, e = job.rows.end;
  const std::size_t t0 = b / kTile, t1 = (e + kTile - 1) / kTile;
  for (std::size_t c0 = 0; c0 < job.cols; c0 += kTile) {
    const std::size_t c1 = std::min(job.cols, c0 + kTile);
    int kmax = 0;
    for (std::size_t j = c0; j < c1; ++j) kmax = std::max(kmax, max_count(job.counts->colptr(j) + b, e - b));
    if (kmax == 0) continue;
    if constexpr (requires { Rule::kClosedForm; }) kmax = 1;  // all coincidences in one pass
    check_stream_room(kmax, R);
    for (int k = 0; k < kmax; ++k) {
      if (job.noise) tile_normals(job.z, job.key, job.tile, c0 / kTile, job.step, k, R, job.rows);
      for (std::size_t j = c0; j < c1; ++j) {
        const std::int16_t* cnt = job.counts->colptr(j);
        const float* zc = job.z + (j - c0) * kTile;
        for (std::size_t t = t0; t < t1; ++t) {
          const std::size_t r0 = std::max(b, t * kTile), r1 = std::min(e, t * kTile + kTile);
          const float* zt = zc + (t - t0) * kTile * kTile + (r0 - t * kTile);
          if (r1 - r0 == kTile)  // the common case, with a constant trip count
            rule.column(j * R + r0, cnt + r0, zt, kTile, k);
          else
            rule.column(j * R + r0, cnt + r0, zt, r1 - r0, k);
        }
      }
    }
  }
}

template <class Rule>
__attribute__((optimize("fp-contract=off"))) void pulse_columns_baseline(const Rule& rule, const PulseJob& job) {
  pulse_columns(rule, job);
}

#if XBARSIM_RPU_DISPATCH
// The same loop compiled for AVX2 and AVX-512. None of the versions may contract
// a*b+c into an FMA (AVX-512, or a build for the host CPU, would offer it), so every
// instruction set rounds exactly like the baseline: the results do not depend on the CPU.
template <class Rule>
__attribute__((target("avx2"), optimize("fp-contract=off"), flatten)) void pulse_columns_avx2(const Rule& rule,
                                                                                              const PulseJob& job) {
  pulse_columns(rule, job);
}

template <class Rule>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"), optimize("fp-contract=off"), flatten)) void
pulse_columns_avx512(const Rule& rule, const PulseJob& job) {
  pulse_columns(rule, job);
}
#endif

enum class Isa { Baseline, Avx2, Avx512 };

Isa detect_isa() {
#if XBARSIM_RPU_DISPATCH
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2")) return Isa::Avx2;
#endif
  return Isa::Baseline;
}

template <class Rule>
void run_pulses(const Rule& rule, const PulseJob& job) {
  static const Isa isa = detect_isa();
#if XBARSIM_RPU_DISPATCH
  if (isa == Isa::Avx512) return pulse_columns_avx512(rule, job);
  if (isa == Isa::Avx2) return pulse_columns_avx2(rule, job);
#endif
  pulse_columns_baseline(rule, job);
}

}  // namespace

template <class Rule>
void RpuStepModel::pulse_loop(const Rule& rule, DeviceState& state, const PulseCounts& counts, std::uint64_t step,
                              RowRange rows) const {
  if (rows.size() == 0) return;
  std::vector<float> z(tile_stream_size(rows), 0.0f);
  const PulseJob job{&counts,
                     state.rows(),
                     state.cols(),
                     rows,
                     state.tile_id(),
                     step,
                     step_key(state.seed(), kPurposeC2c, step),
                     p_.dw_min_std > 0.0,
                     z.data()};
  run_pulses(rule, job);
  if (f_.w_read < 0) return;
  // Write noise: one fresh draw for every touched cell (see rpu_step.hpp), from tile
  // streams laid out like the coincidence noise.
  const RngKey wn_key = step_key(state.seed(), kPurposeWriteNoise, step);
  const float sigma_w = static_cast<float>(p_.write_noise_std * p_.dw_min);
  const std::size_t R = state.rows(), t0 = rows.begin / kTile;
  const float* w = state.field(f_.w).memptr();
  float* wr = state.field(f_.w_read).memptr();
  for (std::size_t c0 = 0; c0 < state.cols(); c0 += kTile) {
    const std::size_t c1 = std::min(state.cols(), c0 + kTile);
    tile_normals(z.data(), wn_key, state.tile_id(), c0 / kTile, step, 0, R, rows);
    for (std::size_t j = c0; j < c1; ++j) {
      const std::int16_t* cnt = counts.colptr(j);
      for (std::size_t i = rows.begin; i < rows.end; ++i)
        if (cnt[i] != 0) wr[j * R + i] = w[j * R + i] + sigma_w * z[tile_offset(i, j - c0, t0)];
    }
  }
}

void RpuStepModel::apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step,
                                RowRange rows) const {
  if (counts.n_rows != state.rows() || counts.n_cols != state.cols())
    throw InternalError("rpu-step: pulse count matrix does not match the tile");
  const Cells x{state.field(f_.w).memptr(), state.field(f_.scale_up).memptr(), state.field(f_.scale_down).memptr(),
                state.field(f_.b_max).memptr(), state.field(f_.b_min).memptr()};
  const float sigma = static_cast<float>(p_.dw_min_std);
  switch (type_) {
    case RpuStepType::Constant:
      pulse_loop(ConstantRule{x, sigma}, state, counts, step, rows);
      break;
    case RpuStepType::SoftBounds:
      if (p_.mult_noise)
        pulse_loop(SoftBoundsRule<true>{x, sigma}, state, counts, step, rows);
      else
        pulse_loop(SoftBoundsRule<false>{x, sigma}, state, counts, step, rows);
      break;
    case RpuStepType::Linear: {
      const float* slu = state.field(f_.slope_up).memptr();
      const float* sld = state.field(f_.slope_down).memptr();
      if (p_.mult_noise)
        pulse_loop(LinearRule<true>{x, slu, sld, sigma}, state, counts, step, rows);
      else
        pulse_loop(LinearRule<false>{x, slu, sld, sigma}, state, counts, step, rows);
      break;
    }
    case RpuStepType::Exp:
      pulse_loop(ExpRule{x, sigma, static_cast<float>(p_.exp_a), static_cast<float>(p_.exp_b),
                         static_cast<float>(p_.exp_A_up), static_cast<float>(p_.exp_A_down),
                         static_cast<float>(p_.exp_gamma_up), static_cast<float>(p_.exp_gamma_down),
                         static_cast<float>(p_.dw_min_std_add), static_cast<float>(p_.dw_min_std_slope),
                         p_.dw_min_std > 0.0 && (p_.dw_min_std_add != 0.0 || p_.dw_min_std_slope != 0.0)},
                 state, counts, step, rows);
      break;
    case RpuStepType::Pow:
      pulse_loop(PowRule{x, state.field(f_.gamma_up).memptr(), state.field(f_.gamma_down).memptr(), sigma}, state,
                 counts, step, rows);
      break;
    case RpuStepType::Piecewise:
      pulse_loop(PiecewiseRule{x, pw_up_.data(), pw_down_.data(), pw_up_.size(), sigma}, state, counts, step, rows);
      break;
  }
}

}  // namespace xbarsim

// Periphery pipeline of one tile read direction (see managed_mvm.hpp and mvm_io.hpp).
#include "managed_mvm.hpp"

#include "dac_levels.hpp"

#include <algorithm>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif
#include <cmath>
#include <string>
#include <utility>
#include <xbarsim/core/error.hpp>

namespace xbarsim::detail {
namespace {

// Loops over every input or output value: compiled for AVX-512 and AVX2 too, picked at
// run time. fp-contract=off: no FMA contraction (the baseline x86-64 build has no FMA),
// so every path rounds the same way and gives the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define XBARSIM_HOT_LOOP __attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off")))
#else
#define XBARSIM_HOT_LOOP
#endif

std::uint32_t lo32(std::uint64_t v) { return static_cast<std::uint32_t>(v & 0xffffffffu); }

/// DAC or ADC noise: draws numbered by the position in the converted matrix.
bool positional_noise(const Periphery& p) { return p.dac.params().noise_lsb > 0.0 || p.adc.params().noise_lsb > 0.0; }

/// Vectors per block: about 64 KB of inputs or outputs, so a block stays in L2, but at
/// least kMinRows: each block's GEMM packs the tile's weights again, which large tiles
/// must amortise over enough vectors.
constexpr arma::uword kMinRows = 256;
arma::uword block_rows(arma::uword n_in, arma::uword n_out) {
  return std::clamp<arma::uword>(16384 / std::max<arma::uword>({n_in, n_out, 1}), kMinRows, 2048);
}

/// Copies the vectors [r0, r1) of x into ws.xraw (block rows x n_in): contiguous
/// column pieces for row-layout x, a transpose of the cached columns for column-layout x
/// (reading each vector's n_in contiguous values once from memory).
void load_block(const arma::fmat& x, VectorLayout layout, arma::uword r0, arma::uword r1, MvmWorkspace& ws) {
  const arma::uword n = r1 - r0;
  if (layout == VectorLayout::rows) {
    ws.xraw.set_size(n, x.n_cols);
    for (arma::uword i = 0; i < x.n_cols; ++i) std::copy_n(x.colptr(i) + r0, n, ws.xraw.colptr(i));
    return;
  }
  const arma::uword n_in = x.n_rows;
  ws.xraw.set_size(n, n_in);
  float* o = ws.xraw.memptr();
  arma::uword k = 0;
#if defined(__SSE2__)
  // Four vectors by four inputs at a time: one 4 x 4 register transpose instead of
  // sixteen scalar loads and stores (this copy reads the whole input from memory).
  const arma::uword n_in4 = n_in & ~arma::uword(3);
  for (; k + 4 <= n; k += 4) {
    const float* v = x.colptr(r0 + k);
    arma::uword i = 0;
    for (; i < n_in4; i += 4) {
      __m128 a = _mm_loadu_ps(v + i), b = _mm_loadu_ps(v + n_in + i), c = _mm_loadu_ps(v + 2 * n_in + i),
             d = _mm_loadu_ps(v + 3 * n_in + i);
      _MM_TRANSPOSE4_PS(a, b, c, d);
      _mm_storeu_ps(o + k + i * n, a);
      _mm_storeu_ps(o + k + (i + 1) * n, b);
      _mm_storeu_ps(o + k + (i + 2) * n, c);
      _mm_storeu_ps(o + k + (i + 3) * n, d);
    }
    for (; i < n_in; ++i)
      for (arma::uword q = 0; q < 4; ++q) o[k + q + i * n] = v[i + q * n_in];
  }
#endif
  for (; k < n; ++k) {
    const float* v = x.colptr(r0 + k);
    for (arma::uword i = 0; i < n_in; ++i) o[k + i * n] = v[i];
  }
}

/// Noise-management scales of the block's vectors (rows of ws.xraw) into ws.alpha,
/// fused with the input check: probe(k) = sum_i x(k, i) * 0 is 0 for a finite vector and
/// NaN as soon as one value is NaN or infinite. Walks the (contiguous) columns.
XBARSIM_HOT_LOOP bool scan_inputs(const MvmIoParams& io, MvmWorkspace& ws) {
  const arma::fmat& x = ws.xraw;
  const arma::uword n = x.n_rows;
  const bool abs_max = io.noise_management == "abs-max";
  ws.alpha.set_size(n);
  ws.probe.set_size(n);
  float* a = ws.alpha.memptr();
  float* probe = ws.probe.memptr();
  const float alpha = io.noise_management == "constant" ? static_cast<float>(io.nm_thres) : 1.0f;
  for (arma::uword k = 0; k < n; ++k) {
    a[k] = abs_max ? 0.0f : alpha;
    probe[k] = 0.0f;
  }
  for (arma::uword i = 0; i < x.n_cols; ++i) {
    const float* col = x.colptr(i);
    if (abs_max)
      for (arma::uword k = 0; k < n; ++k) {
        a[k] = std::max(a[k], std::abs(col[k]));
        probe[k] += col[k] * 0.0f;
      }
    else
      for (arma::uword k = 0; k < n; ++k) probe[k] += col[k] * 0.0f;
  }
  float all = 0.0f;
  for (arma::uword k = 0; k < n; ++k) all += probe[k];
  return all == 0.0f;
}

/// Starts of the runs of consecutive samples in rows[0, m), then m: a run is one
/// contiguous range of x and z and one contiguous block of every noise stream.
void find_runs(const arma::uword* rows, arma::uword m, std::vector<arma::uword>& runs) {
  runs.clear();
  for (arma::uword k = 0; k < m; ++k)
    if (k == 0 || rows[k] != rows[k - 1] + 1) runs.push_back(k);
  runs.push_back(m);
}

/// xs(k, i) = x(rows(k), i) / scale(k) from the cached block (ws.xraw, whose first row
/// is vector r0): the noise- and bound-management scaling of the block's running
/// vectors. With `levels` (has_plain_levels) the DAC conversion is fused into the same
/// loop (dac_levels.hpp); otherwise the DAC converts xs afterwards.
void scale_inputs(const MvmWorkspace& ws, arma::uword r0, arma::uword m, const Dac* levels, arma::fmat& xs) {
  xs.set_size(m, ws.xraw.n_cols);
  const float* s = ws.scale.data();
  for (arma::uword i = 0; i < ws.xraw.n_cols; ++i)
    for (std::size_t q = 0; q + 1 < ws.runs.size(); ++q) {
      const arma::uword k0 = ws.runs[q], k1 = ws.runs[q + 1];
      const float* col = ws.xraw.colptr(i) + (ws.rows[k0] - r0);
      float* o = xs.colptr(i) + k0;
      if (levels) {
        if (!dac_scaled_levels(*levels, col, s + k0, o, k1 - k0)) throw NumericalError("dac: NaN input");
      } else {
        for (arma::uword k = 0; k < k1 - k0; ++k) o[k] = col[k] / s[k0 + k];
      }
    }
}

/// Output noise, integrator saturation and clip detection of one analog pass in one walk
/// over z (in cache). Noise of z(r, j) is element samples(r) of stream (tile, call,
/// pass * 65536 + j) (id = {tile, call, pass}), drawn run by run (ws.runs); clipped[r]
/// is set if an output of vector r reached the integrator saturation or the ADC range.
void analog_outputs(arma::fmat& z, const arma::fmat& variance, const arma::uvec& samples, const Periphery& p,
                    std::uint64_t seed, StreamId id, MvmWorkspace& ws) {
  const arma::uword m = z.n_rows;
  const bool noisy = p.io.out_noise > 0.0 || !variance.is_empty();
  if (noisy && (id.c >= kMaxPasses || z.n_cols > kMaxColumns))
    throw InternalError("tile noise streams: pass " + std::to_string(id.c) + " or " + std::to_string(z.n_cols) +
                        " columns beyond the stream layout");
  ws.noise.resize(m);
  const RngKey key(seed, rng_purpose("tile.out_noise"));
  const float sigma0 = static_cast<float>(p.io.out_noise), var0 = sigma0 * sigma0;
  const float sat = static_cast<float>(p.io.integrator_saturation);
  const arma::vec& ranges = p.adc.ranges();
  float* nz = ws.noise.data();
  char* clipped = ws.clipped.data();
  for (arma::uword j = 0; j < z.n_cols; ++j) {
    float* col = z.colptr(j);
    if (noisy) {
      const StreamId sid{id.a, id.b, id.c * kMaxColumns + static_cast<std::uint32_t>(j)};
      for (std::size_t q = 0; q + 1 < ws.runs.size(); ++q)
        normal_block(nz + ws.runs[q], ws.runs[q + 1] - ws.runs[q], key, sid, samples(ws.runs[q]));
      if (variance.is_empty()) {
        for (arma::uword r = 0; r < m; ++r) col[r] += sigma0 * nz[r];
      } else {
        const float* v = variance.colptr(j);
        for (arma::uword r = 0; r < m; ++r) col[r] += std::sqrt(var0 + v[r]) * nz[r];
      }
    }
    const float range = static_cast<float>(ranges(j));
    for (arma::uword r = 0; r < m; ++r) {  // branch-free, so it vectorises
      const float v = col[r];
      const bool saturated = sat > 0.0f && std::abs(v) >= sat;
      const float u = saturated ? std::copysign(sat, v) : v;
      clipped[r] |= static_cast<char>(saturated || std::abs(u) > range);
      col[r] = u;
    }
  }
}

/// Output j of vector rows(k) = acc(k, j) * scale(k) * factor(j): the digital side
/// undoes the noise and bound management scaling and applies the column factors, into
/// z in the caller's layout.
void store_outputs(const arma::fmat& acc, const MvmWorkspace& ws, const arma::fvec* factor, VectorLayout layout,
                   arma::fmat& z) {
  const float* s = ws.scale.data();
  if (layout == VectorLayout::columns) {
    const arma::uword m = acc.n_rows;
    for (arma::uword k = 0; k < m; ++k) {
      float* o = z.colptr(ws.rows[k]);
      for (arma::uword j = 0; j < acc.n_cols; ++j) o[j] = factor ? acc(k, j) * s[k] * (*factor)(j) : acc(k, j) * s[k];
    }
    return;
  }
  for (arma::uword j = 0; j < acc.n_cols; ++j) {
    const float* a = acc.colptr(j);
    const float f = factor ? (*factor)(j) : 1.0f;
    for (std::size_t q = 0; q + 1 < ws.runs.size(); ++q) {
      const arma::uword k0 = ws.runs[q], k1 = ws.runs[q + 1];
      float* o = z.colptr(j) + ws.rows[k0] - k0;
      if (factor)
        for (arma::uword k = k0; k < k1; ++k) o[k] = a[k] * s[k] * f;
      else
        for (arma::uword k = k0; k < k1; ++k) o[k] = a[k] * s[k];
    }
  }
}

/// One block of vectors [r0, r1) through the whole pipeline, bound-management re-runs
/// included. Returns the number of analog passes the block needed.
std::uint32_t run_block(const arma::fmat& x, VectorLayout layout, arma::uword r0, arma::uword r1, std::size_t n_out,
                        const Periphery& p, const AnalogProduct& analog, std::uint64_t seed, std::uint32_t tile_id,
                        std::uint32_t call, MvmWorkspace& ws, arma::fmat& z, MvmStats& stats) {
  load_block(x, layout, r0, r1, ws);
  if (!scan_inputs(p.io, ws)) throw ConfigError(p.input_key, "contains NaN or infinite values");
  // All-zero vectors (alpha = 0) give all-zero outputs and are never re-run. With a
  // batched product and noise keyed by sample, the first pass still carries them along
  // (input 0, scale 1; outputs and clip flags reset after it): the block stays one
  // contiguous run, which every step handles faster than a block cut around them
  // (images have many). Their unused draws are their own sample's, so no other number
  // changes.
  const arma::uword nonzero = static_cast<arma::uword>(arma::accu(ws.alpha > 0.0f));
  const bool carry_zeros = p.batched_product && !positional_noise(p) && nonzero > 0 && nonzero < r1 - r0;
  ws.rows.clear();
  ws.zeros.clear();
  for (arma::uword b = r0; b < r1; ++b) {
    const bool zero = !(ws.alpha(b - r0) > 0.0f);
    if (zero) ws.zeros.push_back(b);
    if (!zero || carry_zeros) ws.rows.push_back(b);
  }
  const auto zero_outputs = [&] {
    for (const arma::uword b : ws.zeros)
      if (layout == VectorLayout::columns)
        std::fill_n(z.colptr(b), n_out, 0.0f);
      else
        for (arma::uword j = 0; j < n_out; ++j) z(b, j) = 0.0f;
  };
  if (!carry_zeros) zero_outputs();
  ws.bm.assign(r1 - r0, 1.0f);
  const bool bit_serial = p.dac.params().mode == "bit-serial";
  const bool fused_dac = has_plain_levels(p.dac);
  const double inp_res = p.dac.lsb() / (2.0 * p.dac.params().inp_bound);
  const bool iterative = p.io.bound_management == "iterative";
  std::uint32_t pass = 0;
  for (std::uint32_t rerun = 0; !ws.rows.empty(); ++rerun) {
    const arma::uword m = ws.rows.size();
    if (rerun > 0) stats.bm_reruns += m;
    const arma::uvec samples(ws.rows.data(), m, false, true);  // a view, no copy
    find_runs(ws.rows.data(), m, ws.runs);
    ws.scale.resize(m);
    for (arma::uword k = 0; k < m; ++k) {
      const float a = ws.alpha(ws.rows[k] - r0);
      ws.scale[k] = a > 0.0f ? a * ws.bm[ws.rows[k] - r0] : 1.0f;  // 1: a carried all-zero vector
    }
    scale_inputs(ws, r0, m, fused_dac ? &p.dac : nullptr, ws.xs);
    ws.clipped.assign(m, 0);
    if (bit_serial) {
      const DacBitPlanes planes = p.dac.bit_planes(ws.xs, seed, StreamId{tile_id, call, pass});
      ws.acc.zeros(m, n_out);
      for (std::size_t k = 0; k < planes.planes.size(); ++k, ++pass) {
        analog(planes.planes[k], samples, pass, ws.za, ws.variance);
        analog_outputs(ws.za, ws.variance, samples, p, seed, StreamId{tile_id, call, pass}, ws);
        p.adc.convert(ws.za, ws.zq, seed, StreamId{tile_id, call, pass});
        ws.acc += static_cast<float>(planes.weights[k]) * ws.zq;
      }
    } else {
      if (!fused_dac) p.dac.convert(ws.xs, ws.xs, seed, StreamId{tile_id, call, pass});  // in place
      analog(ws.xs, samples, pass, ws.za, ws.variance);
      analog_outputs(ws.za, ws.variance, samples, p, seed, StreamId{tile_id, call, pass}, ws);
      p.adc.convert(ws.za, ws.acc, seed, StreamId{tile_id, call, pass});
      ++pass;
    }
    store_outputs(ws.acc, ws, p.out_factor, layout, z);
    if (carry_zeros && rerun == 0) {  // rows are the whole block: vector b is entry b - r0
      zero_outputs();
      for (const arma::uword b : ws.zeros) ws.clipped[b - r0] = 0;
    }
    // Vectors to re-run with halved input, within aihwkit's limits (kept in place: the
    // k-th kept vector overwrites an entry already used).
    arma::uword next = 0;
    for (arma::uword k = 0; k < m; ++k) {
      if (!ws.clipped[k]) continue;
      const arma::uword b = ws.rows[k];
      const double reduced = 2.0 * ws.bm[b - r0];
      if (iterative && reduced <= p.io.max_bm_factor && reduced * inp_res <= p.io.max_bm_res) {
        ws.bm[b - r0] = static_cast<float>(reduced);
        ws.rows[next++] = b;
      } else {
        ++stats.clipped_vectors;
      }
    }
    ws.rows.resize(next);
  }
  return pass;
}

}  // namespace

arma::fvec noise_management_scales(const arma::fmat& x, const MvmIoParams& io) {
  MvmWorkspace ws;
  load_block(x, VectorLayout::rows, 0, x.n_rows, ws);
  scan_inputs(io, ws);
  return ws.alpha;
}

void managed_mvm(const arma::fmat& x, VectorLayout layout, std::size_t n_out, const Periphery& p,
                 const AnalogProduct& analog, std::uint64_t seed, std::uint32_t tile_id, std::uint64_t call,
                 MvmWorkspace& ws, arma::fmat& z, MvmStats& stats) {
  const bool columns = layout == VectorLayout::columns;
  const arma::uword batch = columns ? x.n_cols : x.n_rows;
  stats.vectors += batch;
  if (columns)
    z.set_size(n_out, batch);
  else
    z.set_size(batch, n_out);
  if (batch == 0) return;
  const std::uint32_t call32 = lo32(call);
  if (p.io.is_perfect) {
    if (!x.is_finite()) throw ConfigError(p.input_key, "contains NaN or infinite values");
    arma::fmat variance;  // weight noise is a periphery non-ideality: ignored when perfect
    arma::fmat zr;
    analog(columns ? arma::fmat(x.t()) : x, arma::regspace<arma::uvec>(0, batch - 1), 0, zr, variance);
    if (p.out_factor) zr.each_row() %= p.out_factor->t();
    z = columns ? arma::fmat(zr.t()) : std::move(zr);
    ++stats.analog_mvms;
    return;
  }
  // DAC and ADC noise number their draws by position in the converted matrix: one block.
  const arma::uword block = positional_noise(p) ? batch : block_rows(columns ? x.n_rows : x.n_cols, n_out);
  // A call makes as many analog passes as its slowest vector needs.
  std::uint32_t passes = 0;
  for (arma::uword r0 = 0; r0 < batch; r0 += block)
    passes = std::max(passes, run_block(x, layout, r0, std::min(batch, r0 + block), n_out, p, analog, seed, tile_id,
                                        call32, ws, z, stats));
  stats.analog_mvms += passes;
}

}  // namespace xbarsim::detail

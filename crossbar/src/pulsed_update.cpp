// Pulsed outer-product update: update management, pulse-train generation and packing,
// chunking and reporting (see pulsed_update.hpp; kernels in coincidence_kernel.cpp).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/pulsed_update.hpp>

namespace xbarsim {

const ParamTable<PulsedUpdateParams>& PulsedUpdateParams::table() {
  static const ParamTable<PulsedUpdateParams> t = [] {
    ParamTable<PulsedUpdateParams> tab;
    tab.integer("desired_bl", &PulsedUpdateParams::desired_bl, "1", Range::closed(1, 1024),
                "maximal pulse-train length BL (slots per sample); the BL with update-BL management is at most this "
                "(upper limit 1024: an assumption that keeps one sample far inside an int16 count)",
                "aihwkit UpdateParameters.desired_bl = 31 (aihwkit.md 1.7)");
    tab.choice("pulse_type", &PulsedUpdateParams::pulse_type, {"stochastic-compressed", "mean-count"},
               "stochastic-compressed: Bernoulli pulse trains, 16-bit probability resolution; mean-count: aihwkit "
               "MEAN_COUNT, deterministic rounded expected counts (pulse type none is handled by the tile)",
               "aihwkit UpdateParameters.pulse_type = STOCHASTIC_COMPRESSED (aihwkit.md 1.7)");
    tab.boolean("update_bl_management", &PulsedUpdateParams::update_bl_management,
                "BL = min(ceil(lr x_max d_max um_grad_scale / dw_min), desired_bl) per sample",
                "aihwkit UpdateParameters.update_bl_management = True (aihwkit.md 1.7)");
    tab.boolean("update_management", &PulsedUpdateParams::update_management,
                "rescale A, B by sqrt(x_max / d_max) and its inverse (always on with update_bl_management)",
                "aihwkit UpdateParameters.update_management = True (aihwkit.md 1.7)");
    tab.real("um_grad_scale", &PulsedUpdateParams::um_grad_scale, "1", Range::positive(),
             "scale of d_max in update management (< 1 clips the gradient side earlier)",
             "aihwkit UpdateParameters.um_grad_scale = 1.0 (aihwkit.md 1.7)");
    tab.choice("accumulation", &PulsedUpdateParams::accumulation, {"batch-net", "per-sample"},
               "batch-net: net counts of the whole batch (int16 chunks), applied once; per-sample: one count "
               "matrix per sample, applied in order",
               "assumption: batch-net for speed (one device pass per mini-batch); per-sample is aihwkit's CPU "
               "semantics");
    return tab;
  }();
  return t;
}

namespace {
constexpr std::int64_t kCountLimit = std::numeric_limits<std::int16_t>::max();
constexpr std::size_t kMaxSlotsPerLine = std::size_t{1} << 16;  // bound on a chunk's string length
constexpr std::size_t kLineBlock = 8;                           // lines per parallel task
constexpr std::size_t kColBlock = 32;                           // columns per kernel task (multiple of 8)

std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

// One side (rows with x, or columns with d) of an update.
struct Side {
  const float* data;  // batch x lines, column-major: line i is contiguous
  std::size_t lines;
  const std::vector<float>* scale;  // per sample: B (x side) or A (d side), 0 without pulses
  RngKey key;
};

// Packed pulse strings of the active lines of one side in one chunk.
struct Packed {
  std::vector<std::size_t> line;  // active line indices
  std::size_t n_pad = 0;          // strings allocated (padded with zero strings to the kernel blocking)
  std::vector<std::uint64_t> pulse, sign;
  std::uint64_t pulses = 0;
};

void put_bits32(std::uint64_t* s, std::size_t bit, std::uint32_t m) {
  if (m == 0) return;
  const std::size_t w = bit / 64, sh = bit % 64;
  s[w] |= static_cast<std::uint64_t>(m) << sh;
  if (sh > 32) s[w + 1] |= static_cast<std::uint64_t>(m) >> (64 - sh);
}

// Everything fixed for one chunk [b0, b1).
struct Chunk {
  std::size_t b0, b1, batch, half_batch;
  int T;                                // longest pulse train in the chunk
  std::size_t groups;                   // 32-sample groups
  std::vector<std::uint32_t> active_t;  // T x groups: samples with BL > t
  std::size_t kw;                       // words per string
  int desired_bl;
  StreamId id;
  bool simd;
};

// Pulse strings of one side: for active line i, slot (t, b) sits at bit t * (b1 - b0) + b - b0.
void pack_side(const Side& side, const Chunk& ch, std::size_t multiple, Packed& out) {
  const std::size_t bc = ch.b1 - ch.b0;
  out.line.clear();
  for (std::size_t i = 0; i < side.lines; ++i) {
    const float* v = side.data + i * ch.batch;
    for (std::size_t b = ch.b0; b < ch.b1; ++b)
      if (v[b] != 0.0f && (*side.scale)[b] > 0.0) {
        out.line.push_back(i);
        break;
      }
  }
  out.n_pad = round_up(out.line.size(), multiple);
  out.pulse.assign(out.n_pad * ch.kw, 0);
  out.sign.assign(out.n_pad * ch.kw, 0);
  const std::size_t n_active = out.line.size();
  const std::size_t nblocks = (n_active + kLineBlock - 1) / kLineBlock;
  std::vector<std::uint64_t> block_pulses(nblocks, 0);
  parallel_blocks(n_active, kLineBlock, [&](std::size_t r0, std::size_t r1) {
    const std::size_t G = ch.groups;
    std::vector<std::uint16_t> q(G * 32, 0), u16(G * 32 + 2, 0);
    std::vector<std::uint32_t> certain(G), sgn(G), mask(G);
    const std::size_t first_word = ch.b0 / 2, nwords = (ch.b1 - 1) / 2 - first_word + 1;
    std::vector<std::uint32_t> words(nwords);
    const float* scale = side.scale->data() + ch.b0;
    std::uint64_t pulses = 0;
    for (std::size_t r = r0; r < r1; ++r) {
      const std::size_t i = out.line[r];
      const float* v = side.data + i * ch.batch + ch.b0;
      if (ch.simd)
        detail::line_thresholds_avx512(v, scale, bc, q.data(), certain.data(), sgn.data());
      else
        detail::line_thresholds_scalar(v, scale, bc, q.data(), certain.data(), sgn.data());
      std::uint64_t* ps = out.pulse.data() + r * ch.kw;
      std::uint64_t* ss = out.sign.data() + r * ch.kw;
      for (int t = 0; t < ch.T; ++t) {
        const std::uint64_t base = (static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(ch.desired_bl) +
                                    static_cast<std::uint64_t>(t)) *
                                   ch.half_batch;
        bits_block(words.data(), nwords, side.key, ch.id, base + first_word);
        // Sample b uses the low half of word b / 2 for even b, the high half for odd b:
        // on a little-endian CPU that is the word array read as 16-bit halves.
        static_assert(std::endian::native == std::endian::little);
        std::memcpy(u16.data(), words.data(), nwords * sizeof(std::uint32_t));
        const std::uint16_t* u = u16.data() + ch.b0 % 2;
        const std::uint32_t* act = ch.active_t.data() + static_cast<std::size_t>(t) * G;
        pulses += ch.simd ? detail::pulse_masks_avx512(u, q.data(), certain.data(), act, G, mask.data())
                          : detail::pulse_masks_scalar(u, q.data(), certain.data(), act, G, mask.data());
        const std::size_t bit0 = static_cast<std::size_t>(t) * bc;
        for (std::size_t g = 0; g < G; ++g) {
          put_bits32(ps, bit0 + 32 * g, mask[g]);
          put_bits32(ss, bit0 + 32 * g, mask[g] & sgn[g]);
        }
      }
    }
    block_pulses[r0 / kLineBlock] = pulses;
  });
  out.pulses = 0;
  for (auto p : block_pulses) out.pulses += p;
}

}  // namespace

bool PulsedUpdater::simd_available() { return detail::avx512_popcnt_supported(); }

PulsedUpdater::PulsedUpdater(PulsedUpdateParams p) : p_(std::move(p)) {
  ProblemList problems;
  PulsedUpdateParams::table().validate_struct(p_, "update", problems);
  problems.throw_if_any();
  mean_count_ = p_.pulse_type == "mean-count";
  per_sample_ = p_.accumulation == "per-sample";
}

PulseScales PulsedUpdater::scales(double lr, double dw_min, double x_abs_max, double d_abs_max) const {
  // aihwkit PulsedUpdateMetaParameter::calculateBlAB (fixed_BL) and performUpdateManagement.
  PulseScales s;
  if (lr <= 0.0 || x_abs_max <= 0.0 || d_abs_max <= 0.0) return s;
  const int max_bl = p_.desired_bl;
  s.bl = max_bl;
  s.a_d = s.b_x = std::sqrt(lr / (dw_min * s.bl));
  if (p_.update_bl_management || p_.update_management) {
    const double x_val = x_abs_max;
    double d_val = p_.um_grad_scale * d_abs_max;
    const double k_val = lr * x_val * d_val / dw_min;
    if (p_.update_bl_management) {
      s.bl = static_cast<int>(std::min<double>(std::ceil(k_val), max_bl));
      s.bl = std::max(s.bl, 1);
      s.a_d = s.b_x = std::sqrt(lr / (dw_min * s.bl));
    }
    // update_management is forced on by update_bl_management (aihwkit initialize()).
    if (k_val > max_bl) d_val *= max_bl / k_val;  // avoid clipping of x
    s.a_d *= std::sqrt(x_val / d_val);
    s.b_x *= std::sqrt(d_val / x_val);
  }
  return s;
}

PulsedUpdateStats PulsedUpdater::update(const arma::fmat& x, const arma::fmat& d, double lr, double dw_min,
                                        const UpdateRngCoords& rng, const CountsSink& sink) const {
  ProblemList problems;
  if (!(lr >= 0.0) || !std::isfinite(lr)) problems.add("update.learning_rate", "must be finite and >= 0");
  if (!(dw_min > 0.0) || !std::isfinite(dw_min)) problems.add("update.dw_min", "must be finite and > 0");
  if (x.n_rows != d.n_rows)
    problems.add("update.batch", "x has " + std::to_string(x.n_rows) + " samples, d has " + std::to_string(d.n_rows));
  problems.throw_if_any();
  if (!x.is_finite() || !d.is_finite()) throw NumericalError("update: non-finite x or d");
  if (!sink) throw InternalError("update: no counts sink");

  const std::size_t batch = x.n_rows, rows = x.n_cols, cols = d.n_cols;
  const std::size_t half_batch = (batch + 1) / 2;
  const std::uint64_t max_word =
      (static_cast<std::uint64_t>(std::max(rows, cols)) * static_cast<std::uint64_t>(p_.desired_bl)) * half_batch;
  if (max_word >= (std::uint64_t{1} << 34))
    throw ConfigError("update.desired_bl", "lines x desired_bl x batch / 2 exceeds one random stream (2^34 words)");

  // Per-sample update management.
  std::vector<float> xmax(batch, 0.0f), dmax(batch, 0.0f);
  for (std::size_t i = 0; i < rows; ++i) {
    const float* v = x.colptr(i);
    for (std::size_t b = 0; b < batch; ++b) xmax[b] = std::max(xmax[b], std::abs(v[b]));
  }
  for (std::size_t j = 0; j < cols; ++j) {
    const float* v = d.colptr(j);
    for (std::size_t b = 0; b < batch; ++b) dmax[b] = std::max(dmax[b], std::abs(v[b]));
  }
  std::vector<int> bl(batch);
  std::vector<double> A(batch), B(batch);
  std::vector<float> Af(batch), Bf(batch);  // the thresholds are computed in float
  PulsedUpdateStats st;
  for (std::size_t b = 0; b < batch; ++b) {
    const PulseScales s = scales(lr, dw_min, xmax[b], dmax[b]);
    bl[b] = s.bl;
    A[b] = s.bl > 0 ? s.a_d : 0.0;
    B[b] = s.bl > 0 ? s.b_x : 0.0;
    Af[b] = static_cast<float>(A[b]);
    Bf[b] = static_cast<float>(B[b]);
    st.bl_max = std::max(st.bl_max, s.bl);
    st.bl_sum += static_cast<std::uint64_t>(s.bl);
    if (s.bl > 0) ++st.samples_pulsed;
  }

  // Chunks: per-sample, or greedy runs with sum BL <= int16 max and bounded string length.
  std::vector<std::pair<std::size_t, std::size_t>> chunks;
  if (per_sample_) {
    for (std::size_t b = 0; b < batch; ++b)
      if (bl[b] > 0) chunks.emplace_back(b, b + 1);
  } else {
    std::size_t b0 = 0;
    while (b0 < batch) {
      std::int64_t sum = 0;
      int tmax = 0;
      std::size_t b1 = b0;
      while (b1 < batch) {
        const int t = std::max(tmax, bl[b1]);
        if (b1 > b0 && (sum + bl[b1] > kCountLimit || static_cast<std::size_t>(t) * (b1 + 1 - b0) > kMaxSlotsPerLine))
          break;
        sum += bl[b1];
        tmax = t;
        ++b1;
      }
      // Keep chunk starts 64-aligned unless the rest fits in one chunk.
      if (b1 < batch && b1 - b0 > 64) b1 = b0 + (b1 - b0) / 64 * 64;
      chunks.emplace_back(b0, b1);
      b0 = b1;
    }
  }

  const Side sx{x.memptr(), rows, &Bf, RngKey(rng.seed, rng_purpose("crossbar.update.x"))};
  const Side sd{d.memptr(), cols, &Af, RngKey(rng.seed, rng_purpose("crossbar.update.d"))};
  const StreamId id{rng.tile, static_cast<std::uint32_t>(rng.step), static_cast<std::uint32_t>(rng.step >> 32)};
  const bool simd_ok = kernel_ == CoincidenceKernel::Auto && simd_available();

  PulseCounts counts(rows, cols);
  Packed px, pd;
  std::vector<std::int32_t> acc;
  std::vector<std::uint64_t> xt_pulse, xt_sign;
  for (const auto& [b0, b1] : chunks) {
    const std::size_t bc = b1 - b0;
    counts.zeros();
    if (mean_count_) {
      // aihwkit DenseBitLineMaker MEAN_COUNT: kx = round(BL p_x) clipped to [0, BL] (same
      // for d), coincidence = roundf(kd / BL * kx) in float; signs from x and d.
      std::vector<std::int32_t> net(rows * cols, 0);
      std::vector<std::uint64_t> gross(cols, 0), colp(cols, 0);
      std::vector<int> kx(rows);
      for (std::size_t b = b0; b < b1; ++b) {
        if (bl[b] == 0) continue;
        for (std::size_t i = 0; i < rows; ++i) {
          const float v = x(b, i);
          const int n =
              std::clamp(static_cast<int>(std::lround(bl[b] * std::min(1.0, B[b] * std::abs(double(v))))), 0, bl[b]);
          kx[i] = v < 0.0f ? -n : n;
          st.row_pulses += static_cast<std::uint64_t>(n);
        }
        const float blf = static_cast<float>(bl[b]);
        parallel_blocks(cols, kColBlock, [&](std::size_t c0, std::size_t c1) {
          for (std::size_t j = c0; j < c1; ++j) {
            const float v = d(b, j);
            const int n =
                std::clamp(static_cast<int>(std::lround(bl[b] * std::min(1.0, A[b] * std::abs(double(v))))), 0, bl[b]);
            colp[j] += static_cast<std::uint64_t>(n);
            if (n == 0) continue;
            const float dc = static_cast<float>(v < 0.0f ? -n : n) / blf;
            std::int32_t* o = net.data() + j * rows;
            for (std::size_t i = 0; i < rows; ++i) {
              const int c = static_cast<int>(std::round(dc * static_cast<float>(kx[i])));
              o[i] -= c;
              gross[j] += static_cast<std::uint64_t>(c < 0 ? -c : c);
            }
          }
        });
      }
      for (std::size_t j = 0; j < cols; ++j) {
        st.coincidences += gross[j];
        st.col_pulses += colp[j];
      }
      for (std::size_t e = 0; e < net.size(); ++e) {
        if (net[e] > kCountLimit || net[e] < -kCountLimit) throw InternalError("update: int16 count overflow");
        counts(e) = static_cast<std::int16_t>(net[e]);
        st.net_abs_count += static_cast<std::uint64_t>(net[e] < 0 ? -net[e] : net[e]);
      }
      sink(b0, bc, counts);
      ++st.reports;
      continue;
    }

    Chunk ch;
    ch.b0 = b0;
    ch.b1 = b1;
    ch.batch = batch;
    ch.half_batch = half_batch;
    ch.T = 0;
    for (std::size_t b = b0; b < b1; ++b) ch.T = std::max(ch.T, bl[b]);
    ch.groups = (bc + 31) / 32;
    ch.active_t.assign(static_cast<std::size_t>(ch.T) * ch.groups, 0u);
    for (int t = 0; t < ch.T; ++t)
      for (std::size_t l = 0; l < bc; ++l)
        if (bl[b0 + l] > t) ch.active_t[static_cast<std::size_t>(t) * ch.groups + l / 32] |= 1u << (l % 32);
    const std::size_t kw_raw = (static_cast<std::size_t>(ch.T) * bc + 63) / 64;
    ch.simd = simd_ok;
    const bool simd_kernel = simd_ok && kw_raw >= 8;
    const bool narrow_kernel = simd_ok && kw_raw < 8;
    ch.kw = simd_kernel ? round_up(kw_raw, 8) : std::max<std::size_t>(kw_raw, 1);
    // One spare word: put_bits32 may touch the word after the last used bit.
    if (!simd_kernel && ch.kw * 64 < static_cast<std::size_t>(ch.T) * bc + 32) ch.kw += 1;
    if (simd_kernel && ch.kw * 64 < static_cast<std::size_t>(ch.T) * bc + 32) ch.kw += 8;
    ch.desired_bl = p_.desired_bl;
    ch.id = id;
    if (ch.T > 0) {
      pack_side(sx, ch, narrow_kernel ? 8 : 4, px);
      pack_side(sd, ch, 2, pd);
      st.row_pulses += px.pulses;
      st.col_pulses += pd.pulses;
      const std::size_t nx = px.n_pad, nd = pd.n_pad;
      if (nx > 0 && nd > 0) {
        acc.assign(nx * nd, 0);
        const std::size_t nblocks = (nd + kColBlock - 1) / kColBlock;
        std::vector<std::uint64_t> gross(nblocks, 0);
        if (narrow_kernel) {  // rows' words transposed: word k of row r at k nx + r
          xt_pulse.resize(nx * ch.kw);
          xt_sign.resize(nx * ch.kw);
          for (std::size_t r = 0; r < nx; ++r)
            for (std::size_t k = 0; k < ch.kw; ++k) {
              xt_pulse[k * nx + r] = px.pulse[r * ch.kw + k];
              xt_sign[k * nx + r] = px.sign[r * ch.kw + k];
            }
        }
        parallel_blocks(nd, kColBlock, [&](std::size_t c0, std::size_t c1) {
          std::uint64_t g;
          if (narrow_kernel)
            g = detail::coincidence_avx512_narrow(xt_pulse.data(), xt_sign.data(), nx, pd.pulse.data(), pd.sign.data(),
                                                  c0, c1, ch.kw, acc.data());
          else if (simd_kernel)
            g = detail::coincidence_avx512(px.pulse.data(), px.sign.data(), nx, pd.pulse.data(), pd.sign.data(), c0, c1,
                                           ch.kw, acc.data());
          else
            g = detail::coincidence_scalar(px.pulse.data(), px.sign.data(), nx, pd.pulse.data(), pd.sign.data(), c0, c1,
                                           ch.kw, acc.data());
          gross[c0 / kColBlock] = g;
        });
        for (auto g : gross) st.coincidences += g;
        std::int16_t* cm = counts.memptr();
        std::int64_t abs_sum = 0;
        std::int32_t worst = 0;
        for (std::size_t c = 0; c < pd.line.size(); ++c) {
          std::int16_t* col = cm + pd.line[c] * rows;
          const std::int32_t* a = acc.data() + c * nx;
          for (std::size_t r = 0; r < px.line.size(); ++r) {
            const std::int32_t n = -a[r];
            const std::int32_t m = n < 0 ? -n : n;
            worst = std::max(worst, m);
            abs_sum += m;
            col[px.line[r]] = static_cast<std::int16_t>(n);
          }
        }
        if (worst > kCountLimit) throw InternalError("update: int16 count overflow");
        st.net_abs_count += static_cast<std::uint64_t>(abs_sum);
      }
    }
    sink(b0, bc, counts);
    ++st.reports;
  }
  return st;
}

}  // namespace xbarsim

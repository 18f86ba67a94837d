// Periphery pipeline of one tile read direction (see managed_mvm.hpp and mvm_io.hpp).
#include "managed_mvm.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>
#include <xbarsim/core/error.hpp>

namespace xbarsim::detail {
namespace {

std::uint32_t lo32(std::uint64_t v) { return static_cast<std::uint32_t>(v & 0xffffffffu); }

/// Output noise, saturation and ADC of one analog pass; marks vectors with a clipped output.
void convert_outputs(arma::fmat& z, const arma::fmat& variance, const arma::uvec& samples, const Periphery& p,
                     std::uint64_t seed, StreamId id, arma::fmat& zq, std::vector<char>& clipped) {
  if (p.io.out_noise > 0.0 || !variance.is_empty())
    add_sample_noise(z, samples, RngKey(seed, rng_purpose("tile.out_noise")), id.a, id.b, id.c,
                     static_cast<float>(p.io.out_noise), variance);
  const float sat = static_cast<float>(p.io.integrator_saturation);
  const arma::vec& ranges = p.adc.ranges();
  clipped.assign(z.n_rows, 0);
  for (arma::uword j = 0; j < z.n_cols; ++j) {
    const float r = static_cast<float>(ranges(j));
    float* col = z.colptr(j);
    for (arma::uword b = 0; b < z.n_rows; ++b) {
      float v = col[b];
      if (sat > 0.0f && std::abs(v) >= sat) {
        v = std::copysign(sat, v);
        clipped[b] = 1;
      }
      if (std::abs(v) > r) clipped[b] = 1;
      col[b] = v;
    }
  }
  p.adc.convert(z, zq, seed, id);
}

}  // namespace

arma::fvec noise_management_scales(const arma::fmat& x, const MvmIoParams& io) {
  if (io.noise_management == "abs-max") {
    // Row-wise max |x| by walking the columns (contiguous), not arma's strided row reduction.
    arma::fvec a(x.n_rows, arma::fill::zeros);
    float* am = a.memptr();
    for (arma::uword j = 0; j < x.n_cols; ++j) {
      const float* col = x.colptr(j);
      for (arma::uword b = 0; b < x.n_rows; ++b) am[b] = std::max(am[b], std::abs(col[b]));
    }
    return a;
  }
  const float alpha = io.noise_management == "constant" ? static_cast<float>(io.nm_thres) : 1.0f;
  return arma::fvec(x.n_rows, arma::fill::value(alpha));
}

void add_sample_noise(arma::fmat& z, const arma::uvec& samples, const RngKey& key, std::uint32_t tile_id,
                      std::uint32_t call, std::uint32_t pass, float sigma0, const arma::fmat& variance) {
  if (pass >= kMaxPasses || z.n_cols > kMaxColumns)
    throw InternalError("tile noise streams: pass " + std::to_string(pass) + " or " + std::to_string(z.n_cols) +
                        " columns beyond the stream layout");
  // Column j of pass p is stream (tile, call, p * 65536 + j), element = sample index, so
  // a run of consecutive samples is one contiguous block of draws, added in place.
  std::vector<float> buf(z.n_rows);
  const bool scalar = variance.is_empty();
  const float var0 = sigma0 * sigma0;
  for (arma::uword r0 = 0; r0 < z.n_rows;) {
    arma::uword r1 = r0 + 1;
    while (r1 < z.n_rows && samples(r1) == samples(r1 - 1) + 1) ++r1;
    for (arma::uword j = 0; j < z.n_cols; ++j) {
      const StreamId id{tile_id, call, pass * kMaxColumns + static_cast<std::uint32_t>(j)};
      normal_block(buf.data(), r1 - r0, key, id, samples(r0));
      float* col = z.colptr(j) + r0;
      if (scalar) {
        for (arma::uword r = 0; r < r1 - r0; ++r) col[r] += sigma0 * buf[r];
      } else {
        const float* v = variance.colptr(j) + r0;
        for (arma::uword r = 0; r < r1 - r0; ++r) col[r] += std::sqrt(var0 + v[r]) * buf[r];
      }
    }
    r0 = r1;
  }
}

void managed_mvm(const arma::fmat& x, std::size_t n_out, const Periphery& p, const AnalogProduct& analog,
                 std::uint64_t seed, std::uint32_t tile_id, std::uint64_t call, arma::fmat& z, MvmStats& stats) {
  const arma::uword batch = x.n_rows;
  stats.vectors += batch;
  z.zeros(batch, n_out);
  if (batch == 0) return;
  const std::uint32_t call32 = lo32(call);
  if (p.io.is_perfect) {
    arma::fmat variance;  // weight noise is a periphery non-ideality: ignored when perfect
    analog(x, arma::regspace<arma::uvec>(0, batch - 1), 0, z, variance);
    ++stats.analog_mvms;
    return;
  }
  const arma::fvec alpha = noise_management_scales(x, p.io);
  arma::fvec bm_scale(batch, arma::fill::ones);
  arma::uvec active = arma::find(alpha > 0.0f);  // all-zero vectors give all-zero outputs
  const bool bit_serial = p.dac.params().mode == "bit-serial";
  const double inp_res = p.dac.lsb() / (2.0 * p.dac.params().inp_bound);
  const bool iterative = p.io.bound_management == "iterative";
  std::uint32_t pass = 0;
  for (std::uint32_t rerun = 0; !active.is_empty(); ++rerun) {
    if (rerun > 0) stats.bm_reruns += active.n_elem;
    // The first pass covers every vector (unless some are all-zero): no gather needed.
    const bool all = active.n_elem == batch;
    const arma::fvec scale = all ? arma::fvec(alpha % bm_scale) : arma::fvec(alpha(active) % bm_scale(active));
    arma::fmat xs = all ? arma::fmat(x.each_col() / scale) : arma::fmat(x.rows(active).eval().each_col() / scale);
    std::vector<char> clipped(active.n_elem, 0), plane_clipped;
    arma::fmat acc(active.n_elem, n_out, arma::fill::zeros), za, zq, variance;
    if (bit_serial) {
      const DacBitPlanes planes = p.dac.bit_planes(xs, seed, StreamId{tile_id, call32, pass});
      for (std::size_t k = 0; k < planes.planes.size(); ++k, ++pass) {
        analog(planes.planes[k], active, pass, za, variance);
        convert_outputs(za, variance, active, p, seed, StreamId{tile_id, call32, pass}, zq, plane_clipped);
        acc += static_cast<float>(planes.weights[k]) * zq;
        for (std::size_t r = 0; r < clipped.size(); ++r) clipped[r] |= plane_clipped[r];
        ++stats.analog_mvms;
      }
    } else {
      p.dac.convert(xs, xs, seed, StreamId{tile_id, call32, pass});  // in place
      analog(xs, active, pass, za, variance);
      convert_outputs(za, variance, active, p, seed, StreamId{tile_id, call32, pass}, acc, clipped);
      ++pass;
      ++stats.analog_mvms;
    }
    acc.each_col() %= scale;
    if (all)
      z = std::move(acc);
    else
      z.rows(active) = acc;
    // Vectors to re-run with halved input, within aihwkit's limits.
    std::vector<arma::uword> next;
    for (std::size_t r = 0; r < clipped.size(); ++r) {
      if (!clipped[r]) continue;
      const arma::uword b = active(r);
      const double reduced = 2.0 * bm_scale(b);
      if (iterative && reduced <= p.io.max_bm_factor && reduced * inp_res <= p.io.max_bm_res) {
        bm_scale(b) = static_cast<float>(reduced);
        next.push_back(b);
      } else {
        ++stats.clipped_vectors;
      }
    }
    active = arma::uvec(next);
  }
}

}  // namespace xbarsim::detail

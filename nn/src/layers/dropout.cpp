// Inverted dropout (PyTorch Dropout, see layers.hpp).
//
// The mask is a pure function of (ctx.seed, "nn.dropout", layer index, step, element
// index): element e is kept when its uniform number u_e >= p. The same step therefore
// reproduces the same mask (backward, gradient checks, resumed runs), a new step draws a
// new one, and the blocks below may run on any number of threads with identical results.
#include <algorithm>
#include <array>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

namespace {
constexpr std::size_t kBlock = 1 << 14;  // elements per parallel block (fixed, not per thread)
constexpr std::size_t kChunk = 1024;     // random words drawn at a time

/// The element is kept iff u32_to_open01f(word) >= p, i.e. (word >> 8) >= t for the
/// smallest 24-bit t with (t + 0.5) / 2^24 >= p, found here with the same float
/// arithmetic as u32_to_open01f so the two tests agree exactly. An integer compare and
/// select vectorise; a float branch on random bits mispredicts half the time.
std::uint32_t keep_threshold(float p) {
  auto u = [](std::uint32_t t) { return u32_to_open01f(t << 8); };
  std::uint32_t t = 0;
  for (std::uint32_t step = 1u << 23; step > 0; step >>= 1)  // binary search, u increasing in t
    if (t + step <= (1u << 24) && u(t + step - 1) < p) t += step;
  return t;  // u(t - 1) < p <= u(t) (t = 2^24: nothing kept)
}

void apply_mask(const std::uint32_t* __restrict bits, std::size_t n, std::uint32_t threshold, float scale,
                float* __restrict m, const float* __restrict x, float* __restrict y) {
  for (std::size_t i = 0; i < n; ++i) {
    const float k = (bits[i] >> 8) >= threshold ? scale : 0.0f;
    m[i] = k;
    y[i] = k * x[i];
  }
}

}  // namespace

Dropout::Dropout(std::string name, double p) : Layer(std::move(name)), p_(p) {
  if (!(p >= 0.0 && p < 1.0))
    throw ConfigError(this->name(), "Dropout probability p must be in [0, 1), got " + std::to_string(p));
}

Shape Dropout::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1) throw ConfigError(name(), "expected one input, got " + std::to_string(inputs.size()));
  return inputs[0];
}

void Dropout::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) {
  const Tensor& x = *in[0];
  out.resize(x.shape());
  const std::size_t n = x.size();
  if (!ctx.training) {
    std::copy(x.data(), x.data() + n, out.data());
    return;
  }
  mask_.resize(n);
  const RngKey key(ctx.seed, rng_purpose("nn.dropout"));
  const StreamId id{static_cast<std::uint32_t>(ctx.layer_index), static_cast<std::uint32_t>(ctx.step),
                    static_cast<std::uint32_t>(ctx.step >> 32)};
  const std::uint32_t threshold = keep_threshold(static_cast<float>(p_));
  const float scale = static_cast<float>(1.0 / (1.0 - p_));
  parallel_blocks(n, kBlock, [&](std::size_t b0, std::size_t b1) {
    // Raw words from the vectorised bits_block, mapped exactly as uniform_block maps them
    // (u32_to_open01f), in stack chunks so nothing is allocated here.
    std::array<std::uint32_t, kChunk> bits;
    for (std::size_t c0 = b0; c0 < b1; c0 += kChunk) {
      const std::size_t len = std::min(kChunk, b1 - c0);
      bits_block(bits.data(), len, key, id, c0);
      float* m = mask_.data() + c0;
      const float* xb = x.data() + c0;
      float* yb = out.data() + c0;
      apply_mask(bits.data(), len, threshold, scale, m, xb, yb);
    }
  });
}

void Dropout::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                       const std::vector<Tensor*>& din, const LayerContext& ctx) {
  if (!din[0]) return;
  const std::size_t n = dout.size();
  if (!ctx.training) {
    std::copy(dout.data(), dout.data() + n, din[0]->data());
    return;
  }
  if (mask_.size() != n || in[0]->size() != n)
    throw InternalError(name() + ": backward called without a matching training forward");
  const float* m = mask_.data();
  const float* g = dout.data();
  float* d = din[0]->data();
  for (std::size_t i = 0; i < n; ++i) d[i] = m[i] * g[i];
}

}  // namespace xbarsim

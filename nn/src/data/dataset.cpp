// ImageDataset preprocessing: normalisation, slicing, shuffling and batching (see dataset.hpp).
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/nn/dataset.hpp>

namespace xbarsim {

Normalization channel_stats(const ImageDataset& d) {
  const Shape s = d.images.shape();
  const std::size_t plane = s.h * s.w;
  Normalization out;
  out.mean.assign(s.c, 0.0);
  out.std.assign(s.c, 0.0);
  const double count = static_cast<double>(s.n * plane);
  if (count == 0) throw ConfigError(d.name.empty() ? "dataset" : d.name, "is empty: no statistics to compute");
  // Two passes (mean, then squared deviations) avoid the cancellation of E[x^2] - E[x]^2.
  for (std::size_t n = 0; n < s.n; ++n)
    for (std::size_t c = 0; c < s.c; ++c) {
      const float* p = d.images.data() + (n * s.c + c) * plane;
      double acc = 0.0;
      for (std::size_t i = 0; i < plane; ++i) acc += p[i];
      out.mean[c] += acc;
    }
  for (auto& m : out.mean) m /= count;
  for (std::size_t n = 0; n < s.n; ++n)
    for (std::size_t c = 0; c < s.c; ++c) {
      const float* p = d.images.data() + (n * s.c + c) * plane;
      double acc = 0.0;
      for (std::size_t i = 0; i < plane; ++i) {
        const double e = p[i] - out.mean[c];
        acc += e * e;
      }
      out.std[c] += acc;
    }
  for (auto& v : out.std) v = std::sqrt(v / count);
  return out;
}

void normalize(ImageDataset& d, const Normalization& nz) {
  const Shape s = d.images.shape();
  const std::string who = d.name.empty() ? "dataset" : d.name;
  if (nz.mean.size() != s.c || nz.std.size() != s.c)
    throw ConfigError(who + ".normalization",
                      "expected " + std::to_string(s.c) + " mean and std entries (one per channel), got " +
                          std::to_string(nz.mean.size()) + " and " + std::to_string(nz.std.size()));
  for (std::size_t c = 0; c < s.c; ++c)
    if (!(nz.std[c] > 0.0))
      throw ConfigError(who + ".normalization.std[" + std::to_string(c) + "]",
                        "expected a positive standard deviation, got " + std::to_string(nz.std[c]));
  const std::size_t plane = s.h * s.w;
  for (std::size_t n = 0; n < s.n; ++n)
    for (std::size_t c = 0; c < s.c; ++c) {
      // Same arithmetic as torchvision's Normalize: (x - mean) / std in float.
      const float m = static_cast<float>(nz.mean[c]), sd = static_cast<float>(nz.std[c]);
      float* p = d.images.data() + (n * s.c + c) * plane;
      for (std::size_t i = 0; i < plane; ++i) p[i] = (p[i] - m) / sd;
    }
}

ImageDataset slice(const ImageDataset& d, std::size_t begin, std::size_t count) {
  if (begin > d.size() || count > d.size() - begin)
    throw ConfigError(d.name.empty() ? "dataset" : d.name, "slice [" + std::to_string(begin) + ", " +
                                                               std::to_string(begin + count) + ") exceeds its " +
                                                               std::to_string(d.size()) + " samples");
  ImageDataset out;
  Shape s = d.images.shape();
  const std::size_t ss = s.sample_size();
  s.n = count;
  out.images = Tensor(s);
  std::copy(d.images.data() + begin * ss, d.images.data() + (begin + count) * ss, out.images.data());
  out.labels.assign(d.labels.begin() + static_cast<std::ptrdiff_t>(begin),
                    d.labels.begin() + static_cast<std::ptrdiff_t>(begin + count));
  out.classes = d.classes;
  out.name = d.name;
  return out;
}

std::vector<std::size_t> shuffled_indices(std::size_t n, std::uint64_t seed, std::uint64_t epoch) {
  if (n > 0xffffffffull) throw ConfigError("shuffle", "more than 2^32 samples are not supported");
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  const RngKey key(seed, rng_purpose("nn.shuffle"));
  CounterRng rng(key, static_cast<std::uint32_t>(epoch), static_cast<std::uint32_t>(epoch >> 32));
  // Fisher-Yates (Durstenfeld): swap i with j uniform in [0, i]. j comes from Lemire's
  // multiply-shift with rejection, which is exactly uniform (no modulo bias).
  for (std::size_t i = n; i-- > 1;) {
    const std::uint64_t range = i + 1;
    std::uint64_t m = std::uint64_t{rng.next_u32()} * range;
    auto low = static_cast<std::uint32_t>(m);
    if (low < range) {
      const auto threshold = static_cast<std::uint32_t>((0x100000000ull - range) % range);
      while (low < threshold) {
        m = std::uint64_t{rng.next_u32()} * range;
        low = static_cast<std::uint32_t>(m);
      }
    }
    std::swap(idx[i], idx[static_cast<std::size_t>(m >> 32)]);
  }
  return idx;
}

void gather_batch(const ImageDataset& d, const std::vector<std::size_t>& order, std::size_t begin, std::size_t end,
                  Tensor& x, std::vector<std::uint8_t>& y) {
  if (begin > end || end > order.size())
    throw InternalError("gather_batch: range [" + std::to_string(begin) + ", " + std::to_string(end) +
                        ") outside the order of " + std::to_string(order.size()));
  Shape s = d.images.shape();
  const std::size_t ss = s.sample_size();
  s.n = end - begin;
  if (!(x.shape() == s)) x.resize(s);
  y.resize(s.n);
  for (std::size_t k = begin; k < end; ++k) {
    const std::size_t i = order[k];
    if (i >= d.size()) throw InternalError("gather_batch: sample index out of range");
    std::copy(d.images.data() + i * ss, d.images.data() + (i + 1) * ss, x.data() + (k - begin) * ss);
    y[k - begin] = d.labels[i];
  }
}

}  // namespace xbarsim

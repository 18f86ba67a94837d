#include <Random123/philox.h>

#include <cmath>
#include <numbers>
#include <xbarsim/core/random.hpp>

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

inline void box_muller(float u1, float u2, float& z0, float& z1) {
  const float r = std::sqrt(-2.0f * std::log(u1));
  const float theta = 2.0f * std::numbers::pi_v<float> * u2;
  z0 = r * std::cos(theta);
  z1 = r * std::sin(theta);
}
}  // namespace

RngKey::RngKey(std::uint64_t seed, std::uint32_t purpose) {
  const std::uint64_t k = mix64(seed ^ mix64(0x5851f42d4c957f2dull * (static_cast<std::uint64_t>(purpose) + 1)));
  k0 = static_cast<std::uint32_t>(k);
  k1 = static_cast<std::uint32_t>(k >> 32);
}

std::array<std::uint32_t, 4> philox_block(const RngKey& key, std::uint32_t index, std::uint32_t a,
                                          std::uint32_t b, std::uint32_t c) {
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

void normal_block(float* out, std::size_t n, const RngKey& key, StreamId id, std::uint64_t first) {
  // Element k of a stream comes from Philox block k / 4; its four uniforms become four
  // normals through two Box-Muller pairs.
  std::size_t i = 0;
  std::uint64_t pos = first;
  while (i < n) {
    const auto r = philox_block(key, static_cast<std::uint32_t>(pos / 4), id.a, id.b, id.c);
    float z[4];
    box_muller(u32_to_open01f(r[0]), u32_to_open01f(r[1]), z[0], z[1]);
    box_muller(u32_to_open01f(r[2]), u32_to_open01f(r[3]), z[2], z[3]);
    for (std::size_t j = pos % 4; j < 4 && i < n; ++j, ++i, ++pos) out[i] = z[j];
  }
}

std::uint64_t derive_seed(std::uint64_t master, std::uint64_t index) { return mix64(master ^ mix64(index + 1)); }

}  // namespace xbarsim

#pragma once
// Counter-based random numbers (Random123 Philox4x32-10). Every draw is a pure function
// of (master seed, purpose, logical coordinates, index): no engine state is shared
// between threads, so results do not depend on thread count or call order.
//
//   RngKey key(seed, rng_purpose("pcm.read_noise"));
//   CounterRng rng(key, row, read_index);   // one stream per logical coordinate
//   double x = rng.normal();
//   normal_block(out, n, key, row, step);   // batched: out[i] depends on (key, row, step, i)
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace xbarsim {

/// Compile-time hash of a purpose name ("rram.c2c", "pcm.programming", ...). Using
/// names instead of a central enum lets each module own its purposes.
constexpr std::uint32_t rng_purpose(std::string_view name) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (char c : name) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

/// Philox key derived from the master seed and a purpose.
struct RngKey {
  std::uint32_t k0 = 0;
  std::uint32_t k1 = 0;
  RngKey() = default;
  RngKey(std::uint64_t seed, std::uint32_t purpose);
};

/// Four raw 32-bit words for counter (index, a, b, c) under `key`.
std::array<std::uint32_t, 4> philox_block(const RngKey& key, std::uint32_t index, std::uint32_t a, std::uint32_t b,
                                          std::uint32_t c);

/// Maps a 32-bit word to a float in the open interval (0, 1).
inline float u32_to_open01f(std::uint32_t x) { return (static_cast<float>(x >> 8) + 0.5f) * (1.0f / 16777216.0f); }
/// Maps a 32-bit word to a double in the open interval (0, 1).
inline double u32_to_open01(std::uint32_t x) { return (static_cast<double>(x) + 0.5) * (1.0 / 4294967296.0); }

/// A sequential stream at fixed logical coordinates (a, b, c). Cheap to construct;
/// construct one per coordinate rather than sharing one across threads.
class CounterRng {
 public:
  CounterRng(const RngKey& key, std::uint32_t a = 0, std::uint32_t b = 0, std::uint32_t c = 0)
      : key_(key), a_(a), b_(b), c_(c) {}
  /// Uniform in (0, 1).
  double uniform();
  /// Standard normal (Box-Muller).
  double normal();
  /// Raw 32-bit word.
  std::uint32_t next_u32();

 private:
  RngKey key_;
  std::uint32_t a_, b_, c_;
  std::uint32_t index_ = 0;
  std::array<std::uint32_t, 4> buf_{};
  int used_ = 4;
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

/// Logical coordinates of one stream of numbers (e.g. tile, column, pulse step).
struct StreamId {
  std::uint32_t a = 0, b = 0, c = 0;
};

/// out[i] ~ N(0, 1): element `first + i` of stream `id`, for i in [0, n). Any split of a
/// stream into blocks gives the same numbers, so row blocks can be processed in parallel.
void normal_block(float* out, std::size_t n, const RngKey& key, StreamId id, std::uint64_t first = 0);
/// out[i] ~ U(0, 1): element `first + i` of stream `id`, for i in [0, n).
void uniform_block(float* out, std::size_t n, const RngKey& key, StreamId id, std::uint64_t first = 0);

/// out[i] = raw 32-bit word `first + i` of stream `id`, for i in [0, n): word k is word
/// k % 4 of Philox block k / 4 (counter (k / 4, a, b, c)), the same element layout as
/// uniform_block, so bits_block(...)[i] maps to uniform_block's element through
/// u32_to_open01f. Vectorised (AVX-512 / AVX2 / SSE2 picked at run time, identical
/// words on every path); any split into blocks gives the same words.
void bits_block(std::uint32_t* out, std::size_t n, const RngKey& key, StreamId id, std::uint64_t first = 0);

/// Derive a child seed (for repeats or sub-runs) from a master seed and an index.
std::uint64_t derive_seed(std::uint64_t master, std::uint64_t index);

}  // namespace xbarsim

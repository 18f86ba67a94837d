// The batched normal generator of core/random.cpp that every rpu-step update draws
// from: same Philox stream as philox_block(), Box-Muller accuracy, split invariance.
// (Lives with the rpu tests because the rpu helper owns random.cpp's internals.)
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>
#include <xbarsim/core/random.hpp>

using namespace xbarsim;

TEST_CASE("normal_block is Box-Muller of the philox_block words to float accuracy", "[devices][rpu]") {
  // Reference: Box-Muller in double precision from Random123's Philox4x32-10 words
  // (philox_block): element k is normal k % 4 of block k / 4; normals 0, 1 (2, 3) are
  // r cos t, r sin t with r = sqrt(-2 ln u(word 0 (2))), u = u32_to_open01f, and
  // t = 2 pi (m + 1/2)/2^24, m = word 1 (3) >> 8. The float implementation must agree to
  // ~1e-6 (relative to the largest normals, |z| < 5.9).
  const RngKey key(2718, rng_purpose("test.rpu.normal"));
  const StreamId id{3, 1, 4};
  const std::size_t n = 1 << 18;
  std::vector<float> z(n);
  normal_block(z.data(), n, key, id, 12345);
  double max_err = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = 12345 + i;
    const auto r = philox_block(key, static_cast<std::uint32_t>(k / 4), id.a, id.b, id.c);
    const std::size_t pair = (k % 4) / 2 * 2;
    const double radius = std::sqrt(-2.0 * std::log(static_cast<double>(u32_to_open01f(r[pair]))));
    const double t = 2.0 * std::numbers::pi * ((r[pair + 1] >> 8) + 0.5) / 16777216.0;
    const double ref = (k % 2 == 0) ? radius * std::cos(t) : radius * std::sin(t);
    max_err = std::max(max_err, std::abs(ref - z[i]));
  }
  CHECK(max_err < 2e-6);
  CHECK(max_err > 0.0);  // float arithmetic: not literally the double reference
}

TEST_CASE("normal_block gives the same bits for any split of a stream", "[devices][rpu]") {
  // Reference: the contract of random.hpp (element first + i of a stream is a pure
  // function of key, stream and index). Element-wise calls take the scalar path,
  // long calls the vector kernels, so this also pins the kernels to the scalar code.
  const RngKey key(1, rng_purpose("test.rpu.split"));
  const StreamId id{9, 8, 7};
  const std::size_t n = 5000;
  std::vector<float> whole(n), pieces(n), single(n);
  normal_block(whole.data(), n, key, id, 3);
  for (std::size_t i = 0; i < n; ++i) normal_block(&single[i], 1, key, id, 3 + i);
  CHECK(std::memcmp(whole.data(), single.data(), n * sizeof(float)) == 0);
  std::size_t pos = 0, len = 1;
  while (pos < n) {
    const std::size_t m = std::min(n - pos, len);
    normal_block(&pieces[pos], m, key, id, 3 + pos);
    pos += m;
    len = len * 5 % 97 + 1;
  }
  CHECK(std::memcmp(whole.data(), pieces.data(), n * sizeof(float)) == 0);
}

TEST_CASE("normal_block tails follow the normal distribution", "[devices][rpu]") {
  // Reference: standard normal tail probabilities P(|Z| > 2) = 0.0455, P(|Z| > 3) = 0.0027
  // (erfc); 2^21 draws give standard errors 1.4e-4 and 3.6e-5.
  const std::size_t n = 1 << 21;
  std::vector<float> z(n);
  normal_block(z.data(), n, RngKey(5, rng_purpose("test.rpu.tails")), {0, 0, 0});
  double t2 = 0, t3 = 0;
  for (float x : z) {
    t2 += std::abs(x) > 2.0f;
    t3 += std::abs(x) > 3.0f;
  }
  CHECK(t2 / n == Approx(std::erfc(2.0 / std::sqrt(2.0))).margin(7e-4));
  CHECK(t3 / n == Approx(std::erfc(3.0 / std::sqrt(2.0))).margin(2e-4));
}

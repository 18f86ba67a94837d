#include <catch2/catch.hpp>
#include <cmath>
#include <vector>
#include <xbarsim/core/random.hpp>

using namespace xbarsim;

TEST_CASE("philox matches the Random123 known-answer vector", "[core]") {
  // Known-answer test from Random123's kat_vectors: philox4x32 10 rounds, counter and
  // key all zero -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8. RngKey mixes the seed, so
  // build the raw key directly.
  RngKey key;
  key.k0 = 0;
  key.k1 = 0;
  const auto r = philox_block(key, 0, 0, 0, 0);
  CHECK(r[0] == 0x6627e8d5u);
  CHECK(r[1] == 0xe169c58du);
  CHECK(r[2] == 0xbc57ac4cu);
  CHECK(r[3] == 0x9b00dbd8u);
}

TEST_CASE("blocks of a stream are independent of how the stream is split", "[core]") {
  const RngKey key(42, rng_purpose("test.split"));
  std::vector<float> whole(103), parts(103);
  normal_block(whole.data(), whole.size(), key, {1, 2, 3});
  normal_block(parts.data(), 5, key, {1, 2, 3}, 0);
  normal_block(parts.data() + 5, 50, key, {1, 2, 3}, 5);
  normal_block(parts.data() + 55, 48, key, {1, 2, 3}, 55);
  CHECK(whole == parts);
}

TEST_CASE("normal_block has zero mean and unit variance", "[core]") {
  // Reference: standard normal; with n = 4e5 the standard error of the mean is
  // 1/sqrt(n) = 1.6e-3 and of the variance sqrt(2/n) = 2.2e-3; bounds are ~5 sigma.
  const std::size_t n = 400000;
  std::vector<float> z(n);
  normal_block(z.data(), n, RngKey(7, rng_purpose("test.moments")), {0, 0, 0});
  double s = 0, s2 = 0, s4 = 0;
  for (float x : z) {
    s += x;
    s2 += double(x) * x;
    s4 += double(x) * x * x * x;
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  CHECK(std::abs(mean) < 0.008);
  CHECK(std::abs(var - 1.0) < 0.011);
  CHECK(std::abs(s4 / n - 3.0) < 0.05);  // kurtosis of a normal is 3 (s.e. ~ sqrt(96/n) = 0.015)
}

TEST_CASE("different purposes and seeds give different streams", "[core]") {
  const auto a = philox_block(RngKey(1, rng_purpose("a")), 0, 0, 0, 0);
  const auto b = philox_block(RngKey(1, rng_purpose("b")), 0, 0, 0, 0);
  const auto c = philox_block(RngKey(2, rng_purpose("a")), 0, 0, 0, 0);
  CHECK(a != b);
  CHECK(a != c);
  CHECK(rng_purpose("a") != rng_purpose("b"));
}

TEST_CASE("bits_block equals philox_block words and is independent of the split", "[core]") {
  // Reference: Random123's philox via philox_block(): word k of a stream is word k % 4
  // of block k / 4 (the element layout of uniform_block). Lengths and offsets cover the
  // scalar ends, the 16-lane AVX-512 batches and the 8-lane remainder.
  const RngKey key(99, rng_purpose("test.bits"));
  const StreamId id{4, 5, 6};
  const std::size_t n = 1000;
  std::vector<std::uint32_t> whole(n), parts(n);
  bits_block(whole.data(), n, key, id, 3);
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint64_t e = k + 3;
    const auto r = philox_block(key, static_cast<std::uint32_t>(e / 4), id.a, id.b, id.c);
    REQUIRE(whole[k] == r[e % 4]);
  }
  bits_block(parts.data(), 1, key, id, 3);
  bits_block(parts.data() + 1, 70, key, id, 4);
  bits_block(parts.data() + 71, 2, key, id, 74);
  bits_block(parts.data() + 73, n - 73, key, id, 76);
  CHECK(whole == parts);
  // The same words as uniform_block through u32_to_open01f.
  std::vector<float> u(n);
  uniform_block(u.data(), n, key, id, 3);
  for (std::size_t k = 0; k < n; ++k) REQUIRE(u[k] == u32_to_open01f(whole[k]));
}

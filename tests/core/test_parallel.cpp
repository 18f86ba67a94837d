#include <catch2/catch.hpp>
#include <numeric>
#include <vector>
#include <xbarsim/core/parallel.hpp>

using namespace xbarsim;

TEST_CASE("parallel_blocks covers every index exactly once with fixed blocks", "[core]") {
  std::vector<int> hits(1003, 0);
  parallel_blocks(hits.size(), 17, [&](std::size_t b, std::size_t e) {
    CHECK(b % 17 == 0);
    for (std::size_t i = b; i < e; ++i) ++hits[i];
  });
  CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
}

TEST_CASE("parallel_reduce_blocks is bit-identical for 1, 2 and 7 threads", "[core]") {
  // Floating-point sums depend on order; a fixed block order makes them reproducible.
  std::vector<double> x(100000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.0 / (1.0 + static_cast<double>(i) * 0.37);
  auto sum = [&] {
    return parallel_reduce_blocks(
        x.size(), 1000, 0.0,
        [&](std::size_t b, std::size_t e) { return std::accumulate(x.begin() + b, x.begin() + e, 0.0); },
        [](double a, double b) { return a + b; });
  };
  double s1, s2, s7;
  {
    ThreadLimit t(1);
    s1 = sum();
  }
  {
    ThreadLimit t(2);
    s2 = sum();
  }
  {
    ThreadLimit t(7);
    s7 = sum();
  }
  CHECK(s1 == s2);
  CHECK(s1 == s7);
}

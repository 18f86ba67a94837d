// The structured transfer matrix against the general sparse (CHOLMOD) solver, which
// test_solver_ngspice.cpp ties to ngspice (max relative error 4e-13).
#include <catch2/catch.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/transfer_matrix.hpp>

using namespace xbarsim;

namespace {
arma::mat random_G(arma::uword r, arma::uword c, std::uint32_t seed, double zero_fraction = 0.0) {
  std::vector<float> u(r * c), z(r * c);
  uniform_block(u.data(), u.size(), RngKey(seed, rng_purpose("test.tm.G")), {0, 0, 0});
  uniform_block(z.data(), z.size(), RngKey(seed, rng_purpose("test.tm.zero")), {0, 0, 0});
  arma::mat G(r, c);
  for (arma::uword k = 0; k < G.n_elem; ++k) G(k) = z[k] < zero_fraction ? 0.0 : 1e-6 + 99e-6 * u[k];
  return G;
}

double max_rel_diff(const arma::mat& a, const arma::mat& b) { return arma::abs(a - b).max() / arma::abs(b).max(); }
}  // namespace

TEST_CASE("structured transfer matrix equals the sparse solver's", "[crossbar]") {
  struct Case {
    arma::uword rows, cols;
    WireParams w;
    double zeros;
  };
  const std::vector<Case> cases = {
      {1, 1, {1.0, 1.0, 10.0, 20.0}, 0.0},     {1, 9, {2.5, 1.0, 30.0, 40.0}, 0.0},
      {9, 1, {1.0, 2.5, 30.0, 40.0}, 0.0},     {5, 7, {0.5, 3.0, 15.0, 60.0}, 0.2},
      {16, 16, {1.0, 1.0, 50.0, 50.0}, 0.0},   {24, 11, {5.0, 0.2, 100.0, 10.0}, 0.5},
      {40, 64, {1.06, 1.06, 50.0, 50.0}, 0.0},  // NeuroSim 22 nm wire per cell
      {32, 32, {1e3, 1e3, 1e3, 1e3}, 0.0},      // strong IR drop: G r ~ 0.1 per cell
  };
  std::uint32_t seed = 1;
  for (const auto& c : cases) {
    INFO(c.rows << " x " << c.cols);
    const arma::mat G = random_G(c.rows, c.cols, seed++, c.zeros);
    const arma::mat sparse = LinearCrossbarSolver(G, c.w).transfer_matrix();
    const arma::mat structured = crossbar_transfer_matrix(G, c.w);
    REQUIRE(structured.n_rows == c.rows);
    REQUIRE(structured.n_cols == c.cols);
    CHECK(max_rel_diff(structured, sparse) < 1e-9);
  }
}

TEST_CASE("structured transfer matrix: 1 x 1 closed form and input validation", "[crossbar]") {
  // Reference: three resistors in series, V / (r_source + 1/G + r_sink) per volt.
  const WireParams w{1.0, 1.0, 10.0, 20.0};
  const arma::mat T = crossbar_transfer_matrix(arma::mat(1, 1, arma::fill::value(1e-4)), w);
  CHECK(T(0, 0) == Approx(1.0 / (10.0 + 1e4 + 20.0)).epsilon(1e-12));
  CHECK_THROWS_WITH(crossbar_transfer_matrix(arma::mat(1, 1, arma::fill::value(-1e-6)), w),
                    Catch::Contains("G(0, 0): expected a finite conductance >= 0 S"));
  CHECK_THROWS_AS(crossbar_transfer_matrix(arma::mat(1, 1, arma::fill::value(1e-6)), WireParams{0.0, 1.0, 1.0, 1.0}),
                  ConfigError);
}

// NoisyCrossbarSolver (PCG preconditioned by the noise-free factorisation) against the
// direct exact solve of the perturbed network, LinearCrossbarSolver(G).currents(v),
// which is itself validated against closed forms (test_circuit_solver.cpp) and ngspice
// (test_solver_ngspice.cpp).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/noisy_solver.hpp>

using namespace xbarsim;

namespace {

const RngKey kKey(4321, rng_purpose("test.crossbar.noisy_solver"));

arma::mat uniform_matrix(std::size_t r, std::size_t c, double lo, double hi, std::uint32_t stream) {
  std::vector<float> u(r * c);
  uniform_block(u.data(), u.size(), kKey, {stream, 0, 0});
  arma::mat m(r, c);
  for (std::size_t k = 0; k < u.size(); ++k) m(k) = lo + (hi - lo) * u[k];
  return m;
}

// Multiplicative read noise G0 (1 + sigma xi), xi ~ N(0, 1) from core/random.hpp,
// clipped at 0 S (a conductance cannot be negative).
arma::mat with_read_noise(const arma::mat& G0, double sigma, std::uint32_t stream) {
  std::vector<float> xi(G0.n_elem);
  normal_block(xi.data(), xi.size(), kKey, {stream, 1, 0});
  arma::mat G = G0;
  for (std::size_t k = 0; k < G.n_elem; ++k) G(k) = std::max(0.0, G0(k) * (1.0 + sigma * xi[k]));
  return G;
}

double max_rel_err(const arma::rowvec& a, const arma::rowvec& b) {
  return arma::abs(a - b).max() / std::max(arma::abs(b).max(), 1e-300);
}

// Wires heavy enough for a visible IR drop: 2 ohm per segment, 50 ohm driver and sink.
WireParams test_wires() {
  WireParams w;
  w.r_row_ohm = w.r_col_ohm = 2.0;
  w.r_source_ohm = w.r_sink_ohm = 50.0;
  return w;
}

constexpr std::size_t kRows = 40, kCols = 32;

}  // namespace

TEST_CASE("noisy solver with G == G0 converges in one iteration to the direct solution", "[crossbar][noisy_solver]") {
  // Reference: LinearCrossbarSolver(G0). With the exact inverse as preconditioner the
  // first PCG step is x = A(G0)^{-1} b, already the solution (alpha = 1).
  const arma::mat G0 = uniform_matrix(kRows, kCols, 1e-6, 1e-4, 1);
  const arma::rowvec v = uniform_matrix(1, kRows, -0.3, 0.3, 2);
  const NoisyCrossbarSolver solver(G0, test_wires());
  const NoisySolveResult r = solver.currents(G0, v);
  CHECK(r.iterations == 1);
  const arma::rowvec I_ref = LinearCrossbarSolver(G0, test_wires()).currents(v);
  CHECK(max_rel_err(r.currents_A, I_ref) <= 1e-12);
}

TEST_CASE("noisy solver with 5 % read noise equals the direct solve of the noisy network", "[crossbar][noisy_solver]") {
  // Reference: LinearCrossbarSolver(G).currents(v), the exact solve of the perturbed
  // network. Iterations: the preconditioned operator is I + E with ||E|| ~ 0.05 * a few,
  // so each iteration gains about one digit; expect well under 10.
  const arma::mat G0 = uniform_matrix(kRows, kCols, 1e-6, 1e-4, 3);
  const NoisyCrossbarSolver solver(G0, test_wires());
  for (std::uint32_t mvm = 0; mvm < 3; ++mvm) {
    const arma::mat G = with_read_noise(G0, 0.05, 10 + mvm);
    const arma::rowvec v = uniform_matrix(1, kRows, -0.3, 0.3, 20 + mvm);
    const NoisySolveResult r = solver.currents(G, v);
    const arma::rowvec I_ref = LinearCrossbarSolver(G, test_wires()).currents(v);
    const arma::rowvec I_free = LinearCrossbarSolver(G0, test_wires()).currents(v);
    INFO("MVM " << mvm << ": " << r.iterations << " PCG iterations, rel_update " << r.rel_update);
    // The noise must matter, or the comparison below could not fail.
    CHECK(max_rel_err(I_free, I_ref) > 1e-3);
    CHECK(max_rel_err(r.currents_A, I_ref) <= 1e-6);
    CHECK(r.iterations >= 2);
    CHECK(r.iterations < 10);
  }
}

TEST_CASE("noisy solver converges for 30 % read noise", "[crossbar][noisy_solver]") {
  // Reference: LinearCrossbarSolver(G).currents(v). Larger noise needs more iterations
  // than 5 % but still converges (A(G) stays SPD for any G >= 0).
  const arma::mat G0 = uniform_matrix(kRows, kCols, 1e-6, 1e-4, 4);
  const NoisyCrossbarSolver solver(G0, test_wires());
  const arma::mat G = with_read_noise(G0, 0.3, 30);
  const arma::rowvec v = uniform_matrix(1, kRows, -0.3, 0.3, 31);
  const NoisySolveResult r = solver.currents(G, v);
  INFO(r.iterations << " PCG iterations");
  CHECK(max_rel_err(r.currents_A, LinearCrossbarSolver(G, test_wires()).currents(v)) <= 1e-6);
  CHECK(r.iterations > solver.currents(with_read_noise(G0, 0.05, 30), v).iterations);
  CHECK(r.iterations < 40);
}

TEST_CASE("noisy solver: zero input gives zero currents", "[crossbar][noisy_solver]") {
  // Reference: linearity, b = 0 -> x = 0.
  const arma::mat G0 = uniform_matrix(4, 3, 1e-6, 1e-4, 5);
  const NoisySolveResult r =
      NoisyCrossbarSolver(G0, test_wires()).currents(G0 * 1.1, arma::rowvec(4, arma::fill::zeros));
  CHECK(arma::all(r.currents_A == 0.0));
}

TEST_CASE("noisy solver rejects bad input", "[crossbar][noisy_solver]") {
  const arma::mat G0 = uniform_matrix(5, 4, 1e-6, 1e-4, 6);
  const NoisyCrossbarSolver solver(G0, test_wires());
  const arma::rowvec v(5, arma::fill::value(0.1));
  CHECK_THROWS_AS(solver.currents(arma::mat(4, 5, arma::fill::value(1e-5)), v), ConfigError);
  arma::mat G_neg = G0;
  G_neg(2, 1) = -1e-6;
  CHECK_THROWS_AS(solver.currents(G_neg, v), ConfigError);
  arma::mat G_nan = G0;
  G_nan(0, 0) = std::nan("");
  CHECK_THROWS_AS(solver.currents(G_nan, v), ConfigError);
  CHECK_THROWS_AS(solver.currents(G0, arma::rowvec(4, arma::fill::ones)), ConfigError);
  CHECK_THROWS_AS(solver.currents(G0, v, 0.0), ConfigError);
  CHECK_THROWS_AS(NoisyCrossbarSolver(G_neg, test_wires()), ConfigError);
  CHECK_THROWS_AS(NoisyCrossbarSolver(G0, test_wires(), 0), ConfigError);
}

TEST_CASE("noisy solver throws NumericalError when the iteration budget is too small", "[crossbar][noisy_solver]") {
  // One iteration only reproduces the noise-free solution, whose error is ~ the noise.
  const arma::mat G0 = uniform_matrix(kRows, kCols, 1e-6, 1e-4, 7);
  const NoisyCrossbarSolver solver(G0, test_wires(), 1);
  const arma::rowvec v = uniform_matrix(1, kRows, -0.3, 0.3, 8);
  CHECK_THROWS_AS(solver.currents(with_read_noise(G0, 0.05, 9), v), NumericalError);
}

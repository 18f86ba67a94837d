// Read-noise MVM benchmark (issue 3 goal: conductances changing every MVM at 256 x 256,
// <= 20 ms per MVM at <= 1e-6 relative error). On one thread, 20 MVMs each with fresh
// 5 % multiplicative read noise G = G0 (1 + 0.05 xi):
//   (a) NoisyCrossbarSolver: PCG preconditioned by the noise-free factorisation;
//   (b) baseline: a fresh LinearCrossbarSolver (assembly + CHOLMOD factorisation) per MVM.
// Prints ms per MVM for both, the ratio, the mean PCG iterations and the max relative
// error of (a) against (b). Usage: bench_noisy_solve [rel_tol=1e-9] [size=256]
#include "bench_util.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/noisy_solver.hpp>

using namespace xbarsim;
using bench::seconds_since;
using bench::uniform_matrix;

namespace {

// G0 (1 + sigma xi), xi ~ N(0, 1) from the project RNG, one stream per MVM.
arma::mat noisy(const arma::mat& G0, double sigma, std::uint32_t mvm) {
  std::vector<float> xi(G0.n_elem);
  normal_block(xi.data(), xi.size(), RngKey(11, rng_purpose("bench.noisy_solve.read_noise")), {mvm, 0, 0});
  arma::mat G = G0;
  for (std::size_t k = 0; k < G.n_elem; ++k) G(k) = std::max(0.0, G0(k) * (1.0 + sigma * xi[k]));
  return G;
}

}  // namespace

int main(int argc, char** argv) {
  xbarsim::bench::use_matching_blas_kernels(argv);
  const double rel_tol = argc > 1 ? std::atof(argv[1]) : 1e-9;
  const std::size_t n = argc > 2 ? static_cast<std::size_t>(std::atol(argv[2])) : 256;
  const std::size_t mvms = 20;
  const double sigma = 0.05;
  ThreadLimit one_thread(1);
  // Same cell and wire values as bench/solve_bench.cpp: 1-100 uS cells, 1 ohm per wire
  // segment (NeuroSim 22 nm), 50 ohm driver and sink.
  const arma::mat G0 = uniform_matrix(n, n, 1e-6, 1e-4, rng_purpose("bench.solve.G"));
  const arma::mat V = uniform_matrix(mvms, n, -0.2, 0.2, rng_purpose("bench.solve.V"));
  WireParams w;
  w.r_row_ohm = w.r_col_ohm = 1.0;
  w.r_source_ohm = w.r_sink_ohm = 50.0;

  std::vector<arma::mat> Gs;
  for (std::size_t k = 0; k < mvms; ++k) Gs.push_back(noisy(G0, sigma, static_cast<std::uint32_t>(k)));

  const auto t_setup = std::chrono::steady_clock::now();
  const NoisyCrossbarSolver pcg(G0, w);
  const double setup_s = seconds_since(t_setup);

  arma::mat I_pcg(mvms, n), I_direct(mvms, n);
  std::size_t iterations = 0;
  const auto ta = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < mvms; ++k) {
    const NoisySolveResult r = pcg.currents(Gs[k], V.row(k), rel_tol);
    I_pcg.row(k) = r.currents_A;
    iterations += r.iterations;
  }
  const double pcg_s = seconds_since(ta);

  const auto tb = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < mvms; ++k) I_direct.row(k) = LinearCrossbarSolver(Gs[k], w).currents(V.row(k));
  const double direct_s = seconds_since(tb);

  double max_rel = 0.0;
  for (std::size_t k = 0; k < mvms; ++k)
    max_rel = std::max(max_rel, arma::abs(I_pcg.row(k) - I_direct.row(k)).max() / arma::abs(I_direct.row(k)).max());

  std::printf("%zu x %zu, %zu MVMs, read noise %.0f %%, rel_tol %.1e, 1 thread\n", n, n, mvms, 100 * sigma, rel_tol);
  std::printf("noise-free factorisation (once): %.1f ms\n", 1e3 * setup_s);
  std::printf("(a) PCG:             %.2f ms/MVM, mean iterations %.2f\n", 1e3 * pcg_s / mvms,
              static_cast<double>(iterations) / mvms);
  std::printf("(b) direct per MVM:  %.2f ms/MVM\n", 1e3 * direct_s / mvms);
  std::printf("speedup (b)/(a):     %.2f\n", direct_s / pcg_s);
  std::printf("max rel error (a) vs (b): %.3e (max |dI| / max |I| per MVM)\n", max_rel);
  return 0;
}

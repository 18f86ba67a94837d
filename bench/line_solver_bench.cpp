// Factorisation-free line-block PCG (LineCrossbarSolver) against the issue 3 goals, on
// one thread:
//   (a) 1024 x 1024 single exact solve <= 20 s within 8 GiB: G uniform in [1e-6, 1e-4] S,
//       default wires (1 ohm everywhere); time, iterations, peak RSS; the CHOLMOD direct
//       solve (LinearCrossbarSolver, ~22 s) only with --with-cholmod.
//   (b) 256 x 256 with conductances changing every MVM (G = G0 (1 + 0.05 xi) per
//       vector), 100 vectors, wires as bench_noisy_solve (1 ohm segments, 50 ohm driver
//       and sink): ms per MVM, max relative error vs CHOLMOD on 3 vectors, ratio vs the
//       CHOLMOD-preconditioned NoisyCrossbarSolver in the same run.
// Usage: bench_line_solver [--with-cholmod] [--rel-tol X] [--method schur|block_jacobi]
//                          [--skip-a] [--skip-b]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/line_solver.hpp>
#include <xbarsim/crossbar/noisy_solver.hpp>

#include "bench_util.hpp"

using namespace xbarsim;
using bench::seconds_since;
using bench::uniform_matrix;

namespace {

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double max_rel(const arma::rowvec& a, const arma::rowvec& b) { return arma::abs(a - b).max() / arma::abs(b).max(); }

arma::mat noisy(const arma::mat& G0, double sigma, std::uint32_t mvm) {
  std::vector<float> xi(G0.n_elem);
  normal_block(xi.data(), xi.size(), RngKey(13, rng_purpose("crossbar.line_solver_bench.read_noise")), {mvm, 0, 0});
  arma::mat G = G0;
  for (std::size_t k = 0; k < G.n_elem; ++k) G(k) = std::max(0.0, G0(k) * (1.0 + sigma * xi[k]));
  return G;
}

void part_a(const LineSolverOptions& opt, bool with_cholmod) {
  const std::size_t n = 1024;
  const arma::mat G = uniform_matrix(n, n, 1e-6, 1e-4, rng_purpose("bench.solve.G"));
  const arma::rowvec v = uniform_matrix(1, n, -0.2, 0.2, rng_purpose("bench.solve.V"));
  const WireParams w;  // 1 ohm row, column, source and sink
  const LineCrossbarSolver solver(w, n, n, opt);
  const auto t0 = std::chrono::steady_clock::now();
  const LineCrossbarSolver::Result r = solver.solve(G, v);
  const double line_s = seconds_since(t0);
  std::printf("(a) %zu x %zu single solve, method %s, rel_tol %.1e\n", n, n, opt.method.c_str(), opt.rel_tol);
  std::printf("    line PCG: %.3f s, %zu iterations, bound %.2e, peak RSS %.0f MiB\n", line_s, r.iterations,
              r.rel_error_bound, peak_rss_mib());
  if (!with_cholmod) return;
  const auto t1 = std::chrono::steady_clock::now();
  const arma::rowvec ref = LinearCrossbarSolver(G, w).currents(v);
  const double chol_s = seconds_since(t1);
  std::printf("    CHOLMOD:  %.3f s (factorise + solve), peak RSS %.0f MiB; speedup %.1fx, max rel err %.2e\n", chol_s,
              peak_rss_mib(), chol_s / line_s, max_rel(r.currents_A, ref));
}

void part_b(const LineSolverOptions& opt) {
  const std::size_t n = 256, mvms = 100, checked = 3;
  const double sigma = 0.05;
  const arma::mat G0 = uniform_matrix(n, n, 1e-6, 1e-4, rng_purpose("bench.solve.G"));
  const arma::mat V = uniform_matrix(mvms, n, -0.2, 0.2, rng_purpose("bench.solve.V"));
  WireParams w;
  w.r_source_ohm = w.r_sink_ohm = 50.0;
  std::vector<arma::mat> Gs;
  for (std::size_t k = 0; k < mvms; ++k) Gs.push_back(noisy(G0, sigma, static_cast<std::uint32_t>(k)));

  const LineCrossbarSolver line(w, n, n, opt);
  arma::mat I_line(mvms, n);
  std::size_t iterations = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < mvms; ++k) {
    const auto r = line.solve(Gs[k], V.row(k));
    I_line.row(k) = r.currents_A;
    iterations += r.iterations;
  }
  const double line_s = seconds_since(t0);

  const auto t1 = std::chrono::steady_clock::now();
  const NoisyCrossbarSolver pcg(G0, w);
  const double setup_s = seconds_since(t1);
  arma::mat I_noisy(mvms, n);
  const auto t2 = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < mvms; ++k) I_noisy.row(k) = pcg.currents(Gs[k], V.row(k)).currents_A;
  const double noisy_s = seconds_since(t2);

  double err_line = 0.0, err_noisy = 0.0;
  for (std::size_t k = 0; k < checked; ++k) {
    const arma::rowvec ref = LinearCrossbarSolver(Gs[k], w).currents(V.row(k));
    err_line = std::max(err_line, max_rel(I_line.row(k), ref));
    err_noisy = std::max(err_noisy, max_rel(I_noisy.row(k), ref));
  }
  std::printf("(b) %zu x %zu, %zu MVMs, fresh G = G0 (1 + %.2f xi) each, method %s, rel_tol %.1e\n", n, n, mvms, sigma,
              opt.method.c_str(), opt.rel_tol);
  std::printf("    line PCG:               %.2f ms/MVM, mean iterations %.1f, max rel err vs CHOLMOD %.2e\n",
              1e3 * line_s / mvms, static_cast<double>(iterations) / mvms, err_line);
  std::printf("    NoisyCrossbarSolver:    %.2f ms/MVM (+ %.0f ms factorisation once), max rel err %.2e\n",
              1e3 * noisy_s / mvms, 1e3 * setup_s, err_noisy);
  std::printf("    speedup noisy/line:     %.2fx\n", noisy_s / line_s);
}

}  // namespace

int main(int argc, char** argv) {
  xbarsim::bench::use_matching_blas_kernels(argv);
  LineSolverOptions opt;
  bool with_cholmod = false, do_a = true, do_b = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--with-cholmod"))
      with_cholmod = true;
    else if (!std::strcmp(argv[i], "--skip-a"))
      do_a = false;
    else if (!std::strcmp(argv[i], "--skip-b"))
      do_b = false;
    else if (!std::strcmp(argv[i], "--rel-tol") && i + 1 < argc)
      opt.rel_tol = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--method") && i + 1 < argc)
      opt.method = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: %s [--with-cholmod] [--rel-tol X] [--method schur|block_jacobi] [--skip-a] "
                   "[--skip-b]\n",
                   argv[0]);
      return 2;
    }
  }
  ThreadLimit one(1);
  if (do_a) part_a(opt, with_cholmod);
  if (do_b) part_b(opt);
  return 0;
}

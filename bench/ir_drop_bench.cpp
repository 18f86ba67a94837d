// Fast IR-drop model (ir_drop_model.hpp) against the exact transfer matrix (issue 5):
//   error table: G uniform in [1, 25] uS (PCM/RRAM read range), wire segments, driver and
//   sink all r ohm (r = 1 and 2.5), 256 random input vectors in [0, 1] and in [-1, 1];
//   relative output error ||V T_model - V T_exact||_F / ||V T_exact||_F for the ideal
//   wires (T = G), the fast model and the fast model with its per-column calibration.
//   timing: one conductance refresh (the matrix the tile multiplies by) at 256 x 256 and
//   1024 x 1024: fast, fast + calibration (one line-solver solve), exact transfer matrix
//   (the 1024 exact one only with --exact-1024: ~rows * cols^3 flops, minutes).
// Usage: bench_ir_drop [--threads N] [--exact-1024] [--skip-table]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/crossbar/ir_drop_model.hpp>
#include <xbarsim/crossbar/transfer_matrix.hpp>

#include "bench_util.hpp"

using namespace xbarsim;
using bench::seconds_since;
using bench::uniform_matrix;

namespace {

double rel(const arma::mat& a, const arma::mat& ref) { return arma::norm(a - ref, "fro") / arma::norm(ref, "fro"); }

WireParams wires_of(double r) { return WireParams{r, r, r, r}; }

void table() {
  std::printf("relative output error vs exact, 256 input vectors (G in [1, 25] uS, all resistances r)\n");
  std::printf("%6s %5s %7s | %9s %9s %9s | %8s %8s %8s\n", "n", "r", "inputs", "ideal", "fast", "fast+cal", "t_fast",
              "t_cal", "t_exact");
  for (const std::size_t n : {64, 128, 256})
    for (const double r : {1.0, 2.5}) {
      const arma::mat G = uniform_matrix(n, n, 1e-6, 25e-6, rng_purpose("crossbar.ir_drop_bench.G"));
      const WireParams w = wires_of(r);
      auto t0 = std::chrono::steady_clock::now();
      const arma::mat Tf = fast_transfer_matrix(G, w);
      const double t_fast = seconds_since(t0);
      t0 = std::chrono::steady_clock::now();
      const arma::rowvec c = fast_column_calibration(G, w, Tf);
      const double t_cal = seconds_since(t0);
      const arma::mat Tc = Tf.each_row() % c;
      t0 = std::chrono::steady_clock::now();
      const arma::mat T = crossbar_transfer_matrix(G, w);
      const double t_exact = seconds_since(t0);
      const arma::mat Vp = uniform_matrix(256, n, 0.0, 1.0, rng_purpose("crossbar.ir_drop_bench.V"));
      const arma::mat Vs = 2.0 * Vp - 1.0;
      for (int s = 0; s < 2; ++s) {
        const arma::mat& V = s == 0 ? Vp : Vs;
        const arma::mat I = V * T;
        std::printf("%6zu %5.1f %7s | %9.2e %9.2e %9.2e | %8.4f %8.4f %8.3f\n", n, r, s == 0 ? "[0,1]" : "[-1,1]",
                    rel(V * G, I), rel(V * Tf, I), rel(V * Tc, I), t_fast, t_cal, t_exact);
      }
      std::printf("%6s %5s %7s   mean IR drop 1 - sum(T)/sum(G) = %.3f\n", "", "", "",
                  1.0 - arma::accu(T) / arma::accu(G));
    }
}

void timing(bool exact_1024) {
  std::printf("\nrefresh time, seconds (G in [1, 25] uS, r = 1 ohm), best of 3 for fast\n");
  for (const std::size_t n : {256, 1024}) {
    const arma::mat G = uniform_matrix(n, n, 1e-6, 25e-6, rng_purpose("crossbar.ir_drop_bench.G"));
    const arma::fmat Gf = arma::conv_to<arma::fmat>::from(G);
    const WireParams w = wires_of(1.0);
    double t_fast = 1e30, t_fast_f = 1e30;
    arma::mat Tf;
    for (int k = 0; k < 3; ++k) {
      auto t0 = std::chrono::steady_clock::now();
      Tf = fast_transfer_matrix(G, w);
      t_fast = std::min(t_fast, seconds_since(t0));
      t0 = std::chrono::steady_clock::now();
      const arma::fmat Tff = fast_transfer_matrix(Gf, w);
      t_fast_f = std::min(t_fast_f, seconds_since(t0));
    }
    auto t0 = std::chrono::steady_clock::now();
    const arma::rowvec c = fast_column_calibration(G, w, Tf);
    const double t_cal = seconds_since(t0);
    std::printf("%5zu x %-5zu fast %.4f (float %.4f), calibration solve %.3f", n, n, t_fast, t_fast_f, t_cal);
    if (n <= 256 || exact_1024) {
      t0 = std::chrono::steady_clock::now();
      const arma::mat T = crossbar_transfer_matrix(G, w);
      const double t_exact = seconds_since(t0);
      std::printf(", exact transfer matrix %.3f (%.0fx fast)\n", t_exact, t_exact / t_fast);
      const arma::mat Vp = uniform_matrix(64, n, 0.0, 1.0, rng_purpose("crossbar.ir_drop_bench.V"));
      const arma::mat Vs = 2.0 * Vp - 1.0;
      std::printf(
          "      mean IR drop %.3f; relative error of T: fast %.2e, ideal %.2e; of 64 outputs in [0,1]: fast "
          "%.2e, ideal %.2e; in [-1,1]: fast %.2e, ideal %.2e",
          1.0 - arma::accu(T) / arma::accu(G), rel(Tf, T), rel(G, T), rel(Vp * Tf, Vp * T), rel(Vp * G, Vp * T),
          rel(Vs * Tf, Vs * T), rel(Vs * G, Vs * T));
    }
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::use_matching_blas_kernels(argv);
  std::size_t threads = 1;
  bool exact_1024 = false, skip_table = false;
  for (int k = 1; k < argc; ++k) {
    if (!std::strcmp(argv[k], "--threads") && k + 1 < argc)
      threads = static_cast<std::size_t>(std::atoi(argv[++k]));
    else if (!std::strcmp(argv[k], "--exact-1024"))
      exact_1024 = true;
    else if (!std::strcmp(argv[k], "--skip-table"))
      skip_table = true;
    else {
      std::fprintf(stderr, "usage: bench_ir_drop [--threads N] [--exact-1024] [--skip-table]\n");
      return 2;
    }
  }
  const ThreadLimit limit(threads);
  std::printf("threads %zu\n", max_threads());
  if (!skip_table) table();
  timing(exact_1024);
  return 0;
}

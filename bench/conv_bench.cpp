// Conv2D throughput on one thread: forward (and im2col training backward) of LeNet-5's
// conv2 (6 -> 16, 5x5 on 14x14) and a VGG-like 3x3 64 -> 64 conv (padding 1, 32x32), batch
// 64, per algorithm, as GFLOP/s (2 MACs per multiply-accumulate of the direct
// convolution, whatever the algorithm actually does) and as a fraction of the SGEMM rate
// measured in the same run on a square SGEMM of comparable work (n = cbrt(M K N) of the
// layer's GEMM). CPU time is used, which other jobs on a shared machine inflate less
// than wall time.
// Usage: bench_conv [batch=64] [min_seconds=0.5]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/nn/layers.hpp>
#include "bench_util.hpp"

namespace {

using namespace xbarsim;

// Repeats f until min_s of CPU time have passed; returns CPU seconds per call.
template <class F>
double cpu_per_call(double min_s, F&& f) {
  f();  // warm-up (allocations, page faults)
  std::size_t reps = 0;
  const std::clock_t c0 = std::clock();
  double elapsed = 0.0;
  do {
    f();
    ++reps;
    elapsed = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  } while (elapsed < min_s);
  return elapsed / static_cast<double>(reps);
}

void fill_normal(float* p, std::size_t n, std::uint32_t stream) {
  normal_block(p, n, RngKey(7, rng_purpose("bench.conv")), StreamId{stream, 0, 0});
}

double sgemm_gflops(std::size_t n, double min_s) {
  arma::fmat A(n, n), B(n, n), C(n, n);
  fill_normal(A.memptr(), A.n_elem, 100);
  fill_normal(B.memptr(), B.n_elem, 101);
  const double t = cpu_per_call(min_s, [&] { C = A * B; });
  return 2.0 * static_cast<double>(n) * n * n / t * 1e-9;
}

const char* algo_name(ConvAlgorithm a) {
  switch (a) {
    case ConvAlgorithm::Im2col:
      return "im2col+GEMM";
    case ConvAlgorithm::Winograd:
      return "Winograd F(2x2,3x3)";
    case ConvAlgorithm::Fft:
      return "FFT";
  }
  return "?";
}

void bench_layer(const char* title, const Conv2DSpec& spec, Shape in, double min_s,
                 const std::vector<ConvAlgorithm>& algorithms) {
  Conv2D conv(title, spec);
  Tensor x(in);
  fill_normal(x.data(), x.size(), 1);
  const Shape os = conv.output_shape({in});
  const double macs = static_cast<double>(conv.cost({in}).macs) * static_cast<double>(in.n);
  const std::size_t K = spec.in_channels / spec.groups * spec.kernel_h * spec.kernel_w;
  const std::size_t M = spec.out_channels / spec.groups, Ncols = in.n * os.h * os.w;
  const auto n_sq = static_cast<std::size_t>(std::lround(std::cbrt(static_cast<double>(M) * K * Ncols)));
  const double sgemm = sgemm_gflops(n_sq, min_s);
  std::printf("%s: input %s, output %s, %.3g GFLOP per batch (GEMM %zu x %zu x %zu)\n", title, in.str().c_str(),
              os.str().c_str(), 2.0 * macs * 1e-9, M, K, Ncols);
  std::printf("  SGEMM %zu^3 (same run): %7.2f GFLOP/s\n", n_sq, sgemm);
  DigitalBackend be;
  LayerContext ctx;
  ctx.backend = &be;
  Tensor y;
  for (ConvAlgorithm a : algorithms) {
    conv.set_algorithm(a);
    const double t = cpu_per_call(min_s, [&] { conv.forward({&x}, y, ctx); });
    const double gf = 2.0 * macs / t * 1e-9;
    std::printf("  forward  %-20s %8.2f ms  %7.2f GFLOP/s  %5.1f%% of SGEMM\n", algo_name(a), 1e3 * t, gf,
                100.0 * gf / sgemm);
  }
  // Training step of the default path: forward + backward (dW and dX: 3 GEMMs' worth).
  conv.set_algorithm(ConvAlgorithm::Im2col);
  ctx.training = true;
  Tensor dy(os), dx(in);
  fill_normal(dy.data(), dy.size(), 2);
  const double t = cpu_per_call(min_s, [&] {
    conv.forward({&x}, y, ctx);
    conv.backward({&x}, y, dy, {&dx}, ctx);
  });
  const double gf = 3.0 * 2.0 * macs / t * 1e-9;
  std::printf("  fwd+bwd  %-20s %8.2f ms  %7.2f GFLOP/s  %5.1f%% of SGEMM\n", algo_name(ConvAlgorithm::Im2col), 1e3 * t,
              gf, 100.0 * gf / sgemm);
}

}  // namespace

int main(int argc, char** argv) {
  xbarsim::bench::use_matching_blas_kernels(argv);
  const std::size_t batch = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 64;
  const double min_s = argc > 2 ? std::atof(argv[2]) : 0.5;
  ThreadLimit one(1);
  std::printf("Conv2D throughput, 1 thread, batch %zu\n", batch);
  Conv2DSpec lenet;
  lenet.in_channels = 6;
  lenet.out_channels = 16;
  lenet.kernel_h = lenet.kernel_w = 5;
  bench_layer("LeNet-5 conv2", lenet, Shape{batch, 6, 14, 14}, min_s, {ConvAlgorithm::Im2col, ConvAlgorithm::Fft});
  Conv2DSpec vgg;
  vgg.in_channels = vgg.out_channels = 64;
  vgg.kernel_h = vgg.kernel_w = 3;
  vgg.pad_top = vgg.pad_left = vgg.pad_bottom = vgg.pad_right = 1;
  bench_layer("VGG-like 3x3 64->64", vgg, Shape{batch, 64, 32, 32}, min_s,
              {ConvAlgorithm::Im2col, ConvAlgorithm::Winograd, ConvAlgorithm::Fft});
  return 0;
}

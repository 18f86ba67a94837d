// Analog inference of the 10k Fashion-MNIST test images with the shipped LeNet-5 on PCM
// tiles (programming noise, drift to 1 day, read noise per batch, 8-bit DAC/ADC) vs the
// same network digitally, one thread, both timed in this run (issue 5 goal <= 2x, wall
// clock). The process CPU time of each phase is printed too: on a shared machine it is
// the steadier measure (wall time then includes waiting for a core).
// Usage: bench_analog_inference [DATA_DIR]
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/pcm_statistical.hpp>
#include <xbarsim/io/model_loader.hpp>
#include <xbarsim/mapping/analog_backend.hpp>
#include <xbarsim/nn/dataset.hpp>
#include <xbarsim/nn/trainer.hpp>

#include "bench_util.hpp"

int main(int argc, char** argv) {
  xbarsim::bench::use_matching_blas_kernels(argv);
  using namespace xbarsim;
  try {
    ThreadLimit one(1);
    const std::string dir = argc > 1 ? argv[1] : kFashionMnistDir;
    io::LoadedModel m = io::load_model(std::string(XBARSIM_SOURCE_DIR) + "/data/models/lenet5-fashion-mnist.h5");
    const ImageDataset test = load_fashion_mnist(dir, "test");
    DigitalBackend digital;
    LayerContext ctx;
    ctx.backend = &digital;
    evaluate(m.net, slice(test, 0, 500), 500, ctx);  // warm-up
    const auto cpu_since = [](std::clock_t c0) { return static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC; };
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    const double acc_d = evaluate(m.net, test, 500, ctx).accuracy;
    const double digital_s = bench::seconds_since(t0), digital_cpu_s = cpu_since(c0);
    AnalogBackendOptions o;
    o.tile = inference_tile_defaults();
    o.drift_compensation = "global";
    o.device = [] { return std::make_unique<PcmStatisticalModel>(PcmStatisticalParams{}); };
    AnalogBackend analog(o);
    analog.relax_to(86400.0);
    ctx.backend = &analog;
    evaluate(m.net, slice(test, 0, 500), 500, ctx);  // programs the tiles (set-up, not timed)
    t0 = std::chrono::steady_clock::now();
    c0 = std::clock();
    const double acc_a = evaluate(m.net, test, 500, ctx).accuracy;
    const double analog_s = bench::seconds_since(t0), analog_cpu_s = cpu_since(c0);
    std::printf(
        "LeNet-5, 10k Fashion-MNIST test images, 1 thread\n  digital %.3f s (accuracy %.2f %%)\n"
        "  analog  %.3f s (accuracy %.2f %%, PCM at 1 day, compensated)\n  ratio   %.2f (goal <= 2)\n"
        "  CPU time: digital %.3f s, analog %.3f s, ratio %.2f\n",
        digital_s, 100 * acc_d, analog_s, 100 * acc_a, analog_s / digital_s, digital_cpu_s, analog_cpu_s,
        analog_cpu_s / digital_cpu_s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_analog_inference: %s\n", e.what());
    return 1;
  }
  return 0;
}

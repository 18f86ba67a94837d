// LeNet-5 on Fashion-MNIST side by side with PyTorch CPU (issue 4): one training epoch
// (Adam, batch 64) and inference on the 10k test images (batch 1000), same layout, same
// thread count, both measured in this run; prints the ratios (goal <= 1.0).
// Usage: bench_nn [THREADS=1] [DATA_DIR=/usr/share/datasets/fashion-mnist]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/nn/dataset.hpp>
#include <xbarsim/nn/trainer.hpp>
#include <xbarsim/nn/zoo.hpp>

#include "bench_util.hpp"

int main(int argc, char** argv) {
  xbarsim::bench::use_matching_blas_kernels(argv);
  using namespace xbarsim;
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const std::string dir = argc > 2 ? argv[2] : "/usr/share/datasets/fashion-mnist";
  try {
    const ImageDataset train = load_fashion_mnist(dir, "train");
    const ImageDataset test = load_fashion_mnist(dir, "test");
    double train_s = 0, infer_s = 0;
    {
      ThreadLimit limit(static_cast<std::size_t>(threads));
      Network net = make_model("lenet5");
      DigitalBackend backend;
      LayerContext ctx;
      ctx.backend = &backend;
      OptimizerConfig oc;
      oc.kind = "adam";
      std::unique_ptr<Optimizer> opt = make_optimizer(oc);
      TrainOptions to;
      to.batch_size = 64;
      to.optimizer = opt.get();
      to.schedule.base_lr = 1e-3;
      auto t0 = std::chrono::steady_clock::now();
      const EpochStats s = train_epoch(net, train, 0, to, ctx);
      train_s = bench::seconds_since(t0);
      evaluate(net, slice(test, 0, 1000), 1000, ctx);  // warm-up, as the PyTorch side
      t0 = std::chrono::steady_clock::now();
      const EpochStats e = evaluate(net, test, 1000, ctx);
      infer_s = bench::seconds_since(t0);
      std::printf("xbarsim: training epoch %.3f s (loss %.4f), 10k inference %.3f s (accuracy %.2f %%), %d thread(s)\n",
                  train_s, s.loss, infer_s, 100 * e.accuracy, threads);
    }
    const std::string cmd = "/usr/bin/python3 " XBARSIM_BENCH_DIR "/pytorch_lenet.py " + dir + " " +
                            std::to_string(threads) + " > /tmp/xbarsim_bench_nn.json";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "bench_nn: the PyTorch side failed (needs python3-torch; see scripts/install-deps.sh)\n");
      return 1;
    }
    std::FILE* f = std::fopen("/tmp/xbarsim_bench_nn.json", "r");
    double pt_train = 0, pt_infer = 0;
    if (!f || std::fscanf(f, "{\"train_epoch_s\": %lf, \"inference_10k_s\": %lf", &pt_train, &pt_infer) != 2) {
      std::fprintf(stderr, "bench_nn: cannot read the PyTorch timings\n");
      return 1;
    }
    std::fclose(f);
    std::printf("PyTorch: training epoch %.3f s, 10k inference %.3f s\n", pt_train, pt_infer);
    std::printf("ratio (xbarsim / PyTorch): training %.2f, inference %.2f (goal <= 1.0)\n", train_s / pt_train,
                infer_s / pt_infer);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_nn: %s\n", e.what());
    return 1;
  }
  return 0;
}

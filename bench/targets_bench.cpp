// Systolic cycles (SCALE-Sim v2 closed form) for every weighted AlexNet layer in the three
// dataflows on the systolic-32x32 preset (issue 5 goal: under 0.1 s in all; SCALE-Sim v2
// needs minutes per dataflow). Also times the Zhang FPGA design-space exploration.
#include <chrono>
#include <cstdio>
#include <xbarsim/mapping/fpga_zhang.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>
#include <xbarsim/mapping/systolic.hpp>
#include <xbarsim/mapping/targets.hpp>
#include <xbarsim/nn/zoo.hpp>

int main() {
  using namespace xbarsim;
  using clock = std::chrono::steady_clock;
  const std::vector<LayerShape> layers = weighted_layer_shapes(make_model("alexnet"));

  const auto t0 = clock::now();
  std::vector<std::vector<SystolicLayerCost>> results;
  for (const char* df : {"os", "ws", "is"}) {
    SystolicParams p = systolic_32x32();
    p.dataflow = df;
    results.push_back(systolic_network(layers, p));
  }
  const double systolic_s = std::chrono::duration<double>(clock::now() - t0).count();

  std::printf("AlexNet on systolic-32x32 (SCALE-Sim v2 closed form), compute cycles per layer\n");
  std::printf("%-12s %14s %14s %14s\n", "layer", "os", "ws", "is");
  std::uint64_t tot[3] = {0, 0, 0};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::printf("%-12s", layers[i].name.c_str());
    for (int d = 0; d < 3; ++d) {
      std::printf(" %14llu", static_cast<unsigned long long>(results[d][i].cycles));
      tot[d] += results[d][i].cycles;
    }
    std::printf("\n");
  }
  std::printf("%-12s %14llu %14llu %14llu\n", "total", static_cast<unsigned long long>(tot[0]),
              static_cast<unsigned long long>(tot[1]), static_cast<unsigned long long>(tot[2]));
  std::printf("systolic cycles, %zu layers x 3 dataflows: %.6f s (goal < 0.1 s)\n", layers.size(), systolic_s);

  const auto t1 = clock::now();
  std::vector<ZhangLayer> zl;
  for (const auto& l : layers) zl.push_back(zhang_layer(l));
  const ZhangDesign d = zhang_explore(zl, fpga_zhang2015_vc707());
  const double zhang_s = std::chrono::duration<double>(clock::now() - t1).count();
  std::printf("Zhang DSE on fpga-zhang2015-vc707: <Tm, Tn> = <%zu, %zu>, %.3f ms, %.2f GOPS: %.6f s\n", d.tm, d.tn,
              d.latency_s * 1e3, d.attainable_ops_per_s / 1e9, zhang_s);
  return systolic_s < 0.1 ? 0 : 1;
}

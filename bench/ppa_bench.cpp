// Chip PPA of VGG-8 (NeuroSim's CIFAR-10 network, zoo "vgg8") and ResNet-18 (ImageNet) on
// 128 x 128 1T1R tiles with RRAM-like and PCM-like read conductances, layer-by-layer and
// pipelined with auto replication (issue 5 goal: under 1 s per network; DNN_NeuroSim needs
// 119-172 s for VGG-8). The timed part of each network is the zoo model build, the shape
// and pooling extraction (weighted_layer_shapes / pooling_inputs, as `xbarsim map` builds
// its shapes) and every place_and_cost call; the exit status is 1 if any network takes 1 s
// or more.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>
#include <xbarsim/mapping/chip.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>
#include <xbarsim/nn/zoo.hpp>

namespace {

using namespace xbarsim;
using clock_type = std::chrono::steady_clock;

double since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

struct TileKind {
  const char* name;
  double g_avg_S;
  const char* source;
};

// Mean read conductance of a cell: RRAM, NeuroSim V1.3 Ron 6 kOhm / Roff 900 kOhm, mean of
// 1/Ron and 1/Roff; PCM, half of pcm-joshi2020's g_max 25 uS.
const TileKind kTiles[] = {{"rram", 0.5 * (1.0 / 6e3 + 1.0 / 900e3), "NeuroSim V1.3 Ron 6k / Roff 900k"},
                           {"pcm", 12.5e-6, "pcm-joshi2020 g_max 25 uS / 2"}};

void print_report(const char* what, const ChipReport& r) {
  const ChipBreakdown& e = r.energy_breakdown_J;
  std::printf(
      "  %-34s %s tiles %6zu  %8.3f mm^2  %9.4g uJ  %9.4g us  %9.4g img/s  %8.3g TOPS  %7.3g TOPS/W  "
      "%7.3g TOPS/mm^2\n",
      what, r.feasible ? "ok " : "NO ", r.tiles, r.area_m2 * 1e6, r.energy_per_image_J * 1e6,
      r.latency_per_image_s * 1e6, r.images_per_s, r.tops, r.tops_per_w, r.tops_per_mm2);
  std::printf(
      "  %-34s energy %%: tiles %.1f (ADC %.1f, array %.1f, DAC %.1f), buffers %.1f, interconnect %.1f, "
      "accumulation %.1f, activation %.2f, pooling %.2f\n",
      "", 100 * e.tiles() / e.total(), 100 * e.tile.adc / e.total(), 100 * e.tile.array / e.total(),
      100 * e.tile.dac / e.total(), 100 * e.buffers / e.total(), 100 * e.interconnect / e.total(),
      100 * e.accumulation / e.total(), 100 * e.activation / e.total(), 100 * e.pooling / e.total());
}

double run_network(const char* model) {
  const auto t0 = clock_type::now();
  const Network net = make_model(model);
  const double build_s = since(t0);
  const auto t1 = clock_type::now();
  const std::vector<LayerShape> shapes = weighted_layer_shapes(net);
  const std::vector<std::uint64_t> pool = pooling_inputs(net);
  std::vector<std::pair<std::string, ChipReport>> reports;
  for (const TileKind& k : kTiles) {
    TileCostInputs tile;
    tile.rows = tile.cols = 128;
    tile.cell_type = "1t1r";
    tile.g_avg_S = k.g_avg_S;
    ChipParams chip;
    reports.emplace_back(std::string(k.name) + " layer-by-layer", place_and_cost(shapes, tile, chip, pool));
    chip.execution = "pipelined";
    reports.emplace_back(std::string(k.name) + " pipelined", place_and_cost(shapes, tile, chip, pool));
    chip.replication = 0;  // auto, within 4x the one-copy tiles
    chip.max_tiles = static_cast<int>(4 * reports.back().second.tiles);
    reports.emplace_back(std::string(k.name) + " pipelined, auto x4 tiles", place_and_cost(shapes, tile, chip, pool));
    chip.interconnect = "bus";
    reports.emplace_back(std::string(k.name) + " pipelined, auto x4, bus", place_and_cost(shapes, tile, chip, pool));
  }
  const double ppa_s = since(t1);
  const double total_s = build_s + ppa_s;
  std::printf("%s: %zu weighted layers, %llu MACs, 128 x 128 1T1R tiles (22 nm defaults)\n", model, shapes.size(),
              static_cast<unsigned long long>(reports.front().second.macs));
  for (const auto& [what, r] : reports) print_report(what.c_str(), r);
  std::printf("  time: model build %.4f s + shapes and %zu PPA roll-ups %.6f s = %.4f s (goal < 1 s)\n", build_s,
              reports.size(), ppa_s, total_s);
  if (std::string(model) == "vgg8")
    std::printf("  vs DNN_NeuroSim VGG-8 119-172 s: %.3g-%.3g x faster\n\n", 119.0 / total_s, 172.0 / total_s);
  else
    std::printf("\n");
  return total_s;
}

}  // namespace

int main() {
  for (const TileKind& k : kTiles) std::printf("tile %s: g_avg = %.4g S (%s)\n", k.name, k.g_avg_S, k.source);
  std::printf("\n");
  const double vgg = run_network("vgg8");
  const double resnet = run_network("resnet18");
  return vgg < 1.0 && resnet < 1.0 ? 0 : 1;
}

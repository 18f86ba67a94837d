// `xbarsim run [CONFIG.toml] [-o report.h5] [--json]`: the main job. A trained network on
// its test set, mapped on crossbar tiles: digital accuracy, analog accuracy after 1 s,
// 1 h, 1 day and 1 year of drift with and without global drift compensation, and the
// chip's area, energy and latency per image. Without a config it runs the built-in
// default: the shipped LeNet-5 on Fashion-MNIST, PCM (pcm-joshi2020) 1T1R tiles of
// 256 x 256 with 8-bit DAC and ADC, 22 nm.
//
// Config (every key optional): network (zoo name, .onnx or weights .h5), device (preset
// name or file), tech (preset), images (0 = the whole test set), and tables [tile]
// (TileParams), [mapping], [dac], [adc], [io] (forward periphery), [chip] (ChipParams).
#include <array>
#include <cstdio>
#include <iostream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/io/data_dirs.hpp>
#include <xbarsim/io/device_preset.hpp>
#include <xbarsim/io/model_loader.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/io/tile_config.hpp>
#include <xbarsim/io/toml_params.hpp>
#include <xbarsim/mapping/analog_backend.hpp>
#include <xbarsim/mapping/chip.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>
#include <xbarsim/mapping/targets.hpp>
#include <xbarsim/nn/trainer.hpp>

#include "commands.hpp"
#include "nn_support.hpp"
#include "run_setup.hpp"

namespace xbarsim::cli {
namespace {

constexpr std::array<double, 4> kTimes_s{1.0, 3600.0, 86400.0, 3.15576e7};
constexpr std::array<const char*, 4> kTimeNames{"1 s", "1 h", "1 day", "1 year"};
// The digital references of the default report (issue 5).
constexpr std::array<const char*, 3> kReferences{"gpu-h100", "eyeriss", "fpga-zhang2015-vc707"};

struct RunOptions {
  std::string config, output;
  bool json = false;
};

int run_main(const RunOptions& o, const Globals& g) {
  const RunSetup s = load_setup(o.config);
  io::LoadedModel model = io::load_model(s.network);
  ImageDataset test = load_named_dataset("fashion-mnist", "test", "");
  if (s.images > 0 && s.images < test.size()) test = slice(test, 0, s.images);
  const io::DevicePreset preset = io::find_device_preset(s.device);
  const ParamValues device_values = preset.resolved();
  TerminalProgress progress("run");
  std::size_t done = 0;
  const std::size_t steps = 1 + kTimes_s.size() * 2;
  progress.update(done, steps, "evaluations");

  DigitalBackend digital;
  LayerContext ctx;
  ctx.backend = &digital;
  ctx.seed = g.seed;
  const double acc_digital = evaluate(model.net, test, 500, ctx, RunControl{nullptr, &interrupt_token()}).accuracy;
  progress.update(++done, steps, "evaluations");

  // One programmed chip per time point (same seed: the same chip observed at four times;
  // the drift of each device is fixed at programming), evaluated in parallel.
  std::array<double, kTimes_s.size()> acc_raw{}, acc_comp{};
  std::vector<Network> nets;
  for (std::size_t k = 0; k < kTimes_s.size(); ++k) nets.push_back(io::load_model(s.network).net);
  std::mutex progress_mutex;
  parallel_blocks(kTimes_s.size(), 1, [&](std::size_t k0, std::size_t k1) {
    for (std::size_t k = k0; k < k1; ++k) {
      AnalogBackendOptions ao;
      ao.tile = s.tile;
      ao.tile_inputs = s.tile_rows;
      ao.tile_outputs = s.tile_cols;
      ao.seed = g.seed;
      ao.drift_compensation = "global";
      ao.device = [&] { return preset.family->make(device_values); };
      AnalogBackend analog(ao);
      LayerContext c = ctx;
      c.backend = &analog;
      // Program (first forward), then drift to t and read both ways.
      Tensor one(Shape{1, test.images.shape().c, test.images.shape().h, test.images.shape().w});
      nets[k].forward(one, c);
      analog.relax_to(kTimes_s[k]);
      analog.use_compensation(false);
      acc_raw[k] = evaluate(nets[k], test, 500, c, RunControl{nullptr, &interrupt_token()}).accuracy;
      {
        std::lock_guard lock(progress_mutex);
        progress.update(++done, steps, "evaluations");
      }
      analog.use_compensation(true);
      acc_comp[k] = evaluate(nets[k], test, 500, c, RunControl{nullptr, &interrupt_token()}).accuracy;
      std::lock_guard lock(progress_mutex);
      progress.update(++done, steps, "evaluations");
    }
  });

  // Chip cost: tile costs from the tech preset, one tile = tile_rows x tile_cols logical.
  const TileCostInputs tc = tile_cost_inputs(s);
  const ChipReport chip = place_and_cost(weighted_layer_shapes(model.net), tc, s.chip);

  const std::vector<LayerShape> shapes = weighted_layer_shapes(model.net);
  std::vector<TargetCost> refs;
  for (const char* name : kReferences) refs.push_back(evaluate_target(name, shapes));

  nlohmann::json j{{"network", s.network},
                   {"device", s.device},
                   {"tech", s.tech},
                   {"images", test.size()},
                   {"digital_accuracy", acc_digital}};
  for (std::size_t k = 0; k < kTimes_s.size(); ++k)
    j["analog"].push_back({{"t_s", kTimes_s[k]}, {"accuracy", acc_raw[k]}, {"accuracy_compensated", acc_comp[k]}});
  j["chip"] = {{"feasible", chip.feasible},
               {"tiles", chip.tiles},
               {"area_m2", chip.area_m2},
               {"energy_per_image_J", chip.energy_per_image_J},
               {"latency_per_image_s", chip.latency_per_image_s},
               {"tops_per_w", chip.tops_per_w},
               {"tops_per_mm2", chip.tops_per_mm2},
               {"excluded", chip.excluded}};
  for (const auto& l : chip.layers)
    j["chip"]["layers"].push_back({{"name", l.name},
                                   {"tiles", l.tiles},
                                   {"macs", l.macs},
                                   {"row_utilisation", l.row_utilisation},
                                   {"col_utilisation", l.col_utilisation},
                                   {"energy_J", l.energy_J},
                                   {"latency_s", l.latency_s}});
  for (const TargetCost& r : refs)
    j["references"].push_back({{"target", r.target},
                               {"latency_per_image_s", r.total.latency_s},
                               {"energy_per_image_J", r.total.energy_J},
                               {"tops_per_w", 2.0 * static_cast<double>(r.total.macs) / r.total.energy_J / 1e12}});
  if (!o.output.empty()) {
    write_result(o.output, io::RunInfo{s.resolved, g.seed, "run"}, [&](io::ResultFile& out) {
      for (const TargetCost& r : refs) {
        out.write_attribute("latency_per_image_s", r.total.latency_s, "references/" + r.target);
        out.write_attribute("energy_per_image_J", r.total.energy_J, "references/" + r.target);
      }
      out.write(Dataset{"t_s",
                        "s",
                        "drift times after programming",
                        {kTimes_s.size()},
                        std::vector<double>(kTimes_s.begin(), kTimes_s.end())});
      out.write(Dataset{"accuracy_analog",
                        "1",
                        "test accuracy on the analog chip, no drift compensation",
                        {kTimes_s.size()},
                        std::vector<double>(acc_raw.begin(), acc_raw.end())});
      out.write(Dataset{"accuracy_compensated",
                        "1",
                        "test accuracy with global drift compensation",
                        {kTimes_s.size()},
                        std::vector<double>(acc_comp.begin(), acc_comp.end())});
      out.write_attribute("digital_accuracy", acc_digital);
      out.write_attribute("chip_tiles", static_cast<std::int64_t>(chip.tiles));
      out.write_attribute("chip_area_m2", chip.area_m2);
      out.write_attribute("chip_energy_per_image_J", chip.energy_per_image_J);
      out.write_attribute("chip_latency_per_image_s", chip.latency_per_image_s);
      out.write_attribute("chip_tops_per_w", chip.tops_per_w);
      std::vector<double> le, ll, lt;
      for (const auto& l : chip.layers) {
        le.push_back(l.energy_J);
        ll.push_back(l.latency_s);
        lt.push_back(static_cast<double>(l.tiles));
      }
      out.write(Dataset{"layer_energy_J", "J", "energy per image of each weighted layer", {le.size()}, le});
      out.write(Dataset{"layer_latency_s", "s", "latency per image of each weighted layer", {ll.size()}, ll});
      out.write(Dataset{"layer_tiles", "1", "tiles of each weighted layer", {lt.size()}, lt});
    });
  }
  if (o.json) {
    std::cout << j.dump(2) << '\n';
    return kOk;
  }
  std::printf("\n%s on Fashion-MNIST (%zu test images)\n", s.network.c_str(), test.size());
  std::printf("chip: %s tiles %zu x %zu (%s, %s), %d-bit DAC, %d-bit ADC, %s\n\n", s.device.c_str(), s.tile_rows,
              s.tile_cols, s.tile.cell_access.cell.c_str(), s.tile.mapping.scheme.c_str(), s.tile.forward_dac.bits,
              s.tile.forward_adc.bits, s.tech.c_str());
  std::printf("%-34s %8s %8s %8s %8s\n", "accuracy (%)", kTimeNames[0], kTimeNames[1], kTimeNames[2], kTimeNames[3]);
  std::printf("%-34s %8.2f\n", "digital", 100 * acc_digital);
  std::printf("%-34s %8.2f %8.2f %8.2f %8.2f\n", "analog, no drift compensation", 100 * acc_raw[0], 100 * acc_raw[1],
              100 * acc_raw[2], 100 * acc_raw[3]);
  std::printf("%-34s %8.2f %8.2f %8.2f %8.2f\n\n", "analog, global drift compensation", 100 * acc_comp[0],
              100 * acc_comp[1], 100 * acc_comp[2], 100 * acc_comp[3]);
  std::printf("chip (%s): %zu tiles, %.4g mm^2, %.4g nJ and %.4g us per image, %.3g TOPS/W, %.3g TOPS/mm^2\n",
              chip.feasible ? "feasible" : chip.message.c_str(), chip.tiles, chip.area_m2 * 1e6,
              chip.energy_per_image_J * 1e9, chip.latency_per_image_s * 1e6, chip.tops_per_w, chip.tops_per_mm2);
  std::printf("  (not yet included: %s)\n\n", chip.excluded.c_str());
  std::printf("%-34s %14s %14s %10s\n", "same network, per image", "latency us", "energy nJ", "TOPS/W");
  std::printf("%-34s %14.4g %14.4g %10.3g\n", "analog chip", chip.latency_per_image_s * 1e6,
              chip.energy_per_image_J * 1e9, chip.tops_per_w);
  for (const TargetCost& r : refs)
    std::printf("%-34s %14.4g %14.4g %10.3g\n", r.target.c_str(), r.total.latency_s * 1e6, r.total.energy_J * 1e9,
                2.0 * static_cast<double>(r.total.macs) / r.total.energy_J / 1e12);
  return kOk;
}

}  // namespace

void register_run_command(CLI::App& app, const Globals& globals, Action& action) {
  auto o = std::make_shared<RunOptions>();
  auto* run =
      app.add_subcommand("run", "the main job: a trained network on analog tiles, accuracy over drift and cost");
  run->add_option("config", o->config, "run configuration (.toml); none = the built-in default");
  run->add_option("-o,--output", o->output, "HDF5 report");
  run->add_flag("--json", o->json, "print the same numbers as JSON");
  run->callback([&action, o, &globals] { action = [o, &globals] { return run_main(*o, globals); }; });
}

}  // namespace xbarsim::cli

// `xbarsim compress [CONFIG.toml] -t TRANSFORM [-t ...] [--drift-time S] [--json] [-o R.h5]`:
// the effect of structure-level compression on the mapped chip. The network of the chip
// configuration (as for `xbarsim run`, including its own `compress` list) is compared
// with each transform applied to it separately: parameters and nonzero weights, tiles,
// area, energy and latency per image, TOPS/W, digital test accuracy and analog accuracy
// after `--drift-time` with global drift compensation (same seed, same chip model).
//
// Unstructured (magnitude) pruning leaves the matrices, hence tiles and PPA, unchanged:
// a crossbar computes its zeros too. Filter pruning and low-rank change the matrices;
// quantisation changes the tiles only for bit-sliced mappings (fewer slices).
#include <cstdio>
#include <iostream>
#include <mutex>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/nn/trainer.hpp>

#include <xbarsim/sweep/main_job.hpp>

#include "commands.hpp"
#include "nn_support.hpp"

namespace xbarsim::cli {
namespace {

using namespace xbarsim::sweep;

struct CompressOptions {
  std::string config, output;
  std::vector<std::string> transforms;
  double drift_time_s = 86400.0;
  bool json = false;
};

struct Variant {
  std::string name;  // "none" or the transform as given
  WeightCount weights;
  std::uint64_t params = 0;
  int slices = 0;  // bit-sliced mappings: slices after narrowing
  ChipReport chip;
  double acc_digital = 0, acc_analog = 0;
};

int run_compress(const CompressOptions& o, const Globals& g) {
  if (o.transforms.empty()) throw ConfigError("--transform", "give at least one transform, e.g. -t quantize:bits=4");
  if (!(o.drift_time_s > 0.0)) throw ConfigError("--drift-time", "expected a positive time in seconds");
  const RunSetup base = load_setup(o.config);
  ImageDataset test = load_named_dataset("fashion-mnist", "test", "");
  if (base.images > 0 && base.images < test.size()) test = slice(test, 0, base.images);

  std::vector<std::string> names{"none"};
  names.insert(names.end(), o.transforms.begin(), o.transforms.end());
  // Every transform is applied (and its settings checked) before any evaluation starts.
  std::vector<CompressedModel> models;
  std::vector<RunSetup> setups(names.size(), base);
  for (std::size_t k = 0; k < names.size(); ++k) {
    models.push_back(k == 0 ? load_compressed(base) : load_compressed(base, {names[k]}));
    narrow_bit_slices(setups[k], models[k]);
  }

  std::vector<Variant> out(names.size());
  TerminalProgress progress("compress");
  std::size_t done = 0;
  std::mutex mutex;
  progress.update(0, names.size(), "variants");
  parallel_blocks(names.size(), 1, [&](std::size_t k0, std::size_t k1) {
    for (std::size_t k = k0; k < k1; ++k) {
      Variant& v = out[k];
      Network& net = models[k].model.net;
      v.name = names[k];
      v.params = net.num_params();
      v.weights = count_weights(net);
      v.slices = setups[k].tile.mapping.scheme == "bit-sliced" ? setups[k].tile.mapping.slices : 0;
      v.chip = place_and_cost(net, tile_cost_inputs(setups[k]), setups[k].chip);
      DigitalBackend digital;
      LayerContext ctx;
      ctx.backend = &digital;
      ctx.seed = g.seed;
      v.acc_digital = evaluate(net, test, 500, ctx, RunControl{nullptr, &interrupt_token()}).accuracy;
      v.acc_analog = analog_accuracy(net, setups[k], test, o.drift_time_s, g.seed, &interrupt_token()).compensated;
      std::lock_guard lock(mutex);
      progress.update(++done, names.size(), "variants");
    }
  });

  if (!o.output.empty()) {
    write_result(o.output, io::RunInfo{base.resolved, g.seed, "compress"}, [&](io::ResultFile& f) {
      f.write_attribute("drift_time_s", o.drift_time_s);
      for (std::size_t k = 0; k < out.size(); ++k) {
        const Variant& v = out[k];
        const std::string grp = "variants/" + std::to_string(k);
        f.write_attribute("transform", v.name, grp);
        f.write_attribute("params", static_cast<std::int64_t>(v.params), grp);
        f.write_attribute("nonzero_weights", static_cast<std::int64_t>(v.weights.nonzero), grp);
        f.write_attribute("tiles", static_cast<std::int64_t>(v.chip.tiles), grp);
        f.write_attribute("area_m2", v.chip.area_m2, grp);
        f.write_attribute("energy_per_image_J", v.chip.energy_per_image_J, grp);
        f.write_attribute("latency_per_image_s", v.chip.latency_per_image_s, grp);
        f.write_attribute("tops_per_w", v.chip.tops_per_w, grp);
        f.write_attribute("digital_accuracy", v.acc_digital, grp);
        f.write_attribute("analog_accuracy", v.acc_analog, grp);
      }
    });
  }
  if (o.json) {
    nlohmann::json j{{"network", base.network}, {"drift_time_s", o.drift_time_s}, {"images", test.size()}};
    for (const Variant& v : out)
      j["variants"].push_back({{"transform", v.name},
                               {"params", v.params},
                               {"weights", v.weights.weights},
                               {"nonzero_weights", v.weights.nonzero},
                               {"slices", v.slices},
                               {"tiles", v.chip.tiles},
                               {"feasible", v.chip.feasible},
                               {"area_m2", v.chip.area_m2},
                               {"energy_per_image_J", v.chip.energy_per_image_J},
                               {"latency_per_image_s", v.chip.latency_per_image_s},
                               {"tops_per_w", v.chip.tops_per_w},
                               {"digital_accuracy", v.acc_digital},
                               {"analog_accuracy", v.acc_analog}});
    std::cout << j.dump(2) << '\n';
    return kOk;
  }
  std::printf("\n%s, %zu test images; analog after %.4g s of drift, compensated\n\n", base.network.c_str(), test.size(),
              o.drift_time_s);
  std::printf("%-40s %9s %9s %6s %9s %9s %9s %8s %8s %8s\n", "transform", "params", "nonzero", "tiles", "area mm2",
              "nJ/image", "us/image", "TOPS/W", "digital%", "analog%");
  for (const Variant& v : out)
    std::printf("%-40s %9llu %9llu %6zu %9.4g %9.4g %9.4g %8.3g %8.2f %8.2f\n", v.name.c_str(),
                static_cast<unsigned long long>(v.params), static_cast<unsigned long long>(v.weights.nonzero),
                v.chip.tiles, v.chip.area_m2 * 1e6, v.chip.energy_per_image_J * 1e9, v.chip.latency_per_image_s * 1e6,
                v.chip.tops_per_w, 100 * v.acc_digital, 100 * v.acc_analog);
  return kOk;
}

}  // namespace

void register_compress_command(CLI::App& app, const Globals& globals, Action& action) {
  auto o = std::make_shared<CompressOptions>();
  auto* cmd = app.add_subcommand("compress", "effect of compression transforms on tiles, PPA and accuracy");
  cmd->add_option("config", o->config, "chip configuration (.toml, as for `xbarsim run`); none = the default");
  cmd->add_option("-t,--transform", o->transforms,
                  "NAME[:key=value,...]: magnitude_prune, filter_prune, low_rank, quantize, binarize, ternarize "
                  "(repeatable; each compared with the uncompressed network)")
      ->required();
  cmd->add_option("--drift-time", o->drift_time_s, "drift time of the analog accuracy, s (default 1 day)");
  cmd->add_option("-o,--output", o->output, "HDF5 report");
  cmd->add_flag("--json", o->json, "print the same numbers as JSON");
  cmd->callback([&action, o, &globals] { action = [o, &globals] { return run_compress(*o, globals); }; });
}

}  // namespace xbarsim::cli

// `xbarsim run [CONFIG.toml] [-o report.h5] [--json]`: the main job (sweep/main_job.hpp
// has what it computes and the configuration keys) as a table, JSON and an HDF5 report.
#include <array>
#include <cstdio>
#include <iostream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/mapping/chip.hpp>
#include <xbarsim/mapping/targets.hpp>
#include <xbarsim/sweep/main_job.hpp>

#include "chip_report.hpp"
#include "commands.hpp"

namespace xbarsim::cli {
namespace {

using namespace xbarsim::sweep;

struct RunOptions {
  std::string config, output;
  bool json = false;
};

int run_main(const RunOptions& o, const Globals& g) {
  TerminalProgress progress("run");
  const MainJobReport rep = run_main_job(load_setup(o.config), g.seed, RunControl{&progress, &interrupt_token()});
  const RunSetup& s = rep.setup;
  const ChipReport& chip = rep.chip;
  const std::vector<TargetCost>& refs = rep.references;
  const double acc_digital = rep.digital_accuracy;
  const auto& acc_raw = rep.accuracy;
  const auto& acc_comp = rep.accuracy_compensated;
  const auto& kTimes_s = kDriftTimes_s;
  const auto& kTimeNames = kDriftTimeNames;

  nlohmann::json j{{"network", s.network},
                   {"device", s.device},
                   {"tech", s.tech},
                   {"images", rep.images},
                   {"digital_accuracy", acc_digital}};
  for (const CompressionReport& r : rep.compression)
    j["compression"].push_back({{"transform", r.transform},
                                {"params_before", r.params_before},
                                {"params_after", r.params_after},
                                {"nonzero_weights_after", r.nonzero_after}});
  for (std::size_t k = 0; k < kTimes_s.size(); ++k)
    j["analog"].push_back({{"t_s", kTimes_s[k]}, {"accuracy", acc_raw[k]}, {"accuracy_compensated", acc_comp[k]}});
  j["chip"] = chip_json(chip);
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
  std::printf("\n%s on Fashion-MNIST (%zu test images)\n", s.network.c_str(), rep.images);
  std::printf("chip: %s tiles %zu x %zu (%s, %s), %d-bit DAC, %d-bit ADC, %s\n\n", s.device.c_str(), s.tile_rows,
              s.tile_cols, s.tile.cell_access.cell.c_str(), s.tile.mapping.scheme.c_str(), s.tile.forward_dac.bits,
              s.tile.forward_adc.bits, s.tech.c_str());
  for (const CompressionReport& r : rep.compression)
    std::printf("compression %s: %llu -> %llu parameters, %llu nonzero weights\n", r.transform.c_str(),
                static_cast<unsigned long long>(r.params_before), static_cast<unsigned long long>(r.params_after),
                static_cast<unsigned long long>(r.nonzero_after));
  if (!rep.compression.empty()) std::printf("\n");
  std::printf("%-34s %8s %8s %8s %8s\n", "accuracy (%)", kTimeNames[0], kTimeNames[1], kTimeNames[2], kTimeNames[3]);
  std::printf("%-34s %8.2f\n", "digital", 100 * acc_digital);
  std::printf("%-34s %8.2f %8.2f %8.2f %8.2f\n", "analog, no drift compensation", 100 * acc_raw[0], 100 * acc_raw[1],
              100 * acc_raw[2], 100 * acc_raw[3]);
  std::printf("%-34s %8.2f %8.2f %8.2f %8.2f\n\n", "analog, global drift compensation", 100 * acc_comp[0],
              100 * acc_comp[1], 100 * acc_comp[2], 100 * acc_comp[3]);
  std::printf("chip (%s): %zu tiles, %.4g mm^2, %.4g nJ and %.4g us per image, %.3g TOPS/W, %.3g TOPS/mm^2\n",
              chip.feasible ? "feasible" : chip.message.c_str(), chip.tiles, chip.area_m2 * 1e6,
              chip.energy_per_image_J * 1e9, chip.latency_per_image_s * 1e6, chip.tops_per_w, chip.tops_per_mm2);
  print_chip_breakdown(chip);
  std::printf("  (not included: %s)\n\n", chip.excluded.c_str());
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

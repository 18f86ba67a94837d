#pragma once
// The main job (`xbarsim run`, issue 5) as a library call, so the CLI prints it and a
// sweep runs it at every point: a trained network on its test set, mapped on crossbar
// tiles; digital accuracy, analog accuracy after 1 s, 1 h, 1 day and 1 year of drift with
// and without global drift compensation, the chip's area, energy and latency per image,
// and the same network on the digital reference targets.
//
// Configuration (run_setup.hpp; every key optional): network (zoo name, .onnx or weights
// .h5), device (preset name or file), tech (preset), images (0 = the whole test set),
// tile_rows, tile_cols, compress (transforms applied in order before mapping, e.g.
// ["quantize:bits=4"]) and tables [tile] (TileParams), [mapping], [dac], [adc], [io]
// (forward periphery), [chip] (ChipParams). Without a file: the shipped LeNet-5 on
// Fashion-MNIST, PCM (pcm-joshi2020) 1T1R tiles of 256 x 256 with 8-bit DAC and ADC, 22 nm.
#include <array>
#include <cstdint>
#include <string>
#include <vector>
#include <xbarsim/core/progress.hpp>
#include <xbarsim/mapping/chip.hpp>
#include <xbarsim/mapping/compress.hpp>
#include <xbarsim/mapping/targets.hpp>
#include <xbarsim/nn/dataset.hpp>
#include <xbarsim/nn/network.hpp>
#include <xbarsim/sweep/point.hpp>
#include <xbarsim/sweep/run_setup.hpp>

namespace xbarsim::sweep {

/// Drift times after programming at which the chip is read.
inline constexpr std::array<double, 4> kDriftTimes_s{1.0, 3600.0, 86400.0, 3.15576e7};
inline constexpr std::array<const char*, 4> kDriftTimeNames{"1 s", "1 h", "1 day", "1 year"};
/// The digital references of the report (issue 5).
inline constexpr std::array<const char*, 3> kReferenceTargets{"gpu-h100", "eyeriss", "fpga-zhang2015-vc707"};

struct MainJobReport {
  RunSetup setup;  // as run (a bit-sliced mapping narrowed by quantisation)
  std::size_t images = 0;
  double digital_accuracy = 0;
  std::array<double, kDriftTimes_s.size()> accuracy{}, accuracy_compensated{};
  std::vector<CompressionReport> compression;
  ChipReport chip;
  std::vector<TargetCost> references;  // kReferenceTargets, in order
};

/// Runs the main job with `seed` (chip programming and noise). Reports progress as
/// evaluations done; throws Cancelled between evaluations when control.cancel is set.
/// The result depends only on the setup and the seed, not on the thread count.
MainJobReport run_main_job(const RunSetup& setup, std::uint64_t seed, const RunControl& control = {});

/// Test accuracy of `net` programmed on the setup's tiles (device preset, `seed`) and
/// read t_s after programming: without and with global drift compensation. The network
/// is the setup's, already compressed; `test` is the evaluation set.
struct DriftAccuracy {
  double raw = 0, compensated = 0;
};
DriftAccuracy analog_accuracy(Network& net, const RunSetup& setup, const ImageDataset& test, double t_s,
                              std::uint64_t seed, const CancellationToken* cancel = nullptr);

/// The report as a sweep point's metrics (scalars with units) and curves.
PointResult to_point_result(const MainJobReport& r);

}  // namespace xbarsim::sweep

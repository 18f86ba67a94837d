// The main job (see main_job.hpp).
#include <mutex>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/io/device_preset.hpp>
#include <xbarsim/mapping/analog_backend.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>
#include <xbarsim/nn/dataset.hpp>
#include <xbarsim/nn/trainer.hpp>
#include <xbarsim/sweep/main_job.hpp>
#include <xbarsim/sweep/store.hpp>

namespace xbarsim::sweep {

DriftAccuracy analog_accuracy(Network& net, const RunSetup& s, const ImageDataset& test, double t_s, std::uint64_t seed,
                              const CancellationToken* cancel) {
  const io::DevicePreset preset = io::find_device_preset(s.device);
  const ParamValues device_values = preset.resolved();
  AnalogBackend analog(analog_options(
      s, [&] { return preset.family->make(device_values); }, seed));
  LayerContext c;
  c.backend = &analog;
  c.seed = seed;
  // Program (first forward), then drift to t and read both ways.
  const Shape in = test.images.shape();
  net.forward(Tensor(Shape{1, in.c, in.h, in.w}), c);
  analog.relax_to(t_s);
  DriftAccuracy a;
  analog.use_compensation(false);
  a.raw = evaluate(net, test, 500, c, RunControl{nullptr, cancel}).accuracy;
  analog.use_compensation(true);
  a.compensated = evaluate(net, test, 500, c, RunControl{nullptr, cancel}).accuracy;
  return a;
}

MainJobReport run_main_job(const RunSetup& setup, std::uint64_t seed, const RunControl& control) {
  MainJobReport r;
  r.setup = setup;
  RunSetup& s = r.setup;
  // HDF5 is not thread-safe in Debian's build: model files are read under the lock the
  // sweep store also takes (points of a sweep run in parallel).
  const auto load = [&] {
    std::lock_guard lock(hdf5_mutex());
    return load_compressed(s);
  };
  CompressedModel compressed = load();
  narrow_bit_slices(s, compressed);
  r.compression = compressed.reports;
  Network& net = compressed.model.net;
  ImageDataset test = load_fashion_mnist(kFashionMnistDir, "test");
  if (s.images > 0 && s.images < test.size()) test = slice(test, 0, s.images);
  r.images = test.size();
  const RunControl quiet{nullptr, control.cancel};
  std::size_t done = 0;
  const std::size_t steps = 1 + kDriftTimes_s.size();
  control.report(done, steps, "evaluations");

  DigitalBackend digital;
  LayerContext ctx;
  ctx.backend = &digital;
  ctx.seed = seed;
  r.digital_accuracy = evaluate(net, test, 500, ctx, quiet).accuracy;
  control.report(++done, steps, "evaluations");

  // One programmed chip per time point (same seed: the same chip observed at four times;
  // the drift of each device is fixed at programming), evaluated in parallel.
  std::vector<Network> nets;
  for (std::size_t k = 0; k < kDriftTimes_s.size(); ++k) nets.push_back(load().model.net);
  std::mutex progress_mutex;
  parallel_blocks(kDriftTimes_s.size(), 1, [&](std::size_t k0, std::size_t k1) {
    for (std::size_t k = k0; k < k1; ++k) {
      const DriftAccuracy a = analog_accuracy(nets[k], s, test, kDriftTimes_s[k], seed, control.cancel);
      r.accuracy[k] = a.raw;
      r.accuracy_compensated[k] = a.compensated;
      std::lock_guard lock(progress_mutex);
      control.report(++done, steps, "evaluations");
    }
  });

  r.chip = place_and_cost(net, tile_cost_inputs(s), s.chip);
  const std::vector<LayerShape> shapes = weighted_layer_shapes(net);
  for (const char* name : kReferenceTargets) r.references.push_back(evaluate_target(name, shapes));
  return r;
}

PointResult to_point_result(const MainJobReport& r) {
  PointResult p;
  auto metric = [&](std::string name, std::string unit, std::string description, double value) {
    p.metrics.push_back({std::move(name), std::move(unit), std::move(description), value});
  };
  metric("digital_accuracy", "1", "test accuracy, digital", r.digital_accuracy);
  const std::size_t last = kDriftTimes_s.size() - 1;
  metric("accuracy_1s", "1", "analog test accuracy 1 s after programming, no compensation", r.accuracy[0]);
  metric("accuracy_1y", "1", "analog test accuracy 1 year after programming, no compensation", r.accuracy[last]);
  metric("accuracy_compensated_1y", "1", "analog test accuracy after 1 year, global drift compensation",
         r.accuracy_compensated[last]);
  metric("chip_tiles", "1", "tiles of the placement", static_cast<double>(r.chip.tiles));
  metric("chip_feasible", "1", "1 if the placement fits the tile budget", r.chip.feasible ? 1.0 : 0.0);
  metric("chip_area_m2", "m^2", "chip area", r.chip.area_m2);
  metric("chip_energy_per_image_J", "J", "chip energy per image", r.chip.energy_per_image_J);
  metric("chip_latency_per_image_s", "s", "chip latency per image", r.chip.latency_per_image_s);
  metric("chip_tops_per_w", "TOPS/W", "2 MACs per image / energy per image", r.chip.tops_per_w);
  metric("chip_tops_per_mm2", "TOPS/mm^2", "throughput per area", r.chip.tops_per_mm2);
  for (const TargetCost& t : r.references) {
    metric(t.target + "_latency_s", "s", "latency per image on " + t.target, t.total.latency_s);
    metric(t.target + "_energy_J", "J", "energy per image on " + t.target, t.total.energy_J);
  }
  const std::vector<double> times(kDriftTimes_s.begin(), kDriftTimes_s.end());
  p.curves.push_back({"t_s", "s", "drift times after programming", {times.size()}, times});
  p.curves.push_back({"accuracy_analog",
                      "1",
                      "analog test accuracy at t_s, no drift compensation",
                      {times.size()},
                      std::vector<double>(r.accuracy.begin(), r.accuracy.end())});
  p.curves.push_back({"accuracy_compensated",
                      "1",
                      "analog test accuracy at t_s, global drift compensation",
                      {times.size()},
                      std::vector<double>(r.accuracy_compensated.begin(), r.accuracy_compensated.end())});
  std::vector<double> le, ll;
  for (const auto& l : r.chip.layers) {
    le.push_back(l.energy_J);
    ll.push_back(l.latency_s);
  }
  p.curves.push_back({"layer_energy_J", "J", "energy per image of each weighted layer", {le.size()}, le});
  p.curves.push_back({"layer_latency_s", "s", "latency per image of each weighted layer", {ll.size()}, ll});
  return p;
}

}  // namespace xbarsim::sweep

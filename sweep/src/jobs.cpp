// The jobs a sweep point runs (see jobs.hpp).
#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/crossbar/tile_cost.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/io/device_preset.hpp>
#include <xbarsim/io/tile_config.hpp>
#include <xbarsim/io/toml_params.hpp>
#include <xbarsim/sweep/jobs.hpp>
#include <xbarsim/sweep/main_job.hpp>
#include <xbarsim/sweep/store.hpp>

namespace xbarsim::sweep {
namespace {

class MainJob final : public Job {
 public:
  void validate(const toml::value& config, const std::string& where) const override {
    (void)parse_setup(config, where);
  }
  PointResult run(const toml::value& config, const std::string& where, std::uint64_t seed,
                  const RunControl& control) const override {
    return to_point_result(run_main_job(parse_setup(config, where), seed, control));
  }
};

// Chip placement and cost only (`xbarsim map`): the run configuration without the
// accuracy evaluations, for networks without a dataset (e.g. vgg8, resnet18).
class MapJob final : public Job {
 public:
  void validate(const toml::value& config, const std::string& where) const override {
    (void)parse_setup(config, where);
  }
  PointResult run(const toml::value& config, const std::string& where, std::uint64_t,
                  const RunControl&) const override {
    RunSetup s = parse_setup(config, where);
    CompressedModel m = [&] {
      std::lock_guard lock(hdf5_mutex());  // model files are HDF5 (see main_job.cpp)
      return load_compressed(s);
    }();
    narrow_bit_slices(s, m);
    const ChipReport c = place_and_cost(m.model.net, tile_cost_inputs(s), s.chip);
    PointResult p;
    auto metric = [&](std::string name, std::string unit, std::string description, double value) {
      p.metrics.push_back({std::move(name), std::move(unit), std::move(description), value});
    };
    metric("params", "1", "network parameters", static_cast<double>(m.model.net.num_params()));
    metric("macs", "1", "multiply-accumulates per image", static_cast<double>(c.macs));
    metric("tiles", "1", "tiles of the placement", static_cast<double>(c.tiles));
    metric("feasible", "1", "1 if the placement fits the tile budget", c.feasible ? 1.0 : 0.0);
    metric("area_m2", "m^2", "chip area", c.area_m2);
    metric("energy_per_image_J", "J", "energy per image", c.energy_per_image_J);
    metric("latency_per_image_s", "s", "latency per image", c.latency_per_image_s);
    metric("images_per_s", "1/s", "throughput", c.images_per_s);
    metric("tops_per_w", "TOPS/W", "2 MACs per image / energy per image", c.tops_per_w);
    metric("tops_per_mm2", "TOPS/mm^2", "throughput per area", c.tops_per_mm2);
    std::vector<double> le, ll, lt;
    for (const auto& l : c.layers) {
      le.push_back(l.energy_J);
      ll.push_back(l.latency_s);
      lt.push_back(static_cast<double>(l.tiles));
    }
    p.curves.push_back({"layer_energy_J", "J", "energy per image of each weighted layer", {le.size()}, le});
    p.curves.push_back({"layer_latency_s", "s", "latency per image of each weighted layer", {ll.size()}, ll});
    p.curves.push_back({"layer_tiles", "1", "tiles of each weighted layer", {lt.size()}, lt});
    return p;
  }
};

class TileReportJob final : public Job {
 public:
  void validate(const toml::value& config, const std::string& where) const override {
    io::parse_tile_config(with_schema(config), where);
  }
  PointResult run(const toml::value& config, const std::string& where, std::uint64_t,
                  const RunControl&) const override {
    const TileCost c = tile_cost(io::parse_tile_config(with_schema(config), where).inputs);
    PointResult p;
    auto metric = [&](std::string name, std::string unit, std::string description, double value) {
      p.metrics.push_back({std::move(name), std::move(unit), std::move(description), value});
    };
    metric("area_m2", "m^2", "tile area", c.area_total_m2);
    metric("energy_per_mvm_J", "J", "energy of one MVM", c.energy_total_J);
    metric("latency_per_mvm_s", "s", "latency of one MVM", c.latency_total_s);
    metric("adc_energy_per_mvm_J", "J", "ADC energy of one MVM", c.energy_J.adc);
    metric("adc_area_m2", "m^2", "ADC area", c.area_m2.adc);
    metric("update_energy_J", "J", "energy of one full-array update", c.update_energy_J);
    metric("conversions", "1", "ADC conversions per MVM", static_cast<double>(c.conversions));
    return p;
  }

 private:
  // A sweep's base need not repeat schema_version; the tile configuration requires it.
  static toml::value with_schema(toml::value config) {
    if (config.is_table() && !config.contains("schema_version")) config.as_table()["schema_version"] = 1;
    return config;
  }
};

// Device characterisation (`xbarsim device curve`). Configuration: preset (name or
// file), protocol, devices, target_S, pulses, reads, read_time_s, read_voltage_V (the
// command's options, same defaults) and [parameters] (overrides of the preset's values).
class DeviceCurveJob final : public Job {
 public:
  void validate(const toml::value& config, const std::string& where) const override { (void)parse(config, where); }
  PointResult run(const toml::value& config, const std::string& where, std::uint64_t seed,
                  const RunControl& control) const override {
    Parsed p = parse(config, where);
    p.request.seed = seed;
    p.request.control = control;
    const xbarsim::Curve c = characterise(*p.preset.family, p.values, p.request);
    PointResult out;
    for (const auto& d : c.datasets) out.curves.push_back({d.name, d.units, d.description, d.shape, d.values});
    for (const auto& [k, v] : c.attributes) {
      if (const double* x = std::get_if<double>(&v)) out.metrics.push_back({k, "", "protocol result", *x});
      if (const auto* i = std::get_if<std::int64_t>(&v))
        out.metrics.push_back({k, "", "protocol result", static_cast<double>(*i)});
    }
    return out;
  }

 private:
  struct Parsed {
    io::DevicePreset preset;
    ParamValues values;
    CurveRequest request;
  };
  static Parsed parse(const toml::value& config, const std::string& where) {
    ProblemList problems;
    const auto at = [&](const char* key) { return where + ": " + key; };
    static const char* known[] = {"schema_version", "preset", "protocol",    "devices",        "target_S",
                                  "pulses",         "reads",  "read_time_s", "read_voltage_V", "parameters"};
    for (const auto& [key, v] : config.as_table())
      if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return key == k; }) == std::end(known))
        problems.add(at(key.c_str()), "unknown key");
    const auto text = [&](const char* key) -> std::string {
      if (!config.contains(key) || !config.at(key).is_string()) {
        problems.add(at(key), "expected a string");
        return {};
      }
      return config.at(key).as_string().str;
    };
    const auto number = [&](const char* key, double fallback, double lo) {
      if (!config.contains(key)) return fallback;
      const toml::value& v = config.at(key);
      const double x = v.is_integer()    ? static_cast<double>(v.as_integer())
                       : v.is_floating() ? v.as_floating()
                                         : -1e300;
      if (!(x >= lo)) problems.add(at(key), "expected a number >= " + std::to_string(lo));
      return x;
    };
    Parsed p;
    const std::string preset = text("preset");
    p.request.protocol = text("protocol");
    p.request.devices = static_cast<std::size_t>(number("devices", 16, 1));
    if (config.contains("target_S")) p.request.target_S = number("target_S", 0, 0);
    p.request.pulses = static_cast<std::size_t>(number("pulses", 0, 0));
    p.request.reads = static_cast<std::size_t>(number("reads", 1000, 1));
    p.request.read_time_s = number("read_time_s", 1.0, 0);
    p.request.read_voltage_V = number("read_voltage_V", 0.0, 0);
    if (!preset.empty()) {
      try {
        p.preset = io::find_device_preset(preset);
        p.values = p.preset.resolved();
        if (config.contains("parameters"))
          for (const auto& [k, v] :
               io::params_from_toml(config.at("parameters"), p.preset.family->table(), at("parameters"), problems))
            p.values[k] = v;
        if (!p.request.protocol.empty()) require_protocol(*p.preset.family, p.request.protocol);
      } catch (const ConfigError& e) {
        for (const auto& q : e.problems()) problems.add(at(q.where == "--protocol" ? "protocol" : "preset"), q.what);
      } catch (const IoError& e) {
        problems.add(at("preset"), e.what());
      }
    }
    problems.throw_if_any();
    return p;
  }
};

}  // namespace

std::vector<std::string> job_names() { return {"run", "map", "tile-report", "device-curve"}; }

std::unique_ptr<Job> make_job(const std::string& name) {
  if (name == "run") return std::make_unique<MainJob>();
  if (name == "map") return std::make_unique<MapJob>();
  if (name == "tile-report") return std::make_unique<TileReportJob>();
  if (name == "device-curve") return std::make_unique<DeviceCurveJob>();
  throw ConfigError("job", "unknown job \"" + name + "\"; known: " + join(job_names()));
}

}  // namespace xbarsim::sweep

// Generic characterisation protocols, written once against the DeviceModel interface:
// every family gets pulse-response, drift and read-noise for free.
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/devices/family.hpp>

namespace xbarsim {
namespace {

// Largest result array a protocol may allocate (2^28 doubles = 2 GiB): beyond it a run
// would exhaust memory instead of failing with a clear message.
constexpr double kMaxCurveValues = 268435456.0;

void check_size(std::string_view what, double values) {
  if (values > kMaxCurveValues)
    throw ConfigError(std::string(what), "the result would hold " + format_value(values) + " values (more than " +
                                             format_value(kMaxCurveValues) + "); use fewer devices or points");
}

// Copies column 0 of g (devices x 1) into row-major out[d * stride + k].
void store_column(const arma::fmat& g, std::vector<double>& out, std::size_t stride, std::size_t k) {
  for (std::size_t d = 0; d < g.n_rows; ++d) out[d * stride + k] = g(d, 0);
}

double read_voltage(const DeviceFamily& family, const ParamValues& values, const CurveRequest& r) {
  return r.read_voltage_V > 0.0 ? r.read_voltage_V : family.default_read_voltage_V(values);
}

Curve pulse_response(const DeviceFamily& family, const ParamValues& values, const CurveRequest& r) {
  const auto model = family.make(values);
  const std::size_t pulses = r.pulses > 0 ? r.pulses : family.default_pulses(values);
  check_size("--devices x --pulses", static_cast<double>(r.devices) * (2.0 * static_cast<double>(pulses) + 1.0));
  const std::size_t n = r.devices, p = 2 * pulses + 1;
  const double v_read = read_voltage(family, values, r);
  DeviceState state = model->create_state(n, 1, r.seed, 0);
  std::vector<double> g_out(n * p), index(p), polarity(p);
  arma::fmat g;
  read_all(*model, state, v_read, false, 0, g);
  store_column(g, g_out, p, 0);
  for (std::size_t k = 1; k < p; ++k) {
    r.control.check();
    const std::int16_t sign = k <= pulses ? 1 : -1;
    apply_pulses_all(*model, state, PulseCounts(n, 1, arma::fill::value(sign)));
    read_all(*model, state, v_read, false, 0, g);
    store_column(g, g_out, p, k);
    index[k] = static_cast<double>(k);
    polarity[k] = sign;
    r.control.report(k, p - 1, "pulses");
  }
  Curve c{"pulse-response", {}, {}};
  c.datasets.push_back({"pulse_index", "1", "pulses applied before the read (0 = fresh device)", {p}, index});
  c.datasets.push_back(
      {"polarity", "1", "+1 potentiation (SET) pulse, -1 depression (RESET) pulse, 0 none", {p}, polarity});
  c.datasets.push_back({"conductance_S",
                        "S",
                        "noise-free read conductance after each pulse: potentiation, then depression",
                        {n, p},
                        g_out});
  c.attributes["pulses_per_phase"] = static_cast<std::int64_t>(pulses);
  c.attributes["read_voltage_V"] = v_read;
  return c;
}

double default_target(const DeviceModel& m, const CurveRequest& r) {
  return r.target_S ? *r.target_S : 0.5 * (m.g_min_S() + m.g_max_S());
}

void check_target(const DeviceModel& m, double target) {
  if (!(target >= 0.0) || target > 1.5 * m.g_max_S())
    throw ConfigError("--target", "expected a conductance in [0, " + format_value(1.5 * m.g_max_S()) +
                                      "] S for this device, got " + format_value(target));
}

Curve drift(const DeviceFamily& family, const ParamValues& values, const CurveRequest& r) {
  const auto model = family.make(values);
  const double target = default_target(*model, r);
  check_target(*model, target);
  // t = 0 (just programmed), then 5 points per decade from 0.1 s to 1e7 s.
  std::vector<double> times{0.0};
  for (int k = -5; k <= 35; ++k) times.push_back(std::pow(10.0, k / 5.0));
  const std::size_t n = r.devices, t = times.size();
  check_size("--devices", static_cast<double>(n) * static_cast<double>(t));
  DeviceState state = model->create_state(n, 1, r.seed, 0);
  program_all(*model, state, arma::fmat(n, 1, arma::fill::value(static_cast<float>(target))));
  std::vector<double> g_out(n * t);
  arma::fmat g;
  const double v_read = read_voltage(family, values, r);
  for (std::size_t k = 0; k < t; ++k) {
    r.control.check();
    relax_all(*model, state, times[k]);
    read_all(*model, state, v_read, false, 0, g);
    store_column(g, g_out, t, k);
    r.control.report(k + 1, t, "times");
  }
  Curve c{"drift", {}, {}};
  c.datasets.push_back({"time_s", "s", "time since programming (0 = just programmed)", {t}, times});
  c.datasets.push_back({"conductance_S", "S", "conductance without read noise at each time", {n, t}, g_out});
  c.attributes["target_S"] = target;
  return c;
}

Curve read_noise(const DeviceFamily& family, const ParamValues& values, const CurveRequest& r) {
  const auto model = family.make(values);
  const double target = default_target(*model, r);
  check_target(*model, target);
  const std::size_t n = r.devices, reads = r.reads;
  check_size("--devices x --reads", static_cast<double>(n) * static_cast<double>(reads));
  DeviceState state = model->create_state(n, 1, r.seed, 0);
  program_all(*model, state, arma::fmat(n, 1, arma::fill::value(static_cast<float>(target))));
  relax_all(*model, state, r.read_time_s);
  const double v_read = read_voltage(family, values, r);
  std::vector<double> g_out(n * reads);
  arma::fmat g;
  for (std::size_t k = 0; k < reads; ++k) {
    r.control.check();
    read_all(*model, state, v_read, true, k, g);
    store_column(g, g_out, reads, k);
    if (k % 64 == 0 || k + 1 == reads) r.control.report(k + 1, reads, "reads");
  }
  Curve c{"read-noise", {}, {}};
  c.datasets.push_back({"conductance_S", "S", "repeated noisy reads of each device at read_time_s", {n, reads}, g_out});
  c.attributes["target_S"] = target;
  c.attributes["read_time_s"] = r.read_time_s;
  c.attributes["read_voltage_V"] = v_read;
  return c;
}

}  // namespace

const Dataset* Curve::find(std::string_view name) const {
  for (const auto& d : datasets)
    if (d.name == name) return &d;
  return nullptr;
}

std::vector<std::string> protocols_of(const DeviceFamily& family) {
  std::vector<std::string> out(std::begin(kGenericProtocols), std::end(kGenericProtocols));
  for (auto& p : family.extra_protocols()) out.push_back(p);
  return out;
}

void require_protocol(const DeviceFamily& family, std::string_view protocol) {
  const auto known = protocols_of(family);
  if (std::find(known.begin(), known.end(), protocol) != known.end()) return;
  throw ConfigError("--protocol", "expected one of {" + join(known) + "} for model " + std::string(family.model()) +
                                      ", got \"" + std::string(protocol) + "\"");
}

Curve characterise(const DeviceFamily& family, const ParamValues& values, const CurveRequest& request) {
  if (request.devices == 0) throw ConfigError("--devices", "expected at least 1 device, got 0");
  const std::string& p = request.protocol;
  if (p == "pulse-response") return pulse_response(family, values, request);
  if (p == "drift") return drift(family, values, request);
  if (p == "read-noise") {
    if (request.reads == 0) throw ConfigError("--reads", "expected at least 1 read, got 0");
    return read_noise(family, values, request);
  }
  require_protocol(family, p);
  return family.run_extra(values, request);
}

}  // namespace xbarsim

// Extra characterisation protocols of pcm-thermal: "iv" (triangular voltage sweep through
// the driver resistance, showing Ovonic threshold switching) and "pulse-trace" (the
// transient of one SET and one RESET pulse of fresh devices).
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/pcm_thermal.hpp>

namespace xbarsim {
namespace {
using pcm_thermal::Cell;
using pcm_thermal::Waveform;

// Row-major (devices x samples) recorder of per-cell quantities.
struct Recorder {
  std::size_t n = 0;
  std::vector<double> time, source, current, element, temperature, fraction;
  double avrami_n = 3.0;
  double t_offset = 0.0;
  void sample(double t, const std::vector<Cell>& cells) {
    time.push_back(t_offset + t);
    source.push_back(cells.front().source_V);
    for (const Cell& c : cells) {
      current.push_back(c.current_A);
      element.push_back(c.element_V);
      temperature.push_back(c.T_K);
      fraction.push_back(pcm_thermal::crystalline_fraction(c.u, avrami_n));
    }
  }
  // Samples were appended time-major; datasets are (devices x samples) row-major.
  std::vector<double> per_device(const std::vector<double>& v) const {
    const std::size_t t = time.size();
    std::vector<double> out(n * t);
    for (std::size_t k = 0; k < t; ++k)
      for (std::size_t d = 0; d < n; ++d) out[d * t + k] = v[k * n + d];
    return out;
  }
  void write(Curve& c) const {
    const std::size_t t = time.size();
    c.datasets.push_back({"time_s", "s", "time of each sample", {t}, time});
    c.datasets.push_back({"voltage_V", "V", "source voltage (before the driver resistance r_load_ohm)", {t}, source});
    c.datasets.push_back({"current_A", "A", "cell current", {n, t}, per_device(current)});
    c.datasets.push_back(
        {"element_voltage_V", "V", "voltage across the phase-change volume", {n, t}, per_device(element)});
    c.datasets.push_back({"temperature_K", "K", "lumped cell temperature", {n, t}, per_device(temperature)});
    c.datasets.push_back({"crystalline_fraction",
                          "1",
                          "crystalline fraction X of the phase-change volume",
                          {n, t},
                          per_device(fraction)});
  }
};
}  // namespace

Curve PcmThermalModel::iv_sweep(const CurveRequest& request) const {
  const std::size_t n = request.devices;
  DeviceState state = create_state(n, 1, request.seed, 0);
  const double period = 1.0 / p_.iv_frequency_Hz;
  const Waveform wave = Waveform::triangle(p_.iv_amplitude_V, period, p_.iv_cycles);
  // Integration step: the largest step <= dt_s that divides the sample interval, so the
  // samples fall exactly on the sweep grid.
  const std::size_t points = static_cast<std::size_t>(p_.iv_points_per_cycle) * p_.iv_cycles;
  const double interval = period / p_.iv_points_per_cycle;
  const auto sub = static_cast<std::size_t>(std::ceil(interval / p_.dt_s - 1e-9));
  std::vector<Cell> cells;
  for (std::size_t i = 0; i < n; ++i) cells.push_back(cell(state, i, 0, &wave));
  Recorder rec;
  rec.n = n;
  rec.avrami_n = p_.avrami_n;
  pcm_thermal::simulate(
      p_, cells, interval / static_cast<double>(sub), period * p_.iv_cycles,
      [&](double t, const std::vector<Cell>& cs) {
        request.control.check();
        rec.sample(t, cs);
        request.control.report(rec.time.size() - 1, points, "iv samples");
      },
      sub);
  Curve c{"iv", {}, {}};
  rec.write(c);
  c.attributes["iv_amplitude_V"] = p_.iv_amplitude_V;
  c.attributes["iv_frequency_Hz"] = p_.iv_frequency_Hz;
  c.attributes["r_load_ohm"] = p_.r_load_ohm;
  c.attributes["v_th_V"] = p_.v_th_V;
  c.attributes["v_hold_V"] = p_.v_hold_V;
  return c;
}

Curve PcmThermalModel::pulse_trace(const CurveRequest& request) const {
  const std::size_t n = request.devices;
  DeviceState state = create_state(n, 1, request.seed, 0);
  Recorder rec;
  rec.n = n;
  rec.avrami_n = p_.avrami_n;
  std::vector<double> phase;
  // SET then RESET on the same devices; each transient starts at T_amb.
  for (int k = 0; k < 2; ++k) {
    request.control.check();
    const Waveform* wave = k == 0 ? &set_wave_ : &reset_wave_;
    std::vector<Cell> cells;
    for (std::size_t i = 0; i < n; ++i) {
      cells.push_back(cell(state, i, 0, wave));
      if (k == 1) cells.back().u = state.field(kU)(i, 0);
    }
    const double t_end = pcm_thermal::simulate(p_, cells, p_.dt_s, 0.0, [&](double t, const std::vector<Cell>& cs) {
      rec.sample(t, cs);
      phase.push_back(k == 0 ? 1.0 : -1.0);
    });
    for (std::size_t i = 0; i < n; ++i) state.field(kU)(i, 0) = static_cast<float>(cells[i].u);
    rec.t_offset += t_end + p_.dt_s;
    request.control.report(k + 1, 2, "pulses");
  }
  Curve c{"pulse-trace", {}, {}};
  rec.write(c);
  c.datasets.push_back(
      {"polarity", "1", "+1 during the SET transient, -1 during the RESET transient", {phase.size()}, phase});
  c.attributes["set_amplitude_V"] = p_.set_amplitude_V;
  c.attributes["reset_amplitude_V"] = p_.reset_amplitude_V;
  c.attributes["r_load_ohm"] = p_.r_load_ohm;
  return c;
}

}  // namespace xbarsim

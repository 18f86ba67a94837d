// P-V hysteresis of the domain ensemble over a triangular gate-voltage sweep: each grid
// point is held for loop_step_time_s, i.e. applied as one pulse of that width, so the loop
// shows the same kinetics (coercive voltages shrink for slower sweeps) as the updates.
#include "fefet_loop.hpp"

#include <cmath>
#include <limits>
#include <xbarsim/core/error.hpp>

namespace xbarsim::fefet {
namespace {

// Voltage where P crosses 0 on `segment` (linear interpolation), per device; NaN if never.
double mean_crossing(const std::vector<double>& v, const std::vector<double>& seg, const std::vector<double>& pol,
                     std::size_t devices, int segment) {
  const std::size_t t = v.size();
  double sum = 0.0;
  std::size_t found = 0;
  for (std::size_t d = 0; d < devices; ++d) {
    const double* p = pol.data() + d * t;
    for (std::size_t k = 1; k < t; ++k) {
      if (static_cast<int>(seg[k]) != segment) continue;
      if ((p[k - 1] < 0.0) != (p[k] < 0.0)) {
        const double f = p[k - 1] / (p[k - 1] - p[k]);
        sum += v[k - 1] + f * (v[k] - v[k - 1]);
        ++found;
        break;
      }
    }
  }
  return found ? sum / static_cast<double>(found) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

void loop_waveform(const FefetPreisachParams& p, std::vector<double>& voltage_V, std::vector<double>& segment) {
  const auto m_max = static_cast<long>(std::lround(p.loop_v_max_V / p.loop_step_V));
  const auto m_minor = static_cast<long>(std::lround(p.loop_v_minor_V / p.loop_step_V));
  voltage_V.assign(1, 0.0);
  segment.assign(1, 0.0);
  long m = 0;
  auto ramp_to = [&](long target, int seg) {
    while (m != target) {
      m += target > m ? 1 : -1;
      voltage_V.push_back(static_cast<double>(m) * p.loop_step_V);
      segment.push_back(seg);
    }
  };
  ramp_to(m_max, 0);
  ramp_to(-m_max, 1);
  ramp_to(m_max, 2);
  ramp_to(-m_minor, 3);
  ramp_to(m_minor, 4);
  ramp_to(-m_minor, 5);
  ramp_to(-m_max, 6);
}

Curve polarization_loop(const FefetPreisachModel& model, const CurveRequest& request) {
  const FefetPreisachParams& p = model.params();
  std::vector<double> v, seg;
  loop_waveform(p, v, seg);
  const std::size_t n = request.devices, t = v.size();
  DeviceState state = model.create_state(n, 1, request.seed, 0);
  std::vector<double> time(t), pol(n * t);
  arma::fmat pc(n, 1);
  for (std::size_t k = 0; k < t; ++k) {
    request.control.check();
    model.apply_voltage_pulse(state, v[k], p.loop_step_time_s, k, state.all_rows());
    model.polarization(state, pc, state.all_rows());
    for (std::size_t d = 0; d < n; ++d) pol[d * t + k] = pc(d, 0);
    time[k] = static_cast<double>(k) * p.loop_step_time_s;
    if (k % 64 == 0 || k + 1 == t) request.control.report(k + 1, t, "sweep points");
  }
  Curve c{"polarization-loop", {}, {}};
  c.datasets.push_back({"voltage_V", "V", "gate voltage of each sweep point (held for loop_step_time_s)", {t}, v});
  c.datasets.push_back({"time_s", "s", "start time of each sweep point", {t}, time});
  c.datasets.push_back({"segment",
                        "1",
                        "sweep segment: 0 virgin 0->+Vmax, 1-2 saturated loop, 3 +Vmax->-Vminor, 4-5 minor loop, "
                        "6 -Vminor->-Vmax (rejoins the saturated branch)",
                        {t},
                        seg});
  c.datasets.push_back({"polarization",
                        "C/m^2",
                        "net remanent (switched) polarisation Pr (2 s - 1) after each sweep point; the linear "
                        "dielectric displacement is not included",
                        {n, t},
                        pol});
  c.attributes["loop_v_max_V"] = static_cast<double>(std::lround(p.loop_v_max_V / p.loop_step_V)) * p.loop_step_V;
  c.attributes["loop_v_minor_V"] = static_cast<double>(std::lround(p.loop_v_minor_V / p.loop_step_V)) * p.loop_step_V;
  c.attributes["loop_step_V"] = p.loop_step_V;
  c.attributes["loop_step_time_s"] = p.loop_step_time_s;
  c.attributes["remanent_polarization_C_per_m2"] = p.remanent_polarization_C_per_m2;
  c.attributes["coercive_voltage_up_V"] = mean_crossing(v, seg, pol, n, 2);
  c.attributes["coercive_voltage_down_V"] = mean_crossing(v, seg, pol, n, 1);
  return c;
}

}  // namespace xbarsim::fefet

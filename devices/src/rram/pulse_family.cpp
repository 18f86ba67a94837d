// Registry entry of rram-pulse.
#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/registry.hpp>
#include <xbarsim/devices/rram_pulse.hpp>

namespace xbarsim {

std::string_view RramPulseFamily::summary() const {
  return "NeuroSim behavioural synapse (Chen, Peng, Yu, IEEE TCAD 2018): nonlinear LTP/LTD by pulse number, "
         "c2c and d2d variation, optional CMO/HfOx relaxation (aihwkit)";
}

double RramPulseFamily::default_read_voltage_V(const ParamValues& values) const { return params(values).v_read_V; }

std::size_t RramPulseFamily::default_pulses(const ParamValues& values) const {
  const RramPulseParams p = params(values);
  return static_cast<std::size_t>(std::max(p.pulses_ltp, p.pulses_ltd));
}

Curve RramPulseFamily::run_extra(const ParamValues&, const CurveRequest& request) const {
  throw InternalError("rram-pulse has no extra protocols, asked for '" + request.protocol + "'");
}

const DeviceFamily& rram_pulse_family() {
  static const RramPulseFamily family;
  return family;
}

}  // namespace xbarsim

// Registry entry of rram-vteam.
#include <xbarsim/devices/registry.hpp>
#include <xbarsim/devices/rram_vteam.hpp>

namespace xbarsim {

std::string_view VteamFamily::summary() const {
  return "VTEAM voltage-threshold memristor (Kvatinsky et al., IEEE TCAS-II 2015) with selectable window and "
         "port equation, MemTorch defaults, Odeint integration; no temperature dependence";
}

double VteamFamily::default_read_voltage_V(const ParamValues& values) const { return params(values).v_read_V; }

std::size_t VteamFamily::default_pulses(const ParamValues& values) const {
  return static_cast<std::size_t>(params(values).response_pulses);
}

Curve VteamFamily::run_extra(const ParamValues& values, const CurveRequest& request) const {
  return VteamModel(params(values)).iv_sweep(request);
}

const DeviceFamily& vteam_family() {
  static const VteamFamily family;
  return family;
}

}  // namespace xbarsim

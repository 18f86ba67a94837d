// Registry entry of rram-stanford-pku.
#include <xbarsim/devices/registry.hpp>
#include <xbarsim/devices/rram_stanford_pku.hpp>

namespace xbarsim {

std::string_view StanfordPkuFamily::summary() const {
  return "Stanford-PKU gap model of oxide RRAM (Jiang et al., IEEE TED 2016; Stanford Verilog-A v1.0.0) with "
         "algebraic or ODE heating, F_min rule and optional gap noise; Odeint integration";
}

double StanfordPkuFamily::default_read_voltage_V(const ParamValues& values) const { return params(values).v_read_V; }

std::size_t StanfordPkuFamily::default_pulses(const ParamValues& values) const {
  return static_cast<std::size_t>(params(values).response_pulses);
}

Curve StanfordPkuFamily::run_extra(const ParamValues& values, const CurveRequest& request) const {
  return StanfordPkuModel(params(values)).iv_sweep(request);
}

const DeviceFamily& stanford_pku_family() {
  static const StanfordPkuFamily family;
  return family;
}

}  // namespace xbarsim

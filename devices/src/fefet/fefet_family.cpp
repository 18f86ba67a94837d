// Registry entry of the FeFET Preisach family: parameters, model factory and the
// polarization-loop protocol.
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/registry.hpp>

#include "fefet_loop.hpp"

namespace xbarsim {
namespace {

class FefetPreisachFamily final : public FamilyOf<FefetPreisachParams, FefetPreisachModel> {
 public:
  std::string_view model() const override { return "fefet-preisach"; }
  std::string_view family() const override { return "fefet"; }
  std::string_view summary() const override {
    return "HZO FeFET synapse: multi-domain Preisach ensemble with Merz-law (VDST) pulse kinetics and the "
           "progressive-amplitude pulse scheme (Jerry et al., IEDM 2017; NeuroSim FeFET parameters)";
  }
  double default_read_voltage_V(const ParamValues& values) const override { return params(values).read_voltage_V; }
  std::size_t default_pulses(const ParamValues& values) const override {
    return static_cast<std::size_t>(params(values).scheme_steps);
  }
  std::vector<std::string> extra_protocols() const override { return {"polarization-loop"}; }
  Curve run_extra(const ParamValues& values, const CurveRequest& request) const override {
    if (request.protocol != "polarization-loop")
      throw InternalError("fefet-preisach has no protocol '" + request.protocol + "'");
    return fefet::polarization_loop(FefetPreisachModel(params(values)), request);
  }
};

}  // namespace

const DeviceFamily& fefet_preisach_family() {
  static const FefetPreisachFamily family;
  return family;
}

}  // namespace xbarsim

// rpu-step family: registry entry, defaults of the generic protocols and the
// "up-down" protocol (alternating potentiation / depression pulses, the experiment
// aihwkit uses to locate a device's symmetry point).
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/registry.hpp>
#include <xbarsim/devices/rpu_step.hpp>

namespace xbarsim {

std::string_view RpuStepFamily::summary() const {
  return "pulsed update-once RPU devices with aihwkit's semantics (ConstantStep, LinearStep, SoftBounds, ExpStep, "
         "PowStep, PiecewiseStep; Gokmen & Vlasov, Front. Neurosci. 2016)";
}

double RpuStepFamily::default_read_voltage_V(const ParamValues& values) const { return params(values).v_read_V; }

// Enough pulses to cross the nominal range with nominal steps (the "number of
// states" (w_max - w_min)/dw_min of aihwkit's calcNumStates), capped for huge ranges.
std::size_t RpuStepFamily::default_pulses(const ParamValues& values) const {
  const RpuStepParams p = params(values);
  const double states = std::ceil((p.w_max - p.w_min) / p.dw_min);
  return static_cast<std::size_t>(std::clamp(states, 1.0, 100000.0));
}

std::vector<std::string> RpuStepFamily::extra_protocols() const { return {"up-down"}; }

Curve RpuStepFamily::run_extra(const ParamValues& values, const CurveRequest& r) const {
  if (r.protocol != "up-down") throw InternalError("rpu-step has no protocol '" + r.protocol + "'");
  const RpuStepModel model(params(values));
  const std::size_t n = r.devices, pairs = r.pulses > 0 ? r.pulses : default_pulses(values), p = 2 * pairs + 1;
  DeviceState state = model.create_state(n, 1, r.seed, 0);
  const arma::fmat& w = state.field(static_cast<std::size_t>(model.field_index("w")));
  std::vector<double> w_out(n * p), index(p);
  auto store = [&](std::size_t k) {
    for (std::size_t d = 0; d < n; ++d) w_out[d * p + k] = w(d, 0);
  };
  store(0);
  PulseCounts up(n, 1, arma::fill::value(std::int16_t{1})), down(n, 1, arma::fill::value(std::int16_t{-1}));
  for (std::size_t k = 1; k < p; ++k) {
    r.control.check();
    apply_pulses_all(model, state, k % 2 == 1 ? up : down);
    store(k);
    index[k] = static_cast<double>(k);
    if (k % 256 == 0 || k + 1 == p) r.control.report(k, p - 1, "pulses");
  }
  Curve c{"up-down", {}, {}};
  c.datasets.push_back(
      {"pulse_index", "1", "pulses applied (odd: after a potentiation, even: after a depression)", {p}, index});
  c.datasets.push_back(
      {"weight", "1", "hidden weight w of each device after each pulse, from the fresh state", {n, p}, w_out});
  if (model.step_type() == RpuStepType::SoftBounds) {
    // Fixed point of one up plus one down step without noise (aihwkit
    // SoftBoundsReferenceDevice docstring): w* = (a+ - a-)/(a+/b_max - a-/b_min).
    const auto& su = state.field(static_cast<std::size_t>(model.field_index("scale_up")));
    const auto& sd = state.field(static_cast<std::size_t>(model.field_index("scale_down")));
    const auto& bx = state.field(static_cast<std::size_t>(model.field_index("w_max_bound")));
    const auto& bn = state.field(static_cast<std::size_t>(model.field_index("w_min_bound")));
    std::vector<double> ws(n);
    for (std::size_t d = 0; d < n; ++d) {
      const double a = su(d, 0), b = sd(d, 0);
      ws[d] = (a - b) / (a / bx(d, 0) - b / bn(d, 0));
    }
    c.datasets.push_back({"symmetry_point", "1", "closed-form symmetry point of each soft-bounds device", {n}, ws});
  }
  c.attributes["pulse_pairs"] = static_cast<std::int64_t>(pairs);
  return c;
}

const DeviceFamily& rpu_step_family() {
  static const RpuStepFamily family;
  return family;
}

}  // namespace xbarsim

// The "mtj" device family: parameter table, model factory and the extra protocols
// "switching" (switching probability vs current and pulse width, closed form or s-LLGS)
// and "iv" (triangle voltage sweep showing the R-V hysteresis of STT switching).
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/mtj.hpp>
#include <xbarsim/devices/mtj_llg.hpp>
#include <xbarsim/devices/registry.hpp>

namespace xbarsim {
namespace {

std::vector<double> linspace(double lo, double hi, int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) v[k] = n == 1 ? lo : lo + (hi - lo) * k / (n - 1);
  return v;
}

std::vector<double> logspace(double lo, double hi, int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) v[k] = n == 1 ? lo : std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * k / (n - 1));
  return v;
}

void add_derived_attributes(Curve& c, const MtjDerived& d) {
  c.attributes["delta"] = d.delta;
  c.attributes["i_c0_A"] = d.i_c0_A;
  c.attributes["tau_d_s"] = d.tau_d_s;
  c.attributes["h_k_A_per_m"] = d.h_k_A_per_m;
  c.attributes["tmr0"] = d.tmr0;
}

Curve switching(const MtjParams& p, const CurveRequest& r) {
  const MtjDerived d = mtj_derived(p);
  const auto widths = logspace(p.switching_pulse_min_s, p.switching_pulse_max_s, p.switching_pulse_points);
  const auto currents = linspace(p.switching_current_min_A, p.switching_current_max_A, p.switching_current_points);
  const std::size_t nw = widths.size(), na = currents.size();
  std::vector<double> prob(na * nw);
  const bool to_p = p.switching_direction == "ap-to-p";
  const bool llg = p.switching_method == "llg";
  if (!llg) {
    // The model is symmetric in direction: reduced current |I|/I_c0 out of the start state.
    mtj::SwitchingConstants sc{d.delta, d.tau_d_s, p.tau0_s, p.thermal_exponent, p.nb_min_barrier_kT};
    for (std::size_t a = 0; a < na; ++a)
      for (std::size_t w = 0; w < nw; ++w)
        prob[a * nw + w] = mtj::switching_probability(sc, currents[a] / d.i_c0_A, widths[w]);
  } else {
    // First-passage estimate: a pulse of width t_p switches a trajectory whose m_z changed
    // sign before t_p. One run per current covers every width.
    const mtj::Macrospin ms = mtj::reference_macrospin(p);
    RunControl inner;
    inner.cancel = r.control.cancel;
    for (std::size_t a = 0; a < na; ++a) {
      r.control.check();
      mtj::LlgOptions o;
      o.dt_s = p.llg_dt_s;
      o.t_max_s = widths.back();
      o.start = to_p ? mtj::LlgStart::BoltzmannAP : mtj::LlgStart::BoltzmannP;
      o.stream = static_cast<std::uint32_t>(a);
      const auto res = mtj::simulate_llg(ms, to_p ? currents[a] : -currents[a], r.devices, o, r.seed, inner);
      for (std::size_t w = 0; w < nw; ++w) {
        const auto hits = std::count_if(res.switching_time_s.begin(), res.switching_time_s.end(),
                                        [&](double t) { return t <= widths[w]; });
        prob[a * nw + w] = static_cast<double>(hits) / static_cast<double>(r.devices);
      }
      r.control.report(a + 1, na, "currents");
    }
  }
  Curve c{"switching", {}, {}};
  c.datasets.push_back({"pulse_width_s", "s", "write pulse widths (log spaced)", {nw}, widths});
  c.datasets.push_back({"current_A", "A", "write current magnitudes (linearly spaced)", {na}, currents});
  c.datasets.push_back({"probability",
                        "1",
                        llg ? "switching probability: fraction of s-LLGS trajectories whose m_z changed sign "
                              "within the pulse (current x pulse width)"
                            : "switching probability of the nominal reference MTJ from the closed forms "
                              "(thermal + precessional channels; current x pulse width)",
                        {na, nw},
                        prob});
  c.attributes["method"] = p.switching_method;
  c.attributes["direction"] = p.switching_direction;
  if (llg) {
    c.attributes["trajectories_per_point"] = static_cast<std::int64_t>(r.devices);
    c.attributes["llg_dt_s"] = p.llg_dt_s;
  }
  add_derived_attributes(c, d);
  return c;
}

// Triangle 0 -> +V -> -V -> 0 over the sweep.
double triangle(double x) {
  if (x < 0.25) return 4.0 * x;
  if (x < 0.75) return 2.0 - 4.0 * x;
  return 4.0 * x - 4.0;
}

Curve iv(const MtjParams& p, const CurveRequest& r) {
  const MtjModel model(p);
  const std::size_t n = r.devices, t = static_cast<std::size_t>(p.iv_points);
  DeviceState state = model.create_state(n, 1, r.seed, 0);
  const double dt = p.iv_sweep_time_s / static_cast<double>(t - 1);
  std::vector<double> time(t), volt(t), cur(n * t);
  arma::fmat g(n, 1);
  // The sweep is one sustained drive: the precession phase carries over between points.
  MtjModel::BiasMemory memory = model.bias_memory(state);
  for (std::size_t k = 0; k < t; ++k) {
    if (k % 64 == 0) r.control.check();
    time[k] = dt * static_cast<double>(k);
    volt[k] = p.iv_voltage_max_V * triangle(static_cast<double>(k) / static_cast<double>(t - 1));
    if (volt[k] != 0.0) model.read(state, volt[k], false, 0, g, state.all_rows());
    for (std::size_t i = 0; i < n; ++i) cur[i * t + k] = volt[k] == 0.0 ? 0.0 : g(i, 0) * volt[k];
    // The bias of this point acts until the next one.
    if (k + 1 < t) model.apply_bias(state, volt[k], dt, k, state.all_rows(), &memory);
    if (k % 64 == 0 || k + 1 == t) r.control.report(k + 1, t, "iv points");
  }
  Curve c{"iv", {}, {}};
  c.datasets.push_back({"time_s", "s", "time of each point of the triangle sweep 0 -> +V -> -V -> 0", {t}, time});
  c.datasets.push_back({"voltage_V", "V", "cell voltage (+ drives the MTJs towards P)", {t}, volt});
  c.datasets.push_back({"current_A",
                        "A",
                        "cell current at each point before the bias acts for one step (devices x time); "
                        "fresh cells start all-AP",
                        {n, t},
                        cur});
  c.attributes["step_s"] = dt;
  add_derived_attributes(c, model.derived());
  return c;
}

class MtjFamily final : public FamilyOf<MtjParams, MtjModel> {
 public:
  std::string_view model() const override { return "mtj"; }
  std::string_view family() const override { return "mtj"; }
  std::string_view summary() const override {
    return "perpendicular STT-MTJ cells (1..8 MTJs, series or parallel): Julliere TMR with bias dependence, "
           "Neel-Brown / Sun switching closed forms, macrospin s-LLGS; ARM mram_simulation_framework defaults";
  }
  double default_read_voltage_V(const ParamValues& values) const override { return params(values).v_read_V; }
  std::size_t default_pulses(const ParamValues& values) const override {
    // Enough pulses to walk a multi-level cell through its levels.
    return 4 * static_cast<std::size_t>(params(values).mtjs_per_cell);
  }
  std::vector<std::string> extra_protocols() const override { return {"switching", "iv"}; }
  Curve run_extra(const ParamValues& values, const CurveRequest& request) const override {
    const MtjParams p = params(values);
    if (request.protocol == "switching") return switching(p, request);
    if (request.protocol == "iv") return iv(p, request);
    throw InternalError("mtj family has no protocol '" + request.protocol + "'");
  }
};

}  // namespace

const DeviceFamily& mtj_family() {
  static const MtjFamily family;
  return family;
}

}  // namespace xbarsim

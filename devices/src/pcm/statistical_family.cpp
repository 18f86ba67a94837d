// Parameter table and family of pcm-statistical.
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/pcm_statistical.hpp>
#include <xbarsim/devices/registry.hpp>

namespace xbarsim {

const ParamTable<PcmStatisticalParams>& PcmStatisticalParams::table() {
  static const ParamTable<PcmStatisticalParams> t = [] {
    using P = PcmStatisticalParams;
    ParamTable<P> t;
    t.real("g_max_S", &P::g_max_S, "S", Range::positive(),
           "conductance of g_T = 1; the programming-noise polynomial (fitted at 25 uS) scales by g_max/25 uS",
           "aihwkit inference/noise/pcm.py PCMLikeNoiseModel via SinglePairConductanceConverter: g_max = 25 uS")
        .real("g_min_S", &P::g_min_S, "S", Range::non_negative(), "RESET (lowest) conductance",
              "aihwkit SinglePairConductanceConverter: g_min = 0")
        .real("t0_s", &P::t0_s, "s", Range::positive(),
              "reference time of the drift law and of the 1/f noise integral (first read after programming)",
              "aihwkit PCMLikeNoiseModel t_0 = 20 s (Joshi et al. 2020)")
        .real("t_read_s", &P::t_read_s, "s", Range::positive(), "read integration time of the 1/f noise fit",
              "aihwkit PCMLikeNoiseModel t_read = 250 ns (Joshi et al. 2020)")
        .real("prog_noise_scale", &P::prog_noise_scale, "1", Range::non_negative(),
              "multiplier of the programming-noise sigma (0 = exact targets)", "aihwkit prog_noise_scale = 1")
        .real("read_noise_scale", &P::read_noise_scale, "1", Range::non_negative(),
              "multiplier of the 1/f read-noise sigma (0 = noise-free reads)", "aihwkit read_noise_scale = 1")
        .real("drift_scale", &P::drift_scale, "1", Range::non_negative(),
              "multiplier of the drift exponent nu (0 = no drift)", "aihwkit drift_scale = 1")
        .real("v_read_V", &P::v_read_V, "V", Range::positive(),
              "default read voltage; the model is ohmic so it only sets read currents",
              "[U] typical PCM read bias well below the threshold voltage (device_physics.md 3.3: V_th 0.5-1.5 V)")
        .integer("response_pulses", &P::response_pulses, "1", Range::closed(1, 100000),
                 "pulses per phase of the pulse-response protocol (each pulse is a full SET or RESET)",
                 "choice: a few pulses show the binary full-SET / full-RESET response");
    add_nonideality_fields(t);
    t.relation([](const P& p, std::string_view prefix, ProblemList& problems) {
      require(p.g_min_S < p.g_max_S, problems, prefix, "g_min_S", "must be below g_max_S");
      require(p.temperature_K == 300.0, problems, prefix, "temperature_K",
              "pcm-statistical is the room-temperature fit of Joshi et al. 2020 and has no temperature "
              "dependence (the drift exponent at temperature is not in the sources); keep 300 K or use "
              "pcm-thermal");
    });
    return t;
  }();
  return t;
}

std::string_view PcmStatisticalFamily::summary() const {
  return "statistical PCM inference model: programming noise, power-law drift and 1/f read noise "
         "(Joshi et al., Nat. Commun. 2020; aihwkit PCMLikeNoiseModel)";
}

double PcmStatisticalFamily::default_read_voltage_V(const ParamValues& values) const { return params(values).v_read_V; }

std::size_t PcmStatisticalFamily::default_pulses(const ParamValues& values) const {
  return static_cast<std::size_t>(params(values).response_pulses);
}

Curve PcmStatisticalFamily::run_extra(const ParamValues& /*values*/, const CurveRequest& request) const {
  throw InternalError("pcm-statistical has no extra protocol \"" + request.protocol + "\"");
}

const DeviceFamily& pcm_statistical_family() {
  static const PcmStatisticalFamily family;
  return family;
}

}  // namespace xbarsim

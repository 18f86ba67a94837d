// Parameter table and family of pcm-pulse.
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/pcm_pulse.hpp>
#include <xbarsim/devices/registry.hpp>

namespace xbarsim {

const ParamTable<PcmPulseParams>& PcmPulseParams::table() {
  static const ParamTable<PcmPulseParams> t = [] {
    using P = PcmPulseParams;
    const std::string preset = "aihwkit simulator/presets/devices.py PCMPresetDevice (Nandakumar et al. 2020): ";
    const std::string base = "aihwkit simulator/configs/devices.py PulsedDevice default: ";
    ParamTable<P> t;
    t.real("g_max_S", &P::g_max_S, "S", Range::positive(), "conductance of w = w_max (nominal top of the window)",
           "[U] mapping assumption: 25 uS, the g_max of aihwkit's PCM inference model (pcm.py); the preset is "
           "in weight units and the paper's conductance scale is not in the reference sheets")
        .real("g_min_S", &P::g_min_S, "S", Range::non_negative(), "conductance of w = 0 (fully amorphous)",
              "aihwkit SinglePairConductanceConverter: g_min = 0")
        .real("w_max", &P::w_max, "1", Range::positive(), "upper weight bound (lower bound is 0)", preset + "w_max = 2")
        .real("w_max_dtod", &P::w_max_dtod, "1", Range::non_negative(),
              "relative device-to-device sigma of the upper bound", preset + "w_max_dtod = 0.1")
        .real("dw_min", &P::dw_min, "1", Range::positive(), "SET step scale in weight units", preset + "dw_min = 0.01")
        .real("dw_min_dtod", &P::dw_min_dtod, "1", Range::non_negative(), "relative device-to-device sigma of the step",
              preset + "dw_min_dtod = 0.2")
        .real("up_down_dtod", &P::up_down_dtod, "1", Range::non_negative(),
              "device-to-device sigma of the up/down bias (enters the up step)", preset + "up_down_dtod = 0.05")
        .real("es_a", &P::es_a, "1", Range::any(), "ExpStep slope a of z = 2 a w/(b_max - b_min) + b",
              preset + "a = -1")
        .real("es_b", &P::es_b, "1", Range::any(), "ExpStep offset b", preset + "b = 0")
        .real("gamma_up", &P::gamma_up, "1", Range::any(), "ExpStep exponent of the SET direction",
              preset + "gamma_up = 2.5")
        .real("A_up", &P::A_up, "1", Range::any(),
              "ExpStep factor of the SET direction: step ~ 1 - A_up exp(gamma_up z)", preset + "A_up = -27.235")
        .real("dw_min_std", &P::dw_min_std, "1", Range::non_negative(), "cycle-to-cycle noise scale of a step",
              preset + "dw_min_std = 0.6")
        .real("dw_min_std_add", &P::dw_min_std_add, "1", Range::non_negative(),
              "additive part of the step noise (units of dw_min_std)", preset + "dw_min_std_add = 0.042")
        .real("dw_min_std_slope", &P::dw_min_std_slope, "1", Range::non_negative(),
              "part of the step noise proportional to |w| (units of dw_min_std)", preset + "dw_min_std_slope = 0.108")
        .real("reset", &P::reset, "1", Range::any(), "mean reset value of w", preset + "reset = 0.01")
        .real("reset_dtod", &P::reset_dtod, "1", Range::non_negative(), "device-to-device sigma of the reset value",
              preset + "reset_dtod = 0.02")
        .real("reset_std", &P::reset_std, "1", Range::non_negative(), "cycle-to-cycle sigma of each reset",
              base + "reset_std = 0.01")
        .real("drift_scale", &P::drift_scale, "1", Range::non_negative(),
              "multiplier of the statistical drift exponent (0 = no drift)",
              "aihwkit PCMPresetDevice has no drift; 1 applies Joshi et al. 2020 (device_physics.md 3.1)")
        .real("read_noise_scale", &P::read_noise_scale, "1", Range::non_negative(),
              "multiplier of the statistical 1/f read noise (0 = none)",
              "aihwkit training presets put read noise in the tile IO, not the device; 1 applies Joshi et al. 2020")
        .real("t0_s", &P::t0_s, "s", Range::positive(), "reference time of the drift and 1/f laws",
              "aihwkit PCMLikeNoiseModel t_0 = 20 s")
        .real("t_read_s", &P::t_read_s, "s", Range::positive(), "read integration time of the 1/f law",
              "aihwkit PCMLikeNoiseModel t_read = 250 ns")
        .real("v_read_V", &P::v_read_V, "V", Range::positive(),
              "default read voltage; the model is ohmic so it only sets read currents",
              "[U] typical PCM read bias well below the threshold voltage (device_physics.md 3.3: V_th 0.5-1.5 V)")
        .integer("response_pulses", &P::response_pulses, "1", Range::closed(1, 100000),
                 "pulses per phase of the pulse-response protocol",
                 "choice: about 60 SET pulses bring the mean device close to its bound");
    add_nonideality_fields(t);
    t.relation([](const P& p, std::string_view prefix, ProblemList& problems) {
      require(p.g_min_S < p.g_max_S, problems, prefix, "g_min_S", "must be below g_max_S");
      require(p.temperature_K == 300.0, problems, prefix, "temperature_K",
              "pcm-pulse is a room-temperature fit (aihwkit PCMPresetDevice) with no temperature dependence; "
              "keep 300 K or use pcm-thermal");
    });
    return t;
  }();
  return t;
}

std::string_view PcmPulseFamily::summary() const {
  return "pulse-level PCM for training: cumulative SET (ExpStep) and RESET, aihwkit PCMPresetDevice "
         "(Nandakumar et al., Front. Neurosci. 2020)";
}

double PcmPulseFamily::default_read_voltage_V(const ParamValues& values) const { return params(values).v_read_V; }

std::size_t PcmPulseFamily::default_pulses(const ParamValues& values) const {
  return static_cast<std::size_t>(params(values).response_pulses);
}

Curve PcmPulseFamily::run_extra(const ParamValues& /*values*/, const CurveRequest& request) const {
  throw InternalError("pcm-pulse has no extra protocol \"" + request.protocol + "\"");
}

const DeviceFamily& pcm_pulse_family() {
  static const PcmPulseFamily family;
  return family;
}

}  // namespace xbarsim

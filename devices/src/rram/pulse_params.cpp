// Parameter table of rram-pulse (device_physics.md 2.5 NeuroSim; 2.6 aihwkit CMO/HfOx).
#include <xbarsim/devices/rram_pulse.hpp>

namespace xbarsim {
namespace {
constexpr const char* kIdeal = "NeuroSim MLP_NeuroSim_V3.0 Cell.cpp IdealDevice (sheet 2.5)";
constexpr const char* kCmo =
    "aihwkit inference/noise/reram.py ReRamCMONoiseModel decay_dict (CMO/HfOx, Falcone et al.; sheet 2.6)";

ParamTable<RramPulseParams> build() {
  using P = RramPulseParams;
  ParamTable<P> t;
  t.real("g_min_S", &P::g_min_S, "S", Range::positive(), "minimum conductance G_min", kIdeal)
      .real("g_max_S", &P::g_max_S, "S", Range::positive(), "maximum conductance G_max", kIdeal)
      .integer("pulses_ltp", &P::pulses_ltp, "1", Range::closed(1, 1000000),
               "pulses from G_min to G_max (NeuroSim maxNumLevelLTP)", std::string(kIdeal) + ": 64 levels")
      .integer("pulses_ltd", &P::pulses_ltd, "1", Range::closed(1, 1000000),
               "pulses from G_max to G_min (NeuroSim maxNumLevelLTD)", std::string(kIdeal) + ": 64 levels")
      .real("nl_ltp", &P::nl_ltp, "1", Range::closed(-9.0, 9.0),
            "LTP nonlinearity label NL (0 linear; sign = curvature; NeuroSim table range +/-9)",
            std::string(kIdeal) + ": linear")
      .real("nl_ltd", &P::nl_ltd, "1", Range::closed(-9.0, 9.0), "LTD nonlinearity label NL",
            std::string(kIdeal) + ": linear")
      .real("nl_d2d_sigma", &P::nl_d2d_sigma, "1", Range::non_negative(),
            "device-to-device sigma added to NL before the A lookup (NeuroSim sigmaDtoD)", "0 as in NeuroSim Cell.cpp")
      .real("c2c_sigma_rel", &P::c2c_sigma_rel, "1", Range::non_negative(),
            "cycle-to-cycle sigma per pulse as a fraction of G_max - G_min, times sqrt(|n|) (NeuroSim sigmaCtoC)",
            std::string(kIdeal) + ": none")
      .real("write_voltage_ltp_V", &P::write_voltage_ltp_V, "V", Range::any(),
            "LTP write pulse amplitude (programming-energy estimate only)", std::string(kIdeal) + ": 2 V")
      .real("write_width_ltp_s", &P::write_width_ltp_s, "s", Range::positive(), "LTP write pulse width",
            std::string(kIdeal) + ": 10 ns")
      .real("write_voltage_ltd_V", &P::write_voltage_ltd_V, "V", Range::any(),
            "LTD write pulse amplitude (programming-energy estimate only)",
            std::string(kIdeal) + ": 2 V, opposite polarity")
      .real("write_width_ltd_s", &P::write_width_ltd_s, "s", Range::positive(), "LTD write pulse width",
            std::string(kIdeal) + ": 10 ns")
      .real("v_read_V", &P::v_read_V, "V", Range::positive(), "default read voltage (ohmic read)",
            std::string(kIdeal) + ": 0.5 V")
      .real("read_noise_rel", &P::read_noise_rel, "1", Range::non_negative(),
            "relative read noise: read = V G (1 + N(0, sigma)) (NeuroSim sigmaReadNoise)", "0 as in NeuroSim")
      .choice("relaxation", &P::relaxation, {"none", "cmo-hfox"},
              "conductance relaxation after a write: none (NeuroSim) or the CMO/HfOx log-time fit",
              "none: NeuroSim has no retention model")
      .real("relax_mean_slope_S", &P::relax_mean_slope_S, "S", Range::any(),
            "cmo-hfox: mean shift per ln(t/1 s) after the write", std::string(kCmo) + ": -0.08900206 uS")
      .real("relax_sigma_slope_S", &P::relax_sigma_slope_S, "S", Range::any(), "cmo-hfox: sigma growth per ln(t/1 s)",
            std::string(kCmo) + ": 0.04201137 uS")
      .real("relax_sigma0_S", &P::relax_sigma0_S, "S", Range::non_negative(), "cmo-hfox: sigma at t = 1 s",
            std::string(kCmo) + ": 0.41183342 uS");
  add_nonideality_fields(t);
  t.relation([](const P& p, std::string_view prefix, ProblemList& pr) {
    require(p.g_min_S < p.g_max_S, pr, prefix, "g_max_S", "must exceed g_min_S");
    require(p.temperature_K == 300.0, pr, prefix, "temperature_K",
            "rram-pulse is a behavioural fit without temperature dependence; leave it at 300 K");
  });
  return t;
}
}  // namespace

const ParamTable<RramPulseParams>& RramPulseParams::table() {
  static const ParamTable<RramPulseParams> t = build();
  return t;
}

}  // namespace xbarsim

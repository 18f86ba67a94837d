// Parameter table, family and extra protocols ("iv", "pulse-trace") of pcm-thermal.
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/pcm_thermal.hpp>
#include <xbarsim/devices/registry.hpp>

namespace xbarsim {
namespace {
// Source strings: device_physics.md 3.3 tags every PCM compact-model constant [U].
const std::string kTypical = "typical GST value, device_physics.md 3.3 [U]";
const std::string kAssumed = "[U] assumption (not in the reference sheets), chosen with the other defaults so that ";
}  // namespace

const ParamTable<PcmThermalParams>& PcmThermalParams::table() {
  static const ParamTable<PcmThermalParams> t = [] {
    using P = PcmThermalParams;
    ParamTable<P> t;
    const std::string window = "SET ~ 0.3 mS and RESET ~ 1 uS read conductance (on/off ~ 300)";
    const std::string currents = "a 5 V / 50 ns RESET drives ~0.4 mA (3.3: RESET tens of ns at 0.1-1 mA)";
    t.real("r_series_ohm", &P::r_series_ohm, "ohm", Range::non_negative(),
           "heater and electrode resistance in series with the phase-change volume", kAssumed + window)
        .real("r_cryst_ohm", &P::r_cryst_ohm, "ohm", Range::positive(), "phase-change volume, fully crystalline",
              kAssumed + window)
        .real("r_amorph_ohm", &P::r_amorph_ohm, "ohm", Range::positive(),
              "phase-change volume, fully amorphous, right after the melt-quench (drifts upward)", kAssumed + window)
        .choice("mix", &P::mix, {"effective-medium", "parallel"},
                "conductance of a partly crystalline volume: 3D Bruggeman effective medium (percolation at "
                "X = 1/3) or parallel mix",
                "device_physics.md 3.3: 'a parallel/percolation mix of G_cryst and G_amorph' [U]")
        .real("v_th_V", &P::v_th_V, "V", Range::positive(), "threshold voltage of the fully amorphous volume",
              kTypical + ": V_th about 0.5-1.5 V")
        .real("v_th_dtod", &P::v_th_dtod, "1", Range::non_negative(),
              "relative device-to-device sigma of the threshold voltage", "ideal default (no variation)")
        .real("v_hold_V", &P::v_hold_V, "V", Range::positive(), "holding voltage of the threshold-switched ON state",
              kAssumed + "the ON state holds below V_th (Ovonic switching, 3.3)")
        .real("r_on_ohm", &P::r_on_ohm, "ohm", Range::positive(),
              "dynamic resistance of the threshold-switched amorphous volume", kAssumed + currents)
        .real("r_th_K_per_W", &P::r_th_K_per_W, "K/W", Range::positive(), "thermal resistance to the ambient",
              kAssumed + "the SET pulse heats to ~870 K (below T_melt) and RESET melts")
        .real("c_th_J_per_K", &P::c_th_J_per_K, "J/K", Range::positive(), "heat capacity of the hot volume",
              kAssumed + "tau_th = R_th C_th = 0.9 ns, short against the 2 ns RESET fall (quench)")
        .real("e_a_eV", &P::e_a_eV, "eV", Range::positive(), "activation energy of crystallisation (JMAK)",
              kTypical + ": E_a about 2.0-2.3 eV (2.1 eV in the weak source cited there)")
        .real("avrami_n", &P::avrami_n, "1", Range::closed(1.0, 4.0), "Avrami exponent n", kTypical + ": n about 2-4")
        .real("t_ref_K", &P::t_ref_K, "K", Range::positive(), "temperature at which the JMAK rate is k_ref",
              kAssumed + "crystallisation is fast just below T_melt")
        .real("k_ref_per_s", &P::k_ref_per_s, "1/s", Range::positive(), "JMAK rate constant at t_ref_K",
              kAssumed + "a few 30 ns SET pulses crystallise (3.3: SET about 50 ns-1 us)")
        .real("t_g_K", &P::t_g_K, "K", Range::positive(), "crystallisation onset (no crystallisation below)",
              kTypical + ": glass transition / crystallisation onset about 420-450 K")
        .real("t_melt_K", &P::t_melt_K, "K", Range::positive(), "melting temperature",
              kTypical + ": T_melt about 900 K")
        .real("tau_melt_s", &P::tau_melt_s, "s", Range::positive(), "time constant of melting above T_melt",
              kAssumed + "melting completes within a RESET pulse of tens of ns")
        .real("drift_nu", &P::drift_nu, "1", Range::non_negative(), "drift exponent of the amorphous conductance",
              "device_physics.md 3.3: amorphous GST drift coefficients about 0.1 [C]")
        .real("t0_s", &P::t0_s, "s", Range::positive(), "reference time of the drift law",
              "aihwkit PCMLikeNoiseModel t_0 = 20 s (same law form, device_physics.md 3.1)")
        .real("r_load_ohm", &P::r_load_ohm, "ohm", Range::non_negative(),
              "driver (access transistor) resistance in series with the cell during pulses and the iv sweep",
              kAssumed + currents)
        .real("set_amplitude_V", &P::set_amplitude_V, "V", Range::positive(), "SET pulse amplitude",
              kAssumed + "it exceeds the threshold of an amorphous cell")
        .real("set_rise_s", &P::set_rise_s, "s", Range::non_negative(), "SET pulse rise time",
              kAssumed + "a few ns edges")
        .real("set_width_s", &P::set_width_s, "s", Range::positive(), "SET pulse flat-top width",
              kAssumed + "partial crystallisation per pulse (cumulative SET)")
        .real("set_fall_s", &P::set_fall_s, "s", Range::non_negative(), "SET pulse fall time",
              kAssumed + "a few ns edges")
        .real("reset_amplitude_V", &P::reset_amplitude_V, "V", Range::positive(), "RESET pulse amplitude",
              kAssumed + currents)
        .real("reset_rise_s", &P::reset_rise_s, "s", Range::non_negative(), "RESET pulse rise time",
              kAssumed + "a few ns edges")
        .real("reset_width_s", &P::reset_width_s, "s", Range::positive(), "RESET pulse flat-top width",
              kTypical + ": RESET tens of ns")
        .real("reset_fall_s", &P::reset_fall_s, "s", Range::non_negative(), "RESET pulse fall time (quench)",
              kAssumed + "the melt is quenched faster than it recrystallises")
        .real("dt_s", &P::dt_s, "s", Range::positive(), "integration step (RK4) and threshold-switching resolution",
              "numerics: tau_th / 9; halving it changes pulse results by < 1e-3 (tests)")
        .real("v_read_V", &P::v_read_V, "V", Range::positive(), "default read voltage (below the threshold)",
              kAssumed + "reads stay below V_hold and do not switch the cell")
        .integer("response_pulses", &P::response_pulses, "1", Range::closed(1, 100000),
                 "pulses per phase of the pulse-response protocol", "choice: about 15 SET pulses crystallise fully")
        .real("iv_amplitude_V", &P::iv_amplitude_V, "V", Range::positive(), "peak of the iv triangle sweep",
              "choice: above the threshold, below the memory-switching (SET) drive")
        .real("iv_frequency_Hz", &P::iv_frequency_Hz, "Hz", Range::positive(), "iv sweep repetition frequency",
              "choice: 1 us per sweep keeps the run short while tau_th << sweep time (quasi-static heating)")
        .integer("iv_cycles", &P::iv_cycles, "1", Range::closed(1, 1000), "iv sweep periods", "choice")
        .integer("iv_points_per_cycle", &P::iv_points_per_cycle, "1", Range::closed(4, 1000000),
                 "iv samples per period", "choice");
    add_nonideality_fields(t);
    t.relation([](const P& p, std::string_view prefix, ProblemList& problems) {
      require(p.r_cryst_ohm < p.r_amorph_ohm, problems, prefix, "r_cryst_ohm", "must be below r_amorph_ohm");
      require(p.t_g_K < p.t_melt_K, problems, prefix, "t_g_K", "must be below t_melt_K");
      require(p.v_hold_V < p.v_th_V, problems, prefix, "v_hold_V", "must be below v_th_V");
      require(p.v_read_V < p.v_hold_V, problems, prefix, "v_read_V",
              "must be below v_hold_V (a read must not hold a switched cell)");
      // RK4 on the thermal ODE and on melting: keep the step well inside both time constants.
      const double tau_th = p.r_th_K_per_W * p.c_th_J_per_K;
      require(p.dt_s <= 0.25 * std::min(tau_th, p.tau_melt_s), problems, prefix, "dt_s",
              "must be at most a quarter of min(r_th_K_per_W * c_th_J_per_K, tau_melt_s) = " +
                  format_value(0.25 * std::min(tau_th, p.tau_melt_s)) + " s");
    });
    return t;
  }();
  return t;
}

std::string_view PcmThermalFamily::summary() const {
  return "PCM compact model: thermal ODE, JMAK crystallisation, melt-quench, Ovonic threshold switching, "
         "effective-medium conductance (typical GST constants, device_physics.md 3.3 [U])";
}

double PcmThermalFamily::default_read_voltage_V(const ParamValues& values) const { return params(values).v_read_V; }

std::size_t PcmThermalFamily::default_pulses(const ParamValues& values) const {
  return static_cast<std::size_t>(params(values).response_pulses);
}

Curve PcmThermalFamily::run_extra(const ParamValues& values, const CurveRequest& request) const {
  const PcmThermalModel model(params(values));
  if (request.protocol == "iv") return model.iv_sweep(request);
  if (request.protocol == "pulse-trace") return model.pulse_trace(request);
  throw InternalError("pcm-thermal has no extra protocol \"" + request.protocol + "\"");
}

const DeviceFamily& pcm_thermal_family() {
  static const PcmThermalFamily family;
  return family;
}

}  // namespace xbarsim

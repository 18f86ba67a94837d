// Parameter table of the FeFET Preisach model: every field with unit, range, description
// and the source of its default (device_physics.md 6.1-6.2 unless stated).
#include <xbarsim/devices/fefet_preisach.hpp>

namespace xbarsim {

const ParamTable<FefetPreisachParams>& FefetPreisachParams::table() {
  using P = FefetPreisachParams;
  static const ParamTable<P> t = [] {
    ParamTable<P> t;
    const Range negative{-std::numeric_limits<double>::infinity(), 0.0, false, true};
    const Range non_positive{-std::numeric_limits<double>::infinity(), 0.0};
    t.integer("domains", &P::domains, "1", Range::closed(1, 4096),
              "independent ferroelectric domains per cell (resolution of the Preisach ensemble; "
              "state memory is about 8 bytes per domain per cell)",
              "model resolution: >= 2 domains per usable state; 128 resolves Jerry et al. IEDM 2017's 32 states")
        .choice("domain_sampling", &P::domain_sampling, {"stratified", "random"},
                "how each cell's domain coercive voltages sample the Gaussian Preisach weight: one domain per "
                "quantile stratum (stratified) or independent draws (random); up and down voltages are paired "
                "at random in both cases",
                "stratified (Latin-hypercube) sampling: same distribution, less finite-ensemble noise")
        .real("vc_up_mean_V", &P::vc_up_mean_V, "V", Range::positive(),
              "mean coercive gate voltage for up-switching (potentiation) at pulse width t_ref_s",
              "[D] calibrated so the 32-pulse scheme-3 ladder (2.85-4.40 V, 75 ns, with accumulation) sweeps "
              "G from G_min to ~G_max as in Jerry et al. IEDM 2017 (32 states, ~45x); close to NeuroSim's "
              "3.65 V average LTP amplitude")
        .real("vc_up_sigma_V", &P::vc_up_sigma_V, "V", Range::positive(),
              "standard deviation of the up coercive voltages of the domains of one cell (Preisach weight)",
              "[D] calibrated with vc_up_mean_V (see there)")
        .real("vc_down_mean_V", &P::vc_down_mean_V, "V", negative,
              "mean coercive gate voltage for down-switching (depression) at pulse width t_ref_s (negative)",
              "[D] calibrated so the 32-pulse depression ladder (-2.1 to -3.65 V, 75 ns) sweeps G from ~G_max "
              "to ~G_min; close to NeuroSim's -2.95 V average LTD amplitude")
        .real("vc_down_sigma_V", &P::vc_down_sigma_V, "V", Range::positive(),
              "standard deviation of the down coercive voltages of the domains of one cell",
              "[D] calibrated with vc_down_mean_V (see there)")
        .real("vc_d2d_sigma_V", &P::vc_d2d_sigma_V, "V", Range::non_negative(),
              "device-to-device standard deviation of a cell's mean coercive voltages (shifts all its domains)",
              "ideal default; no FeFET device-to-device data in the reference sheet")
        .real("t_ref_s", &P::t_ref_s, "s", Range::positive(),
              "pulse width at which the coercive voltages are specified",
              "Jerry et al. IEDM 2017 / NeuroSim FeFET table: 75 ns update pulses")
        .real("merz_t_inf_s", &P::merz_t_inf_s, "s", Range::positive(),
              "Merz-law switching time at infinite field, t_sw = t_inf exp((V_a/|V|)^alpha)",
              "[U] Merz law form from device_physics.md 6.2; 1 ps assumed (no HZO fit in the reference sheet)")
        .real("merz_alpha", &P::merz_alpha, "1", Range::closed(0.25, 10.0), "Merz-law exponent alpha",
              "[U] device_physics.md 6.2: alpha about 1-2")
        .boolean("accumulate", &P::accumulate,
                 "consecutive same-polarity pulses add their nucleation time (NLS, equivalent-time rule); false "
                 "= static VDST Preisach model of Jerry/Chow where a repeated identical pulse switches nothing new",
                 "[U] nucleation-limited switching picture, device_physics.md 6.2")
        .choice("pulse_scheme", &P::pulse_scheme, {"progressive-amplitude", "identical"},
                "update pulses of apply_pulses: amplitude increasing with the pulse number of a same-polarity "
                "run (Jerry's scheme 3) or identical pulses",
                "Jerry et al. IEDM 2017: scheme 3 gives 32 states, identical-pulse schemes 6-12 usable states")
        .real("v_set_V", &P::v_set_V, "V", Range::positive(), "potentiation pulse amplitude of the identical scheme",
              "NeuroSim FeFET table: LTP pulse 3.65 V (avg) / 75 ns")
        .real("v_reset_V", &P::v_reset_V, "V", negative, "depression pulse amplitude of the identical scheme",
              "NeuroSim FeFET table: LTD pulse -2.95 V (avg) / 75 ns")
        .real("t_set_s", &P::t_set_s, "s", Range::positive(),
              "potentiation pulse width (first ladder step of the progressive scheme)",
              "NeuroSim FeFET table / Jerry et al. IEDM 2017: 75 ns")
        .real("t_reset_s", &P::t_reset_s, "s", Range::positive(),
              "depression pulse width (first ladder step of the progressive scheme)",
              "NeuroSim FeFET table / Jerry et al. IEDM 2017: 75 ns")
        .real("v_set_init_V", &P::v_set_init_V, "V", Range::positive(),
              "first potentiation amplitude of the progressive scheme",
              "NeuroSim MLP_NeuroSim_V3.0 Cell.cpp non-identical pulses: VinitLTP = 2.85 V (32-step mean 3.625 V "
              "~ the table's 3.65 V average)")
        .real("v_set_step_V", &P::v_set_step_V, "V", Range::non_negative(),
              "potentiation amplitude increment per pulse of a run (progressive scheme)",
              "NeuroSim MLP_NeuroSim_V3.0 Cell.cpp: VstepLTP = 0.05 V")
        .real("v_reset_init_V", &P::v_reset_init_V, "V", negative,
              "first depression amplitude of the progressive scheme (negative)",
              "NeuroSim MLP_NeuroSim_V3.0 Cell.cpp: VinitLTD = 2.1 V, applied with negative polarity")
        .real("v_reset_step_V", &P::v_reset_step_V, "V", non_positive,
              "depression amplitude increment per pulse of a run (negative: amplitudes grow in magnitude)",
              "NeuroSim MLP_NeuroSim_V3.0 Cell.cpp: VstepLTD = 0.05 V, applied with negative polarity")
        .real("t_step_s", &P::t_step_s, "s", Range::non_negative(),
              "pulse-width increment per pulse of a run (progressive scheme)",
              "Jerry et al. IEDM 2017: fixed 75 ns pulses (NeuroSim's template has PWstep = 5 ns)")
        .integer("scheme_steps", &P::scheme_steps, "1", Range::closed(1, 1 << 20),
                 "ladder length of the progressive scheme (later pulses repeat the last amplitude) and pulses per "
                 "phase of the pulse-response protocol",
                 "Jerry et al. IEDM 2017 / NeuroSim FeFET: 32 states (5 bit)")
        .real("c2c_sigma_rel", &P::c2c_sigma_rel, "1", Range::closed(0.0, 0.5),
              "cycle-to-cycle noise: relative standard deviation of each pulse's effective amplitude",
              "ideal default; the fefet-jerry2017 preset sets it from NeuroSim's c2c < 0.5-1% of the range")
        .real("g_max_S", &P::g_max_S, "S", Range::positive(), "channel conductance with all domains up",
              "NeuroSim attack-study file: G_max = 1.788e-6 S (R_ON = 559.28 kOhm)")
        .real("g_min_S", &P::g_min_S, "S", Range::positive(), "channel conductance with all domains down",
              "NeuroSim attack-study file: G_min = 3.973e-8 S (on/off 45)")
        .choice("conductance_mapping", &P::conductance_mapping, {"parallel", "exponential"},
                "G from the switched fraction s: parallel domains G = G_min + s (G_max - G_min), or subthreshold "
                "read with V_T linear in polarisation G = G_min (G_max / G_min)^s",
                "device_physics.md 6.2: G = s G_on + (1 - s) G_off for parallel-domain conduction")
        .real("read_voltage_V", &P::read_voltage_V, "V", Range::positive(),
              "default (drain) read voltage; the channel is read in the linear regime, so G does not depend on it",
              "NeuroSim Param.cpp readVoltage = 0.5 V (neurosim.md 1.5)")
        .real("read_noise_rel", &P::read_noise_rel, "1", Range::closed(0.0, 1.0),
              "relative standard deviation of a noisy read", "ideal default (NeuroSim RealDevice: readNoise = false)")
        .real("remanent_polarization_C_per_m2", &P::remanent_polarization_C_per_m2, "C/m^2", Range::positive(),
              "remanent polarisation Pr of the saturated state (polarization-loop output)",
              "NeuroSim DNN_NeuroSim_V2.1 Param.cpp: FeFET polarization 20 uC/cm^2")
        .real("depolarization_V", &P::depolarization_V, "V", Range::non_negative(),
              "retention: equivalent gate voltage of the depolarising field opposing each domain's polarisation "
              "(0 = no retention loss)",
              "[U] no HZO FeFET retention data in the reference sheet; off by default")
        .real("loop_v_max_V", &P::loop_v_max_V, "V", Range::positive(),
              "polarization-loop: amplitude of the saturated (major) loop",
              "protocol setting: above vc_up_mean_V + 2 sigma at the sweep's dwell time")
        .real("loop_v_minor_V", &P::loop_v_minor_V, "V", Range::positive(),
              "polarization-loop: amplitude of the symmetric minor loop after the major loop",
              "protocol setting: near the mean coercive voltages so the minor loop is partial")
        .real("loop_step_V", &P::loop_step_V, "V", Range::positive(), "polarization-loop: voltage step of the sweep",
              "protocol setting: resolves the 0.05 V ladder step of scheme 3")
        .real("loop_step_time_s", &P::loop_step_time_s, "s", Range::positive(),
              "polarization-loop: dwell time per voltage step (pulse width seen by the kinetics)",
              "protocol setting: 1 us per 0.05 V step (50 kV/s sweep, order of a kHz P-V measurement)");
    add_nonideality_fields(t);
    t.relation([](const P& s, std::string_view prefix, ProblemList& p) {
      require(s.g_min_S < s.g_max_S, p, prefix, "g_min_S", "must be below g_max_S");
      require(s.merz_t_inf_s < s.t_ref_s, p, prefix, "merz_t_inf_s",
              "must be below t_ref_s (no switching is faster than t_inf)");
      require(s.loop_v_minor_V < s.loop_v_max_V, p, prefix, "loop_v_minor_V", "must be below loop_v_max_V");
      require(s.loop_step_V < s.loop_v_minor_V, p, prefix, "loop_step_V", "must be below loop_v_minor_V");
      require(s.loop_v_max_V / s.loop_step_V <= 1e5, p, prefix, "loop_step_V",
              "gives more than 1e5 steps per sweep segment; use a larger step");
    });
    return t;
  }();
  return t;
}

}  // namespace xbarsim

// Parameter table of rram-stanford-pku (device_physics.md 2.4: Stanford v1.0.0 column,
// ASU variant for the thermal ODE, Jiang et al. TED 2016 for roles and pulse conditions).
#include <xbarsim/devices/rram_stanford_pku.hpp>

namespace xbarsim {
namespace {
constexpr const char* kV100 = "Stanford RRAM Verilog-A v1.0.0 rram_v_1_0_0.va default (sheet 2.4)";

ParamTable<StanfordPkuParams> build() {
  using P = StanfordPkuParams;
  ParamTable<P> t;
  t.real("g0_m", &P::g0_m, "m", Range::positive(), "current decay length g0 (sets the resistance window)", kV100)
      .real("v0_V", &P::v0_V, "V", Range::positive(), "I-V nonlinearity voltage V0", kV100)
      .real("i0_A", &P::i0_A, "A", Range::positive(), "current prefactor I0", kV100)
      .real("vel0_m_per_s", &P::vel0_m_per_s, "m/s", Range::positive(), "gap velocity prefactor v0 (RESET knee)", kV100)
      .real("gamma0", &P::gamma0, "1", Range::positive(), "field enhancement gamma0 (sets the SET voltage)", kV100)
      .real("beta", &P::beta, "1", Range::non_negative(), "gamma = gamma0 - beta (g/1 nm)^alpha: slope of RESET", kV100)
      .real("gamma_exponent", &P::gamma_exponent, "1", Range::positive(),
            "alpha of gamma = gamma0 - beta (g/1 nm)^alpha: curvature of RESET", "alpha = 3 in the v1.0.0 code")
      .real("ea_eV", &P::ea_eV, "eV", Range::positive(), "activation energy Ea", kV100)
      .real("a0_m", &P::a0_m, "m", Range::positive(), "atomic hopping distance a0", kV100)
      .real("t_ox_m", &P::t_ox_m, "m", Range::positive(), "oxide thickness t_ox", kV100)
      .real("gap_min_m", &P::gap_min_m, "m", Range::positive(), "minimum gap (LRS)", kV100)
      .real("gap_max_m", &P::gap_max_m, "m", Range::positive(), "maximum gap (HRS)", kV100)
      .real("gap_initial_m", &P::gap_initial_m, "m", Range::positive(), "gap of a fresh device",
            "project convention: the reset state gap_max (v1.0.0 gap_ini = 0.2 nm, the LRS)")
      .real("f_min_V_per_m", &P::f_min_V_per_m, "V/m", Range::non_negative(),
            "minimum field gamma |V|/t_ox below which the gap does not move", kV100)
      .choice("thermal_model", &P::thermal_model, {"algebraic", "ode"},
              "T = T0 + |V I| R_th (v1.0.0), or dT/dt = (T0 + |V I| R_th - T)/tau_th (ASU thermal ODE)",
              "algebraic as in v1.0.0")
      .real("r_th_K_per_W", &P::r_th_K_per_W, "K/W", Range::non_negative(), "thermal resistance R_th", kV100)
      .real("tau_th_s", &P::tau_th_s, "s", Range::positive(), "thermal time constant of the thermal ODE",
            "ASU variant Tau_th = 2.3e-10 s (ZongxianYang0521/RRAM_model README, sheet 2.4)")
      .boolean("gap_noise", &P::gap_noise, "stochastic gap term delta_g(T) chi (v1.0.0 model_switch = 1)",
               "off, as v1.0.0 model_switch = 0")
      .real("delta_g0_m_per_s", &P::delta_g0_m_per_s, "m/s", Range::non_negative(),
            "gap noise amplitude delta_g0 (per-step gap velocity noise)", kV100)
      .real("t_crit_K", &P::t_crit_K, "K", Range::positive(), "noise activation temperature T_crit", kV100)
      .real("t_smth_K", &P::t_smth_K, "K", Range::positive(), "noise activation smoothness T_smth", kV100)
      .real("noise_time_step_s", &P::noise_time_step_s, "s", Range::positive(),
            "time step t_ref of v1.0.0 at which its per-step noise delta_g chi dt was defined; the Wiener "
            "intensity is delta_g sqrt(t_ref), independent of our own step",
            "v1.0.0 time_step = 1e-9 s (sheet 1)")
      .real("sde_step_s", &P::sde_step_s, "s", Range::positive(), "fixed step of the stochastic Heun integrator",
            "assumption: below the 0.23 ns thermal time constant so the thermal ODE stays stable")
      .real("i_compliance_A", &P::i_compliance_A, "A", Range::non_negative(),
            "SET current compliance of the access transistor (0 = none): above it the device voltage drops to "
            "V0 asinh(I_c/(I0 exp(-g/g0)))",
            "0 (v1.0.0 has none); Jiang 2016 DC SET used 100 uA")
      .real("set_voltage_V", &P::set_voltage_V, "V", Range{0.0, 1e3, true, false}, "SET pulse amplitude (positive)",
            "Jiang et al. TED 2016: pulse switching at +/-1.9 V, 10 ns (sheet 2.4)")
      .real("set_width_s", &P::set_width_s, "s", Range::positive(), "SET pulse width", "Jiang et al. 2016: 10 ns")
      .real("reset_voltage_V", &P::reset_voltage_V, "V", Range{-1e3, 0.0, false, true},
            "RESET pulse amplitude (negative)", "Jiang et al. 2016: -1.9 V")
      .real("reset_width_s", &P::reset_width_s, "s", Range::positive(), "RESET pulse width", "Jiang et al. 2016: 10 ns")
      .real("v_read_V", &P::v_read_V, "V", Range::positive(), "default read voltage",
            "v1.0.0 / MemTorch read_voltage = 0.1 V")
      .real("read_noise_rel", &P::read_noise_rel, "1", Range::non_negative(),
            "relative sigma of Gaussian read noise on I/V (noisy reads only)", "0: the model has no read noise")
      .real("ode_abs_tol_m", &P::ode_abs_tol_m, "m", Range::positive(), "absolute tolerance of dopri5 on the gap",
            "assumption: 1e-6 nm")
      .real("ode_rel_tol", &P::ode_rel_tol, "1", Range::positive(), "relative tolerance of dopri5",
            "assumption: 1e-5; the sliding motion along the F_min boundary in sweeps costs steps in "
            "proportion to 1/tolerance")
      .choice("program_mode", &P::program_mode, {"closed-form", "write-verify"},
              "program(): gap from the inverse I-V at v_read_V (as MemTorch set_conductance) or write-verify "
              "with the SET/RESET pulses",
              "closed-form as in MemTorch Stanford_PKU.set_conductance")
      .integer("response_pulses", &P::response_pulses, "1", Range::closed(1, 100000),
               "pulses per phase of the pulse-response protocol", "assumption")
      .real("iv_amplitude_V", &P::iv_amplitude_V, "V", Range::positive(), "iv protocol: sweep amplitude",
            "MemTorch Stanford_PKU.plot_hysteresis_loop: 1.5 V")
      .real("iv_frequency_Hz", &P::iv_frequency_Hz, "Hz", Range::positive(), "iv protocol: sweep frequency",
            "MemTorch Stanford_PKU.plot_hysteresis_loop: 10 Hz")
      .integer("iv_cycles", &P::iv_cycles, "1", Range::closed(1, 10000), "iv protocol: number of periods", "assumption")
      .integer("iv_points_per_cycle", &P::iv_points_per_cycle, "1", Range::closed(8, 1000000),
               "iv protocol: samples per period", "assumption")
      .choice("iv_waveform", &P::iv_waveform, {"sine", "triangle"}, "iv protocol: waveform", "sine as in MemTorch");
  add_nonideality_fields(t);
  t.relation([](const P& p, std::string_view prefix, ProblemList& pr) {
    require(p.gap_min_m < p.gap_max_m, pr, prefix, "gap_max_m", "must exceed gap_min_m");
    require(p.gap_max_m <= p.t_ox_m, pr, prefix, "gap_max_m", "must not exceed the oxide thickness t_ox_m");
    require(p.gap_initial_m >= p.gap_min_m && p.gap_initial_m <= p.gap_max_m, pr, prefix, "gap_initial_m",
            "must lie in [gap_min_m, gap_max_m]");
  });
  return t;
}
}  // namespace

const ParamTable<StanfordPkuParams>& StanfordPkuParams::table() {
  static const ParamTable<StanfordPkuParams> t = build();
  return t;
}

}  // namespace xbarsim

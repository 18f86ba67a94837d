// Parameter table of rram-vteam: every field with unit, range, meaning and the source of
// its default (device_physics.md 2.1-2.2; MemTorch VTEAM.py as cited there).
#include <xbarsim/devices/rram_vteam.hpp>

namespace xbarsim {
namespace {
constexpr const char* kMemTorch = "MemTorch memtorch/bh/memristor/VTEAM.py default (device_physics.md 2.2)";

ParamTable<VteamParams> build() {
  using P = VteamParams;
  ParamTable<P> t;
  t.real("r_on_ohm", &P::r_on_ohm, "ohm", Range::positive(), "ON (minimum) resistance", kMemTorch)
      .real("r_off_ohm", &P::r_off_ohm, "ohm", Range::positive(), "OFF (maximum) resistance", kMemTorch)
      .real("x_on_m", &P::x_on_m, "m", Range::any(), "state variable w at the ON bound", kMemTorch)
      .real("x_off_m", &P::x_off_m, "m", Range::any(), "state variable w at the OFF bound (device length d)", kMemTorch)
      .real("k_on_m_per_s", &P::k_on_m_per_s, "m/s", Range{-1e12, 0.0, false, true},
            "ON switching rate constant (negative: w decreases toward x_on)", kMemTorch)
      .real("k_off_m_per_s", &P::k_off_m_per_s, "m/s", Range::positive(), "OFF switching rate constant", kMemTorch)
      .real("alpha_on", &P::alpha_on, "1", Range::positive(), "exponent of the ON rate above threshold", kMemTorch)
      .real("alpha_off", &P::alpha_off, "1", Range::positive(), "exponent of the OFF rate above threshold", kMemTorch)
      .real("v_on_V", &P::v_on_V, "V", Range{-1e3, 0.0, false, true}, "ON (SET) threshold voltage, negative", kMemTorch)
      .real("v_off_V", &P::v_off_V, "V", Range{0.0, 1e3, true, false}, "OFF (RESET) threshold voltage, positive",
            std::string(kMemTorch) + "; MemTorch's docstring calls it negative, its code uses v_off > 0")
      .choice("port", &P::port, {"linear", "exponential"},
              "port equation R(u): linear R_on + (R_off - R_on) u, or exponential R_on (R_off/R_on)^u",
              "linear as in MemTorch VTEAM.current(); both forms from Kvatinsky et al. 2015 (sheet 2.2)")
      .choice("window", &P::window, {"none", "joglekar", "biolek", "prodromakis", "kvatinsky"},
              "window function f(u); joglekar and prodromakis vanish at both bounds and stick there",
              "biolek: asymmetric, does not stick at the bounds (Biolek et al. IEEE Access 2021, sheet 1); "
              "MemTorch itself uses no window")
      .integer("window_p", &P::window_p, "1", Range::closed(1, 50),
               "exponent p of the Joglekar/Biolek/Prodromakis windows",
               "p = 10 as used for the Joglekar and Biolek windows in Biolek et al. 2021 (sheet 2.2)")
      .real("prodromakis_j", &P::prodromakis_j, "1", Range::positive(), "scale j of the Prodromakis window",
            "j = 1 (Technion Verilog-A default J = 1, sheet 2.1)")
      .real("kvatinsky_a_on_m", &P::kvatinsky_a_on_m, "m", Range::any(),
            "Kvatinsky window: f_on = exp(-exp((a_on - w)/w_c))",
            "assumption: 0.1 d inside the ON bound (no fitted value for this geometry in the sheet)")
      .real("kvatinsky_a_off_m", &P::kvatinsky_a_off_m, "m", Range::any(),
            "Kvatinsky window: f_off = exp(-exp((w - a_off)/w_c))",
            "assumption: 0.1 d inside the OFF bound (no fitted value for this geometry in the sheet)")
      .real("kvatinsky_w_c_m", &P::kvatinsky_w_c_m, "m", Range::positive(), "Kvatinsky window width w_c",
            "assumption: d/30, close to the Technion TEAM default x_c = 107 pm (sheet 2.2)")
      .real("x_initial", &P::x_initial, "1", Range::unit(), "normalised state of a fresh device (1 = OFF = reset)",
            "project convention: devices start reset (MemTorch starts at x_on, the ON state)")
      .real("set_voltage_V", &P::set_voltage_V, "V", Range{-1e3, 0.0, false, true},
            "SET (potentiation) pulse amplitude, below v_on",
            "assumption: 1.25 v_on; with MemTorch rates one 0.5 ns pulse moves u by about 1/40")
      .real("set_width_s", &P::set_width_s, "s", Range::positive(), "SET pulse width",
            "assumption: about 40 pulses cross the window at set_voltage_V")
      .real("reset_voltage_V", &P::reset_voltage_V, "V", Range{0.0, 1e3, true, false},
            "RESET (depression) pulse amplitude, above v_off", "1 V, the MemTorch hysteresis amplitude")
      .real("reset_width_s", &P::reset_width_s, "s", Range::positive(), "RESET pulse width",
            "assumption: about 60 pulses cross the window at 1 V (122 ns in total, sheet 1)")
      .real("v_read_V", &P::v_read_V, "V", Range::any(), "default read voltage, between the thresholds",
            "assumption: v_off/2, so a read never switches")
      .real("read_noise_rel", &P::read_noise_rel, "1", Range::non_negative(),
            "relative sigma of Gaussian read noise on I/V (noisy reads only)", "0: VTEAM has no read noise")
      .real("d2d_r_sigma", &P::d2d_r_sigma, "1", Range::non_negative(),
            "device-to-device sigma of ln R_on and ln R_off (independent log-normal factors)",
            "0 (MemTorch defaults have no variation; it samples any parameter via StochasticParameter)")
      .real("d2d_k_sigma", &P::d2d_k_sigma, "1", Range::non_negative(),
            "device-to-device sigma of ln of a common scale of k_on and k_off", "0 (ideal default)")
      .real("c2c_k_sigma", &P::c2c_k_sigma, "1", Range::non_negative(),
            "cycle-to-cycle sigma of ln of the rate scale, drawn per pulse", "0 (ideal default)")
      .choice("integrator", &P::integrator, {"dopri5", "rk4", "euler"},
              "ODE integrator: adaptive Dormand-Prince 5(4), or fixed-step RK4 / Euler with fixed_steps steps",
              "dopri5 (error-controlled); MemTorch uses Euler at 0.1 ns")
      .integer("fixed_steps", &P::fixed_steps, "1", Range::closed(1, 1e7),
               "steps per pulse (or per iv sample interval) of the rk4 and euler integrators", "assumption")
      .real("ode_abs_tol", &P::ode_abs_tol, "1", Range::positive(), "absolute tolerance of dopri5 on u",
            "assumption: 1e-8, below the float resolution of the stored state (6e-8 near u = 1)")
      .real("ode_rel_tol", &P::ode_rel_tol, "1", Range::positive(), "relative tolerance of dopri5", "assumption")
      .choice("program_mode", &P::program_mode, {"closed-form", "write-verify"},
              "program(): set u from the inverse port equation (as MemTorch set_conductance) or write-verify "
              "with the SET/RESET pulses",
              "closed-form as in MemTorch VTEAM.set_conductance")
      .integer("response_pulses", &P::response_pulses, "1", Range::closed(1, 100000),
               "pulses per phase of the pulse-response protocol", "assumption: enough to cross the window")
      .real("iv_amplitude_V", &P::iv_amplitude_V, "V", Range::positive(), "iv protocol: sweep amplitude",
            "MemTorch VTEAM.plot_hysteresis_loop: voltage_signal_amplitude = 1")
      .real("iv_frequency_Hz", &P::iv_frequency_Hz, "Hz", Range::positive(), "iv protocol: sweep frequency",
            "MemTorch VTEAM.plot_hysteresis_loop: voltage_signal_frequency = 50e6")
      .integer("iv_cycles", &P::iv_cycles, "1", Range::closed(1, 10000), "iv protocol: number of periods",
               "assumption: 2 (the second shows the periodic loop)")
      .integer("iv_points_per_cycle", &P::iv_points_per_cycle, "1", Range::closed(8, 1000000),
               "iv protocol: samples per period", "assumption")
      .choice("iv_waveform", &P::iv_waveform, {"sine", "triangle"}, "iv protocol: waveform",
              "sine as in MemTorch's hysteresis plots");
  add_nonideality_fields(t);
  t.relation([](const P& p, std::string_view prefix, ProblemList& pr) {
    require(p.r_on_ohm < p.r_off_ohm, pr, prefix, "r_off_ohm", "must exceed r_on_ohm");
    require(p.x_on_m < p.x_off_m, pr, prefix, "x_off_m", "must exceed x_on_m");
    require(p.v_read_V > p.v_on_V && p.v_read_V < p.v_off_V, pr, prefix, "v_read_V",
            "must lie between v_on_V and v_off_V so a read never switches the device");
    require(p.set_voltage_V < p.v_on_V, pr, prefix, "set_voltage_V", "must be below v_on_V or SET does nothing");
    require(p.reset_voltage_V > p.v_off_V, pr, prefix, "reset_voltage_V",
            "must be above v_off_V or RESET does nothing");
    require(p.temperature_K == 300.0, pr, prefix, "temperature_K",
            "rram-vteam has no temperature dependence (VTEAM is a fit at one temperature); leave it at 300 K");
    if (p.window == "kvatinsky")
      require(p.kvatinsky_a_on_m < p.kvatinsky_a_off_m, pr, prefix, "kvatinsky_a_off_m",
              "must exceed kvatinsky_a_on_m");
  });
  return t;
}
}  // namespace

const ParamTable<VteamParams>& VteamParams::table() {
  static const ParamTable<VteamParams> t = build();
  return t;
}

}  // namespace xbarsim

// Parameter table of the STT-MTJ family and the derived quantities of device_physics.md
// §4.1-4.2. Sources name the file of the ARM-MRAM repository
// (ARM-software/mram_simulation_framework @ b556fa5cd310) the default was read from.
#include <cmath>
#include <numbers>
#include <xbarsim/core/constants.hpp>
#include <xbarsim/devices/mtj_params.hpp>

namespace xbarsim {
namespace {
constexpr const char* kArmVa = "ARM-MRAM src/verilog_a_compact_model/mram_lib/";

std::string arm(const std::string& file, const std::string& what) { return std::string(kArmVa) + file + ": " + what; }

void add_fields(ParamTable<MtjParams>& t) {
  using P = MtjParams;
  t.real("k_i_J_per_m2", &P::k_i_J_per_m2, "J/m^2", Range::positive(), "interfacial perpendicular anisotropy K_i",
         arm("llg_parameters.va", "p_k_i_0 = 1e-3"))
      .real("ms_A_per_m", &P::ms_A_per_m, "A/m", Range::positive(), "saturation magnetisation of the free layer",
            arm("llg_parameters.va", "p_ms = 1.2e6"))
      .real("alpha", &P::alpha, "1", Range{0.0, 1.0, true, false}, "Gilbert damping",
            arm("llg_parameters.va", "p_alpha = 0.01"))
      .real("t_fl_m", &P::t_fl_m, "m", Range::positive(), "free-layer thickness",
            arm("dimension_parameters.va", "p_t_fl = 1.0e-9"))
      .real("width_m", &P::width_m, "m", Range::positive(), "width of the reference MTJ (elliptical area pi/4 w l)",
            arm("dimension_parameters.va", "p_w_fl = 50e-9"))
      .real("length_m", &P::length_m, "m", Range::positive(), "length of the reference MTJ",
            arm("dimension_parameters.va", "p_l_fl = 50e-9"))
      .real("demag_nx", &P::demag_nx, "1", Range::unit(), "in-plane demagnetising factor N_x = N_y",
            arm("llg_parameters.va", "p_shape_ani_demag_n_x = 0.029"))
      .real("demag_nz", &P::demag_nz, "1", Range::unit(), "out-of-plane demagnetising factor N_z",
            arm("llg_parameters.va", "p_shape_ani_demag_n_z = 0.941"))
      .real("eta", &P::eta, "1", Range{0.0, 2.0, true, false},
            "spin-torque efficiency (ARM 'nu'; I_c0 = 4 e alpha kB T Delta/(hbar eta))",
            "device_physics.md 4.2 derived values quote I_c0 at eta = 0.5 (P/(1+P^2) = 0.48 for P = 0.75)")
      .real("polarization", &P::polarization, "1", Range{0.0, 1.0, true, true},
            "tunnelling spin polarisation; TMR0 = 2 P^2/(1 - P^2) (Julliere)",
            arm("llg_parameters.va + conductance_parameters.va", "p_p = 0.75, p_tmr = 2 p^2/(1-p^2)"))
      .real("r_p_ohm", &P::r_p_ohm, "ohm", Range::positive(), "zero-bias parallel resistance of the reference MTJ",
            arm("conductance_parameters.va", "p_r_p = 6e3"))
      .real("v_h_V", &P::v_h_V, "V", Range::positive(), "bias at which the TMR halves: TMR(V) = TMR0/(1 + V^2/V_h^2)",
            "device_physics.md 4.1: V_h = 0.5 V (UT-MTJ Fortran constant; form [U])")
      .real("tau0_s", &P::tau0_s, "s", Range::positive(), "Neel-Brown attempt time",
            "device_physics.md 4.3: tau0 ~ 1 ns [U]")
      .real("thermal_exponent", &P::thermal_exponent, "1", Range::closed(1.0, 2.0),
            "n in the thermal-regime barrier Delta (1 - I/I_c0)^n",
            "device_physics.md 4.3: n = 1 (Zhang/Zhao compact model form); some PMA treatments use 2")
      .real("nb_min_barrier_kT", &P::nb_min_barrier_kT, "1", Range::non_negative(),
            "barrier floor of the Neel-Brown channel (kT); below it the precessional channel takes over",
            "assumption: Neel-Brown needs a barrier of several kT; see mtj_switching.hpp (crossover)")
      .integer("mtjs_per_cell", &P::mtjs_per_cell, "1", Range::closed(1, kMaxMtjsPerCell),
               "MTJs per cell (multi-level cell when > 1)", "single binary MTJ")
      .choice("cell_topology", &P::cell_topology, {"series", "parallel"},
              "how the MTJs of a multi-level cell are connected",
              "series-stacked MTJs of different size (Ishigaki et al., VLSI 2010) [U]")
      .real("mtj_area_ratio", &P::mtj_area_ratio, "1", Range::positive(),
            "area of MTJ k+1 over MTJ k; Delta, I_c0 and G_P scale with area",
            "assumption: binary-weighted areas give 2^n evenly spaced levels")
      .choice("write_drive", &P::write_drive, {"current", "voltage"},
              "write pulses drive a fixed current or a fixed voltage across the cell",
              "compact models specify STT writes by current (device_physics.md 4.3)")
      .real("write_current_A", &P::write_current_A, "A", Range::positive(),
            "write pulse current (write_drive = current); sign set by the pulse direction",
            "about 2.4 I_c0 of the ARM default so a 10 ns pulse switches with P > 0.999; device_physics.md 4.2: "
            "tens of uA [U]")
      .real("write_voltage_V", &P::write_voltage_V, "V", Range::positive(),
            "write pulse voltage (write_drive = voltage)",
            "NeuroSim V3.0 STT-MRAM entry: write 1 V / 10 ns (device_physics.md 4.2)")
      .real("write_pulse_width_s", &P::write_pulse_width_s, "s", Range::positive(), "write pulse width",
            "NeuroSim V3.0 STT-MRAM entry: 10 ns; device_physics.md 4.2: 2-20 ns")
      .real("v_read_V", &P::v_read_V, "V", Range::positive(), "default read voltage",
            "assumption: 0.1 V, well below V_h so the TMR is close to TMR0")
      .real("read_pulse_width_s", &P::read_pulse_width_s, "s", Range::positive(),
            "read pulse width: read-disturb exposure and read-noise bandwidth 1/(2 t_read)",
            "NeuroSim readPulseWidth = 10 ns (neurosim.md 1.4)")
      .real("sigma_delta_rel", &P::sigma_delta_rel, "1", Range::closed(0.0, 0.5),
            "device-to-device relative sigma of Delta (anisotropy; H_k and I_c0 follow)",
            "ideal default; no measured spread in the reference sheets")
      .real("sigma_r_p_rel", &P::sigma_r_p_rel, "1", Range::closed(0.0, 1.0),
            "device-to-device lognormal sigma of R_P (RA and area)",
            "ideal default; no measured spread in the reference sheets")
      .choice("switching_method", &P::switching_method, {"closed-form", "llg"},
              "switching protocol: closed forms (exact probabilities) or s-LLGS Monte Carlo",
              "closed forms by default (fast); llg for cross-checks")
      .choice("switching_direction", &P::switching_direction, {"ap-to-p", "p-to-ap"},
              "switching protocol: direction of the write", "AP -> P (a +1 pulse)")
      .real("switching_current_min_A", &P::switching_current_min_A, "A", Range::positive(),
            "switching protocol: smallest current", "spans ~0.25..3.5 I_c0 of the ARM default")
      .real("switching_current_max_A", &P::switching_current_max_A, "A", Range::positive(),
            "switching protocol: largest current", "spans ~0.25..3.5 I_c0 of the ARM default")
      .integer("switching_current_points", &P::switching_current_points, "1", Range::closed(1, 100000),
               "switching protocol: currents (linearly spaced)", "15 points")
      .real("switching_pulse_min_s", &P::switching_pulse_min_s, "s", Range::positive(),
            "switching protocol: shortest pulse", "device_physics.md 4.2: write pulses 2-20 ns")
      .real("switching_pulse_max_s", &P::switching_pulse_max_s, "s", Range::positive(),
            "switching protocol: longest pulse", "device_physics.md 4.2: write pulses 2-20 ns")
      .integer("switching_pulse_points", &P::switching_pulse_points, "1", Range::closed(1, 100000),
               "switching protocol: pulse widths (log spaced)", "9 points, 4 per decade")
      .real("llg_dt_s", &P::llg_dt_s, "s", Range::closed(1e-15, 1e-10), "s-LLGS time step (stochastic Heun)",
            "device_physics.md 4.4: 0.1-1 ps [C, ARM]")
      .real("iv_voltage_max_V", &P::iv_voltage_max_V, "V", Range::positive(), "iv protocol: sweep amplitude",
            "reaches ~1.8 I_c0 in the AP state of the ARM default")
      .integer("iv_points", &P::iv_points, "1", Range::closed(5, 10000000), "iv protocol: time points", "401 points")
      .real("iv_sweep_time_s", &P::iv_sweep_time_s, "s", Range::positive(),
            "iv protocol: duration of the triangle 0 -> +V -> -V -> 0", "1 us (quasi-static)");
  add_nonideality_fields(t);
  t.relation([](const P& p, std::string_view prefix, ProblemList& pr) {
    const double mu0 = constants::vacuum_permeability_H_per_m;
    const double k_eff =
        p.k_i_J_per_m2 / p.t_fl_m - 0.5 * mu0 * p.ms_A_per_m * p.ms_A_per_m * (p.demag_nz - p.demag_nx);
    require(k_eff > 0.0, pr, prefix, "k_i_J_per_m2",
            "K_i/t_fl must exceed the shape anisotropy mu0 Ms^2 (N_z - N_x)/2 (perpendicular MTJ), got K_eff = " +
                format_value(k_eff) + " J/m^3");
    require(p.demag_nz + 2.0 * p.demag_nx <= 1.0 + 1e-6, pr, prefix, "demag_nz", "N_z + 2 N_x must not exceed 1");
    require(p.switching_current_min_A <= p.switching_current_max_A, pr, prefix, "switching_current_min_A",
            "must not exceed switching_current_max_A");
    require(p.switching_pulse_min_s <= p.switching_pulse_max_s, pr, prefix, "switching_pulse_min_s",
            "must not exceed switching_pulse_max_s");
  });
}
}  // namespace

const ParamTable<MtjParams>& MtjParams::table() {
  static const ParamTable<MtjParams> t = [] {
    ParamTable<MtjParams> tab;
    add_fields(tab);
    return tab;
  }();
  return t;
}

MtjDerived mtj_derived(const MtjParams& p) {
  namespace c = constants;
  MtjDerived d;
  const double mu0 = c::vacuum_permeability_H_per_m;
  const double kT = c::boltzmann_J_per_K * p.temperature_K;
  d.area_m2 = std::numbers::pi / 4.0 * p.width_m * p.length_m;
  d.volume_m3 = d.area_m2 * p.t_fl_m;
  d.k_eff_J_per_m3 = p.k_i_J_per_m2 / p.t_fl_m - 0.5 * mu0 * p.ms_A_per_m * p.ms_A_per_m * (p.demag_nz - p.demag_nx);
  d.h_k_A_per_m = 2.0 * d.k_eff_J_per_m3 / (mu0 * p.ms_A_per_m);
  d.delta = d.k_eff_J_per_m3 * d.volume_m3 / kT;
  d.i_c0_per_delta_A = 4.0 * c::elementary_charge_C * p.alpha * kT / (c::hbar_Js * p.eta);
  d.i_c0_A = d.i_c0_per_delta_A * d.delta;
  d.tau_d_s = (1.0 + p.alpha * p.alpha) / (p.alpha * c::electron_gyromagnetic_ratio_rad_per_sT * mu0 * d.h_k_A_per_m);
  d.tmr0 = 2.0 * p.polarization * p.polarization / (1.0 - p.polarization * p.polarization);
  d.g_p_S = 1.0 / p.r_p_ohm;
  d.area_scale.resize(static_cast<std::size_t>(p.mtjs_per_cell));
  for (int k = 0; k < p.mtjs_per_cell; ++k) d.area_scale[k] = std::pow(p.mtj_area_ratio, k);
  return d;
}

}  // namespace xbarsim

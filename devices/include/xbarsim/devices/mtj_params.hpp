#pragma once
// Parameters of the STT-MTJ family (device_physics.md §4) and the quantities derived
// from them. Defaults follow the ARM-MRAM s-LLGS compact model
// (ARM-software/mram_simulation_framework, Verilog-A mram_lib/*.va); the derived
// numbers (K_eff, H_k, Delta, I_c0, tau_D, TMR) are computed by mtj_derived(), never
// stored, so a preset that changes K_i or the size changes all of them consistently.
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

/// Largest number of MTJs in one multi-level cell (the per-cell solver uses fixed arrays).
inline constexpr int kMaxMtjsPerCell = 8;

struct MtjParams : CellNonIdealities {
  // --- free layer (ARM-MRAM defaults) ---
  double k_i_J_per_m2 = 1.0e-3;  // interfacial anisotropy
  double ms_A_per_m = 1.2e6;     // saturation magnetisation
  double alpha = 0.01;           // Gilbert damping
  double t_fl_m = 1.0e-9;        // free-layer thickness
  double width_m = 50e-9;        // ellipse axes of the reference MTJ (area = pi/4 w l)
  double length_m = 50e-9;
  double demag_nx = 0.029;  // demagnetising factors (N_y = N_x by symmetry)
  double demag_nz = 0.941;
  double eta = 0.5;  // spin-torque efficiency ("nu" in ARM, 2 epsilon in Slonczewski form)
  // --- transport ---
  double polarization = 0.75;  // tunnelling spin polarisation (Julliere TMR)
  double r_p_ohm = 6e3;        // parallel-state resistance of the reference MTJ at zero bias
  double v_h_V = 0.5;          // bias at which the TMR has halved
  // --- switching closed forms ---
  double tau0_s = 1e-9;            // Neel-Brown attempt time
  double thermal_exponent = 1.0;   // tau = tau0 exp(Delta (1 - i)^n)
  double nb_min_barrier_kT = 5.0;  // barrier below which Neel-Brown is held (crossover)
  // --- multi-level cell ---
  int mtjs_per_cell = 1;
  std::string cell_topology = "series";  // "series" | "parallel"
  double mtj_area_ratio = 2.0;           // area of MTJ k+1 / area of MTJ k
  // --- write / read ---
  std::string write_drive = "current";  // "current" | "voltage"
  double write_current_A = 100e-6;
  double write_voltage_V = 1.0;
  double write_pulse_width_s = 10e-9;
  double v_read_V = 0.1;
  double read_pulse_width_s = 10e-9;
  // --- device-to-device variation ---
  double sigma_delta_rel = 0.0;  // relative sigma of Delta (anisotropy), per MTJ
  double sigma_r_p_rel = 0.0;    // lognormal sigma of R_P (RA and area), per MTJ
  // --- characterisation protocols ---
  std::string switching_method = "closed-form";  // "closed-form" | "llg"
  std::string switching_direction = "ap-to-p";   // "ap-to-p" | "p-to-ap"
  double switching_current_min_A = 10e-6;
  double switching_current_max_A = 150e-6;
  int switching_current_points = 15;
  double switching_pulse_min_s = 1e-9;
  double switching_pulse_max_s = 100e-9;
  int switching_pulse_points = 9;
  double llg_dt_s = 1e-12;
  double iv_voltage_max_V = 0.8;
  int iv_points = 401;
  double iv_sweep_time_s = 1e-6;

  static const ParamTable<MtjParams>& table();
};

/// Quantities derived from MtjParams (device_physics.md §4.1-4.2), SI units. Index k
/// runs over the MTJs of a cell; MTJ k has area (and volume) mtj_area_ratio^k times the
/// reference MTJ's, so its Delta, I_c0 and G_P scale by the same factor while H_k and
/// tau_D do not.
struct MtjDerived {
  double area_m2 = 0;              // pi/4 w l (reference MTJ)
  double volume_m3 = 0;            // area * t_fl
  double k_eff_J_per_m3 = 0;       // K_i/t_fl - mu0 Ms^2 (N_z - N_x)/2
  double h_k_A_per_m = 0;          // 2 K_eff / (mu0 Ms)
  double delta = 0;                // K_eff V / (kB T)
  double i_c0_A = 0;               // 4 e alpha kB T Delta / (hbar eta)
  double tau_d_s = 0;              // (1 + alpha^2) / (alpha gamma0 mu0 H_k)
  double tmr0 = 0;                 // 2 P^2 / (1 - P^2)
  double g_p_S = 0;                // 1 / r_p_ohm
  std::vector<double> area_scale;  // per MTJ of a cell: mtj_area_ratio^k
  /// I_c0 per unit Delta, 4 e alpha kB T / (hbar eta): I_c0 of any MTJ is this times its Delta.
  double i_c0_per_delta_A = 0;
};

MtjDerived mtj_derived(const MtjParams& p);

}  // namespace xbarsim

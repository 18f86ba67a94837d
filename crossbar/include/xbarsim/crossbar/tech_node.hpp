#pragma once
// Technology-node parameters for tile cost estimates (issue 3): feature size, supply,
// interconnect and cell footprints, plus the derived per-cell wire resistances and the
// scaling rules that move reference figures (Horowitz 45 nm, ISAAC 32 nm) to a node.
//
// Wire resistance (NeuroSim DNN_NeuroSim_V1.3 Param.cpp, device_physics.md 7.4):
//   R' = rho_T / (W^2 AR)  [ohm/m],  rho_T = rho (1 + tcr |T - 300 K|)
//   R_cell = R' * pitch, pitch in wire widths W: crossbar 2W, 1T1R 4W along rows and
//   12W along columns (NeuroSim V1.3 defaults).
// Cell areas are given in F^2 per cell (NeuroSim: 1T1R 4F x 12F = 48 F^2, crossbar 2F x
// 2F = 4 F^2); area_m2 = cell_area_F2 * F^2.
//
// Scaling of reference energies and areas [U, assumption: first-order Dennard scaling,
// switched capacitance C ~ F, E = C V^2]:
//   E(node) = E_ref * (F / F_ref) * (Vdd / Vdd_ref)^2,   A(node) = A_ref * (F / F_ref)^2.
// digital_references.md 2.1 notes a published 45 -> 7 nm update of Horowitz's table
// (TPUv4i paper) whose values were not retrieved; replace this rule when they are.
#include <string>
#include <xbarsim/core/params.hpp>

namespace xbarsim {

struct TechNodeParams {
  double feature_size_m = 22e-9;            // technology node F
  double vdd_V = 0.85;                      // logic supply
  double wire_width_m = 40e-9;              // local interconnect width W
  double wire_aspect_ratio = 1.9;           // wire thickness / width
  double wire_resistivity_ohm_m = 4.03e-8;  // effective resistivity at 300 K (size effects included)
  double temperature_K = 300.0;             // operating temperature for rho_T
  double wire_tcr_per_K = 0.00451;          // temperature coefficient of rho
  double cell_area_0t1r_F2 = 4.0;           // passive crossbar cell, 2F x 2F
  double cell_area_1t1r_F2 = 48.0;          // 1T1R pseudo-crossbar cell, 4F x 12F
  double cell_area_2t2r_F2 = 96.0;          // 2T2R differential pair cell (two 1T1R)
  double pitch_0t1r_W = 2.0;                // crossbar cell pitch along a line, in W
  double pitch_1t1r_row_W = 4.0;            // 1T1R pitch along a row, in W
  double pitch_1t1r_col_W = 12.0;           // 1T1R pitch along a column, in W
  static const ParamTable<TechNodeParams>& table();
};

/// Wire resistance per metre at the configured temperature, R' = rho_T / (W^2 AR).
double wire_resistance_per_m(const TechNodeParams& t);
/// Per-cell wire segment of a passive crossbar line (pitch_0t1r_W wire widths).
double wire_r_cell_0t1r_ohm(const TechNodeParams& t);
/// Per-cell wire segments of a 1T1R array along a row and along a column.
double wire_r_cell_1t1r_row_ohm(const TechNodeParams& t);
double wire_r_cell_1t1r_col_ohm(const TechNodeParams& t);

/// Cell area in F^2 for "0t1r" | "1t1r" | "2t2r" (ConfigError otherwise).
double cell_area_F2(const TechNodeParams& t, const std::string& cell_type);
/// Devices held by one cell: 2 for "2t2r" (a differential pair), else 1.
int devices_per_cell(const std::string& cell_type);

/// E(node) / E_ref for a figure quoted at (ref_feature_m, ref_vdd_V); see header note.
double energy_scale(const TechNodeParams& t, double ref_feature_m, double ref_vdd_V);
/// A(node) / A_ref for an area quoted at ref_feature_m.
double area_scale(const TechNodeParams& t, double ref_feature_m);

}  // namespace xbarsim

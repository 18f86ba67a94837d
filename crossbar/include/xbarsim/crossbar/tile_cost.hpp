#pragma once
// Area, energy and latency of one crossbar tile per MVM and per weight update (issue 3),
// broken down into array, DAC, ADC, drivers, mux, shift-add and buffers.
//
// Counts. R = rows, C = logical columns, P = C * physical_cols_per_logical +
// extra_physical_cols physical columns (from the weight mapping: 2 per logical column for
// differential pairs, 2 * slices for bit-sliced, +1 reference column). Input pulses per
// MVM n_p = dac.bits - 1 bit planes for a "bit-serial" DAC (dac.hpp: the sign is the
// drive polarity), 1 for "multi-level". Conversions N_conv = A * n_p with A ADC inputs:
// A = P when every physical column is converted (NeuroSim: differential subtraction is
// digital), A = C * adc_cols_per_logical when pairs and the reference column are
// subtracted in the analog domain before the ADC, as AnalogTile does (1 per logical
// column, `slices` for bit-sliced). The ADC and mux formulas below use A for P.
// Reference figures are moved to the node by tech_node.hpp's energy_scale / area_scale
// (E ~ F Vdd^2, A ~ F^2 [U]).
//
// Per MVM (formulas; sources of the unit figures are in TileCostParams::table()):
//  * array: area = R * (P / devices_per_cell) * cell_area_F2 * F^2 (NeuroSim cell sizes,
//    device_physics.md 7.4); energy = n_p * R * P * G_avg * V_read^2 * t_read (Joule heat
//    sum V^2 G t with every row at full read voltage: an upper bound for multi-level
//    inputs); latency = n_p * t_read (NeuroSim read 0.5 V / 10 ns per pulse).
//  * dac: R DACs; energy per drive e_1b * b_d with b_d = 1 (bit-serial) or dac.bits
//    (multi-level; [U] linear in bits), e_1b = ISAAC 0.42 pJ at 32 nm (device_physics.md
//    7.2 / 7.1); energy = R * n_p * e_drive; area = R * b_d * 0.166 um^2 (ISAAC) scaled
//    by F^2; latency 0 (the DAC settles inside the read pulse).
//  * adc: adc.hpp's Adc::cost() for P columns: energy = N_conv * energy_per_conversion;
//    latency = n_p * columns_per_adc * latency_per_conversion; area = area_total. Not
//    rescaled with the node (adc.hpp's figures carry their own sources).
//  * drivers: R row drivers charging a row line of length P * pitch_row * W: energy =
//    n_p * R * c_wire * L_row * V_read^2 ([U] wire capacitance); area = R * driver_area_F2
//    * F^2 [U]; latency 0 (inside the pulse).
//  * mux: one analog switch per physical column when columns_per_adc > 1; energy =
//    N_conv * e_switch (a 1-bit register toggle, Aladdin 40 nm [U] as a switch); area =
//    P * mux_area_F2 * F^2 [U]; latency 0 (inside the conversion).
//  * shift_add: one add of w = adc.bits + dac.bits bits plus a w-bit register write per
//    conversion; e_add = Horowitz 32-bit add 0.1 pJ * w / 32 (linear in width as the
//    Aladdin plug-in scales adders, digital_references.md 2.1) at 45 nm / 0.9 V; energy =
//    N_conv * (e_add + w * e_reg_bit); latency = one ADC clock cycle (pipelined behind
//    the last conversion) [U]; area = num_adcs * shift_add_area_F2 * F^2 [U].
//  * buffers: input buffer R * dac.bits bits read once, output buffer C * w bits written
//    once; energy = bits * (Horowitz 64-bit 8 KB SRAM read 10 pJ / 64) at 45 nm / 0.9 V;
//    area = bits * SRAM cell 280 F^2 (NeuroSim 10F x 28F, array only, periphery ignored
//    [U]); latency 0 (double-buffered, overlapped with compute [U]).
//  * totals are the sums of the components (latency: components are in series).
// Per update (program every device once): energy = R * P * n_w * V_w^2 * G_w * t_w
// (Joule heat of the programming pulses; half-selected cells of a passive array are not
// counted); latency = R * 2 * n_w * t_w (row-by-row writes in two polarity phases,
// NeuroSim 1T1R, device_physics.md 7.6).
#include <cstddef>
#include <string>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/adc.hpp>
#include <xbarsim/crossbar/dac.hpp>
#include <xbarsim/crossbar/tech_node.hpp>

namespace xbarsim {

/// Unit figures of the periphery model (reference node in each name or source).
struct TileCostParams {
  double dac_energy_per_bit_J = 0.42e-12;        // 1-bit DAC drive, ISAAC, 32 nm
  double dac_area_per_bit_m2 = 0.166e-12;        // 1-bit DAC, ISAAC, 32 nm
  double dac_ref_feature_m = 32e-9;              // node of the ISAAC figures
  double dac_ref_vdd_V = 0.9;                    // supply assumed for the ISAAC figures
  double add32_energy_J = 0.1e-12;               // 32-bit integer add, Horowitz 45 nm 0.9 V
  double sram_read64_energy_J = 10e-12;          // 64-bit read of an 8 KB SRAM, Horowitz 45 nm
  double horowitz_ref_feature_m = 45e-9;         // Horowitz node
  double horowitz_ref_vdd_V = 0.9;               // Horowitz supply
  double register_energy_per_bit_J = 0.009e-12;  // 1-bit register, Aladdin 40 nm
  double register_ref_feature_m = 40e-9;         // Aladdin node
  double wire_cap_F_per_m = 0.2e-9;              // local wire capacitance, 0.2 fF/um
  double driver_area_F2 = 100.0;                 // one row driver
  double mux_area_F2 = 20.0;                     // one column switch
  double shift_add_area_F2 = 5000.0;             // one shift-adder with its register
  double sram_cell_area_F2 = 280.0;              // 6T SRAM cell, 10F x 28F
  static const ParamTable<TileCostParams>& table();
};

struct TileCostInputs {
  int rows = 128;
  int cols = 128;                     // logical columns
  std::string cell_type = "1t1r";     // "1t1r" | "0t1r" | "2t2r"
  int physical_cols_per_logical = 2;  // from the weight mapping (2 = differential)
  int extra_physical_cols = 0;        // e.g. 1 shared reference column
  int adc_cols_per_logical = 0;       // ADC inputs per logical column; 0 = every physical column
  AdcParams adc;
  DacParams dac;
  double v_read_V = 0.5;       // NeuroSim read voltage
  double t_read_s = 10e-9;     // NeuroSim read pulse width
  double g_avg_S = 0.0;        // mean device conductance during reads
  double v_write_V = 2.0;      // NeuroSim write voltage
  double t_write_s = 50e-9;    // write pulse width (DNN_NeuroSim_V2.1)
  double g_write_avg_S = 0.0;  // mean device conductance during programming pulses
  int write_pulses = 1;        // programming pulses per device per update
  TechNodeParams tech;
  TileCostParams unit;
  /// The scalar fields above (the [tile] table of a tile configuration); adc, dac, tech
  /// and unit have their own tables.
  static const ParamTable<TileCostInputs>& table();
};

/// One quantity split by component.
struct CostBreakdown {
  double array = 0.0;
  double dac = 0.0;
  double adc = 0.0;
  double drivers = 0.0;
  double mux = 0.0;
  double shift_add = 0.0;
  double buffers = 0.0;
  double total() const { return array + dac + adc + drivers + mux + shift_add + buffers; }
};

struct TileCost {
  std::size_t physical_cols = 0;
  std::size_t input_pulses = 0;  // n_p
  std::size_t conversions = 0;   // N_conv per MVM
  CostBreakdown area_m2;
  CostBreakdown energy_J;   // per MVM
  CostBreakdown latency_s;  // per MVM
  double area_total_m2 = 0.0;
  double energy_total_J = 0.0;
  double latency_total_s = 0.0;
  double update_energy_J = 0.0;  // per full-array update
  double update_latency_s = 0.0;
};

/// Throws ConfigError (key paths under "tile_cost") on invalid inputs.
TileCost tile_cost(const TileCostInputs& in);

}  // namespace xbarsim

#pragma once
// Physical constants in SI units, CODATA 2018 exact or recommended values
// (https://physics.nist.gov/cuu/Constants/).
namespace xbarsim::constants {

inline constexpr double boltzmann_J_per_K = 1.380649e-23;                // exact (SI 2019)
inline constexpr double elementary_charge_C = 1.602176634e-19;           // exact (SI 2019)
inline constexpr double planck_Js = 6.62607015e-34;                      // exact (SI 2019)
inline constexpr double hbar_Js = 1.054571817e-34;                       // h / 2 pi, CODATA 2018
inline constexpr double vacuum_permeability_H_per_m = 1.25663706212e-6;  // CODATA 2018
inline constexpr double bohr_magneton_J_per_T = 9.2740100783e-24;        // CODATA 2018
/// Gyromagnetic ratio of the electron, |gamma_e| = 1.76085963023e11 rad/(s T), CODATA 2018.
inline constexpr double electron_gyromagnetic_ratio_rad_per_sT = 1.76085963023e11;
inline constexpr double room_temperature_K = 300.0;
inline constexpr double zero_celsius_K = 273.15;

/// Thermal voltage kT/q at temperature T.
constexpr double thermal_voltage_V(double T_K) { return boltzmann_J_per_K * T_K / elementary_charge_C; }

}  // namespace xbarsim::constants

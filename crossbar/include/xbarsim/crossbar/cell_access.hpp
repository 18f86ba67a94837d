#pragma once
// Cell access types of a crossbar (issue 3: "Cells: 1T1R (access-transistor resistance),
// passive 0T1R with a nonlinear selector I-V (sneak paths), 2T2R differential").
//
//  * "0T1R": passive crossbar, the device sits directly between word line and bit line.
//    Its I-V nonlinearity (selector) is modelled by the sinh cell of nonlinear_solver.hpp;
//    with a linear device the cell conductance is the device conductance.
//  * "1T1R": an access transistor in its linear (triode) region, on-resistance
//    r_access_ohm, in series with the device. For a linear device the internal node
//    between transistor and device carries no other branch, so it is eliminated exactly:
//    G_cell = 1 / (1/G + r_access) = G / (1 + G r_access). A nonlinear device plus
//    r_access is handled inside the Newton solver (SelectorParams::r_access_ohm).
//  * "2T2R": one weight = two 1T1R cells on adjacent bit lines, physical columns 2j (+)
//    and 2j+1 (-), the layout of the differential scheme of weight_mapping.hpp; the two
//    column currents are subtracted: I_j = I_2j - I_2j+1.
// The transistor is an ohmic on-resistance (gate at the access voltage, small V_DS during
// reads); its V_DS dependence (saturation) is not modelled.
#include <armadillo>
#include <string>
#include <string_view>
#include <xbarsim/core/params.hpp>

namespace xbarsim {

struct CellAccessParams {
  std::string cell = "1T1R";  // "0T1R" | "1T1R" | "2T2R"
  // On-resistance of the access transistor in series with the device (1T1R, 2T2R);
  // unused for 0T1R. Default: NeuroSim's sizing rule R_access = R_on * IR_DROP_TOLERANCE
  // (0.25) applied to R_on = 1 / g_max_S = 40 kOhm of the default weight mapping.
  double r_access_ohm = 10e3;
  static const ParamTable<CellAccessParams>& table();
};

/// True for the cell types with an access transistor (1T1R, 2T2R).
bool has_access_transistor(const CellAccessParams& p);

/// Physical bit lines per logical weight column: 2 for 2T2R, 1 otherwise.
int columns_per_weight(const CellAccessParams& p);

/// ConfigError (key `prefix.cell`) unless `physical_columns` fits the cell type: 2T2R
/// needs an even, non-zero count (pairs 2j, 2j+1). Also validates the parameters.
void check_cell_layout(const CellAccessParams& p, arma::uword physical_columns,
                       std::string_view prefix = "cell_access");

/// Conductance seen between word-line and bit-line node of each cell (siemens):
/// G / (1 + G r_access) for 1T1R and 2T2R, G for 0T1R. ConfigError for invalid
/// parameters, an odd column count with 2T2R, or negative / non-finite G (as "G(i, j)").
arma::mat effective_cell_conductance(const arma::mat& G_S, const CellAccessParams& p,
                                     std::string_view prefix = "cell_access");

/// 2T2R read-out: column currents batch x 2n (amperes, columns 2j = +, 2j+1 = -) ->
/// batch x n differences I_2j - I_2j+1. ConfigError (key "column_currents") for an odd or
/// zero column count.
arma::mat differential_currents(const arma::mat& column_currents_A);

}  // namespace xbarsim

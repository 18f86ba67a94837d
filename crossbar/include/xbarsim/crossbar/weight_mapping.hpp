#pragma once
// Weight -> conductance mapping of a crossbar tile (issue 3) and the digital inverse that
// turns physical column outputs back into logical outputs y = x W.
//
// W is inputs x outputs (rows = word lines). Let s_j be the scale of logical column j:
// max |W| over the tile ("per-tile") or over column j ("per-column"), an all-zero scope
// using s = 1 (any value maps zeros to zeros); or a fixed value ("fixed", for in-situ
// training, where weights must be able to grow beyond their initial maximum: weights
// beyond +-fixed_scale are clipped to the device range). dG = g_max - g_min.
//
// Schemes and physical column layout (rows of G are always the inputs):
//  * "differential" (aihwkit SinglePairConductanceConverter, device_physics.md 3.1): the
//    device of the weight's sign holds g_min + dG |W|/s_j, the other g_min. Physical
//    columns 2j (G+) and 2j+1 (G-); y_j = (I_2j - I_2j+1) s_j / (dG v_read).
//  * "reference-column" (CrossSim OFFSET / UNIT_COLUMN_SUBTRACTION,
//    crosssim_memtorch.md 1.3): one device per weight at g_mid + (dG/2) W/s_j with g_mid
//    = (g_min + g_max)/2, and one shared reference column (last physical column) whose
//    cells all hold g_mid; y_j = (I_j - I_ref) 2 s_j / (dG v_read). The reference cells
//    are fixed (never quantised to the level grid) so the subtraction is exact.
//  * "bit-sliced" (CrossSim BitSlicedCore, balanced slices, crosssim_memtorch.md 1.3):
//    q = round(W Q / s_j), Q = 2^weight_bits - 1 (sign-magnitude: the sign is carried by
//    the differential pair). |q| is split into `slices` digits of bits_per_slice bits,
//    d_k = (|q| >> k b) mod 2^b, slice k weight 2^(k b). Each digit is stored
//    differentially on a 2^b-level grid: g_min + d_k dG / (2^b - 1) on the sign's side.
//    Physical column 2 (k n + j) (+) and 2 (k n + j) + 1 (-); shift-add
//    y_j = sum_k 2^(k b) (I+ - I-) s_j / (Q dG_slice v_read), dG_slice = dG / (2^b - 1).
//    Weights reproduce W to within half an LSB s_j / (2 Q) (rounding to the grid).
//
// Finite conductance levels (conductance_levels = L >= 2; 0 = continuous) quantise every
// programmed weight device of the differential and reference-column schemes to
// g_min + m dG / (L - 1), m = 0..L-1 (rounding to nearest), so each device errs by at most
// half a level step: s_j / (2 (L - 1)) in weight units for differential and
// s_j / (L - 1) for reference-column (its weight span 2 s_j covers the same L - 1 steps).
// Bit-sliced cells already sit on their own 2^bits_per_slice-level grid; L is not used.
#include <armadillo>
#include <string>
#include <string_view>
#include <vector>
#include <xbarsim/core/params.hpp>

namespace xbarsim {

struct WeightMappingParams {
  std::string scheme = "differential";  // "differential" | "reference-column" | "bit-sliced"
  double g_min_S = 0.0;                 // conductance of an unprogrammed / zero device
  double g_max_S = 25e-6;               // conductance representing max |W|
  std::string scale = "per-tile";       // "per-tile" | "per-column" | "fixed"
  double fixed_scale = 1.0;             // s of "fixed": |W| = s maps to the full device range
  int weight_bits = 16;                 // magnitude bits of bit-sliced weights
  int slices = 8;                       // number of bit slices
  int bits_per_slice = 2;               // bits stored per slice (per device)
  int conductance_levels = 0;           // programmable levels per device, 0 = continuous
  static const ParamTable<WeightMappingParams>& table();
};

/// Role of one physical column.
enum class ColumnRole { Positive, Negative, Single, Reference };

/// Conductances of one mapped tile plus everything the digital back end needs.
struct MappedWeights {
  std::string scheme;
  arma::uword inputs = 0;   // rows of W and of G_S
  arma::uword outputs = 0;  // logical columns of W
  arma::mat G_S;            // inputs x physical columns, siemens
  // Per physical column: logical column (outputs for the reference column), slice index,
  // role, and the signed shift-add coefficient (+-2^(k b), +1, or -1 for the reference).
  arma::uvec column_logical;
  arma::uvec column_slice;
  std::vector<ColumnRole> column_role;
  arma::vec column_coeff;
  // Per logical column: s_j (max |W| in the scope) and the factor converting the
  // combined conductance difference (siemens) to weight units.
  arma::vec column_scale;
  arma::vec weight_per_S;
  arma::vec slice_weights;  // 2^(k b) for bit-sliced, {1} otherwise
  arma::uword physical_columns() const { return G_S.n_cols; }
};

/// Maps W (inputs x outputs) to conductances. Throws ConfigError (key paths under
/// `prefix`) for invalid parameters, empty W or non-finite weights.
MappedWeights map_weights(const arma::mat& W, const WeightMappingParams& params,
                          std::string_view prefix = "weight_mapping");

/// Physical column currents (batch x physical columns, amperes) read with input voltages
/// x v_read -> logical outputs (batch x outputs) in the units of x W, by differential or
/// reference subtraction, shift-add and de-scaling. ConfigError on a shape mismatch or
/// v_read == 0.
arma::mat unmap_outputs(const arma::mat& column_currents_A, const MappedWeights& mapped, double v_read_V);

/// The weights the conductances represent (inputs x outputs), for round trips.
arma::mat unmap_weights(const MappedWeights& mapped);

}  // namespace xbarsim

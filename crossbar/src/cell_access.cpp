// Cell access types: parameter table, series elimination of the access transistor and
// the 2T2R differential read-out (see cell_access.hpp).
#include <cmath>
#include <cstdio>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/cell_access.hpp>

namespace xbarsim {

const ParamTable<CellAccessParams>& CellAccessParams::table() {
  static const ParamTable<CellAccessParams> t = [] {
    ParamTable<CellAccessParams> tab;
    tab.choice("cell", &CellAccessParams::cell, {"0T1R", "1T1R", "2T2R"},
               "cell access type: passive crossbar, one access transistor per device, or two 1T1R cells per "
               "weight on adjacent bit lines with subtracted currents",
               "neurosim.md 1.4: DNN_NeuroSim_V1.3 default memcelltype RRAM with CMOS_access (1T1R); "
               "device_physics.md 7.6 compares 1T1R and 0T1R");
    tab.real("r_access_ohm", &CellAccessParams::r_access_ohm, "ohm", Range::non_negative(),
             "on-resistance of the access transistor in series with the device (1T1R, 2T2R; unused for 0T1R); "
             "0 = ideal switch (CrossSim's assumption, crosssim_memtorch.md)",
             "neurosim.md 1.4 / device_physics.md 7.4: NeuroSim resistanceAccess = R_on * IR_DROP_TOLERANCE "
             "(0.25, DNN_NeuroSim_V1.3 constant.h), applied to R_on = 1 / 25 uS = 40 kOhm of the default "
             "weight_mapping.g_max_S: 10 kOhm (NeuroSim V1.3's own R_on 6 kOhm gives 1.5 kOhm, MLP-NeuroSim "
             "uses 15 kOhm)");
    return tab;
  }();
  return t;
}

bool has_access_transistor(const CellAccessParams& p) { return p.cell == "1T1R" || p.cell == "2T2R"; }

int columns_per_weight(const CellAccessParams& p) { return p.cell == "2T2R" ? 2 : 1; }

void check_cell_layout(const CellAccessParams& p, arma::uword physical_columns, std::string_view prefix) {
  ProblemList problems;
  CellAccessParams::table().validate_struct(p, prefix, problems);
  if (problems.empty() && p.cell == "2T2R" && (physical_columns == 0 || physical_columns % 2 != 0))
    problems.add(key_path(prefix, "cell"), "2T2R needs an even number of physical columns (pairs 2j, 2j+1), got " +
                                               std::to_string(physical_columns));
  problems.throw_if_any();
}

arma::mat effective_cell_conductance(const arma::mat& G_S, const CellAccessParams& p, std::string_view prefix) {
  ProblemList problems;
  try {
    check_cell_layout(p, G_S.n_cols, prefix);
  } catch (const ConfigError& e) {
    problems.append(e.problems());
  }
  for (arma::uword j = 0; j < G_S.n_cols; ++j)
    for (arma::uword i = 0; i < G_S.n_rows; ++i)
      if (!(G_S(i, j) >= 0.0) || !std::isfinite(G_S(i, j)))
        problems.add("G(" + std::to_string(i) + ", " + std::to_string(j) + ")",
                     "expected a finite conductance >= 0 S, got " + format_value(G_S(i, j)));
  problems.throw_if_any();
  if (!has_access_transistor(p) || p.r_access_ohm == 0.0) return G_S;
  // Series combination with the internal node eliminated; this form stays exact for
  // G = 0 (an open device) and never divides by zero.
  const double r = p.r_access_ohm;
  arma::mat out(G_S.n_rows, G_S.n_cols);
  for (arma::uword k = 0; k < G_S.n_elem; ++k) out(k) = G_S(k) / (1.0 + G_S(k) * r);
  return out;
}

arma::mat differential_currents(const arma::mat& column_currents_A) {
  const arma::uword c = column_currents_A.n_cols;
  if (c == 0 || c % 2 != 0)
    throw ConfigError("column_currents",
                      "2T2R read-out needs an even number of columns (pairs 2j, 2j+1), got " + std::to_string(c));
  arma::mat out(column_currents_A.n_rows, c / 2);
  for (arma::uword j = 0; j < c / 2; ++j) out.col(j) = column_currents_A.col(2 * j) - column_currents_A.col(2 * j + 1);
  return out;
}

}  // namespace xbarsim

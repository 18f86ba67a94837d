// Technology-node parameters and derived wire resistances (see tech_node.hpp).
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/tech_node.hpp>

namespace xbarsim {

const ParamTable<TechNodeParams>& TechNodeParams::table() {
  static const ParamTable<TechNodeParams> t = [] {
    ParamTable<TechNodeParams> tab;
    tab.real("feature_size_m", &TechNodeParams::feature_size_m, "m", Range::positive(), "technology node F",
             "DNN_NeuroSim_V1.3 default technode 22 nm (neurosim.md 1.5)");
    tab.real("vdd_V", &TechNodeParams::vdd_V, "V", Range::positive(), "logic supply voltage",
             "NeuroSim V1.3 Technology.cpp, PTM 22nm_HP: vdd = 0.85");
    tab.real("wire_width_m", &TechNodeParams::wire_width_m, "m", Range::positive(), "local wire width W",
             "NeuroSim V1.3 Param.cpp: wireWidth 40 nm at 22 nm (device_physics.md 7.4)");
    tab.real("wire_aspect_ratio", &TechNodeParams::wire_aspect_ratio, "1", Range::positive(),
             "wire thickness over width AR", "NeuroSim V1.3 Param.cpp: AR = 1.90 at W = 40 nm (device_physics.md 7.4)");
    tab.real("wire_resistivity_ohm_m", &TechNodeParams::wire_resistivity_ohm_m, "ohm*m", Range::positive(),
             "effective Cu resistivity at 300 K including size effects",
             "NeuroSim V1.3 Param.cpp: Rho = 4.03e-8 at W = 40 nm (device_physics.md 7.4)");
    tab.real("temperature_K", &TechNodeParams::temperature_K, "K", Range::positive(),
             "operating temperature for rho_T = rho (1 + tcr |T - 300|)", "NeuroSim Param.cpp reference 300 K");
    tab.real("wire_tcr_per_K", &TechNodeParams::wire_tcr_per_K, "1/K", Range::non_negative(),
             "temperature coefficient of the wire resistivity",
             "NeuroSim Param.cpp: 0.00451/K (device_physics.md 7.4)");
    tab.real("cell_area_0t1r_F2", &TechNodeParams::cell_area_0t1r_F2, "F^2", Range::positive(),
             "passive crossbar cell area", "NeuroSim crossbar cell 2F x 2F = 4F^2 (device_physics.md 7.4, 7.6)");
    tab.real("cell_area_1t1r_F2", &TechNodeParams::cell_area_1t1r_F2, "F^2", Range::positive(), "1T1R cell area",
             "DNN_NeuroSim_V1.3 1T1R cell 4F x 12F = 48F^2 (device_physics.md 7.4)");
    tab.real("cell_area_2t2r_F2", &TechNodeParams::cell_area_2t2r_F2, "F^2", Range::positive(),
             "2T2R cell area (one cell holds a differential pair of devices)",
             "assumption [U]: two NeuroSim 1T1R cells, 2 x 48F^2; NeuroSim has no 2T2R cell");
    tab.real("pitch_0t1r_W", &TechNodeParams::pitch_0t1r_W, "1", Range::positive(),
             "crossbar cell pitch along a line, in wire widths", "NeuroSim crossbar 2W (device_physics.md 7.4)");
    tab.real("pitch_1t1r_row_W", &TechNodeParams::pitch_1t1r_row_W, "1", Range::positive(),
             "1T1R cell pitch along a row, in wire widths", "DNN_NeuroSim_V1.3 1T1R 4W (device_physics.md 7.4)");
    tab.real("pitch_1t1r_col_W", &TechNodeParams::pitch_1t1r_col_W, "1", Range::positive(),
             "1T1R cell pitch along a column, in wire widths", "DNN_NeuroSim_V1.3 1T1R 12W (device_physics.md 7.4)");
    tab.relation([](const TechNodeParams& p, std::string_view prefix, ProblemList& problems) {
      require(p.wire_width_m >= 0.5 * p.feature_size_m, problems, prefix, "wire_width_m",
              "wire width below F/2 is not a realistic local interconnect");
    });
    return tab;
  }();
  return t;
}

double wire_resistance_per_m(const TechNodeParams& t) {
  const double rho = t.wire_resistivity_ohm_m * (1.0 + t.wire_tcr_per_K * std::abs(t.temperature_K - 300.0));
  return rho / (t.wire_width_m * t.wire_width_m * t.wire_aspect_ratio);
}

double wire_r_cell_0t1r_ohm(const TechNodeParams& t) {
  return wire_resistance_per_m(t) * t.pitch_0t1r_W * t.wire_width_m;
}
double wire_r_cell_1t1r_row_ohm(const TechNodeParams& t) {
  return wire_resistance_per_m(t) * t.pitch_1t1r_row_W * t.wire_width_m;
}
double wire_r_cell_1t1r_col_ohm(const TechNodeParams& t) {
  return wire_resistance_per_m(t) * t.pitch_1t1r_col_W * t.wire_width_m;
}

double cell_area_F2(const TechNodeParams& t, const std::string& cell_type) {
  if (cell_type == "0t1r") return t.cell_area_0t1r_F2;
  if (cell_type == "1t1r") return t.cell_area_1t1r_F2;
  if (cell_type == "2t2r") return t.cell_area_2t2r_F2;
  throw ConfigError("cell_type", "unknown cell type '" + cell_type + "' (0t1r | 1t1r | 2t2r)");
}

int devices_per_cell(const std::string& cell_type) { return cell_type == "2t2r" ? 2 : 1; }

double energy_scale(const TechNodeParams& t, double ref_feature_m, double ref_vdd_V) {
  const double v = t.vdd_V / ref_vdd_V;
  return (t.feature_size_m / ref_feature_m) * v * v;
}

double area_scale(const TechNodeParams& t, double ref_feature_m) {
  const double f = t.feature_size_m / ref_feature_m;
  return f * f;
}

}  // namespace xbarsim

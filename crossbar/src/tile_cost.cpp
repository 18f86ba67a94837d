// Tile area / energy / latency breakdown (see tile_cost.hpp for the formulas).
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/tile_cost.hpp>

namespace xbarsim {

const ParamTable<TileCostParams>& TileCostParams::table() {
  static const ParamTable<TileCostParams> t = [] {
    using P = TileCostParams;
    ParamTable<P> tab;
    tab.real("dac_energy_per_bit_J", &P::dac_energy_per_bit_J, "J", Range::positive(),
             "energy of one 1-bit DAC drive at the DAC reference node",
             "ISAAC: 8 x 128 1-bit DACs, 4 mW -> 0.42 pJ per drive (device_physics.md 7.1)");
    tab.real("dac_area_per_bit_m2", &P::dac_area_per_bit_m2, "m^2", Range::positive(),
             "area of one 1-bit DAC at the DAC reference node",
             "ISAAC: 8 x 128 1-bit DACs, 170 um^2 -> 0.166 um^2 each (device_physics.md 7.1)");
    tab.real("dac_ref_feature_m", &P::dac_ref_feature_m, "m", Range::positive(), "node of the ISAAC DAC figures",
             "ISAAC is costed at 32 nm (device_physics.md 7.1)");
    tab.real("dac_ref_vdd_V", &P::dac_ref_vdd_V, "V", Range::positive(), "supply assumed for the ISAAC figures",
             "assumption [U]: PTM 32nm_HP vdd = 0.9 (NeuroSim Technology.cpp); ISAAC's supply is not in the sheets");
    tab.real("add32_energy_J", &P::add32_energy_J, "J", Range::positive(), "32-bit integer add at 45 nm, 0.9 V",
             "Horowitz ISSCC 2014: 0.1 pJ (digital_references.md 2.1)");
    tab.real("sram_read64_energy_J", &P::sram_read64_energy_J, "J", Range::positive(),
             "64-bit read of an 8 KB SRAM at 45 nm, 0.9 V", "Horowitz ISSCC 2014: 10 pJ (digital_references.md 2.1)");
    tab.real("horowitz_ref_feature_m", &P::horowitz_ref_feature_m, "m", Range::positive(), "node of the Horowitz table",
             "Horowitz ISSCC 2014: 45 nm (digital_references.md 2.1)");
    tab.real("horowitz_ref_vdd_V", &P::horowitz_ref_vdd_V, "V", Range::positive(), "supply of the Horowitz table",
             "Horowitz ISSCC 2014: 0.9 V (digital_references.md 2.1)");
    tab.real("register_energy_per_bit_J", &P::register_energy_per_bit_J, "J", Range::positive(),
             "1-bit register write (also used for one mux switch toggle [U])",
             "Aladdin 40 nm data of the Accelergy plug-in: 1-bit register 0.009 pJ (digital_references.md 1)");
    tab.real("register_ref_feature_m", &P::register_ref_feature_m, "m", Range::positive(),
             "node of the Aladdin register figure (supply taken as horowitz_ref_vdd_V [U])",
             "Aladdin plug-in data: 40 nm (digital_references.md 1)");
    tab.real("wire_cap_F_per_m", &P::wire_cap_F_per_m, "F/m", Range::positive(),
             "local wire capacitance charged by a row driver",
             "assumption [U]: 0.2 fF/um, typical local-interconnect value; not in the reference sheets");
    tab.real("driver_area_F2", &P::driver_area_F2, "F^2", Range::positive(), "area of one row driver",
             "assumption [U]: not in the reference sheets");
    tab.real("mux_area_F2", &P::mux_area_F2, "F^2", Range::positive(), "area of one column mux switch",
             "assumption [U]: a transmission gate of two minimum transistors; not in the reference sheets");
    tab.real("shift_add_area_F2", &P::shift_add_area_F2, "F^2", Range::positive(),
             "area of one shift-adder and its accumulator register", "assumption [U]: not in the reference sheets");
    tab.real("sram_cell_area_F2", &P::sram_cell_area_F2, "F^2", Range::positive(), "SRAM bit cell area",
             "NeuroSim SRAM cell 10F x 28F above 14 nm (neurosim.md 1.4)");
    return tab;
  }();
  return t;
}

namespace {

void validate(const TileCostInputs& in) {
  ProblemList problems;
  const std::string_view pre = "tile_cost";
  require(in.rows >= 1, problems, pre, "rows", "must be >= 1");
  require(in.cols >= 1, problems, pre, "cols", "must be >= 1");
  require(in.cell_type == "0t1r" || in.cell_type == "1t1r" || in.cell_type == "2t2r", problems, pre, "cell_type",
          "must be 0t1r, 1t1r or 2t2r");
  require(in.physical_cols_per_logical >= 1, problems, pre, "physical_cols_per_logical", "must be >= 1");
  require(in.extra_physical_cols >= 0, problems, pre, "extra_physical_cols", "must be >= 0");
  const long p = static_cast<long>(in.cols) * in.physical_cols_per_logical + in.extra_physical_cols;
  require(p % devices_per_cell(in.cell_type) == 0, problems, pre, "physical_cols_per_logical",
          "a 2t2r cell holds two devices: the physical column count must be even");
  require(in.v_read_V > 0.0, problems, pre, "v_read_V", "must be > 0");
  require(in.t_read_s > 0.0, problems, pre, "t_read_s", "must be > 0");
  require(in.g_avg_S >= 0.0, problems, pre, "g_avg_S", "must be >= 0");
  require(in.v_write_V >= 0.0, problems, pre, "v_write_V", "must be >= 0");
  require(in.t_write_s >= 0.0, problems, pre, "t_write_s", "must be >= 0");
  require(in.g_write_avg_S >= 0.0, problems, pre, "g_write_avg_S", "must be >= 0");
  require(in.write_pulses >= 0, problems, pre, "write_pulses", "must be >= 0");
  TechNodeParams::table().validate_struct(in.tech, "tile_cost.tech", problems);
  TileCostParams::table().validate_struct(in.unit, "tile_cost.unit", problems);
  AdcParams::table().validate_struct(in.adc, "tile_cost.adc", problems);
  DacParams::table().validate_struct(in.dac, "tile_cost.dac", problems);
  problems.throw_if_any();
}

}  // namespace

TileCost tile_cost(const TileCostInputs& in) {
  validate(in);
  const TechNodeParams& t = in.tech;
  const TileCostParams& u = in.unit;
  const double F = t.feature_size_m;
  const double F2 = F * F;
  const double R = in.rows;
  const double C = in.cols;

  TileCost c;
  c.physical_cols = static_cast<std::size_t>(in.cols) * in.physical_cols_per_logical + in.extra_physical_cols;
  const double P = static_cast<double>(c.physical_cols);
  const bool bit_serial = in.dac.mode == "bit-serial";
  c.input_pulses = bit_serial ? static_cast<std::size_t>(in.dac.bits - 1) : 1;
  const double np = static_cast<double>(c.input_pulses);
  // ADC inputs: every physical column, or one per logical column (and slice) when the
  // pairs and the reference column are subtracted before the ADC.
  const std::size_t adc_inputs =
      in.adc_cols_per_logical > 0 ? static_cast<std::size_t>(in.cols) * in.adc_cols_per_logical : c.physical_cols;
  c.conversions = adc_inputs * c.input_pulses;
  const double nconv = static_cast<double>(c.conversions);

  // Array.
  c.area_m2.array = R * (P / devices_per_cell(in.cell_type)) * cell_area_F2(t, in.cell_type) * F2;
  c.energy_J.array = np * R * P * in.g_avg_S * in.v_read_V * in.v_read_V * in.t_read_s;
  c.latency_s.array = np * in.t_read_s;

  // DAC: one per row.
  const double dac_bits_per_drive = bit_serial ? 1.0 : static_cast<double>(in.dac.bits);
  const double e_drive =
      u.dac_energy_per_bit_J * dac_bits_per_drive * energy_scale(t, u.dac_ref_feature_m, u.dac_ref_vdd_V);
  c.energy_J.dac = R * np * e_drive;
  c.area_m2.dac = R * dac_bits_per_drive * u.dac_area_per_bit_m2 * area_scale(t, u.dac_ref_feature_m);

  // ADC: adc.hpp's cost model (seed and tile only key DNL patterns, irrelevant to cost).
  const AdcCost ac = Adc(in.adc, adc_inputs, 0).cost();
  c.energy_J.adc = nconv * ac.energy_per_conversion_J;
  c.latency_s.adc = np * in.adc.columns_per_adc * ac.latency_per_conversion_s;
  c.area_m2.adc = ac.area_total_m2;

  // Row drivers charge the row wire every pulse.
  const double row_pitch_W = in.cell_type == "0t1r" ? t.pitch_0t1r_W : t.pitch_1t1r_row_W;
  const double row_length_m = P * row_pitch_W * t.wire_width_m;
  c.energy_J.drivers = np * R * u.wire_cap_F_per_m * row_length_m * in.v_read_V * in.v_read_V;
  c.area_m2.drivers = R * u.driver_area_F2 * F2;

  // Column mux (only when columns share an ADC).
  const double e_reg_bit =
      u.register_energy_per_bit_J * energy_scale(t, u.register_ref_feature_m, u.horowitz_ref_vdd_V);
  if (in.adc.columns_per_adc > 1) {
    c.energy_J.mux = nconv * e_reg_bit;
    c.area_m2.mux = static_cast<double>(adc_inputs) * u.mux_area_F2 * F2;
  }

  // Shift-add: one w-bit add and register write per conversion.
  const double w = in.adc.bits + in.dac.bits;
  const double e_digital = energy_scale(t, u.horowitz_ref_feature_m, u.horowitz_ref_vdd_V);
  const double e_add = u.add32_energy_J * (w / 32.0) * e_digital;
  c.energy_J.shift_add = nconv * (e_add + w * e_reg_bit);
  c.latency_s.shift_add = 1.0 / in.adc.clock_Hz;
  c.area_m2.shift_add = static_cast<double>(ac.num_adcs) * u.shift_add_area_F2 * F2;

  // Buffers: inputs read once, outputs written once.
  const double buffer_bits = R * in.dac.bits + C * w;
  c.energy_J.buffers = buffer_bits * (u.sram_read64_energy_J / 64.0) * e_digital;
  c.area_m2.buffers = buffer_bits * u.sram_cell_area_F2 * F2;

  c.area_total_m2 = c.area_m2.total();
  c.energy_total_J = c.energy_J.total();
  c.latency_total_s = c.latency_s.total();

  const double nw = in.write_pulses;
  c.update_energy_J = R * P * nw * in.v_write_V * in.v_write_V * in.g_write_avg_S * in.t_write_s;
  c.update_latency_s = R * 2.0 * nw * in.t_write_s;
  return c;
}

const ParamTable<TileCostInputs>& TileCostInputs::table() {
  static const ParamTable<TileCostInputs> t = [] {
    ParamTable<TileCostInputs> t;
    t.integer("rows", &TileCostInputs::rows, "1", Range::closed(1, 65536), "array rows (inputs)",
              "NeuroSim sub-array 128 x 128 (device_physics.md 7.4)")
        .integer("cols", &TileCostInputs::cols, "1", Range::closed(1, 65536), "logical columns (outputs)",
                 "NeuroSim sub-array 128 x 128 (device_physics.md 7.4)")
        .choice("cell_type", &TileCostInputs::cell_type, {"1t1r", "0t1r", "2t2r"}, "cell type",
                "DNN_NeuroSim_V1.3 default 1T1R")
        .integer("physical_cols_per_logical", &TileCostInputs::physical_cols_per_logical, "1", Range::closed(1, 1024),
                 "physical columns per logical column (2 = differential pair)",
                 "aihwkit SinglePairConductanceConverter: one differential pair per weight")
        .integer("extra_physical_cols", &TileCostInputs::extra_physical_cols, "1", Range::closed(0, 65536),
                 "additional physical columns (e.g. 1 shared reference column)", "none by default")
        .integer("adc_cols_per_logical", &TileCostInputs::adc_cols_per_logical, "1", Range::closed(0, 1024),
                 "ADC inputs per logical column (1: pairs subtracted before the ADC, slices for bit-sliced); "
                 "0: every physical column converted",
                 "0, NeuroSim's digital subtraction; AnalogTile subtracts in the analog domain (tile.hpp)")
        .real("v_read_V", &TileCostInputs::v_read_V, "V", Range::positive(), "read voltage",
              "NeuroSim read voltage 0.5 V (device_physics.md 7.4)")
        .real("t_read_s", &TileCostInputs::t_read_s, "s", Range::positive(), "read pulse width",
              "NeuroSim read pulse 10 ns (device_physics.md 7.4)")
        .real("g_avg_S", &TileCostInputs::g_avg_S, "S", Range::non_negative(), "mean device conductance during reads",
              "0 = not set (array read energy 0)")
        .real("v_write_V", &TileCostInputs::v_write_V, "V", Range::non_negative(), "write voltage",
              "NeuroSim write voltage 2 V (device_physics.md 7.4)")
        .real("t_write_s", &TileCostInputs::t_write_s, "s", Range::non_negative(), "write pulse width",
              "DNN_NeuroSim_V2.1 write pulse 50 ns (device_physics.md 7.4)")
        .real("g_write_avg_S", &TileCostInputs::g_write_avg_S, "S", Range::non_negative(),
              "mean device conductance during programming pulses", "0 = not set (update energy 0)")
        .integer("write_pulses", &TileCostInputs::write_pulses, "1", Range::closed(0, 1 << 20),
                 "programming pulses per device per update", "one pulse per update");
    return t;
  }();
  return t;
}

}  // namespace xbarsim

// Per-action energy tables (see energy_table.hpp).
#include <xbarsim/mapping/energy_table.hpp>

namespace xbarsim {

namespace {
constexpr const char* kHorowitz = "Horowitz, ISSCC 2014 keynote, 45 nm (digital_references.md 2.1)";
}

const ParamTable<EnergyTableParams>& EnergyTableParams::table() {
  static const ParamTable<EnergyTableParams> t = [] {
    ParamTable<EnergyTableParams> tab;
    tab.real("mac_J", &EnergyTableParams::mac_J, "J", Range::non_negative(), "energy of one multiply-accumulate",
             std::string(kHorowitz) + ": 8-bit int multiply 0.2 pJ + 32-bit int add 0.1 pJ [I: sum]");
    tab.real("sram_read_J_per_byte", &EnergyTableParams::sram_read_J_per_byte, "J/B", Range::non_negative(),
             "on-chip SRAM read energy per byte",
             std::string(kHorowitz) + ": 20 pJ per 64-bit read of a 32 KB array [R] / 8 B");
    tab.real("sram_write_J_per_byte", &EnergyTableParams::sram_write_J_per_byte, "J/B", Range::non_negative(),
             "on-chip SRAM write energy per byte", "assumption [I]: equal to the read energy");
    tab.real("dram_J_per_byte", &EnergyTableParams::dram_J_per_byte, "J/B", Range::non_negative(),
             "off-chip DRAM energy per byte moved",
             std::string(kHorowitz) + ": 1.3 nJ per 64-bit access (low end of 1.3-2.6 nJ) [R] / 8 B");
    tab.real("leakage_W", &EnergyTableParams::leakage_W, "W", Range::non_negative(), "static power of the array",
             "assumption [I]: not modelled by default (Horowitz gives dynamic energies only)");
    return tab;
  }();
  return t;
}

EnergyTableParams horowitz45nm_int8() { return EnergyTableParams{}; }

EnergyTableParams horowitz45nm_fp32() {
  EnergyTableParams e;
  e.mac_J = 4.6e-12;  // 32-bit FP multiply 3.7 pJ + 32-bit FP add 0.9 pJ (Horowitz 2014)
  return e;
}

double action_energy_J(const EnergyTableParams& e, const ActionCounts& a) {
  return static_cast<double>(a.macs) * e.mac_J + a.sram_read_bytes * e.sram_read_J_per_byte +
         a.sram_write_bytes * e.sram_write_J_per_byte + a.dram_bytes * e.dram_J_per_byte + e.leakage_W * a.time_s;
}

}  // namespace xbarsim

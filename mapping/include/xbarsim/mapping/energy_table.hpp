#pragma once
// Per-action energy tables for the digital reference targets (issue 5): energy = MACs x
// e_MAC + SRAM bytes x e_SRAM + DRAM bytes x e_DRAM + leakage x time, the accounting of
// Timeloop/Accelergy reduced to one table (digital_references.md 1.1 "Energy", 2.1).
// Default: Horowitz, ISSCC 2014 keynote, 45 nm, 0.9 V, 8-bit integer MACs.
#include <cstdint>
#include <xbarsim/core/params.hpp>

namespace xbarsim {

struct EnergyTableParams {
  double mac_J = 0.3e-12;                  // INT8 multiply 0.2 pJ + 32-bit add 0.1 pJ
  double sram_read_J_per_byte = 2.5e-12;   // 32 KB array, 20 pJ per 64-bit read
  double sram_write_J_per_byte = 2.5e-12;  // assumed equal to the read
  double dram_J_per_byte = 162.5e-12;      // 1.3 nJ per 64-bit access (low end of 1.3-2.6 nJ)
  double leakage_W = 0.0;
  static const ParamTable<EnergyTableParams>& table();
};

/// Horowitz 45 nm with 8-bit integer MACs (the default above).
EnergyTableParams horowitz45nm_int8();
/// Horowitz 45 nm with FP32 MACs (3.7 pJ multiply + 0.9 pJ add).
EnergyTableParams horowitz45nm_fp32();

/// Activity count of one layer or network on a digital target.
struct ActionCounts {
  std::uint64_t macs = 0;
  double sram_read_bytes = 0;
  double sram_write_bytes = 0;
  double dram_bytes = 0;
  double time_s = 0;
};

/// macs e_MAC + SRAM reads e_r + SRAM writes e_w + DRAM bytes e_DRAM + leakage time.
double action_energy_J(const EnergyTableParams& e, const ActionCounts& a);

}  // namespace xbarsim

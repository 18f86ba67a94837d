// Parameter table of the crossbar wire and driver parasitics (issue 3 topology).
#include <xbarsim/crossbar/circuit_solver.hpp>

namespace xbarsim {

const ParamTable<WireParams>& WireParams::table() {
  static const ParamTable<WireParams> t = [] {
    ParamTable<WireParams> tab;
    tab.real("r_row_ohm", &WireParams::r_row_ohm, "ohm", Range::positive(),
             "word-line wire resistance between adjacent cells",
             "device_physics.md 7.4: NeuroSim R_unit = rho/(W^2 AR) at the DNN_NeuroSim_V1.3 default 22 nm node, "
             "crossbar cell pitch 2W: 1.06 ohm per cell, rounded to 1 ohm (aihwkit uses 0.35 ohm)");
    tab.real("r_col_ohm", &WireParams::r_col_ohm, "ohm", Range::positive(),
             "bit-line wire resistance between adjacent cells",
             "device_physics.md 7.4: NeuroSim 22 nm crossbar cell (2W pitch) 1.06 ohm per cell, rounded to 1 ohm");
    tab.real("r_source_ohm", &WireParams::r_source_ohm, "ohm", Range::positive(),
             "output resistance of the word-line driver at the column-0 end",
             "assumption: an ideal driver modelled as one wire segment (1 ohm, as r_row_ohm); the reference "
             "sheets give no driver resistance");
    tab.real("r_sink_ohm", &WireParams::r_sink_ohm, "ohm", Range::positive(),
             "input resistance of the sense amplifier (virtual ground) at the row-(rows-1) end",
             "assumption: an ideal virtual ground modelled as one wire segment (1 ohm, as r_col_ohm); the "
             "reference sheets give no sense-amplifier input resistance");
    return tab;
  }();
  return t;
}

}  // namespace xbarsim

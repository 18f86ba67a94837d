#pragma once
// polarization-loop protocol of the FeFET Preisach family (internal to devices/src/fefet).
#include <xbarsim/devices/fefet_preisach.hpp>

namespace xbarsim::fefet {

/// Sweep segments: 0 virgin 0 -> +Vmax; 1 and 2 the saturated loop +Vmax -> -Vmax -> +Vmax;
/// 3 +Vmax -> -Vminor; 4 and 5 the minor loop -Vminor -> +Vminor -> -Vminor; 6 -Vminor ->
/// -Vmax (back on the saturated branch: wipe-out of the minor loop).
inline constexpr int kLoopSegments = 7;

/// Gate voltages of the triangular sweep on the grid m * loop_step_V (amplitudes rounded
/// to the grid, so every branch visits bit-identical voltages) and their segment numbers.
void loop_waveform(const FefetPreisachParams& p, std::vector<double>& voltage_V, std::vector<double>& segment);

/// Runs the P-V sweep on request.devices fresh cells.
Curve polarization_loop(const FefetPreisachModel& model, const CurveRequest& request);

}  // namespace xbarsim::fefet

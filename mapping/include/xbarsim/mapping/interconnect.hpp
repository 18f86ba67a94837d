#pragma once
// Geometry of the chip's global interconnect (issue 5, chip PPA): the tiles sit in a
// square-ish grid of pitch p = sqrt(A_tile), as NeuroSim's ChipFloorPlan places them
// (rows = ceil(sqrt N), cols = ceil(N / rows); DNN_NeuroSim_V1.3 Chip.cpp).
//
// H-tree (NeuroSim V1.3's global HTree, neurosim.md 1.2): the root (global buffer) sits at
// the centre of a 2^k x 2^k tile square, k = ceil(log4 N) levels (the grid is padded to a
// power of four; N = 1 has no tree). Level i (i = 1..k) has 4^(i-1) H's, each in a square of
// side s_i = S / 2^(i-1), S = 2^k p. From the centre of a square of side s the path to the
// centre of one quadrant runs s/4 horizontally and s/4 vertically, s/2 in all, so
//   root-to-leaf length   L = sum_{i=1..k} s_i / 2 = S (1 - 2^-k) = p (2^k - 1);
// one H of side s has a horizontal bar s/2 and two vertical bars s/2 each, 3 s / 2 in all, so
//   total wire length     L_tot = sum_i 4^(i-1) 3 s_i / 2 = (3/2) S (2^k - 1) = (3/2) p 2^k (2^k - 1).
// (4 tiles: L = p, L_tot = 3 p; 16 tiles: L = 3 p, L_tot = 18 p.)
//
// Bus (a shared XY bus, as NeuroSim V1.4's XYBus behind globalBusType, neurosim.md 1.2): a
// trunk along one edge of the grid (length cols p) and one drop per tile column running
// its whole height (rows p). A bit sent to any tile charges the trunk and that tile's
// column drop (the drops are not segmented), so
//   path length           L = (cols + rows) p,
//   total wire length     L_tot = cols p + cols rows p.
// (4 tiles, 2 x 2: L = 4 p, L_tot = 6 p; 16 tiles, 4 x 4: L = 8 p, L_tot = 20 p.)
//
// The chip roll-up (chip.hpp) turns these into energy (C' L Vdd^2 activity per bit),
// latency (delay per metre x L per transfer of bus_width bits) and area (L_tot x bus_width
// x wire pitch / fold ratio).
#include <cstddef>
#include <string>

namespace xbarsim {

struct InterconnectGeometry {
  std::string kind;           // "htree" | "bus"
  std::size_t tiles = 0;      // N
  std::size_t grid_rows = 0;  // tile grid as placed (ceil(sqrt N) x ceil(N / rows))
  std::size_t grid_cols = 0;
  std::size_t levels = 0;       // H-tree levels k = ceil(log4 N); 0 for a bus
  double tile_pitch_m = 0.0;    // p
  double path_length_m = 0.0;   // wire a transported bit charges (root to leaf / trunk + drop)
  double total_length_m = 0.0;  // all wire of one bus lane, for the area
};

/// Geometry of `kind` ("htree" | "bus") for `tiles` tiles of pitch `tile_pitch_m`
/// (formulas above). ConfigError for another kind. tiles = 0 gives zero lengths.
InterconnectGeometry interconnect_geometry(const std::string& kind, std::size_t tiles, double tile_pitch_m);

}  // namespace xbarsim

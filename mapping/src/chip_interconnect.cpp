// Global interconnect geometry (see interconnect.hpp).
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/interconnect.hpp>

namespace xbarsim {

InterconnectGeometry interconnect_geometry(const std::string& kind, std::size_t tiles, double tile_pitch_m) {
  if (kind != "htree" && kind != "bus")
    throw ConfigError("chip.interconnect", "'" + kind + "' is not one of htree, bus");
  InterconnectGeometry g;
  g.kind = kind;
  g.tiles = tiles;
  g.tile_pitch_m = tile_pitch_m;
  if (tiles == 0) return g;
  // NeuroSim ChipFloorPlan: rows = ceil(sqrt N), cols = ceil(N / rows).
  std::size_t rows = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(tiles))));
  while (rows * rows < tiles) ++rows;  // guard against rounding of sqrt
  while (rows > 1 && (rows - 1) * (rows - 1) >= tiles) --rows;
  g.grid_rows = rows;
  g.grid_cols = (tiles + rows - 1) / rows;
  const double p = tile_pitch_m;
  if (kind == "htree") {
    // k = ceil(log2 max(rows, cols)) = ceil(log4 N): the grid padded to 2^k x 2^k.
    std::size_t side = 1, k = 0;
    while (side < std::max(g.grid_rows, g.grid_cols)) {
      side *= 2;
      ++k;
    }
    g.levels = k;
    const double s = static_cast<double>(side);
    g.path_length_m = p * (s - 1.0);
    g.total_length_m = 1.5 * p * s * (s - 1.0);
  } else {
    const double r = static_cast<double>(g.grid_rows), c = static_cast<double>(g.grid_cols);
    g.path_length_m = (c + r) * p;
    g.total_length_m = c * p + c * r * p;
  }
  return g;
}

}  // namespace xbarsim

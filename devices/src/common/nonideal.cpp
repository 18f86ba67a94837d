#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

CellFault sample_fault(const CellNonIdealities& n, const RngKey& key, std::uint32_t tile, std::uint32_t row,
                       std::uint32_t col) {
  if (n.stuck_on_fraction <= 0.0 && n.stuck_off_fraction <= 0.0) return CellFault::None;
  const double u = u32_to_open01(philox_block(key, row, tile, col, 0)[0]);
  if (u < n.stuck_on_fraction) return CellFault::StuckOn;
  if (u < n.stuck_on_fraction + n.stuck_off_fraction) return CellFault::StuckOff;
  return CellFault::None;
}

}  // namespace xbarsim

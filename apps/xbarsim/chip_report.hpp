#pragma once
// The chip report of `xbarsim run`, `map` and `compress` as JSON and as a component table.
#include <nlohmann/json.hpp>
#include <xbarsim/mapping/chip.hpp>

namespace xbarsim::cli {

/// Totals, the area / energy / latency breakdown by component and the interconnect.
nlohmann::json chip_json(const ChipReport& chip);
/// Prints the per-component table (area, energy and latency per image).
void print_chip_breakdown(const ChipReport& chip);

}  // namespace xbarsim::cli

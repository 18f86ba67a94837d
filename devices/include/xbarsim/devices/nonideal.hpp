#pragma once
// Cell non-idealities shared by every family: stuck-at faults, a finite number of
// programmable levels, endurance (window closing with cycles) and operating
// temperature. A family's parameter struct inherits CellNonIdealities and calls
// add_nonideality_fields() on its table, so the keys are spelled the same everywhere.
#include <cmath>
#include <cstdint>
#include <xbarsim/core/params.hpp>
#include <xbarsim/core/random.hpp>

namespace xbarsim {

struct CellNonIdealities {
  double stuck_on_fraction = 0.0;   // fraction of cells stuck at G_max
  double stuck_off_fraction = 0.0;  // fraction of cells stuck at G_min
  int levels = 0;                   // programmable levels between G_min and G_max; 0 = continuous
  double endurance_cycles = 0.0;    // cycles at which the window has closed by endurance_window_loss; 0 = unlimited
  double endurance_window_loss = 0.5;  // fraction of the window lost after endurance_cycles
  double temperature_K = 300.0;     // operating temperature
};

template <class S>
void add_nonideality_fields(ParamTable<S>& t) {
  t.real("stuck_on_fraction", &S::stuck_on_fraction, "1", Range::unit(),
         "fraction of cells stuck at G_max (drawn per cell)", "ideal default; set from yield data")
      .real("stuck_off_fraction", &S::stuck_off_fraction, "1", Range::unit(),
            "fraction of cells stuck at G_min (drawn per cell)", "ideal default; set from yield data")
      .integer("levels", &S::levels, "1", Range::closed(0, 1 << 20),
               "programmable conductance levels (0 = continuous)", "ideal default (continuous)")
      .real("endurance_cycles", &S::endurance_cycles, "1", Range::non_negative(),
            "full SET/RESET cycles after which endurance_window_loss of the window is lost (0 = unlimited)",
            "ideal default; device_physics.md 2.7 gives 1e6-1e12 [U] for RRAM")
      .real("endurance_window_loss", &S::endurance_window_loss, "1", Range::unit(),
            "fraction of the G_max - G_min window lost after endurance_cycles (log-linear in cycles)",
            "assumption: half the window at the rated endurance")
      .real("temperature_K", &S::temperature_K, "K", Range::closed(1.0, 1000.0), "operating temperature",
            "room temperature, 300 K");
  t.relation([](const S& s, std::string_view prefix, ProblemList& p) {
    require(s.stuck_on_fraction + s.stuck_off_fraction <= 1.0, p, prefix, "stuck_on_fraction",
            "stuck_on_fraction + stuck_off_fraction must not exceed 1");
  });
}

/// Fault codes stored per cell in the "fault" state field.
enum class CellFault : std::uint8_t { None = 0, StuckOn = 1, StuckOff = 2 };

/// Draws the fault of cell (row, col) of tile `tile`, a pure function of the seed.
CellFault sample_fault(const CellNonIdealities& n, const RngKey& key, std::uint32_t tile, std::uint32_t row,
                       std::uint32_t col);

/// Rounds g to the nearest of `levels` evenly spaced values in [g_min, g_max]
/// (unchanged when levels < 2).
inline double quantize_to_levels(double g, double g_min, double g_max, int levels) {
  if (levels < 2 || g_max <= g_min) return g;
  const double step = (g_max - g_min) / (levels - 1);
  const double k = std::round((g - g_min) / step);
  return g_min + std::clamp(k, 0.0, static_cast<double>(levels - 1)) * step;
}

/// Fraction of the conductance window left after `cycles` SET/RESET cycles: 1 below
/// one cycle, then closing linearly in log10(cycles) to 1 - loss at endurance_cycles,
/// and on at the same slope beyond (floored at 0).
inline double endurance_window_factor(const CellNonIdealities& n, double cycles) {
  if (n.endurance_cycles <= 1.0 || cycles <= 1.0) return 1.0;
  const double f = 1.0 - n.endurance_window_loss * std::log10(cycles) / std::log10(n.endurance_cycles);
  return std::max(0.0, f);
}

}  // namespace xbarsim

#pragma once
// Helpers shared by the three PCM models (private to devices/src/pcm).
#include <algorithm>
#include <cstdint>
#include <vector>
#include <xbarsim/core/random.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim::pcm {

/// Key for a counter that may exceed 32 bits: the low 32 bits go into the StreamId, the
/// high 32 bits (0 in practice) are folded into the seed so streams never repeat.
inline RngKey counter_key(std::uint64_t seed, std::uint32_t purpose, std::uint64_t counter) {
  const auto hi = static_cast<std::uint32_t>(counter >> 32);
  return RngKey(hi == 0 ? seed : derive_seed(seed, hi), purpose);
}
inline std::uint32_t lo32(std::uint64_t x) { return static_cast<std::uint32_t>(x); }

/// Fault code stored in a float field.
inline CellFault fault_of(float code) { return static_cast<CellFault>(static_cast<std::uint8_t>(code)); }

/// Fills `fault` (rows x cols) from sample_fault for every cell of the tile.
inline void sample_faults(const CellNonIdealities& n, const DeviceState& state, std::uint32_t purpose,
                          arma::fmat& fault) {
  const RngKey key(state.seed(), purpose);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = 0; i < state.rows(); ++i)
      fault(i, j) = static_cast<float>(
          sample_fault(n, key, state.tile_id(), static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)));
}

/// Upper end of the reachable conductance window after `cycles` RESET events: the window
/// [g_min, g_max] closes from the top by endurance_window_factor (nonideal.hpp).
inline double endurance_g_max(const CellNonIdealities& n, double g_min, double g_max, double cycles) {
  return g_min + endurance_window_factor(n, cycles) * (g_max - g_min);
}

/// Target of one cell after the finite-level and endurance non-idealities: quantised to
/// `levels` over the nominal window, then clipped to the window this cell still reaches.
inline double effective_target(const CellNonIdealities& n, double target, double g_min, double g_max, double cycles) {
  const double q = quantize_to_levels(std::clamp(target, g_min, g_max), g_min, g_max, n.levels);
  return std::clamp(q, g_min, endurance_g_max(n, g_min, g_max, cycles));
}

/// Program-and-verify by pulses, in the spirit of the iterative PCM programming of
/// Joshi et al. 2020: read (noise-free), one SET pulse where G is below the target band,
/// one RESET pulse where it is above (a PCM cell cannot be partially depressed by a SET
/// pulse), repeat. Unlike the generic write_verify() it quantises targets first and
/// needs no tile-sized scratch matrices. Stuck cells are never pulsed; they count as
/// unconverged when their fixed conductance misses the target. Model must provide
///   read_block(state, out(local rows x cols), rows)  and
///   pulse_block(state, counts(local rows x cols), step, rows) -> energy in J.
template <class Model>
ProgramReport pulse_program(const Model& m, DeviceState& state, const arma::fmat& target_S,
                            const ProgramOptions& options, RowRange rows, const CellNonIdealities& n,
                            const arma::fmat& cycles, const arma::fmat& fault) {
  ProgramReport report;
  const std::size_t nr = rows.size(), nc = state.cols();
  const double g_lo = m.g_min_S(), g_hi = m.g_max_S();
  const double tol = options.tolerance_rel * (g_hi - g_lo);
  arma::fmat target(nr, nc), g(nr, nc);
  for (std::size_t j = 0; j < nc; ++j)
    for (std::size_t i = 0; i < nr; ++i)
      target(i, j) =
          static_cast<float>(effective_target(n, target_S(rows.begin + i, j), g_lo, g_hi, cycles(rows.begin + i, j)));
  PulseCounts counts(nr, nc, arma::fill::zeros);
  // Programming pulses use steps far from the update steps (as write_verify does).
  const std::uint64_t base_step = (std::uint64_t{1} << 40) + state.pulse_step * 4096;
  for (int it = 0; it <= options.max_iterations; ++it) {
    m.read_block(state, g, rows);
    std::uint64_t pending = 0;
    std::uint64_t stuck_missed = 0;
    for (std::size_t j = 0; j < nc; ++j)
      for (std::size_t i = 0; i < nr; ++i) {
        const double err = static_cast<double>(target(i, j)) - g(i, j);
        std::int16_t c = std::abs(err) <= tol ? 0 : (err > 0 ? 1 : -1);
        if (c != 0 && fault(rows.begin + i, j) != 0.0f) {
          ++stuck_missed;
          c = 0;
        }
        counts(i, j) = c;
        pending += c != 0;
      }
    report.verify_reads += nr * nc;
    if (pending == 0 || it == options.max_iterations) {
      report.unconverged += pending + stuck_missed;
      break;
    }
    report.energy_J += m.pulse_block(state, counts, base_step + static_cast<std::uint64_t>(it), rows);
    report.pulses += pending;
  }
  return report;
}

}  // namespace xbarsim::pcm

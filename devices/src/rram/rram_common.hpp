#pragma once
// Helpers shared by the three RRAM models (private to devices/src/rram): random-stream
// keys, fault sampling, cycle counting for endurance, read-time window closing and the
// periodic waveform of the "iv" protocol.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/devices/device_state.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim::rram_detail {

/// Key of the random numbers drawn in update `step`, sub-step `sub` (pulse round, SDE
/// step, write-verify iteration). The low 32 bits of `step` go into the stream id
/// (step_stream), the high bits and `sub` into a child seed, so every (step, sub) pair
/// has its own numbers and no counter overflows.
inline RngKey step_key(std::uint64_t seed, std::uint32_t purpose, std::uint64_t step, std::uint32_t sub) {
  const std::uint64_t child = ((step >> 32) << 32) | sub;
  return RngKey(derive_seed(seed, child), purpose);
}

/// Stream of column `col` of the state's tile in update `step`; element = row.
inline StreamId step_stream(const DeviceState& state, std::size_t col, std::uint64_t step) {
  return StreamId{state.tile_id(), static_cast<std::uint32_t>(col), static_cast<std::uint32_t>(step)};
}

/// Cells drawn once per device (d2d variation, faults): stream (tile, col, 0), element = row.
inline StreamId device_stream(const DeviceState& state, std::size_t col) {
  return StreamId{state.tile_id(), static_cast<std::uint32_t>(col), 0u};
}

/// Fills `fault` (codes of CellFault as float) for the whole tile.
inline void sample_faults(const CellNonIdealities& n, DeviceState& state, arma::fmat& fault, std::uint32_t purpose) {
  const RngKey key(state.seed(), purpose);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = 0; i < state.rows(); ++i)
      fault(i, j) = static_cast<float>(
          sample_fault(n, key, state.tile_id(), static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)));
}

inline CellFault fault_of(float code) { return static_cast<CellFault>(static_cast<std::uint8_t>(code)); }

/// Endurance bookkeeping: every reversal of the write polarity is half a SET/RESET
/// cycle. (Stored as float: exact up to 2^23 ~ 8e6 cycles, enough for simulated runs.)
inline void count_polarity(float& last_polarity, float& cycles, int sign) {
  if (sign == 0) return;
  const float s = sign > 0 ? 1.0f : -1.0f;
  if (last_polarity != 0.0f && last_polarity != s) cycles += 0.5f;
  last_polarity = s;
}

/// Conductance seen through a window closed by endurance: the window [g_lo, g_hi]
/// shrinks about its centre by endurance_window_factor (nonideal.hpp).
inline double endurance_closed(const CellNonIdealities& n, double g, double g_lo, double g_hi, double cycles) {
  const double f = endurance_window_factor(n, cycles);
  if (f >= 1.0) return g;
  const double c = 0.5 * (g_lo + g_hi);
  return c + f * (g - c);
}

/// Unit-amplitude periodic drive at `phase` (in cycles): "sine" or "triangle" (0 at
/// phase 0, +1 at 1/4, 0 at 1/2, -1 at 3/4), so both cross zero at the same instants.
inline double waveform(const std::string& shape, double phase) {
  const double p = phase - std::floor(phase);
  if (shape == "triangle") {
    if (p < 0.25) return 4.0 * p;
    if (p < 0.75) return 2.0 - 4.0 * p;
    return 4.0 * p - 4.0;
  }
  return std::sin(2.0 * std::numbers::pi * p);
}

/// Sample times of the iv protocol: cycles * points_per_cycle intervals over the sweep.
inline std::vector<double> iv_times(double frequency_Hz, int cycles, int points_per_cycle) {
  const std::size_t n = static_cast<std::size_t>(cycles) * static_cast<std::size_t>(points_per_cycle) + 1;
  std::vector<double> t(n);
  const double dt = 1.0 / (frequency_Hz * points_per_cycle);
  for (std::size_t k = 0; k < n; ++k) t[k] = dt * static_cast<double>(k);
  return t;
}

/// The periodic voltage sweep of the "iv" protocol, built from a model's iv_* parameters.
struct IvSweep {
  double amplitude_V = 0.0, frequency_Hz = 0.0;
  int cycles = 0;
  std::string shape;
  std::vector<double> t, v;  // sample times and voltages
  double voltage_at(double time) const { return amplitude_V * waveform(shape, frequency_Hz * time); }
  /// An "iv" curve holding time_s, voltage_V and the sweep attributes; the model adds
  /// its currents and states.
  Curve curve() const {
    Curve c{"iv", {}, {}};
    c.datasets.push_back({"time_s", "s", "sample times of the voltage sweep", {t.size()}, t});
    c.datasets.push_back({"voltage_V", "V", "applied voltage (" + shape + ")", {v.size()}, v});
    c.attributes["iv_amplitude_V"] = amplitude_V;
    c.attributes["iv_frequency_Hz"] = frequency_Hz;
    c.attributes["iv_cycles"] = static_cast<std::int64_t>(cycles);
    c.attributes["iv_waveform"] = shape;
    return c;
  }
};

template <class P>
IvSweep make_iv_sweep(const P& p) {
  IvSweep s{p.iv_amplitude_V, p.iv_frequency_Hz, p.iv_cycles, p.iv_waveform, {}, {}};
  s.t = iv_times(p.iv_frequency_Hz, p.iv_cycles, p.iv_points_per_cycle);
  s.v.resize(s.t.size());
  for (std::size_t k = 0; k < s.t.size(); ++k) s.v[k] = s.voltage_at(s.t[k]);
  return s;
}

/// Rejects a protocol name the family does not run itself (characterise() only forwards
/// names listed in extra_protocols(), so this is a broken invariant).
inline void require_iv(const CurveRequest& request, std::string_view model) {
  if (request.protocol != "iv")
    throw InternalError(std::string(model) + ": run_extra called with protocol '" + request.protocol + "'");
  if (request.devices == 0) throw ConfigError("--devices", "expected at least 1 device, got 0");
}

/// Normal numbers for rows [rows.begin, rows.end) of one column's stream.
inline void normals(std::vector<float>& buf, std::size_t n, const RngKey& key, StreamId id, std::size_t first_row) {
  buf.resize(n);
  normal_block(buf.data(), n, key, id, first_row);
}

/// The read loop the three RRAM models share: out(i, j) = cell(i, j) * (1 + rel * xi)
/// with xi keyed by (purpose, read_index, column, row); noise-free when !noisy or rel = 0.
template <class CellConductance>
void read_with_noise(const DeviceState& state, bool noisy, double rel, std::uint32_t purpose, std::uint64_t read_index,
                     arma::fmat& out_S, RowRange rows, CellConductance&& cell) {
  const bool add_noise = noisy && rel > 0.0;
  const RngKey key = step_key(state.seed(), purpose, read_index, 0);
  std::vector<float> z;
  for (std::size_t j = 0; j < state.cols(); ++j) {
    if (add_noise) normals(z, rows.size(), key, step_stream(state, j, read_index), rows.begin);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      double g = cell(i, j);
      if (add_noise) g *= 1.0 + rel * z[i - rows.begin];
      out_S(i, j) = static_cast<float>(g);
    }
  }
}

}  // namespace xbarsim::rram_detail

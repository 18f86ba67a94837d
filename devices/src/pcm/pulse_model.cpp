// pcm-pulse: aihwkit's PCMPresetDevice (ExpStep, unidirectional SET, RESET to the reset
// value) in conductance units; see pcm_pulse.hpp for the equations.
#include <algorithm>
#include <cmath>
#include <vector>
#include <xbarsim/devices/pcm_laws.hpp>
#include <xbarsim/devices/pcm_pulse.hpp>

#include "pcm_internal.hpp"

namespace xbarsim {
namespace {
constexpr std::uint32_t kPurposeD2d = rng_purpose("pcm.pulse.d2d");
constexpr std::uint32_t kPurposeC2c = rng_purpose("pcm.pulse.c2c");
constexpr std::uint32_t kPurposeReset = rng_purpose("pcm.pulse.reset");
constexpr std::uint32_t kPurposeDrift = rng_purpose("pcm.pulse.drift");
constexpr std::uint32_t kPurposeRead = rng_purpose("pcm.pulse.read");
constexpr std::uint32_t kPurposeFault = rng_purpose("pcm.pulse.fault");

struct Fields {
  arma::fmat &w, &b_max, &dw_up, &reset, &nu, &t_pulse, &drift, &cycles, &fault;
  explicit Fields(DeviceState& s)
      : w(s.field(PcmPulseModel::kW)),
        b_max(s.field(PcmPulseModel::kBmax)),
        dw_up(s.field(PcmPulseModel::kDwUp)),
        reset(s.field(PcmPulseModel::kReset)),
        nu(s.field(PcmPulseModel::kNu)),
        t_pulse(s.field(PcmPulseModel::kTPulse)),
        drift(s.field(PcmPulseModel::kDrift)),
        cycles(s.field(PcmPulseModel::kCycles)),
        fault(s.field(PcmPulseModel::kFault)) {}
};

// One ExpStep SET pulse (aihwkit update_once_complex_noise / update_once, up direction,
// lower bound 0) on weight w with per-device bound b_max, step dw_up and normal xi;
// w_top is the endurance-limited upper clip.
inline double set_step(const PcmPulseParams& p, double w, double b_max, double dw_up, double w_top, double xi) {
  if (!(b_max > 0.0)) return w;
  const double z = 2.0 * w / b_max * p.es_a + p.es_b;
  const double dw = std::max(1.0 - p.A_up * std::exp(p.gamma_up * z), 0.0) * dw_up;
  const bool complex_noise = p.dw_min_std > 0.0 && (p.dw_min_std_add != 0.0 || p.dw_min_std_slope != 0.0);
  if (complex_noise)
    w += dw + p.dw_min_std * (std::abs(dw) + p.dw_min_std_add + p.dw_min_std_slope * std::abs(w)) * xi;
  else
    w += dw * (1.0 + p.dw_min_std * xi);
  return std::clamp(w, 0.0, w_top);
}
}  // namespace

PcmPulseModel::PcmPulseModel(PcmPulseParams p) : p_(std::move(p)) {
  ProblemList problems;
  PcmPulseParams::table().validate_struct(p_, "", problems);
  problems.throw_if_any();
}

std::vector<StateField> PcmPulseModel::layout() const {
  return {{"w", "1", "programmed state in aihwkit weight units (0 = amorphous reset, w_max = g_max)"},
          {"b_max", "1", "per-device upper bound of w, w_max (1 + w_max_dtod xi)"},
          {"dw_up", "1", "per-device SET step scale, dw_min |1 + dw_min_dtod xi + up_down_dtod xi'|"},
          {"reset_w", "1", "per-device reset value, reset + reset_dtod xi"},
          {"nu", "1", "drift exponent since the last pulse (0 without drift)"},
          {"t_pulse_s", "s", "tile time of the last pulse that changed the cell"},
          {"g_drift_S", "S", "noise-free conductance at the tile time"},
          {"cycles", "1", "RESET pulses so far (endurance)"},
          {"fault", "1", "0 none, 1 stuck at G_max, 2 stuck at G_min"}};
}

DeviceState PcmPulseModel::create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                        std::uint32_t tile_id) const {
  DeviceState state(rows, cols, layout(), seed, tile_id);
  Fields f(state);
  pcm::sample_faults(p_, state, kPurposeFault, f.fault);
  // Device-to-device draws of cell (i, j): elements 4i..4i+3 of stream (tile, j, 0),
  // in aihwkit PulsedRPUDevice::populate order: bound, gain, up/down, reset.
  std::vector<float> z(4 * rows);
  const RngKey key(seed, kPurposeD2d);
  for (std::size_t j = 0; j < cols; ++j) {
    normal_block(z.data(), z.size(), key, StreamId{tile_id, static_cast<std::uint32_t>(j), 0}, 0);
    for (std::size_t i = 0; i < rows; ++i) {
      const float* x = &z[4 * i];
      // enforce_consistency (aihwkit default): magnitudes of bound and step.
      f.b_max(i, j) = static_cast<float>(std::abs(p_.w_max * (1.0 + p_.w_max_dtod * x[0])));
      f.dw_up(i, j) = static_cast<float>(p_.dw_min * std::abs(1.0 + p_.dw_min_dtod * x[1] + p_.up_down_dtod * x[2]));
      f.reset(i, j) = static_cast<float>(p_.reset + p_.reset_dtod * x[3]);
      // A fresh device sits at its reset value (the low-conductance state).
      double w = std::clamp(static_cast<double>(f.reset(i, j)), 0.0, static_cast<double>(f.b_max(i, j)));
      const CellFault fault = pcm::fault_of(f.fault(i, j));
      if (fault == CellFault::StuckOn) w = p_.w_max;
      if (fault == CellFault::StuckOff) w = 0.0;
      f.w(i, j) = static_cast<float>(w);
      f.drift(i, j) = static_cast<float>(conductance_S(w));
    }
  }
  return state;
}

template <bool kLocalCounts>
void PcmPulseModel::pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const {
  Fields f(state);
  const std::size_t nr = rows.size(), R = state.rows();
  auto count = [&](std::size_t i, std::size_t j) -> int {
    return kLocalCounts ? counts(i - rows.begin, j) : counts(i, j);
  };
  const bool drift_on = p_.drift_scale > 0.0;
  // Programming (block-local counts) happens at tile time 0: the caller restarts the clock.
  const double t_now = kLocalCounts ? 0.0 : state.time_s;
  const RngKey key_c2c = pcm::counter_key(state.seed(), kPurposeC2c, step);
  const RngKey key_reset = pcm::counter_key(state.seed(), kPurposeReset, step);
  const RngKey key_drift = pcm::counter_key(state.seed(), kPurposeDrift, step);
  std::vector<float> z(nr);
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const StreamId id{state.tile_id(), static_cast<std::uint32_t>(j), pcm::lo32(step)};
    int max_set = 0;
    bool any_reset = false, any = false;
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const int c = count(i, j);
      if (c == 0 || pcm::fault_of(f.fault(i, j)) != CellFault::None) continue;
      any = true;
      max_set = std::max(max_set, c);
      any_reset |= c < 0;
      // A pulse acts on the device as it is now, i.e. after drift.
      if (drift_on) f.w(i, j) = static_cast<float>(std::max(weight_of(f.drift(i, j)), 0.0));
    }
    if (!any) continue;
    // SET pulse k of cell i uses element k R + i of stream (tile, j, step): any row split
    // and any thread count draw the same numbers.
    for (int k = 0; k < max_set; ++k) {
      normal_block(z.data(), nr, key_c2c, id, static_cast<std::uint64_t>(k) * R + rows.begin);
      for (std::size_t i = rows.begin; i < rows.end; ++i) {
        if (count(i, j) <= k || pcm::fault_of(f.fault(i, j)) != CellFault::None) continue;
        const double b = f.b_max(i, j);
        const double top = b * endurance_window_factor(p_, f.cycles(i, j));
        f.w(i, j) = static_cast<float>(set_step(p_, f.w(i, j), b, f.dw_up(i, j), top, z[i - rows.begin]));
      }
    }
    if (any_reset) {
      // Repeated RESET pulses melt-quench to the same reset distribution; one draw per step.
      normal_block(z.data(), nr, key_reset, id, rows.begin);
      for (std::size_t i = rows.begin; i < rows.end; ++i) {
        const int c = count(i, j);
        if (c >= 0 || pcm::fault_of(f.fault(i, j)) != CellFault::None) continue;
        f.cycles(i, j) += static_cast<float>(-c);
        const double top = f.b_max(i, j) * endurance_window_factor(p_, f.cycles(i, j));
        f.w(i, j) = static_cast<float>(std::clamp(f.reset(i, j) + p_.reset_std * z[i - rows.begin], 0.0, top));
      }
    }
    if (drift_on) normal_block(z.data(), nr, key_drift, id, rows.begin);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      if (count(i, j) == 0 || pcm::fault_of(f.fault(i, j)) != CellFault::None) continue;
      const double g = conductance_S(f.w(i, j));
      f.drift(i, j) = static_cast<float>(g);
      f.t_pulse(i, j) = static_cast<float>(t_now);
      if (drift_on)
        f.nu(i, j) = static_cast<float>(pcm::drift_exponent(g / p_.g_max_S, z[i - rows.begin], p_.drift_scale));
    }
  }
}

void PcmPulseModel::apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step,
                                 RowRange rows) const {
  pulses<false>(state, counts, step, rows);
}

double PcmPulseModel::pulse_block(DeviceState& state, const PulseCounts& counts, std::uint64_t step,
                                  RowRange rows) const {
  pulses<true>(state, counts, step, rows);
  return 0.0;
}

void PcmPulseModel::read_block(const DeviceState& state, arma::fmat& out, RowRange rows) const {
  const arma::fmat& drift = state.field(kDrift);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) out(i - rows.begin, j) = drift(i, j);
}

ProgramReport PcmPulseModel::program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                                     RowRange rows) const {
  // Times are seconds since programming: shift every cell's drift clock so that, once
  // the caller restarts the tile clock at 0, cells the verify loop leaves alone keep their age.
  arma::fmat& t_pulse = state.field(kTPulse);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) t_pulse(i, j) -= static_cast<float>(state.time_s);
  return pcm::pulse_program(*this, state, target_S, options, rows, p_, state.field(kCycles), state.field(kFault));
}

void PcmPulseModel::read(const DeviceState& state, double /*v_read_V*/, bool noisy, std::uint64_t read_index,
                         arma::fmat& out_S, RowRange rows) const {
  // Ohmic: the ExpStep fit has no I-V, so the read voltage does not change G.
  const arma::fmat& drift = state.field(kDrift);
  const arma::fmat& w = state.field(kW);
  const arma::fmat& t_pulse = state.field(kTPulse);
  const bool with_noise = noisy && p_.read_noise_scale > 0.0;
  std::vector<float> z(with_noise ? rows.size() : 0);
  const RngKey key = pcm::counter_key(state.seed(), kPurposeRead, read_index);
  for (std::size_t j = 0; j < state.cols(); ++j) {
    if (with_noise)
      normal_block(z.data(), z.size(), key,
                   StreamId{state.tile_id(), static_cast<std::uint32_t>(j), pcm::lo32(read_index)}, rows.begin);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const double g = drift(i, j);
      if (!with_noise) {
        out_S(i, j) = static_cast<float>(g);
        continue;
      }
      const double sigma = pcm::sigma_read_S(g, conductance_S(w(i, j)), p_.g_max_S, state.time_s - t_pulse(i, j),
                                             p_.t0_s, p_.t_read_s, p_.read_noise_scale);
      out_S(i, j) = static_cast<float>(std::max(g + sigma * z[i - rows.begin], 0.0));
    }
  }
}

void PcmPulseModel::relax(DeviceState& state, double /*t0_s*/, double t1_s, RowRange rows) const {
  // The ExpStep fit itself has no time dependence; with drift_scale > 0 the statistical
  // drift law applies in closed form since each cell's last pulse.
  if (!(p_.drift_scale > 0.0)) return;
  Fields f(state);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      if (pcm::fault_of(f.fault(i, j)) != CellFault::None) continue;
      f.drift(i, j) =
          static_cast<float>(conductance_S(f.w(i, j)) * pcm::drift_factor(t1_s - f.t_pulse(i, j), p_.t0_s, f.nu(i, j)));
    }
}

}  // namespace xbarsim

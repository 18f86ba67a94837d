// pcm-statistical: the Joshi 2020 / aihwkit PCMLikeNoiseModel as a structure-of-arrays
// device model (see pcm_statistical.hpp for the equations and conventions).
#include <algorithm>
#include <cmath>
#include <vector>
#include <xbarsim/devices/pcm_laws.hpp>
#include <xbarsim/devices/pcm_statistical.hpp>

#include "pcm_internal.hpp"

namespace xbarsim {
namespace {
constexpr std::uint32_t kPurposeProgram = rng_purpose("pcm.statistical.program");
constexpr std::uint32_t kPurposePulse = rng_purpose("pcm.statistical.pulse");
constexpr std::uint32_t kPurposeRead = rng_purpose("pcm.statistical.read");
constexpr std::uint32_t kPurposeFault = rng_purpose("pcm.statistical.fault");

struct Fields {
  arma::fmat &target, &prog, &nu, &drift, &t_prog, &cycles, &fault;
  explicit Fields(DeviceState& s)
      : target(s.field(PcmStatisticalModel::kTarget)),
        prog(s.field(PcmStatisticalModel::kProg)),
        nu(s.field(PcmStatisticalModel::kNu)),
        drift(s.field(PcmStatisticalModel::kDrift)),
        t_prog(s.field(PcmStatisticalModel::kTProg)),
        cycles(s.field(PcmStatisticalModel::kCycles)),
        fault(s.field(PcmStatisticalModel::kFault)) {}
};

// One closed-form programming event of cell (i, j) towards G_T with the two standard
// normals z_prog (programming error) and z_nu (drift exponent).
inline void program_cell(const PcmStatisticalParams& p, Fields& f, std::size_t i, std::size_t j, double G_T,
                         double z_prog, double z_nu, double t_prog_s) {
  const double g_T = G_T / p.g_max_S;
  const double sigma = pcm::sigma_prog_S(g_T, p.g_max_S) * p.prog_noise_scale;
  const double g_prog = std::max(G_T + sigma * z_prog, 0.0);
  f.target(i, j) = static_cast<float>(g_T);
  f.prog(i, j) = static_cast<float>(g_prog);
  f.drift(i, j) = static_cast<float>(g_prog);
  f.nu(i, j) = static_cast<float>(pcm::drift_exponent(g_T, z_nu, p.drift_scale));
  f.t_prog(i, j) = static_cast<float>(t_prog_s);
}
}  // namespace

PcmStatisticalModel::PcmStatisticalModel(PcmStatisticalParams p) : p_(std::move(p)) {
  ProblemList problems;
  PcmStatisticalParams::table().validate_struct(p_, "", problems);
  problems.throw_if_any();
}

std::vector<StateField> PcmStatisticalModel::layout() const {
  return {{"g_target", "1", "normalised target conductance g_T = G_T / g_max of the last programming"},
          {"g_prog_S", "S", "conductance right after programming (target plus programming error)"},
          {"nu", "1", "drift exponent of the last programming, |N(mu_nu, sigma_nu)| * drift_scale"},
          {"g_drift_S", "S", "noise-free conductance at the tile time (after drift)"},
          {"t_prog_s", "s", "tile time of the last programming event"},
          {"cycles", "1", "RESET events (programming operations and RESET pulses) so far"},
          {"fault", "1", "0 none, 1 stuck at G_max, 2 stuck at G_min"}};
}

DeviceState PcmStatisticalModel::create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                              std::uint32_t tile_id) const {
  DeviceState state(rows, cols, layout(), seed, tile_id);
  Fields f(state);
  pcm::sample_faults(p_, state, kPurposeFault, f.fault);
  // A fresh device is in its RESET state (G_min) and has not been programmed, so it
  // has no drift exponent yet; stuck cells sit at their fixed value.
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i < rows; ++i) {
      const CellFault fault = pcm::fault_of(f.fault(i, j));
      const double g = fault == CellFault::StuckOn ? p_.g_max_S : p_.g_min_S;
      f.target(i, j) = static_cast<float>(g / p_.g_max_S);
      f.prog(i, j) = static_cast<float>(g);
      f.drift(i, j) = static_cast<float>(g);
    }
  return state;
}

ProgramReport PcmStatisticalModel::program(DeviceState& state, const arma::fmat& target_S,
                                           const ProgramOptions& options, RowRange rows) const {
  Fields f(state);
  ProgramReport report;
  const double tol = options.tolerance_rel * (p_.g_max_S - p_.g_min_S);
  std::vector<float> z;
  for (std::size_t j = 0; j < state.cols(); ++j) {
    // Programming noise of cell (i, j) is element 2i, 2i+1 of stream (tile, j, epoch),
    // epoch = the cell's programming count, so reprogramming draws fresh numbers and any
    // row split gives the same ones. Rows of equal epoch are drawn in one batch.
    std::size_t i0 = rows.begin;
    while (i0 < rows.end) {
      const float epoch = f.cycles(i0, j);
      std::size_t i1 = i0 + 1;
      while (i1 < rows.end && f.cycles(i1, j) == epoch) ++i1;
      z.resize(2 * (i1 - i0));
      normal_block(z.data(), z.size(), RngKey(state.seed(), kPurposeProgram),
                   StreamId{state.tile_id(), static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(epoch)},
                   2 * static_cast<std::uint64_t>(i0));
      for (std::size_t i = i0; i < i1; ++i) {
        if (pcm::fault_of(f.fault(i, j)) != CellFault::None) {
          report.unconverged += std::abs(static_cast<double>(target_S(i, j)) - f.prog(i, j)) > tol;
          continue;
        }
        const double G_T = pcm::effective_target(p_, target_S(i, j), p_.g_min_S, p_.g_max_S, f.cycles(i, j));
        // Times are seconds since programming, so a programmed cell starts its clock at 0.
        program_cell(p_, f, i, j, G_T, z[2 * (i - i0)], z[2 * (i - i0) + 1], 0.0);
        f.cycles(i, j) += 1.0f;
      }
      i0 = i1;
    }
  }
  return report;
}

void PcmStatisticalModel::apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step,
                                       RowRange rows) const {
  Fields f(state);
  const std::size_t nr = rows.size();
  std::vector<float> z(2 * nr);
  const RngKey key = pcm::counter_key(state.seed(), kPurposePulse, step);
  for (std::size_t j = 0; j < state.cols(); ++j) {
    bool any = false;
    for (std::size_t i = rows.begin; i < rows.end && !any; ++i) any = counts(i, j) != 0;
    if (!any) continue;
    normal_block(z.data(), z.size(), key, StreamId{state.tile_id(), static_cast<std::uint32_t>(j), pcm::lo32(step)},
                 2 * static_cast<std::uint64_t>(rows.begin));
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const int c = counts(i, j);
      if (c == 0 || pcm::fault_of(f.fault(i, j)) != CellFault::None) continue;
      // Full SET to the top of the (endurance-limited) window or full RESET to G_min;
      // repeated pulses of one polarity end in the same state, so one draw per step.
      const double G_T = c > 0 ? pcm::endurance_g_max(p_, p_.g_min_S, p_.g_max_S, f.cycles(i, j)) : p_.g_min_S;
      program_cell(p_, f, i, j, G_T, z[2 * (i - rows.begin)], z[2 * (i - rows.begin) + 1], state.time_s);
      if (c < 0) f.cycles(i, j) += static_cast<float>(-c);
    }
  }
}

void PcmStatisticalModel::read(const DeviceState& state, double /*v_read_V*/, bool noisy, std::uint64_t read_index,
                               arma::fmat& out_S, RowRange rows) const {
  // The statistical model is ohmic: the read voltage does not change the conductance.
  const arma::fmat& prog = state.field(kProg);
  const arma::fmat& drift = state.field(kDrift);
  const arma::fmat& t_prog = state.field(kTProg);
  const bool with_noise = noisy && p_.read_noise_scale > 0.0;
  std::vector<float> z(with_noise ? rows.size() : 0);
  const RngKey key = pcm::counter_key(state.seed(), kPurposeRead, read_index);
  for (std::size_t j = 0; j < state.cols(); ++j) {
    if (!with_noise) {
      for (std::size_t i = rows.begin; i < rows.end; ++i) out_S(i, j) = drift(i, j);
      continue;
    }
    normal_block(z.data(), z.size(), key,
                 StreamId{state.tile_id(), static_cast<std::uint32_t>(j), pcm::lo32(read_index)}, rows.begin);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const double g = drift(i, j);
      const double age = state.time_s - t_prog(i, j);
      const double sigma = pcm::sigma_read_S(g, prog(i, j), p_.g_max_S, age, p_.t0_s, p_.t_read_s, p_.read_noise_scale);
      out_S(i, j) = static_cast<float>(std::max(g + sigma * z[i - rows.begin], 0.0));
    }
  }
}

void PcmStatisticalModel::relax(DeviceState& state, double /*t0_s*/, double t1_s, RowRange rows) const {
  // Closed form in the time since each cell's programming, so the start time of the
  // interval does not matter (relaxing in many steps equals one step).
  Fields f(state);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      if (pcm::fault_of(f.fault(i, j)) != CellFault::None) continue;
      const double age = t1_s - f.t_prog(i, j);
      f.drift(i, j) = static_cast<float>(f.prog(i, j) * pcm::drift_factor(age, p_.t0_s, f.nu(i, j)));
    }
}

}  // namespace xbarsim

// STT-MTJ device model: state layout, variation, pulses, read, retention, programming
// and read disturb (see mtj.hpp for the conventions).
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <type_traits>
#include <xbarsim/core/constants.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/mtj.hpp>

#include "mtj_cell.hpp"

namespace xbarsim {
namespace {
using mtj_detail::Cell;
using mtj_detail::Electrical;
using mtj_detail::UniformStream;

constexpr std::uint32_t kWritePurpose = rng_purpose("mtj.write");
constexpr std::uint32_t kBiasPurpose = rng_purpose("mtj.bias");
constexpr std::uint32_t kProgramPurpose = rng_purpose("mtj.program");
constexpr std::uint32_t kRetentionPurpose = rng_purpose("mtj.retention");
constexpr std::uint32_t kDisturbPurpose = rng_purpose("mtj.read_disturb");

// Adds one switching event to a float counter. Below 2^24 the increment is exact; above,
// it adds one ulp with probability 1/ulp (v is a spare uniform), so the count stays
// unbiased where float can no longer represent +1.
inline void add_event(float& events, double v) {
  constexpr float kExact = 16777216.0f;
  if (events < kExact) {
    events += 1.0f;
    return;
  }
  const float ulp = std::nextafter(events, std::numeric_limits<float>::infinity()) - events;
  if (v * ulp < 1.0) events += ulp;
}

// Where the hash of a relax interval comes from: both end times, so repeated relax
// calls over different intervals use different streams.
std::uint32_t interval_hash(double t0, double t1) {
  std::uint64_t h = std::bit_cast<std::uint64_t>(t0) * 0x9e3779b97f4a7c15ull;
  h ^= std::bit_cast<std::uint64_t>(t1) + 0x632be59bd9b4e019ull + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

// Which drive a pulse applies.
struct Drive {
  bool voltage = false;
  double value = 0.0;  // signed, + towards P
};

}  // namespace

MtjModel::MtjModel(MtjParams params) : p_(std::move(params)) {
  ProblemList problems;
  MtjParams::table().validate_struct(p_, "mtj", problems);
  problems.throw_if_any();
  d_ = mtj_derived(p_);
  n_ = p_.mtjs_per_cell;
  series_ = p_.cell_topology == "series";
  g_min_ = nominal_conductance_S(0u, p_.v_read_V);
  g_max_ = nominal_conductance_S((1u << n_) - 1u, p_.v_read_V);
}

std::vector<StateField> MtjModel::layout() const {
  std::vector<StateField> f;
  for (int k = 0; k < n_; ++k)
    f.push_back({"state_" + std::to_string(k), "1",
                 "magnetic state of MTJ " + std::to_string(k) + ": 1 = parallel (low R), 0 = antiparallel"});
  for (int k = 0; k < n_; ++k)
    f.push_back({"delta_" + std::to_string(k), "1",
                 "thermal stability factor E_b/(kB T) of MTJ " + std::to_string(k) + " (device-to-device)"});
  for (int k = 0; k < n_; ++k)
    f.push_back({"g_p_" + std::to_string(k) + "_S", "S",
                 "zero-bias parallel-state conductance of MTJ " + std::to_string(k) + " (device-to-device)"});
  f.push_back({"fault", "1", "stuck-at fault: 0 none, 1 stuck on (all P), 2 stuck off (all AP)"});
  f.push_back({"switch_events", "1", "switching events of the cell's MTJs (endurance cycles = events / 2)"});
  return f;
}

double MtjModel::nominal_conductance_S(unsigned mask, double v_V) const {
  Cell c;
  c.n = n_;
  for (int k = 0; k < n_; ++k) {
    c.g_p[k] = d_.g_p_S * d_.area_scale[k];
    c.is_p[k] = (mask >> k) & 1u;
  }
  const Electrical e{series_, d_.tmr0, p_.v_h_V};
  double i_k[kMaxMtjsPerCell];
  if (v_V == 0.0) v_V = 1e-9;  // I/V at vanishing bias
  return mtj_detail::currents_for_voltage(c, e, v_V, i_k) / v_V;
}

mtj::SwitchingConstants MtjModel::switching_constants(double delta, double delta_nominal) const {
  mtj::SwitchingConstants s;
  s.delta = delta;
  s.tau_d_s = d_.tau_d_s * delta_nominal / delta;
  s.tau0_s = p_.tau0_s;
  s.exponent = p_.thermal_exponent;
  s.min_barrier_kT = p_.nb_min_barrier_kT;
  return s;
}

DeviceState MtjModel::create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                   std::uint32_t tile_id) const {
  DeviceState st(rows, cols, layout(), seed, tile_id);
  const RngKey d2d_key(seed, rng_purpose("mtj.d2d"));
  const RngKey fault_key(seed, rng_purpose("mtj.fault"));
  std::vector<float> z(rows);
  for (int k = 0; k < n_; ++k) {
    arma::fmat& delta = st.field(delta_field(k));
    arma::fmat& gp = st.field(g_p_field(k));
    const double delta_nom = d_.delta * d_.area_scale[k];
    const double gp_nom = d_.g_p_S * d_.area_scale[k];
    for (std::size_t j = 0; j < cols; ++j) {
      const auto col = static_cast<std::uint32_t>(j);
      normal_block(z.data(), rows, d2d_key, StreamId{tile_id, col, static_cast<std::uint32_t>(2 * k)});
      // Normal relative spread of Delta, floored at 5% of nominal so a barrier never
      // turns negative even for a wide spread.
      for (std::size_t i = 0; i < rows; ++i)
        delta(i, j) = static_cast<float>(delta_nom * std::max(0.05, 1.0 + p_.sigma_delta_rel * z[i]));
      normal_block(z.data(), rows, d2d_key, StreamId{tile_id, col, static_cast<std::uint32_t>(2 * k + 1)});
      for (std::size_t i = 0; i < rows; ++i) gp(i, j) = static_cast<float>(gp_nom * std::exp(p_.sigma_r_p_rel * z[i]));
    }
  }
  arma::fmat& fault = st.field(fault_field());
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i < rows; ++i) {
      const CellFault f =
          sample_fault(p_, fault_key, tile_id, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
      fault(i, j) = static_cast<float>(f);
      // Fresh cells are all-AP (reset); stuck-on cells are all-P.
      for (int k = 0; k < n_; ++k) st.field(state_field(k))(i, j) = f == CellFault::StuckOn ? 1.0f : 0.0f;
    }
  return st;
}

namespace {

// Raw pointers to column j of every per-cell field, so the per-cell loops index plain
// arrays by row. F is float for writers and const float for read().
template <class F>
struct ColumnT {
  using State = std::conditional_t<std::is_const_v<F>, const DeviceState, DeviceState>;
  int n;
  F* state[kMaxMtjsPerCell];
  const float* delta[kMaxMtjsPerCell];
  const float* g_p[kMaxMtjsPerCell];
  F* events;
  const float* fault;
  bool series;
  double tmr0;
  const MtjParams* params;

  ColumnT(const MtjModel& m, State& st, std::size_t j)
      : n(m.params().mtjs_per_cell), series(m.series()), tmr0(m.derived().tmr0), params(&m.params()) {
    for (int k = 0; k < n; ++k) {
      state[k] = st.field(m.state_field(k)).colptr(j);
      delta[k] = st.field(m.delta_field(k)).colptr(j);
      g_p[k] = st.field(m.g_p_field(k)).colptr(j);
    }
    events = st.field(m.events_field()).colptr(j);
    fault = st.field(m.fault_field()).colptr(j);
  }
  Cell cell(std::size_t i) const {
    Cell c;
    c.n = n;
    for (int k = 0; k < n; ++k) {
      c.g_p[k] = g_p[k][i];
      c.is_p[k] = state[k][i] > 0.5f;
    }
    return c;
  }
  Electrical electrical(std::size_t i) const {
    const double cycles = 0.5 * events[i];
    return {series, tmr0 * endurance_window_factor(*params, cycles), params->v_h_V};
  }
};
using Column = ColumnT<float>;
using ConstColumn = ColumnT<const float>;

// Last (Delta, i, t) -> P evaluation per MTJ of a cell: without device-to-device spread
// neighbouring cells share these inputs, and the closed form (several exp/expm1) is the
// bulk of a pulse's cost. A pure cache, so results do not depend on its hits.
struct ProbabilityMemo {
  double delta[kMaxMtjsPerCell] = {};
  double i_red[kMaxMtjsPerCell] = {};
  double p[kMaxMtjsPerCell] = {};
  bool valid[kMaxMtjsPerCell] = {};
};

// One pulse (drive, duration) on cell i of column `col`: flips each MTJ with its
// closed-form probability; draws are elements element_base + k * rows of `stream`. With
// `phase`, the pulse continues a sustained drive (precession phase per MTJ, see apply_bias).
void pulse_cell(const MtjModel& m, const Column& col, std::size_t rows, std::size_t i, std::uint32_t j,
                const Drive& drive, double duration_s, const UniformStream& stream, std::uint64_t element_base,
                ProbabilityMemo& memo, float* const* phase = nullptr) {
  const int n = col.n;
  const Cell c = col.cell(i);
  double i_k[kMaxMtjsPerCell];
  if (drive.voltage)
    mtj_detail::currents_for_voltage(c, col.electrical(i), drive.value, i_k);
  else if (col.series || n == 1)
    std::fill(i_k, i_k + n, drive.value);  // one current through every MTJ; no voltage needed
  else
    mtj_detail::currents_for_current(c, col.electrical(i), drive.value, i_k);
  const auto& d = m.derived();
  for (int k = 0; k < n; ++k) {
    const double delta = col.delta[k][i];
    const double i_c0 = d.i_c0_per_delta_A * delta;
    // Reduced current out of the present state: + towards P drives an AP MTJ to switch.
    const double i_red = (c.is_p[k] ? -i_k[k] : i_k[k]) / i_c0;
    const auto sc = m.switching_constants(delta, d.delta * d.area_scale[k]);
    double p = 0.0;
    if (phase) {
      float& s = phase[k][i];
      const double s1 = mtj::precession_phase_after(sc, s, i_red, duration_s);
      p = mtj::switching_probability_step(sc, i_red, duration_s, s, s1);
      s = static_cast<float>(s1);
    } else if (memo.valid[k] && memo.delta[k] == delta && memo.i_red[k] == i_red) {
      p = memo.p[k];
    } else {
      p = mtj::switching_probability(sc, i_red, duration_s);
      memo.delta[k] = delta;
      memo.i_red[k] = i_red;
      memo.p[k] = p;
      memo.valid[k] = true;
    }
    if (!(p > 0.0)) continue;  // e.g. a pulse towards the present state: nothing to draw
    const auto u = stream.at(j, element_base + static_cast<std::uint64_t>(k) * rows + i);
    if (u.u0 < p) {
      col.state[k][i] = c.is_p[k] ? 0.0f : 1.0f;
      add_event(col.events[i], u.u1);
      if (phase) phase[k][i] = 0.0f;  // the new state starts from its own equilibrium
    }
  }
}

}  // namespace

void MtjModel::apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const {
  // counts is indexed by the tile's rows and columns below: a smaller matrix would be read out of bounds.
  if (counts.n_rows != state.rows() || counts.n_cols != state.cols())
    throw InternalError("mtj: pulse count matrix does not match the tile");
  const UniformStream stream(state.seed(), kWritePurpose, state.tile_id(), step);
  const std::uint64_t per_pulse = static_cast<std::uint64_t>(n_) * state.rows();
  const bool voltage = p_.write_drive == "voltage";
  const double amplitude = voltage ? p_.write_voltage_V : p_.write_current_A;
  ProbabilityMemo memo;
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const Column col(*this, state, j);
    const std::int16_t* cnt = counts.colptr(j);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const int c = cnt[i];
      if (c == 0 || col.fault[i] != 0.0f) continue;
      const Drive drive{voltage, c > 0 ? amplitude : -amplitude};
      for (int k = 0; k < std::abs(c); ++k)
        pulse_cell(*this, col, state.rows(), i, static_cast<std::uint32_t>(j), drive, p_.write_pulse_width_s, stream,
                   static_cast<std::uint64_t>(k) * per_pulse, memo);
    }
  }
}

MtjModel::BiasMemory MtjModel::bias_memory(const DeviceState& state) const {
  BiasMemory m;
  m.phase.assign(static_cast<std::size_t>(n_), arma::fmat(state.rows(), state.cols(), arma::fill::zeros));
  return m;
}

void MtjModel::apply_bias(DeviceState& state, double v_V, double duration_s, std::uint64_t step, RowRange rows,
                          BiasMemory* memory) const {
  if (memory && (memory->phase.size() != static_cast<std::size_t>(n_) || memory->phase[0].n_rows != state.rows() ||
                 memory->phase[0].n_cols != state.cols()))
    throw InternalError("MtjModel::apply_bias: bias memory does not match the state (use bias_memory())");
  const UniformStream stream(state.seed(), kBiasPurpose, state.tile_id(), step);
  ProbabilityMemo memo;
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const Column col(*this, state, j);
    float* phase[kMaxMtjsPerCell] = {};
    if (memory)
      for (int k = 0; k < n_; ++k) phase[k] = memory->phase[k].colptr(j);
    for (std::size_t i = rows.begin; i < rows.end; ++i)
      if (col.fault[i] == 0.0f)
        pulse_cell(*this, col, state.rows(), i, static_cast<std::uint32_t>(j), Drive{true, v_V}, duration_s, stream, 0,
                   memo, memory ? phase : nullptr);
  }
}

void MtjModel::read(const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index, arma::fmat& out_S,
                    RowRange rows) const {
  const double v = v_read_V != 0.0 ? v_read_V : p_.v_read_V;
  std::vector<float> z(noisy ? rows.size() : 0);
  const RngKey noise_key(read_index >> 32 ? derive_seed(state.seed(), read_index >> 32) : state.seed(),
                         rng_purpose("mtj.read_noise"));
  // Johnson (4 kT G) and shot (2 q I) current noise in the bandwidth 1/(2 t_read).
  const double kT = constants::boltzmann_J_per_K * p_.temperature_K;
  const double bandwidth = 0.5 / p_.read_pulse_width_s;
  double i_k[kMaxMtjsPerCell];
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const ConstColumn col(*this, state, j);
    float* out = out_S.colptr(j);
    if (noisy)
      normal_block(z.data(), rows.size(), noise_key,
                   StreamId{state.tile_id(), static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(read_index)},
                   rows.begin);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const double current = mtj_detail::currents_for_voltage(col.cell(i), col.electrical(i), v, i_k);
      double g = current / v;
      if (noisy) {
        const double sigma_i =
            std::sqrt((4.0 * kT * g + 2.0 * constants::elementary_charge_C * std::abs(current)) * bandwidth);
        g += sigma_i / std::abs(v) * z[i - rows.begin];
      }
      out[i] = static_cast<float>(g);
    }
  }
}

void MtjModel::relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const {
  if (!(t1_s > t0_s)) return;
  const UniformStream stream(state.seed(), kRetentionPurpose, state.tile_id(), interval_hash(t0_s, t1_s));
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const Column col(*this, state, j);
    for (int k = 0; k < n_; ++k)
      for (std::size_t i = rows.begin; i < rows.end; ++i) {
        if (col.fault[i] != 0.0f) continue;
        const double p = mtj::retention_flip_probability(col.delta[k][i], p_.tau0_s, t1_s - t0_s);
        if (p <= 0.0) continue;
        const auto u = stream.at(static_cast<std::uint32_t>(j), static_cast<std::uint64_t>(k) * state.rows() + i);
        if (u.u0 < p) col.state[k][i] = col.state[k][i] > 0.5f ? 0.0f : 1.0f;
      }
  }
}

ProgramReport MtjModel::program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                                RowRange rows) const {
  ProgramReport report;
  const UniformStream stream(state.seed(), kProgramPurpose, state.tile_id(), state.pulse_step);
  const unsigned configs = 1u << n_;
  const double v_read = p_.v_read_V;
  double i_k[kMaxMtjsPerCell];
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const Column col(*this, state, j);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const double target = quantize_to_levels(target_S(i, j), g_min_, g_max_, p_.levels);
      if (col.fault[i] != 0.0f) {
        // A stuck cell cannot be written: one verify read, unconverged unless its stuck
        // level happens to be within tolerance of the target.
        report.verify_reads += 1;
        const double g_stuck = col.fault[i] == static_cast<float>(CellFault::StuckOn) ? g_max_ : g_min_;
        report.unconverged += std::abs(g_stuck - target) > options.tolerance_rel * (g_max_ - g_min_) ? 1 : 0;
        continue;
      }
      // Nearest configuration of this cell (its own variation and endurance window).
      const Cell c = col.cell(i);
      const Electrical e = col.electrical(i);
      unsigned best = 0;
      double best_err = std::numeric_limits<double>::infinity();
      for (unsigned mask = 0; mask < configs; ++mask) {
        Cell trial = c;
        for (int k = 0; k < n_; ++k) trial.is_p[k] = (mask >> k) & 1u;
        const double err = std::abs(mtj_detail::currents_for_voltage(trial, e, v_read, i_k) / v_read - target);
        if (err < best_err) {
          best_err = err;
          best = mask;
        }
      }
      report.verify_reads += 1;
      bool reached = true;
      for (int k = 0; k < n_; ++k) {
        const bool want_p = (best >> k) & 1u;
        float& s = col.state[k][i];
        const double delta = col.delta[k][i];
        const double i_c0 = d_.i_c0_per_delta_A * delta;
        const auto sc = switching_constants(delta, d_.delta * d_.area_scale[k]);
        // The MTJ is written on its own: current drive gives write_current_A, voltage drive
        // the current of write_voltage_V across this MTJ in its present (wrong) state.
        Cell single;
        single.n = 1;
        single.g_p[0] = c.g_p[k];
        single.is_p[0] = !want_p;
        const Electrical e1{true, e.tmr, e.v_h};
        double i_w = p_.write_current_A, v_w = 0.0;
        if (p_.write_drive == "voltage") {
          v_w = p_.write_voltage_V;
          i_w = std::abs(mtj_detail::currents_for_voltage(single, e1, v_w, i_k));
        } else {
          v_w = std::abs(mtj_detail::currents_for_current(single, e1, i_w, i_k));
        }
        const double p = mtj::switching_probability(sc, i_w / i_c0, p_.write_pulse_width_s);
        int it = 0;
        while ((s > 0.5f) != want_p && it < options.max_iterations) {
          const auto u =
              stream.at(static_cast<std::uint32_t>(j), (static_cast<std::uint64_t>(it) * n_ + k) * state.rows() + i);
          ++it;
          report.pulses += 1;
          report.verify_reads += 1;
          report.energy_J += v_w * i_w * p_.write_pulse_width_s;
          if (u.u0 < p) {
            s = want_p ? 1.0f : 0.0f;
            add_event(col.events[i], u.u1);
          }
        }
        reached = reached && (s > 0.5f) == want_p;
      }
      report.unconverged += reached ? 0 : 1;
    }
  }
  return report;
}

void read_disturb(const MtjModel& model, DeviceState& state, double v_read_V, std::uint64_t reads,
                  std::uint64_t disturb_index, RowRange rows) {
  if (reads == 0) return;
  const auto& p = model.params();
  const auto& d = model.derived();
  const int n = p.mtjs_per_cell;
  const double v = v_read_V != 0.0 ? v_read_V : p.v_read_V;
  const UniformStream stream(state.seed(), kDisturbPurpose, state.tile_id(), disturb_index);
  double i_now[kMaxMtjsPerCell], i_back[kMaxMtjsPerCell];
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const Column col(model, state, j);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      if (col.fault[i] != 0.0f) continue;
      const Cell c = col.cell(i);
      const Electrical e = col.electrical(i);
      mtj_detail::currents_for_voltage(c, e, v, i_now);
      for (int k = 0; k < n; ++k) {
        const double delta = col.delta[k][i];
        const double i_c0 = d.i_c0_per_delta_A * delta;
        const auto sc = model.switching_constants(delta, d.delta * d.area_scale[k]);
        // Per read: away from the present state, and back from the flipped one (its own
        // read current, the other MTJs unchanged).
        const double a =
            mtj::switching_probability(sc, (c.is_p[k] ? -i_now[k] : i_now[k]) / i_c0, p.read_pulse_width_s);
        Cell flipped = c;
        flipped.is_p[k] = !c.is_p[k];
        mtj_detail::currents_for_voltage(flipped, e, v, i_back);
        const double b =
            mtj::switching_probability(sc, (flipped.is_p[k] ? -i_back[k] : i_back[k]) / i_c0, p.read_pulse_width_s);
        const double flip = mtj::two_state_flip_probability(a, b, static_cast<double>(reads));
        if (flip <= 0.0) continue;
        const auto u = stream.at(static_cast<std::uint32_t>(j), static_cast<std::uint64_t>(k) * state.rows() + i);
        if (u.u0 < flip) col.state[k][i] = c.is_p[k] ? 0.0f : 1.0f;
      }
    }
  }
}

}  // namespace xbarsim

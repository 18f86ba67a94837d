// rram-pulse: NeuroSim RealDevice write rule on structure-of-arrays state, with optional
// CMO/HfOx relaxation.
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/rram_pulse.hpp>

#include "rram_common.hpp"

namespace xbarsim {
namespace {
constexpr std::uint32_t kPurposeNl = rng_purpose("rram.pulse.d2d_nl");
constexpr std::uint32_t kPurposeFault = rng_purpose("rram.pulse.fault");
constexpr std::uint32_t kPurposeC2c = rng_purpose("rram.pulse.c2c");
constexpr std::uint32_t kPurposeRelax = rng_purpose("rram.pulse.relax");
constexpr std::uint32_t kPurposeRead = rng_purpose("rram.pulse.read");

// 1/A_norm against |NL| on a fine grid, for per-device labels (d2d variation): linear
// interpolation between exact solutions (inv_a_from_nl) every 1e-3 in NL.
class InvATable {
 public:
  static constexpr double kStep = 1e-3;
  static constexpr double kMax = 9.0;  // NeuroSim's table ends at |NL| = 9
  InvATable() {
    const std::size_t n = static_cast<std::size_t>(kMax / kStep + 0.5) + 1;
    a_.resize(n);
    for (std::size_t k = 0; k < n; ++k) a_[k] = inv_a_from_nl(static_cast<double>(k) * kStep);
  }
  double operator()(double nl) const {
    const double x = std::min(std::abs(nl), kMax) / kStep;
    const std::size_t k = std::min(static_cast<std::size_t>(x), a_.size() - 2);
    const double f = x - static_cast<double>(k);
    const double a = a_[k] + f * (a_[k + 1] - a_[k]);
    return nl < 0.0 ? -a : a;
  }

 private:
  std::vector<double> a_;
};

const InvATable& inv_a_table() {
  static const InvATable table;
  return table;
}

// Write-verify streams: far from the update steps, as in write_verify() (device_model.cpp).
std::uint64_t program_step(const DeviceState& state, int iteration) {
  return (std::uint64_t{1} << 40) + state.pulse_step * 4096 + static_cast<std::uint64_t>(iteration);
}
}  // namespace

RramPulseModel::RramPulseModel(RramPulseParams p) : p_(std::move(p)) {
  ProblemList problems;
  RramPulseParams::table().validate_struct(p_, "", problems);
  problems.throw_if_any();
  inv_a_ltp_ = inv_a_from_nl(p_.nl_ltp);
  inv_a_ltd_ = inv_a_from_nl(p_.nl_ltd);
}

std::vector<StateField> RramPulseModel::layout() const {
  std::vector<StateField> f = {
      {"conductance_S", "S", "device conductance"},
      {"inv_a_ltp", "1", "1/A_norm of this device's LTP curve (NL with device-to-device variation)"},
      {"inv_a_ltd", "1", "1/A_norm of this device's LTD curve (NL with device-to-device variation)"},
      {"fault", "1", "0 none, 1 stuck at G_max, 2 stuck at G_min"},
      {"cycles", "1", "SET/RESET cycles so far (half a cycle per polarity reversal)"},
      {"last_polarity", "1", "polarity of the last write: +1 LTP, -1 LTD, 0 none"}};
  if (relaxing()) {
    f.push_back({"g_prog_S", "S", "conductance right after the last write (origin of relaxation)"});
    f.push_back({"t_prog_s", "s", "tile time of the last write"});
    f.push_back({"relax_z", "1", "standard normal of this write's relaxation deviation"});
  }
  return f;
}

DeviceState RramPulseModel::create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                         std::uint32_t tile_id) const {
  DeviceState s(rows, cols, layout(), seed, tile_id);
  s.field(kConductance).fill(static_cast<float>(p_.g_min_S));  // reset state
  if (p_.nl_d2d_sigma > 0.0) {
    const RngKey key(seed, kPurposeNl);
    std::vector<float> z(2 * rows);
    for (std::size_t j = 0; j < cols; ++j) {
      // Elements [0, rows) perturb NL_LTP, [rows, 2 rows) NL_LTD.
      normal_block(z.data(), rows, key, rram_detail::device_stream(s, j), 0);
      normal_block(z.data() + rows, rows, key, StreamId{tile_id, static_cast<std::uint32_t>(j), 1u}, 0);
      for (std::size_t i = 0; i < rows; ++i) {
        s.field(kInvALtp)(i, j) = static_cast<float>(inv_a_table()(p_.nl_ltp + p_.nl_d2d_sigma * z[i]));
        s.field(kInvALtd)(i, j) = static_cast<float>(inv_a_table()(p_.nl_ltd + p_.nl_d2d_sigma * z[rows + i]));
      }
    }
  } else {
    s.field(kInvALtp).fill(static_cast<float>(inv_a_ltp_));
    s.field(kInvALtd).fill(static_cast<float>(inv_a_ltd_));
  }
  rram_detail::sample_faults(p_, s, s.field(kFault), kPurposeFault);
  if (relaxing()) s.field(kGProg) = s.field(kConductance);
  return s;
}

double RramPulseModel::pulsed(double g, int n, double a_ltp, double a_ltd, float z) const {
  // NeuroSim RealDevice::Write: invert G to the pulse position on the curve of this
  // polarity, move by n pulses, re-evaluate, add c2c noise, clamp.
  const double dg = p_.g_max_S - p_.g_min_S;
  const double gn = std::clamp((g - p_.g_min_S) / dg, 0.0, 1.0);
  double gn_new;
  if (n > 0) {
    const double x = neurosim_position(gn, a_ltp) + static_cast<double>(n) / p_.pulses_ltp;
    gn_new = neurosim_curve(std::min(x, 1.0), a_ltp);
  } else {
    const double x = neurosim_position(gn, a_ltd) + static_cast<double>(n) / p_.pulses_ltd;
    gn_new = neurosim_curve(std::max(x, 0.0), a_ltd);
  }
  double g_new = p_.g_min_S + gn_new * dg;
  if (p_.c2c_sigma_rel > 0.0) g_new += p_.c2c_sigma_rel * dg * z * std::sqrt(std::abs(static_cast<double>(n)));
  return std::clamp(g_new, p_.g_min_S, p_.g_max_S);
}

void RramPulseModel::mark_written(DeviceState& state, std::size_t i, std::size_t j, double t_s, float z) const {
  if (!relaxing()) return;
  state.field(kGProg)(i, j) = state.field(kConductance)(i, j);
  state.field(kTProg)(i, j) = static_cast<float>(t_s);
  state.field(kRelaxZ)(i, j) = z;
}

void RramPulseModel::apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step,
                                  RowRange rows) const {
  auto& g = state.field(kConductance);
  const auto& a_ltp = state.field(kInvALtp);
  const auto& a_ltd = state.field(kInvALtd);
  const auto& fault = state.field(kFault);
  auto& cycles = state.field(kCycles);
  auto& last = state.field(kLastPolarity);
  const RngKey c2c_key = rram_detail::step_key(state.seed(), kPurposeC2c, step, 0);
  const RngKey relax_key = rram_detail::step_key(state.seed(), kPurposeRelax, step, 0);
  std::vector<float> z(rows.size(), 0.0f), zr(rows.size(), 0.0f);
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const StreamId id = rram_detail::step_stream(state, j, step);
    if (p_.c2c_sigma_rel > 0.0) normal_block(z.data(), rows.size(), c2c_key, id, rows.begin);
    if (relaxing()) normal_block(zr.data(), rows.size(), relax_key, id, rows.begin);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const int n = counts(i, j);
      if (n == 0 || rram_detail::fault_of(fault(i, j)) != CellFault::None) continue;
      const std::size_t k = i - rows.begin;
      g(i, j) = static_cast<float>(pulsed(g(i, j), n, a_ltp(i, j), a_ltd(i, j), z[k]));
      rram_detail::count_polarity(last(i, j), cycles(i, j), n);
      mark_written(state, i, j, state.time_s, zr[k]);
    }
  }
}

ProgramReport RramPulseModel::program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                                      RowRange rows) const {
  // Write-verify with pulse counts from the inverted curve: read, compute the pulses that
  // would reach the target on the curve of the needed polarity (at least one), apply,
  // repeat until within tolerance. Energy: V^2 G t per pulse at the pre-pulse conductance.
  ProgramReport report;
  auto& g = state.field(kConductance);
  const auto& a_ltp = state.field(kInvALtp);
  const auto& a_ltd = state.field(kInvALtd);
  const auto& fault = state.field(kFault);
  const double dg = p_.g_max_S - p_.g_min_S;
  const double tol = options.tolerance_rel * dg;
  const std::size_t nr = rows.size(), nc = state.cols();
  std::vector<float> z(nr), zr(nr, 0.0f);
  std::vector<unsigned char> done(nr * nc, 0), written(nr * nc, 0);
  for (int it = 0; it < options.max_iterations; ++it) {
    report.verify_reads += nr * nc;
    std::uint64_t pending = 0;
    const std::uint64_t step = program_step(state, it);
    const RngKey key = rram_detail::step_key(state.seed(), kPurposeC2c, step, 0);
    for (std::size_t j = 0; j < nc; ++j) {
      if (p_.c2c_sigma_rel > 0.0) normal_block(z.data(), nr, key, rram_detail::step_stream(state, j, step), rows.begin);
      for (std::size_t i = rows.begin; i < rows.end; ++i) {
        const std::size_t k = (i - rows.begin) + nr * j;
        if (done[k]) continue;
        const double target = quantize_to_levels(target_S(i, j), p_.g_min_S, p_.g_max_S, p_.levels);
        const double err = target - read_cell(state, i, j);
        if (std::abs(err) <= tol || rram_detail::fault_of(fault(i, j)) != CellFault::None) {
          done[k] = 1;
          continue;
        }
        const bool up = err > 0.0;
        const double a = up ? a_ltp(i, j) : a_ltd(i, j);
        const double gn_t = std::clamp((target - p_.g_min_S) / dg, 0.0, 1.0);
        const double gn_c = std::clamp((g(i, j) - p_.g_min_S) / dg, 0.0, 1.0);
        const double dx = neurosim_position(gn_t, a) - neurosim_position(gn_c, a);
        int n = static_cast<int>(std::lround(dx * (up ? p_.pulses_ltp : p_.pulses_ltd)));
        if (up && n < 1) n = 1;
        if (!up && n > -1) n = -1;
        const double v = up ? p_.write_voltage_ltp_V : p_.write_voltage_ltd_V;
        const double w = up ? p_.write_width_ltp_s : p_.write_width_ltd_s;
        report.energy_J += v * v * g(i, j) * w * std::abs(n);
        report.pulses += static_cast<std::uint64_t>(std::abs(n));
        g(i, j) = static_cast<float>(pulsed(g(i, j), n, a_ltp(i, j), a_ltd(i, j), z[i - rows.begin]));
        rram_detail::count_polarity(state.field(kLastPolarity)(i, j), state.field(kCycles)(i, j), n);
        written[k] = 1;
        ++pending;
      }
    }
    if (pending == 0) break;
  }
  for (std::size_t j = 0; j < nc; ++j) {
    if (relaxing()) {
      const std::uint64_t step = program_step(state, options.max_iterations);
      normal_block(zr.data(), nr, rram_detail::step_key(state.seed(), kPurposeRelax, step, 0),
                   rram_detail::step_stream(state, j, step), rows.begin);
    }
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const double target = quantize_to_levels(target_S(i, j), p_.g_min_S, p_.g_max_S, p_.levels);
      report.unconverged += std::abs(target - read_cell(state, i, j)) > tol;
      // program_all() restarts the tile clock at 0 after programming.
      if (written[(i - rows.begin) + nr * j]) mark_written(state, i, j, 0.0, zr[i - rows.begin]);
    }
  }
  return report;
}

double RramPulseModel::read_cell(const DeviceState& state, std::size_t i, std::size_t j) const {
  switch (rram_detail::fault_of(state.field(kFault)(i, j))) {
    case CellFault::StuckOn:
      return p_.g_max_S;
    case CellFault::StuckOff:
      return p_.g_min_S;
    default:
      return rram_detail::endurance_closed(p_, state.field(kConductance)(i, j), p_.g_min_S, p_.g_max_S,
                                           state.field(kCycles)(i, j));
  }
}

void RramPulseModel::read(const DeviceState& state, double /*v_read_V*/, bool noisy, std::uint64_t read_index,
                          arma::fmat& out_S, RowRange rows) const {
  // Ohmic read: I/V = G at any read voltage (NeuroSim's optional I-V nonlinearity is not
  // modelled).
  rram_detail::read_with_noise(state, noisy, p_.read_noise_rel, kPurposeRead, read_index, out_S, rows,
                               [&](std::size_t i, std::size_t j) { return read_cell(state, i, j); });
}

void RramPulseModel::relax(DeviceState& state, double /*t0_s*/, double t1_s, RowRange rows) const {
  if (!relaxing()) return;  // NeuroSim's model has no retention dynamics
  // CMO/HfOx (aihwkit ReRamCMONoiseModel): at time t after the write
  //   G = g_prog + m ln t + z (s1 ln t + s0), clamped to [G_min, G_max], t in seconds,
  // with one normal z per write, so the result depends only on t (any split of the
  // relaxation interval gives the same conductance) and has the published mean and sigma.
  auto& g = state.field(kConductance);
  const auto& g_prog = state.field(kGProg);
  const auto& t_prog = state.field(kTProg);
  const auto& z = state.field(kRelaxZ);
  const auto& fault = state.field(kFault);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      if (rram_detail::fault_of(fault(i, j)) != CellFault::None) continue;
      const double t = t1_s - t_prog(i, j);
      if (!(t > 0.0)) {
        g(i, j) = g_prog(i, j);
        continue;
      }
      const double lt = std::log(t);
      const double sigma = std::max(0.0, p_.relax_sigma_slope_S * lt + p_.relax_sigma0_S);
      const double v = g_prog(i, j) + p_.relax_mean_slope_S * lt + z(i, j) * sigma;
      g(i, j) = static_cast<float>(std::clamp(v, p_.g_min_S, p_.g_max_S));
    }
}

}  // namespace xbarsim

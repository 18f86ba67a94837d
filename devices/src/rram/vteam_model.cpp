// rram-vteam: VTEAM state equation integrated per block of cells with Boost.Odeint
// (vteam_dynamics.hpp), linear or exponential port equation, SET/RESET pulses.
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/rram_vteam.hpp>

#include "rram_common.hpp"
#include "vteam_dynamics.hpp"

namespace xbarsim {
namespace {
constexpr std::uint32_t kPurposeRon = rng_purpose("rram.vteam.d2d_ron");
constexpr std::uint32_t kPurposeRoff = rng_purpose("rram.vteam.d2d_roff");
constexpr std::uint32_t kPurposeK = rng_purpose("rram.vteam.d2d_k");
constexpr std::uint32_t kPurposeFault = rng_purpose("rram.vteam.fault");
constexpr std::uint32_t kPurposeC2c = rng_purpose("rram.vteam.c2c");
constexpr std::uint32_t kPurposeRead = rng_purpose("rram.vteam.read");
}  // namespace

double vteam_drive_rate(const VteamParams& p, double v) {
  const double d = p.x_off_m - p.x_on_m;
  if (v >= p.v_off_V) return p.k_off_m_per_s * std::pow(v / p.v_off_V - 1.0, p.alpha_off) / d;
  if (v <= p.v_on_V) return p.k_on_m_per_s * std::pow(v / p.v_on_V - 1.0, p.alpha_on) / d;
  return 0.0;
}

double vteam_window(const VteamParams& p, double u, bool toward_off) {
  return vteam_detail::Window(p)(std::clamp(u, 0.0, 1.0), toward_off);
}

double vteam_resistance(const VteamParams& p, double u, double r_on, double r_off) {
  if (p.port == "exponential") return r_on * std::pow(r_off / r_on, u);
  return r_on + (r_off - r_on) * u;
}

double vteam_state_for_resistance(const VteamParams& p, double r, double r_on, double r_off) {
  double u = p.port == "exponential" ? std::log(r / r_on) / std::log(r_off / r_on) : (r - r_on) / (r_off - r_on);
  if (!std::isfinite(u)) u = r > r_on ? 1.0 : 0.0;
  return std::clamp(u, 0.0, 1.0);
}

std::size_t vteam_integrate(const VteamParams& p, std::vector<double>& u, const std::vector<double>& rate_per_s,
                            double duration_s) {
  if (rate_per_s.size() != u.size()) throw InternalError("vteam_integrate: state and rate sizes differ");
  const vteam_detail::Window w(p);
  return vteam_detail::integrate_scaled(
      p, w, u, rate_per_s, [](double) { return 1.0; }, 0.0, duration_s);
}

VteamModel::VteamModel(VteamParams p) : p_(std::move(p)) {
  ProblemList problems;
  VteamParams::table().validate_struct(p_, "", problems);
  problems.throw_if_any();
}

std::vector<StateField> VteamModel::layout() const {
  return {{"state_u", "1", "normalised VTEAM state (w - x_on)/(x_off - x_on): 0 = ON, 1 = OFF"},
          {"r_on_ohm", "ohm", "ON resistance of this device (device-to-device variation)"},
          {"r_off_ohm", "ohm", "OFF resistance of this device (device-to-device variation)"},
          {"rate_scale", "1", "scale of k_on and k_off of this device (device-to-device variation)"},
          {"fault", "1", "0 none, 1 stuck at G_max, 2 stuck at G_min"},
          {"cycles", "1", "SET/RESET cycles so far (half a cycle per polarity reversal)"},
          {"last_polarity", "1", "polarity of the last write: +1 SET, -1 RESET, 0 none"}};
}

DeviceState VteamModel::create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                     std::uint32_t tile_id) const {
  DeviceState s(rows, cols, layout(), seed, tile_id);
  s.field(kState).fill(static_cast<float>(p_.x_initial));
  std::vector<float> z_on(rows), z_off(rows), z_k(rows);
  const RngKey k_on(seed, kPurposeRon), k_off(seed, kPurposeRoff), k_k(seed, kPurposeK);
  for (std::size_t j = 0; j < cols; ++j) {
    const StreamId id = rram_detail::device_stream(s, j);
    normal_block(z_on.data(), rows, k_on, id, 0);
    normal_block(z_off.data(), rows, k_off, id, 0);
    normal_block(z_k.data(), rows, k_k, id, 0);
    for (std::size_t i = 0; i < rows; ++i) {
      const double r_on = p_.r_on_ohm * std::exp(p_.d2d_r_sigma * z_on[i]);
      double r_off = p_.r_off_ohm * std::exp(p_.d2d_r_sigma * z_off[i]);
      // A sampled OFF below ON would invert the device; keep the nominal ratio instead.
      if (r_off <= r_on) r_off = r_on * (p_.r_off_ohm / p_.r_on_ohm);
      s.field(kRon)(i, j) = static_cast<float>(r_on);
      s.field(kRoff)(i, j) = static_cast<float>(r_off);
      s.field(kRateScale)(i, j) = static_cast<float>(std::exp(p_.d2d_k_sigma * z_k[i]));
    }
  }
  rram_detail::sample_faults(p_, s, s.field(kFault), kPurposeFault);
  return s;
}

ProgramReport VteamModel::program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                                  RowRange rows) const {
  if (p_.program_mode == "write-verify") return write_verify(*this, state, target_S, options, rows, p_.levels);
  // Closed form (MemTorch VTEAM.set_conductance): u from the inverse port equation of
  // this device; targets outside its range end at the nearest bound.
  ProgramReport report;
  auto& u = state.field(kState);
  const double tol = options.tolerance_rel * (g_max_S() - g_min_S());
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      // Finite levels: the cell is programmed to (and judged against) the nearest level.
      const double target = quantize_to_levels(target_S(i, j), g_min_S(), g_max_S(), p_.levels);
      if (rram_detail::fault_of(state.field(kFault)(i, j)) == CellFault::None) {
        const double r_on = state.field(kRon)(i, j), r_off = state.field(kRoff)(i, j);
        const double r = target > 0.0 ? 1.0 / target : r_off;
        u(i, j) = static_cast<float>(vteam_state_for_resistance(p_, r, r_on, r_off));
      }
      report.unconverged += std::abs(target - read_cell(state, i, j)) > tol;
    }
  report.verify_reads = rows.size() * state.cols();
  return report;
}

void VteamModel::apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const {
  auto& u = state.field(kState);
  const auto& scale = state.field(kRateScale);
  const auto& fault = state.field(kFault);
  const vteam_detail::Window w(p_);
  std::vector<double> x, rate;
  std::vector<std::size_t> cell_i, cell_j;
  std::vector<float> z;
  for (const int pol : {+1, -1}) {
    const double base = vteam_drive_rate(p_, pol > 0 ? p_.set_voltage_V : p_.reset_voltage_V);
    const double width = pol > 0 ? p_.set_width_s : p_.reset_width_s;
    int max_n = 0;
    for (std::size_t j = 0; j < state.cols(); ++j)
      for (std::size_t i = rows.begin; i < rows.end; ++i)
        if (counts(i, j) * pol > 0 && rram_detail::fault_of(fault(i, j)) == CellFault::None)
          max_n = std::max(max_n, std::abs(static_cast<int>(counts(i, j))));
    // Pulse by pulse: a cell with n pulses takes part in rounds 0..n-1 (each pulse has its
    // own cycle-to-cycle rate factor).
    for (int round = 0; round < max_n; ++round) {
      x.clear();
      rate.clear();
      cell_i.clear();
      cell_j.clear();
      const std::uint32_t sub = static_cast<std::uint32_t>(2 * round + (pol > 0 ? 0 : 1));
      const RngKey key = rram_detail::step_key(state.seed(), kPurposeC2c, step, sub);
      for (std::size_t j = 0; j < state.cols(); ++j) {
        bool drawn = false;
        for (std::size_t i = rows.begin; i < rows.end; ++i) {
          const int n = counts(i, j) * pol;
          if (n <= round || rram_detail::fault_of(fault(i, j)) != CellFault::None) continue;
          double factor = scale(i, j);
          if (p_.c2c_k_sigma > 0.0) {
            if (!drawn) {
              rram_detail::normals(z, rows.size(), key, rram_detail::step_stream(state, j, step), rows.begin);
              drawn = true;
            }
            factor *= std::exp(p_.c2c_k_sigma * z[i - rows.begin]);
          }
          x.push_back(u(i, j));
          rate.push_back(base * factor);
          cell_i.push_back(i);
          cell_j.push_back(j);
        }
      }
      vteam_detail::integrate_scaled(
          p_, w, x, rate, [](double) { return 1.0; }, 0.0, width);
      for (std::size_t k = 0; k < x.size(); ++k) u(cell_i[k], cell_j[k]) = static_cast<float>(x[k]);
    }
  }
  auto& cycles = state.field(kCycles);
  auto& last = state.field(kLastPolarity);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i)
      if (counts(i, j) != 0 && rram_detail::fault_of(fault(i, j)) == CellFault::None)
        rram_detail::count_polarity(last(i, j), cycles(i, j), counts(i, j));
}

double VteamModel::read_cell(const DeviceState& state, std::size_t i, std::size_t j) const {
  const double r_on = state.field(kRon)(i, j), r_off = state.field(kRoff)(i, j);
  switch (rram_detail::fault_of(state.field(kFault)(i, j))) {
    case CellFault::StuckOn:
      return 1.0 / r_on;
    case CellFault::StuckOff:
      return 1.0 / r_off;
    default:
      return rram_detail::endurance_closed(p_, 1.0 / vteam_resistance(p_, state.field(kState)(i, j), r_on, r_off),
                                           1.0 / r_off, 1.0 / r_on, state.field(kCycles)(i, j));
  }
}

void VteamModel::read(const DeviceState& state, double /*v_read_V*/, bool noisy, std::uint64_t read_index,
                      arma::fmat& out_S, RowRange rows) const {
  // The port equation is ohmic, so I/V does not depend on the read voltage.
  rram_detail::read_with_noise(state, noisy, p_.read_noise_rel, kPurposeRead, read_index, out_S, rows,
                               [&](std::size_t i, std::size_t j) { return read_cell(state, i, j); });
}

void VteamModel::relax(DeviceState&, double, double, RowRange) const {
  // VTEAM has no dynamics between the thresholds (dw/dt = 0 at v = 0): no retention loss.
}

Curve VteamModel::iv_sweep(const CurveRequest& r) const {
  rram_detail::require_iv(r, name());
  const std::size_t n = r.devices;
  const DeviceState state = create_state(n, 1, r.seed, 0);
  const rram_detail::IvSweep sweep = rram_detail::make_iv_sweep(p_);
  const std::vector<double>& t = sweep.t;
  const std::vector<double>& v = sweep.v;
  const std::size_t T = t.size();
  auto voltage_at = [&](double time) { return sweep.voltage_at(time); };
  std::vector<double> current(n * T), state_u(n * T);

  // Moving devices are integrated together; stuck ones keep their fault conductance.
  std::vector<double> x, scale;
  std::vector<std::size_t> dev;
  for (std::size_t d = 0; d < n; ++d)
    if (rram_detail::fault_of(state.field(kFault)(d, 0)) == CellFault::None) {
      x.push_back(state.field(kState)(d, 0));
      scale.push_back(state.field(kRateScale)(d, 0));
      dev.push_back(d);
    }
  auto record = [&](std::size_t k) {
    for (std::size_t d = 0; d < n; ++d) {
      const CellFault fault = rram_detail::fault_of(state.field(kFault)(d, 0));
      if (fault == CellFault::None) continue;
      const double g = fault == CellFault::StuckOn ? 1.0 / state.field(kRon)(d, 0) : 1.0 / state.field(kRoff)(d, 0);
      current[d * T + k] = v[k] * g;
      state_u[d * T + k] = state.field(kState)(d, 0);
    }
    for (std::size_t m = 0; m < dev.size(); ++m) {
      const std::size_t d = dev[m];
      const double R = vteam_resistance(p_, x[m], state.field(kRon)(d, 0), state.field(kRoff)(d, 0));
      current[d * T + k] = v[k] / R;
      state_u[d * T + k] = x[m];
    }
  };
  const vteam_detail::Window w(p_);
  auto base = [&](double time) { return vteam_drive_rate(p_, voltage_at(time)); };
  record(0);
  for (std::size_t k = 1; k < T; ++k) {
    r.control.check();
    vteam_detail::integrate_scaled(p_, w, x, scale, base, t[k - 1], t[k]);
    record(k);
    if (k % 64 == 0 || k + 1 == T) r.control.report(k, T - 1, "samples");
  }
  Curve c = sweep.curve();
  c.datasets.push_back({"current_A", "A", "device current at each sample", {n, T}, current});
  c.datasets.push_back({"state_u", "1", "normalised VTEAM state (0 = ON, 1 = OFF)", {n, T}, state_u});
  return c;
}

}  // namespace xbarsim

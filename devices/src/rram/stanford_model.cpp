// rram-stanford-pku: gap and thermal equations integrated per block with Boost.Odeint
// (stanford_dynamics.hpp); gap noise with the stochastic Heun stepper.
#include <algorithm>
#include <cmath>
#include <xbarsim/core/constants.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/rram_stanford_pku.hpp>

#include "rram_common.hpp"
#include "stanford_dynamics.hpp"

namespace xbarsim {
namespace {
constexpr std::uint32_t kPurposeFault = rng_purpose("rram.stanford.fault");
constexpr std::uint32_t kPurposeNoise = rng_purpose("rram.stanford.gap_noise");
constexpr std::uint32_t kPurposeIvNoise = rng_purpose("rram.stanford.iv_noise");
constexpr std::uint32_t kPurposeRead = rng_purpose("rram.stanford.read");
using stanford_detail::kNm;

std::size_t sde_steps(const StanfordPkuParams& p, double duration) {
  return static_cast<std::size_t>(std::max(1.0, std::ceil(duration / p.sde_step_s - 1e-9)));
}
}  // namespace

double stanford_current_A(const StanfordPkuParams& p, double gap_m, double v) {
  return p.i0_A * std::exp(-gap_m / p.g0_m) * std::sinh(v / p.v0_V);
}

double stanford_temperature_K(const StanfordPkuParams& p, double gap_m, double v) {
  return p.temperature_K + std::abs(v * stanford_current_A(p, gap_m, v)) * p.r_th_K_per_W;
}

double stanford_gap_rate(const StanfordPkuParams& p, double gap_m, double v, double T) {
  double gamma = p.gamma0 - p.beta * std::pow(gap_m / kNm, p.gamma_exponent);
  // v1.0.0: no field enhancement (and no motion) below the minimum field F_min.
  if (gamma * std::abs(v) / p.t_ox_m < p.f_min_V_per_m) gamma = 0.0;
  if (gamma == 0.0) return 0.0;
  const double vt = constants::thermal_voltage_V(T);
  return -p.vel0_m_per_s * std::exp(-p.ea_eV / vt) * std::sinh(gamma * p.a0_m / p.t_ox_m * v / vt);
}

std::size_t stanford_integrate(const StanfordPkuParams& p, std::vector<double>& gap_m, const std::vector<double>& v,
                               double duration_s) {
  if (v.size() != gap_m.size()) throw InternalError("stanford_integrate: gap and voltage sizes differ");
  ode::State x = stanford_detail::pack(p, gap_m, 1.0);
  const std::size_t steps = stanford_detail::integrate(
      p, x, gap_m.size(), [&](std::size_t i, double) { return v[i]; }, 0.0, duration_s);
  for (std::size_t i = 0; i < gap_m.size(); ++i) gap_m[i] = x[i] * kNm;
  return steps;
}

StanfordPkuModel::StanfordPkuModel(StanfordPkuParams p) : p_(std::move(p)) {
  ProblemList problems;
  StanfordPkuParams::table().validate_struct(p_, "", problems);
  problems.throw_if_any();
}

double StanfordPkuModel::conductance_S(double gap_m, double v) const { return stanford_current_A(p_, gap_m, v) / v; }

double StanfordPkuModel::g_min_S() const { return conductance_S(p_.gap_max_m, p_.v_read_V); }
double StanfordPkuModel::g_max_S() const { return conductance_S(p_.gap_min_m, p_.v_read_V); }

std::vector<StateField> StanfordPkuModel::layout() const {
  return {{"gap_m", "m", "tunnelling gap between filament tip and electrode"},
          {"fault", "1", "0 none, 1 stuck at G_max, 2 stuck at G_min"},
          {"cycles", "1", "SET/RESET cycles so far (half a cycle per polarity reversal)"},
          {"last_polarity", "1", "polarity of the last write: +1 SET, -1 RESET, 0 none"}};
}

DeviceState StanfordPkuModel::create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                           std::uint32_t tile_id) const {
  DeviceState s(rows, cols, layout(), seed, tile_id);
  s.field(kGap).fill(static_cast<float>(p_.gap_initial_m));
  rram_detail::sample_faults(p_, s, s.field(kFault), kPurposeFault);
  return s;
}

ProgramReport StanfordPkuModel::program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                                        RowRange rows) const {
  if (p_.program_mode == "write-verify") return write_verify(*this, state, target_S, options, rows, p_.levels);
  // Closed form (MemTorch Stanford_PKU.set_conductance): g = g0 ln(I0 sinh(Vr/V0)/(Vr G)).
  ProgramReport report;
  auto& gap = state.field(kGap);
  const double vr = p_.v_read_V;
  const double tol = options.tolerance_rel * (g_max_S() - g_min_S());
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      // Finite levels: the cell is programmed to (and judged against) the nearest level.
      const double target = quantize_to_levels(target_S(i, j), g_min_S(), g_max_S(), p_.levels);
      if (rram_detail::fault_of(state.field(kFault)(i, j)) == CellFault::None) {
        double g = target > 0.0 ? p_.g0_m * std::log(p_.i0_A * std::sinh(vr / p_.v0_V) / (vr * target)) : p_.gap_max_m;
        if (!std::isfinite(g)) g = p_.gap_max_m;
        gap(i, j) = static_cast<float>(std::clamp(g, p_.gap_min_m, p_.gap_max_m));
      }
      report.unconverged += std::abs(target - read_cell(state, i, j, vr)) > tol;
    }
  report.verify_reads = rows.size() * state.cols();
  return report;
}

void StanfordPkuModel::apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step,
                                    RowRange rows) const {
  auto& gap = state.field(kGap);
  const auto& fault = state.field(kFault);
  const std::size_t nr = rows.size();
  std::vector<double> g0;
  std::vector<std::size_t> cell_i, cell_j, slot_of, slot_col;
  std::vector<float> zbuf;
  for (const int pol : {+1, -1}) {
    const double v = pol > 0 ? p_.set_voltage_V : p_.reset_voltage_V;
    const double width = pol > 0 ? p_.set_width_s : p_.reset_width_s;
    int max_n = 0;
    for (std::size_t j = 0; j < state.cols(); ++j)
      for (std::size_t i = rows.begin; i < rows.end; ++i)
        if (counts(i, j) * pol > 0 && rram_detail::fault_of(fault(i, j)) == CellFault::None)
          max_n = std::max(max_n, std::abs(static_cast<int>(counts(i, j))));
    // Pulse by pulse: the thermal state relaxes to T0 between pulses (tau_th = 0.23 ns is
    // far below any pulse spacing), so every pulse starts at T = T0.
    for (int round = 0; round < max_n; ++round) {
      g0.clear();
      cell_i.clear();
      cell_j.clear();
      slot_of.clear();
      slot_col.clear();
      for (std::size_t j = 0; j < state.cols(); ++j)
        for (std::size_t i = rows.begin; i < rows.end; ++i) {
          if (counts(i, j) * pol <= round || rram_detail::fault_of(fault(i, j)) != CellFault::None) continue;
          if (slot_col.empty() || slot_col.back() != j) slot_col.push_back(j);
          slot_of.push_back(slot_col.size() - 1);
          g0.push_back(gap(i, j));
          cell_i.push_back(i);
          cell_j.push_back(j);
        }
      const std::size_t n = g0.size();
      ode::State x = stanford_detail::pack(p_, g0, 1.0);
      auto volt = [v](std::size_t, double) { return v; };
      if (!p_.gap_noise) {
        stanford_detail::integrate(p_, x, n, volt, 0.0, width);
      } else {
        const std::size_t steps = sde_steps(p_, width);
        const std::uint64_t base = static_cast<std::uint64_t>(2 * round + (pol > 0 ? 0 : 1)) * steps;
        if (base + steps > 0xffffffffull)
          throw ConfigError("sde_step_s", "too many stochastic steps in one update; use a larger step");
        auto normals = [&](std::size_t k, std::vector<float>& z) {
          const RngKey key =
              rram_detail::step_key(state.seed(), kPurposeNoise, step, static_cast<std::uint32_t>(base + k));
          zbuf.resize(slot_col.size() * nr);
          for (std::size_t s = 0; s < slot_col.size(); ++s)
            normal_block(zbuf.data() + s * nr, nr, key, rram_detail::step_stream(state, slot_col[s], step), rows.begin);
          for (std::size_t c = 0; c < n; ++c) z[c] = zbuf[slot_of[c] * nr + (cell_i[c] - rows.begin)];
        };
        stanford_detail::integrate_sde(p_, x, n, volt, 0.0, width, steps, normals);
      }
      for (std::size_t c = 0; c < n; ++c) gap(cell_i[c], cell_j[c]) = static_cast<float>(x[c] * kNm);
    }
  }
  auto& cycles = state.field(kCycles);
  auto& last = state.field(kLastPolarity);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i)
      if (counts(i, j) != 0 && rram_detail::fault_of(fault(i, j)) == CellFault::None)
        rram_detail::count_polarity(last(i, j), cycles(i, j), counts(i, j));
}

double StanfordPkuModel::read_cell(const DeviceState& state, std::size_t i, std::size_t j, double v) const {
  switch (rram_detail::fault_of(state.field(kFault)(i, j))) {
    case CellFault::StuckOn:
      return conductance_S(p_.gap_min_m, v);
    case CellFault::StuckOff:
      return conductance_S(p_.gap_max_m, v);
    default:
      return rram_detail::endurance_closed(p_, conductance_S(state.field(kGap)(i, j), v),
                                           conductance_S(p_.gap_max_m, v), conductance_S(p_.gap_min_m, v),
                                           state.field(kCycles)(i, j));
  }
}

void StanfordPkuModel::read(const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index,
                            arma::fmat& out_S, RowRange rows) const {
  const double v = v_read_V != 0.0 ? v_read_V : p_.v_read_V;
  rram_detail::read_with_noise(state, noisy, p_.read_noise_rel, kPurposeRead, read_index, out_S, rows,
                               [&](std::size_t i, std::size_t j) { return read_cell(state, i, j, v); });
}

void StanfordPkuModel::relax(DeviceState&, double, double, RowRange) const {
  // Eq. (1) gives dg/dt = 0 at V = 0 (sinh(0) = 0) and v1.0.0 adds gap noise only while
  // |V| > 0: the model has no retention dynamics.
}

Curve StanfordPkuModel::iv_sweep(const CurveRequest& r) const {
  rram_detail::require_iv(r, name());
  const std::size_t n = r.devices;
  const DeviceState state = create_state(n, 1, r.seed, 0);
  const rram_detail::IvSweep sweep = rram_detail::make_iv_sweep(p_);
  const std::vector<double>& t = sweep.t;
  const std::vector<double>& v = sweep.v;
  const std::size_t T = t.size();
  auto voltage_at = [&](double time) { return sweep.voltage_at(time); };
  std::vector<double> current(n * T), gap_out(n * T);

  // Without gap noise every working device starts at the same gap and follows the same
  // deterministic trajectory: integrate one and copy it (the sliding motion along the
  // F_min boundary makes each trajectory costly).
  std::vector<double> g0;
  std::vector<std::size_t> dev, copies;
  for (std::size_t d = 0; d < n; ++d)
    if (rram_detail::fault_of(state.field(kFault)(d, 0)) == CellFault::None) {
      if (!p_.gap_noise && !dev.empty()) {
        copies.push_back(d);
        continue;
      }
      g0.push_back(state.field(kGap)(d, 0));
      dev.push_back(d);
    }
  const std::size_t m = dev.size();
  ode::State x = stanford_detail::pack(p_, g0, 1.0);
  auto record = [&](std::size_t k) {
    for (std::size_t d = 0; d < n; ++d) {
      const CellFault fault = rram_detail::fault_of(state.field(kFault)(d, 0));
      if (fault == CellFault::None) continue;
      const double gap = fault == CellFault::StuckOn ? p_.gap_min_m : p_.gap_max_m;
      current[d * T + k] = stanford_current_A(p_, gap, v[k]);
      gap_out[d * T + k] = gap;
    }
    for (std::size_t c = 0; c < m; ++c) {
      double vd, id;
      stanford_detail::device_bias(p_, x[c] * kNm, v[k], vd, id);
      current[dev[c] * T + k] = id;
      gap_out[dev[c] * T + k] = x[c] * kNm;
    }
    for (std::size_t d : copies) {
      current[d * T + k] = current[dev[0] * T + k];
      gap_out[d * T + k] = gap_out[dev[0] * T + k];
    }
  };
  auto volt = [&](std::size_t, double time) { return voltage_at(time); };
  const double interval = t.size() > 1 ? t[1] - t[0] : 0.0;
  const std::size_t steps = p_.gap_noise ? sde_steps(p_, interval) : 0;
  if (p_.gap_noise && static_cast<double>(steps) * static_cast<double>(T) > 1e8)
    throw ConfigError("sde_step_s", "the iv sweep with gap_noise would take " +
                                        format_value(static_cast<double>(steps) * static_cast<double>(T)) +
                                        " stochastic steps; raise sde_step_s or iv_frequency_Hz");
  const RngKey key(r.seed, kPurposeIvNoise);
  std::vector<float> all(n);
  record(0);
  for (std::size_t k = 1; k < T; ++k) {
    r.control.check();
    if (!p_.gap_noise) {
      stanford_detail::integrate(p_, x, m, volt, t[k - 1], t[k]);
    } else {
      auto normals = [&](std::size_t s, std::vector<float>& z) {
        // Stream per (sample, sub-step); element = device index.
        normal_block(all.data(), n, key, StreamId{static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(s), 0}, 0);
        for (std::size_t c = 0; c < m; ++c) z[c] = all[dev[c]];
      };
      stanford_detail::integrate_sde(p_, x, m, volt, t[k - 1], t[k], steps, normals);
    }
    record(k);
    if (k % 64 == 0 || k + 1 == T) r.control.report(k, T - 1, "samples");
  }
  Curve c = sweep.curve();
  c.datasets.push_back({"current_A", "A", "device current at each sample (after compliance)", {n, T}, current});
  c.datasets.push_back({"gap_m", "m", "tunnelling gap at each sample", {n, T}, gap_out});
  return c;
}

}  // namespace xbarsim

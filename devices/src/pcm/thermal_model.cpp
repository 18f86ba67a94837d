// pcm-thermal device model: state handling around the transient integrator of
// thermal_physics.cpp (equations in pcm_thermal.hpp).
#include <algorithm>
#include <cmath>
#include <vector>
#include <xbarsim/devices/pcm_laws.hpp>
#include <xbarsim/devices/pcm_thermal.hpp>

#include "pcm_internal.hpp"

namespace xbarsim {
namespace {
constexpr std::uint32_t kPurposeD2d = rng_purpose("pcm.thermal.d2d");
constexpr std::uint32_t kPurposeFault = rng_purpose("pcm.thermal.fault");
// JMAK progress of a fully crystalline cell: X = 1 - exp(-10^n) is 1 in double.
constexpr double kUCrystalline = 10.0;

using pcm_thermal::Cell;
using pcm_thermal::Waveform;
}  // namespace

PcmThermalModel::PcmThermalModel(PcmThermalParams p) : p_(std::move(p)) {
  ProblemList problems;
  PcmThermalParams::table().validate_struct(p_, "", problems);
  problems.throw_if_any();
  set_wave_ = Waveform::trapezoid(p_.set_amplitude_V, p_.set_rise_s, p_.set_width_s, p_.set_fall_s);
  reset_wave_ = Waveform::trapezoid(p_.reset_amplitude_V, p_.reset_rise_s, p_.reset_width_s, p_.reset_fall_s);
}

std::vector<StateField> PcmThermalModel::layout() const {
  return {{"jmak_u", "1", "JMAK progress u = (-ln(1 - X))^(1/n); crystalline fraction X = 1 - exp(-u^n)"},
          {"v_th_V", "V", "threshold voltage of the fully amorphous element (device-to-device)"},
          {"t_melt_s", "s", "tile time of the last melt-quench (clock of the amorphous drift)"},
          {"ga_drift", "1", "drift factor of the amorphous conductance at the tile time"},
          {"cycles", "1", "melt-quench (RESET) events so far"},
          {"fault", "1", "0 none, 1 stuck at G_max, 2 stuck at G_min"}};
}

double PcmThermalModel::g_min_S() const { return 1.0 / (p_.r_series_ohm + p_.r_amorph_ohm); }
double PcmThermalModel::g_max_S() const { return 1.0 / (p_.r_series_ohm + p_.r_cryst_ohm); }

DeviceState PcmThermalModel::create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                          std::uint32_t tile_id) const {
  DeviceState state(rows, cols, layout(), seed, tile_id);
  arma::fmat& u = state.field(kU);
  arma::fmat& vth = state.field(kVth);
  arma::fmat& drift = state.field(kDrift);
  arma::fmat& fault = state.field(kFault);
  pcm::sample_faults(p_, state, kPurposeFault, fault);
  std::vector<float> z(rows);
  const RngKey key(seed, kPurposeD2d);
  for (std::size_t j = 0; j < cols; ++j) {
    normal_block(z.data(), rows, key, StreamId{tile_id, static_cast<std::uint32_t>(j), 0}, 0);
    for (std::size_t i = 0; i < rows; ++i) {
      vth(i, j) = static_cast<float>(std::max(p_.v_th_V * (1.0 + p_.v_th_dtod * z[i]), 0.0));
      drift(i, j) = 1.0f;
      // Fresh devices start in the amorphous RESET state (X = 0), the convention for
      // pulse-programmed devices; as-deposited films are often crystalline instead.
      u(i, j) = pcm::fault_of(fault(i, j)) == CellFault::StuckOn ? kUCrystalline : 0.0f;
    }
  }
  return state;
}

Cell PcmThermalModel::cell(const DeviceState& state, std::size_t i, std::size_t j, const Waveform* wave) const {
  const double g_a0 = 1.0 / p_.r_amorph_ohm, g_c = 1.0 / p_.r_cryst_ohm;
  Cell c;
  // Endurance: the crystalline phase degrades towards amorphous-like conduction.
  c.g_c_S = g_a0 + endurance_window_factor(p_, state.field(kCycles)(i, j)) * (g_c - g_a0);
  c.g_a_S = g_a0 * state.field(kDrift)(i, j);
  c.v_th_V = state.field(kVth)(i, j);
  c.wave = wave;
  c.u = state.field(kU)(i, j);
  c.T_K = p_.temperature_K;
  return c;
}

template <bool kProgramming>
double PcmThermalModel::pulses(DeviceState& state, const PulseCounts& counts, RowRange rows) const {
  arma::fmat& u = state.field(kU);
  arma::fmat& t_melt = state.field(kTMelt);
  arma::fmat& drift = state.field(kDrift);
  arma::fmat& cycles = state.field(kCycles);
  const arma::fmat& fault = state.field(kFault);
  // Programming happens at tile time 0 (the caller restarts the clock afterwards).
  const double t_now = kProgramming ? 0.0 : state.time_s;
  auto count = [&](std::size_t i, std::size_t j) -> int {
    return kProgramming ? counts(i - rows.begin, j) : counts(i, j);
  };
  // Below T_g a transient may end once every cell of the block has cooled below T_g (u is
  // frozen from then on). At T_amb >= T_g crystallisation goes on at T_amb, so the end time
  // must not depend on which other cells share the block (row split): use a fixed one.
  const double tau_th = p_.r_th_K_per_W * p_.c_th_J_per_K;
  const double t_stop =
      p_.temperature_K >= p_.t_g_K ? std::max(set_wave_.duration_s(), reset_wave_.duration_s()) + 100.0 * tau_th : 0.0;
  double energy = 0.0;
  std::vector<Cell> cells;
  std::vector<std::size_t> index;
  for (std::size_t j = 0; j < state.cols(); ++j) {
    int max_n = 0;
    for (std::size_t i = rows.begin; i < rows.end; ++i)
      if (pcm::fault_of(fault(i, j)) == CellFault::None) max_n = std::max(max_n, std::abs(count(i, j)));
    // Pulse k of every cell with more than k pulses runs as one block transient.
    for (int k = 0; k < max_n; ++k) {
      cells.clear();
      index.clear();
      for (std::size_t i = rows.begin; i < rows.end; ++i) {
        const int c = count(i, j);
        if (std::abs(c) <= k || pcm::fault_of(fault(i, j)) != CellFault::None) continue;
        cells.push_back(cell(state, i, j, c > 0 ? &set_wave_ : &reset_wave_));
        index.push_back(i);
      }
      pcm_thermal::simulate(p_, cells, p_.dt_s, t_stop);
      for (std::size_t n = 0; n < cells.size(); ++n) {
        const std::size_t i = index[n];
        u(i, j) = static_cast<float>(cells[n].u);
        energy += cells[n].energy_J;
        if (cells[n].melted) {  // new amorphous material: restart its drift clock
          cycles(i, j) += 1.0f;
          t_melt(i, j) = static_cast<float>(t_now);
          drift(i, j) = 1.0f;
        }
      }
    }
  }
  return energy;
}

void PcmThermalModel::apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t /*step*/,
                                   RowRange rows) const {
  // Deterministic: no random numbers, so the step key is not needed.
  pulses<false>(state, counts, rows);
}

double PcmThermalModel::pulse_block(DeviceState& state, const PulseCounts& counts, std::uint64_t /*step*/,
                                    RowRange rows) const {
  return pulses<true>(state, counts, rows);
}

double PcmThermalModel::conductance_at(const DeviceState& state, std::size_t i, std::size_t j, double v) const {
  const Cell c = cell(state, i, j, nullptr);
  const double x = pcm_thermal::crystalline_fraction(c.u, p_.avrami_n);
  const double g = pcm_thermal::mix_conductance_S(p_, x, c.g_c_S, c.g_a_S);
  auto d = pcm_thermal::solve_circuit(v, p_.r_series_ohm, g, p_.r_on_ohm, p_.v_hold_V, false);
  // A read above threshold switches the amorphous element (and would disturb it).
  if (std::abs(d.element_V) >= c.v_th_V * (1.0 - x))
    d = pcm_thermal::solve_circuit(v, p_.r_series_ohm, g, p_.r_on_ohm, p_.v_hold_V, true);
  return std::abs(d.current_A / v);
}

void PcmThermalModel::read_block(const DeviceState& state, arma::fmat& out, RowRange rows) const {
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i)
      out(i - rows.begin, j) = static_cast<float>(conductance_at(state, i, j, p_.v_read_V));
}

ProgramReport PcmThermalModel::program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                                       RowRange rows) const {
  // Times are seconds since programming: shift every cell's drift clock so that, once
  // the caller restarts the tile clock at 0, untouched cells keep their age.
  arma::fmat& t_melt = state.field(kTMelt);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) t_melt(i, j) -= static_cast<float>(state.time_s);
  return pcm::pulse_program(*this, state, target_S, options, rows, p_, state.field(kCycles), state.field(kFault));
}

void PcmThermalModel::read(const DeviceState& state, double v_read_V, bool /*noisy*/, std::uint64_t /*read_index*/,
                           arma::fmat& out_S, RowRange rows) const {
  // No noise source in this compact model: noisy and noise-free reads agree.
  const double v = v_read_V > 0.0 ? v_read_V : p_.v_read_V;
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i)
      out_S(i, j) = static_cast<float>(conductance_at(state, i, j, v));
}

void PcmThermalModel::relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const {
  arma::fmat& u = state.field(kU);
  arma::fmat& drift = state.field(kDrift);
  const arma::fmat& t_melt = state.field(kTMelt);
  const arma::fmat& fault = state.field(kFault);
  // Isothermal JMAK at T_amb is exact in progress form: u += k(T_amb) (t1 - t0).
  const double du = t1_s > t0_s ? pcm_thermal::jmak_rate_per_s(p_, p_.temperature_K) * (t1_s - t0_s) : 0.0;
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      if (pcm::fault_of(fault(i, j)) != CellFault::None) continue;
      u(i, j) = static_cast<float>(u(i, j) + du);
      drift(i, j) = static_cast<float>(pcm::drift_factor(t1_s - t_melt(i, j), p_.t0_s, p_.drift_nu));
    }
}

}  // namespace xbarsim

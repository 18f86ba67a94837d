// pcm-thermal cell physics: JMAK in progress form, effective-medium mixing, the
// threshold-switching circuit and the transient integrator (Boost.Odeint through
// odeint_adapter.hpp). Equations are documented in pcm_thermal.hpp.
#include <algorithm>
#include <cmath>
#include <xbarsim/core/constants.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/odeint_adapter.hpp>
#include <xbarsim/devices/pcm_thermal.hpp>

namespace xbarsim::pcm_thermal {

double crystalline_fraction(double u, double n) {
  if (!(u > 0.0)) return 0.0;
  return -std::expm1(-std::pow(u, n));
}

double jmak_progress(double x, double n) {
  if (!(x > 0.0)) return 0.0;
  return std::pow(-std::log1p(-std::min(x, 1.0 - 1e-16)), 1.0 / n);
}

double jmak_rate_per_s(const PcmThermalParams& p, double T_K) {
  if (!(T_K > p.t_g_K && T_K < p.t_melt_K)) return 0.0;
  // Arrhenius through the reference point: k_ref exp(-(E_a/k_B)(1/T - 1/T_ref)).
  const double ea_over_kb = p.e_a_eV * constants::elementary_charge_C / constants::boltzmann_J_per_K;
  return p.k_ref_per_s * std::exp(-ea_over_kb * (1.0 / T_K - 1.0 / p.t_ref_K));
}

double effective_medium_S(double x, double g_c_S, double g_a_S) {
  // 2 g^2 - b g - g_c g_a = 0 with b = (3x - 1) g_c + (2 - 3x) g_a; the positive root.
  // For b < 0 the equivalent form 2 g_c g_a / (sqrt(D) - b) avoids cancellation.
  x = std::clamp(x, 0.0, 1.0);
  const double b = (3.0 * x - 1.0) * g_c_S + (2.0 - 3.0 * x) * g_a_S;
  const double root = std::sqrt(b * b + 8.0 * g_c_S * g_a_S);
  return b >= 0.0 ? 0.25 * (b + root) : 2.0 * g_c_S * g_a_S / (root - b);
}

double mix_conductance_S(const PcmThermalParams& p, double x, double g_c_S, double g_a_S) {
  if (p.mix == "parallel") return x * g_c_S + (1.0 - x) * g_a_S;
  return effective_medium_S(x, g_c_S, g_a_S);
}

Drive solve_circuit(double v_src, double r_ext_ohm, double g_mix_S, double r_on_ohm, double v_hold_V, bool on) {
  // Symmetric in the sign of the source: solve for |v| and restore the sign.
  const double s = v_src < 0.0 ? -1.0 : 1.0, v = std::abs(v_src);
  if (on) {
    const double i = (g_mix_S * v + (v - v_hold_V) / r_on_ohm) / (1.0 + g_mix_S * r_ext_ohm + r_ext_ohm / r_on_ohm);
    const double ve = v - i * r_ext_ohm;
    if (ve > v_hold_V) return {s * i, s * ve, true};
  }
  const double i = g_mix_S * v / (1.0 + g_mix_S * r_ext_ohm);
  return {s * i, s * (v - i * r_ext_ohm), false};
}

double Waveform::value(double t) const {
  switch (kind) {
    case Kind::None:
      return 0.0;
    case Kind::Trapezoid:
      if (t < 0.0) return 0.0;
      if (t < rise_s) return amplitude_V * t / rise_s;
      if (t < rise_s + width_s) return amplitude_V;
      if (t < rise_s + width_s + fall_s) return amplitude_V * (1.0 - (t - rise_s - width_s) / fall_s);
      return 0.0;
    case Kind::Triangle: {
      if (t < 0.0 || t >= duration_s()) return 0.0;
      const double ph = std::fmod(t / period_s, 1.0);
      return amplitude_V * (ph < 0.5 ? 2.0 * ph : 2.0 * (1.0 - ph));
    }
  }
  return 0.0;
}

double Waveform::duration_s() const {
  switch (kind) {
    case Kind::None:
      return 0.0;
    case Kind::Trapezoid:
      return rise_s + width_s + fall_s;
    case Kind::Triangle:
      return period_s * cycles;
  }
  return 0.0;
}

Waveform Waveform::trapezoid(double amplitude_V, double rise_s, double width_s, double fall_s) {
  Waveform w;
  w.kind = Kind::Trapezoid;
  w.amplitude_V = amplitude_V;
  w.rise_s = rise_s;
  w.width_s = width_s;
  w.fall_s = fall_s;
  return w;
}

Waveform Waveform::triangle(double amplitude_V, double period_s, int cycles) {
  Waveform w;
  w.kind = Kind::Triangle;
  w.amplitude_V = amplitude_V;
  w.period_s = period_s;
  w.cycles = cycles;
  return w;
}

namespace {
// Drive of one cell at source voltage v for its state u and switching flag.
inline Drive cell_drive(const PcmThermalParams& p, const Cell& c, double u, double v, bool on) {
  const double x = crystalline_fraction(u, p.avrami_n);
  const double g = mix_conductance_S(p, x, c.g_c_S, c.g_a_S);
  return solve_circuit(v, p.r_load_ohm + p.r_series_ohm, g, p.r_on_ohm, p.v_hold_V, on);
}

// Threshold switching at a step boundary: OFF -> ON once the element voltage reaches
// V_th (1 - X) and the ON branch carries current; ON -> OFF once it no longer does.
inline void update_switch(const PcmThermalParams& p, Cell& c, double v) {
  Drive d = cell_drive(p, c, c.u, v, c.on);
  if (c.on && !d.on) {
    c.on = false;
  } else if (!c.on) {
    const double vth = c.v_th_V * (1.0 - crystalline_fraction(c.u, p.avrami_n));
    if (std::abs(d.element_V) >= vth) {
      const Drive d_on = cell_drive(p, c, c.u, v, true);
      if (d_on.on) {
        c.on = true;
        d = d_on;
      }
    }
  }
  c.current_A = d.current_A;
  c.source_V = v;
  c.element_V = d.element_V;
}
}  // namespace

double simulate(const PcmThermalParams& p, std::vector<Cell>& cells, double dt_s, double t_stop_s,
                const std::function<void(double, const std::vector<Cell>&)>& trace, std::size_t trace_every) {
  const std::size_t m = cells.size();
  if (m == 0) return 0.0;
  if (!(dt_s > 0.0)) throw InternalError("pcm_thermal::simulate: dt must be positive");
  const double T_amb = p.temperature_K;
  const double tau_th = p.r_th_K_per_W * p.c_th_J_per_K;
  double t_wave = 0.0;
  for (const Cell& c : cells) t_wave = std::max(t_wave, c.wave ? c.wave->duration_s() : 0.0);
  // Cooling is exponential with tau_th; 100 tau_th after the last edge it is complete.
  const double t_cap = t_wave + 100.0 * tau_th;

  // One state vector per block: temperatures, JMAK progress, source energy.
  ode::State x(3 * m);
  for (std::size_t i = 0; i < m; ++i) {
    x[i] = cells[i].T_K;
    x[m + i] = cells[i].u;
    x[2 * m + i] = cells[i].energy_J;
  }
  auto rhs = [&](const ode::State& s, ode::State& dsdt, double t) {
    for (std::size_t i = 0; i < m; ++i) {
      const Cell& c = cells[i];
      const double v = c.wave ? c.wave->value(t) : 0.0;
      const double T = s[i], u = std::max(s[m + i], 0.0);
      const Drive d = cell_drive(p, c, u, v, c.on);
      const double p_cell = d.current_A * (v - d.current_A * p.r_load_ohm);  // power in the cell
      dsdt[i] = (p_cell - (T - T_amb) / p.r_th_K_per_W) / p.c_th_J_per_K;
      dsdt[m + i] = T >= p.t_melt_K ? -u / p.tau_melt_s : jmak_rate_per_s(p, T);
      dsdt[2 * m + i] = v * d.current_A;
    }
  };

  std::size_t step = 0;
  double t = 0.0;
  for (;;) {
    t = static_cast<double>(step) * dt_s;
    for (std::size_t i = 0; i < m; ++i) {
      Cell& c = cells[i];
      c.T_K = x[i];
      c.u = x[m + i];
      c.energy_J = x[2 * m + i];
      if (!std::isfinite(c.T_K) || !std::isfinite(c.u))
        throw NumericalError("pcm-thermal: non-finite temperature or crystallisation state at t = " +
                             std::to_string(t) + " s (reduce dt_s)");
      c.melted |= c.T_K >= p.t_melt_K;
      update_switch(p, c, c.wave ? c.wave->value(t) : 0.0);
    }
    if (trace && step % trace_every == 0) trace(t, cells);
    if (t_stop_s > 0.0) {
      if (t >= t_stop_s - 0.5 * dt_s) break;
    } else if (t >= t_wave) {
      bool cooled = true;
      for (const Cell& c : cells) cooled &= T_amb < p.t_g_K ? c.T_K < p.t_g_K : c.T_K - T_amb < 1e-3;
      if (cooled || t >= t_cap) break;
    }
    ode::integrate_rk4(rhs, x, t, t + dt_s, 1);
    for (std::size_t i = 0; i < m; ++i) x[m + i] = std::max(x[m + i], 0.0);
    ++step;
  }
  return t;
}

}  // namespace xbarsim::pcm_thermal

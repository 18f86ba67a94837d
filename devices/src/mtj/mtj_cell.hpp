#pragma once
// Electrical solution of one MTJ cell (private to the mtj family): per-MTJ currents for
// a voltage or current drive, with the bias-dependent AP conductance
//   G_AP(V) = G_P / (1 + TMR / (1 + V^2/V_h^2))
// for MTJs in series (one current, voltages add) or in parallel (one voltage). Every
// scalar solve is a Newton iteration on a monotone convex (or concave) function started
// on the side where it converges monotonically, so a few iterations reach machine precision.
#include <cmath>
#include <cstdint>
#include <xbarsim/core/random.hpp>
#include <xbarsim/devices/mtj_params.hpp>

namespace xbarsim::mtj_detail {

struct Cell {
  int n = 1;
  double g_p[kMaxMtjsPerCell] = {};
  bool is_p[kMaxMtjsPerCell] = {};
};

struct Electrical {
  bool series = true;
  double tmr = 0;  // zero-bias TMR (endurance window applied)
  double v_h = 0.5;
};

inline double g_mtj(double gp, bool is_p, const Electrical& e, double v) {
  if (is_p) return gp;
  return gp / (1.0 + e.tmr / (1.0 + v * v / (e.v_h * e.v_h)));
}

/// Differential conductance dI/dV = G + V dG/dV of one MTJ.
inline double dgdv_total(double gp, bool is_p, const Electrical& e, double v) {
  if (is_p) return gp;
  const double u = v * v / (e.v_h * e.v_h);
  const double q = 1.0 + e.tmr / (1.0 + u);
  const double g = gp / q;
  const double dg = gp * e.tmr * (2.0 * v / (e.v_h * e.v_h)) / ((1.0 + u) * (1.0 + u) * q * q);
  return g + v * dg;
}

/// Voltage across one MTJ carrying current i >= 0. I(V) is convex for V >= 0, so Newton
/// from the zero-bias estimate (an upper bound) decreases monotonically to the root.
inline double voltage_for_current(double gp, bool is_p, const Electrical& e, double i) {
  if (is_p || i <= 0.0) return i / gp;
  double v = i / g_mtj(gp, false, e, 0.0);
  for (int it = 0; it < 60; ++it) {
    const double f = g_mtj(gp, false, e, v) * v - i;
    const double step = f / dgdv_total(gp, false, e, v);
    v -= step;
    if (std::abs(step) <= 1e-14 * v) break;
  }
  return v;
}

/// Per-MTJ currents (signed, + towards P) for voltage v across the cell; returns the cell current.
inline double currents_for_voltage(const Cell& c, const Electrical& e, double v, double* i_k) {
  if (!e.series || c.n == 1) {
    double total = 0.0;
    for (int k = 0; k < c.n; ++k) total += (i_k[k] = g_mtj(c.g_p[k], c.is_p[k], e, v) * v);
    return total;
  }
  // Series: total voltage sum_k V_k(I) is concave increasing in I, so Newton from the
  // zero-bias estimate (a lower bound) increases monotonically to the root.
  const double va = std::abs(v);
  double r0 = 0.0;
  for (int k = 0; k < c.n; ++k) r0 += 1.0 / g_mtj(c.g_p[k], c.is_p[k], e, 0.0);
  double i = va / r0;
  for (int it = 0; it < 60 && va > 0.0; ++it) {
    double sum_v = 0.0, sum_dv = 0.0;
    for (int k = 0; k < c.n; ++k) {
      const double vk = voltage_for_current(c.g_p[k], c.is_p[k], e, i);
      sum_v += vk;
      sum_dv += 1.0 / dgdv_total(c.g_p[k], c.is_p[k], e, vk);
    }
    const double step = (sum_v - va) / sum_dv;
    i -= step;
    if (std::abs(step) <= 1e-14 * i) break;
  }
  const double signed_i = v < 0.0 ? -i : i;
  for (int k = 0; k < c.n; ++k) i_k[k] = signed_i;
  return signed_i;
}

/// Per-MTJ currents for a current drive i (signed) into the cell; returns the cell voltage.
inline double currents_for_current(const Cell& c, const Electrical& e, double i, double* i_k) {
  const double ia = std::abs(i), sgn = i < 0.0 ? -1.0 : 1.0;
  if (e.series || c.n == 1) {
    double v = 0.0;
    for (int k = 0; k < c.n; ++k) {
      i_k[k] = i;
      v += voltage_for_current(c.g_p[k], c.is_p[k], e, ia);
    }
    return sgn * v;
  }
  // Parallel: sum_k G_k(V) V is convex increasing in V; Newton from the zero-bias
  // estimate (an upper bound) decreases monotonically to the root.
  double g0 = 0.0;
  for (int k = 0; k < c.n; ++k) g0 += g_mtj(c.g_p[k], c.is_p[k], e, 0.0);
  double v = ia / g0;
  for (int it = 0; it < 60 && ia > 0.0; ++it) {
    double f = -ia, df = 0.0;
    for (int k = 0; k < c.n; ++k) {
      f += g_mtj(c.g_p[k], c.is_p[k], e, v) * v;
      df += dgdv_total(c.g_p[k], c.is_p[k], e, v);
    }
    const double step = f / df;
    v -= step;
    if (std::abs(step) <= 1e-14 * v) break;
  }
  for (int k = 0; k < c.n; ++k) i_k[k] = sgn * g_mtj(c.g_p[k], c.is_p[k], e, v) * v;
  return sgn * v;
}

/// Two independent uniforms in (0, 1) with 53-bit resolution (probabilities down to
/// ~1e-16 stay unbiased, which float uniforms would not give for rare flips): element
/// `element` of stream (tile, col, step) under `purpose`. Bits of step and element above
/// 32 select a derived seed, so every (step, element) pair has its own counter.
struct Uniform2 {
  double u0, u1;
};

class UniformStream {
 public:
  UniformStream(std::uint64_t seed, std::uint32_t purpose, std::uint32_t tile, std::uint64_t step)
      : seed_(seed), purpose_(purpose), tile_(tile), step_(step), key_(derived_seed(0), purpose) {}

  Uniform2 at(std::uint32_t col, std::uint64_t element) const {
    const RngKey key = (element >> 32) == 0 ? key_ : RngKey(derived_seed(element >> 32), purpose_);
    const auto w =
        philox_block(key, static_cast<std::uint32_t>(element), tile_, col, static_cast<std::uint32_t>(step_));
    return {u53(w[0], w[1]), u53(w[2], w[3])};
  }

 private:
  std::uint64_t derived_seed(std::uint64_t element_hi) const {
    const std::uint64_t hi = (step_ >> 32) | (element_hi << 32);
    return hi == 0 ? seed_ : derive_seed(seed_, hi);
  }
  static double u53(std::uint32_t a, std::uint32_t b) {
    constexpr double k2m53 = 1.0 / 9007199254740992.0;
    return (static_cast<double>((static_cast<std::uint64_t>(a) << 21) | (b >> 11)) + 0.5) * k2m53;
  }
  std::uint64_t seed_;
  std::uint32_t purpose_;
  std::uint32_t tile_;
  std::uint64_t step_;
  RngKey key_;
};

}  // namespace xbarsim::mtj_detail

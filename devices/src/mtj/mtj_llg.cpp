// Batched macrospin s-LLGS (see mtj_llg.hpp for the equation and conventions).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numbers>
#include <xbarsim/core/constants.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/mtj_llg.hpp>
#include <xbarsim/devices/odeint_adapter.hpp>

namespace xbarsim::mtj {
namespace c = constants;

double Macrospin::gamma_prime() const {
  return c::electron_gyromagnetic_ratio_rad_per_sT * c::vacuum_permeability_H_per_m / (1.0 + alpha * alpha);
}
double Macrospin::tau_d_s() const { return 1.0 / (alpha * gamma_prime() * h_k_A_per_m); }
double Macrospin::delta() const {
  return c::vacuum_permeability_H_per_m * ms_A_per_m * h_k_A_per_m * volume_m3 /
         (2.0 * c::boltzmann_J_per_K * temperature_K);
}
double Macrospin::i_c0_A() const { return alpha * h_k_A_per_m / stt_field_per_A(); }
double Macrospin::stt_field_per_A() const {
  return c::hbar_Js * eta / (2.0 * c::elementary_charge_C * c::vacuum_permeability_H_per_m * ms_A_per_m * volume_m3);
}
double Macrospin::thermal_sigma() const {
  const double gamma = c::electron_gyromagnetic_ratio_rad_per_sT * c::vacuum_permeability_H_per_m;
  return std::sqrt(2.0 * alpha * c::boltzmann_J_per_K * temperature_K /
                   (c::vacuum_permeability_H_per_m * gamma * ms_A_per_m * volume_m3));
}

Macrospin reference_macrospin(const MtjParams& p) {
  const MtjDerived d = mtj_derived(p);
  return {d.h_k_A_per_m, p.alpha, p.ms_A_per_m, d.volume_m3, p.temperature_K, p.eta};
}

double sample_boltzmann_cos(double delta, CounterRng& rng) {
  // s = 1 - u has density exp(-2 Delta s + Delta s^2) = exp(-Delta s) exp(-Delta s (1 - s))
  // on [0, 1]: propose s ~ Exp(Delta) truncated to [0, 1] (inverse CDF), accept with
  // exp(-Delta s (1 - s)) <= 1. Acceptance is about 1/2 for large Delta.
  if (delta <= 0.0) return 1.0 - rng.uniform();  // flat in u when there is no barrier
  const double trunc = -std::expm1(-delta);      // 1 - e^{-Delta}
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const double s = -std::log1p(-rng.uniform() * trunc) / delta;
    if (rng.uniform() < std::exp(-delta * s * (1.0 - s))) return 1.0 - s;
  }
  throw NumericalError("Boltzmann sampler did not accept in 1000 proposals (Delta = " + std::to_string(delta) + ")");
}

namespace {

struct BlockOut {
  double* t_sw;
  double* mx;
  double* my;
  double* mz;
};

// Integrates trajectories [first, first + n) in one state vector.
std::uint64_t integrate_block(const Macrospin& ms, double current_A, std::size_t first, std::size_t n,
                              const LlgOptions& o, const RngKey& init_key, const RngKey& noise_key, BlockOut out,
                              const RunControl& control) {
  ode::State x(3 * n), dw(3 * n, 0.0);
  std::vector<float> z(3 * n);
  std::vector<double> mz_prev(n), sign0(n);
  std::vector<char> switched(n, 0);
  const double delta = ms.delta();
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint64_t traj = first + j;
    double u = 1.0, phi = 0.0;
    bool p_well = true;
    switch (o.start) {
      case LlgStart::BoltzmannP:
      case LlgStart::BoltzmannAP: {
        CounterRng rng(init_key, static_cast<std::uint32_t>(traj), static_cast<std::uint32_t>(traj >> 32), o.stream);
        u = sample_boltzmann_cos(delta, rng);
        phi = 2.0 * std::numbers::pi * rng.uniform();
        p_well = o.start == LlgStart::BoltzmannP;
        break;
      }
      case LlgStart::TiltedP:
      case LlgStart::TiltedAP:
        u = std::cos(o.initial_angle_rad);
        p_well = o.start == LlgStart::TiltedP;
        break;
    }
    const double sn = std::sqrt(std::max(0.0, 1.0 - u * u));
    x[j] = sn * std::cos(phi);
    x[n + j] = sn * std::sin(phi);
    x[2 * n + j] = p_well ? u : -u;
    sign0[j] = p_well ? 1.0 : -1.0;
    out.t_sw[j] = std::numeric_limits<double>::infinity();
  }

  const double gp = ms.gamma_prime(), alpha = ms.alpha, hk = ms.h_k_A_per_m;
  const double a = ms.stt_field_per_A() * current_A;
  const double sigma = ms.thermal_sigma();
  // dm/dt = -gamma' [ m x (hz z) + m x (m x (dz z)) ], hz = H_k m_z - alpha a, dz = alpha H_k m_z + a.
  auto drift = [&](const ode::State& m, ode::State& f, double) {
    const double* mx = m.data();
    const double* my = mx + n;
    const double* mz = my + n;
    double* fx = f.data();
    double* fy = fx + n;
    double* fz = fy + n;
    for (std::size_t j = 0; j < n; ++j) {
      const double hz = hk * mz[j] - alpha * a;
      const double dz = alpha * hk * mz[j] + a;
      const double m2 = mx[j] * mx[j] + my[j] * my[j] + mz[j] * mz[j];
      fx[j] = -gp * (hz * my[j] + dz * mz[j] * mx[j]);
      fy[j] = -gp * (-hz * mx[j] + dz * mz[j] * my[j]);
      fz[j] = -gp * (dz * (mz[j] * mz[j] - m2));
    }
  };
  // g dW = -gamma' sigma [ m x w + alpha (m (m.w) - |m|^2 w) ], w = dW (already sqrt(dt) scaled).
  auto diffusion = [&](const ode::State& m, const ode::State& w, ode::State& g, double) {
    const double* mx = m.data();
    const double* my = mx + n;
    const double* mz = my + n;
    const double* wx = w.data();
    const double* wy = wx + n;
    const double* wz = wy + n;
    double* gx = g.data();
    double* gy = gx + n;
    double* gz = gy + n;
    const double s = -gp * sigma;
    for (std::size_t j = 0; j < n; ++j) {
      const double mw = mx[j] * wx[j] + my[j] * wy[j] + mz[j] * wz[j];
      const double m2 = mx[j] * mx[j] + my[j] * my[j] + mz[j] * mz[j];
      gx[j] = s * (my[j] * wz[j] - mz[j] * wy[j] + alpha * (mx[j] * mw - m2 * wx[j]));
      gy[j] = s * (mz[j] * wx[j] - mx[j] * wz[j] + alpha * (my[j] * mw - m2 * wy[j]));
      gz[j] = s * (mx[j] * wy[j] - my[j] * wx[j] + alpha * (mz[j] * mw - m2 * wz[j]));
    }
  };

  ode::StochasticHeun stepper;
  const double dt = o.dt_s;
  const double sqrt_dt = std::sqrt(dt);
  const auto steps = static_cast<std::uint64_t>(std::ceil(o.t_max_s / dt - 1e-9));
  std::size_t remaining = n;
  std::uint64_t k = 0;
  for (; k < steps; ++k) {
    if ((k & 1023u) == 0) control.check();
    if (o.thermal) {
      normal_block(z.data(), 3 * n, noise_key,
                   StreamId{static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k >> 32), o.stream},
                   3 * static_cast<std::uint64_t>(first));
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t comp = 0; comp < 3; ++comp) dw[comp * n + j] = sqrt_dt * z[3 * j + comp];
    }
    std::copy(x.begin() + 2 * n, x.end(), mz_prev.begin());
    const double t = static_cast<double>(k) * dt;
    stepper.do_step(drift, diffusion, x, dw, t, dt);
    for (std::size_t j = 0; j < n; ++j) {
      const double inv = 1.0 / std::sqrt(x[j] * x[j] + x[n + j] * x[n + j] + x[2 * n + j] * x[2 * n + j]);
      x[j] *= inv;
      x[n + j] *= inv;
      x[2 * n + j] *= inv;
    }
    for (std::size_t j = 0; j < n; ++j) {
      if (switched[j] || x[2 * n + j] * sign0[j] >= 0.0) continue;
      const double m0 = mz_prev[j], m1 = x[2 * n + j];
      out.t_sw[j] = t + dt * m0 / (m0 - m1);
      switched[j] = 1;
      --remaining;
    }
    if (o.stop_when_switched && remaining == 0) {
      ++k;
      break;
    }
  }
  for (double v : x)
    if (!std::isfinite(v))
      throw NumericalError("s-LLGS produced a non-finite magnetisation (dt = " + std::to_string(dt) + " s)");
  for (std::size_t j = 0; j < n; ++j) {
    out.mx[j] = x[j];
    out.my[j] = x[n + j];
    out.mz[j] = x[2 * n + j];
  }
  return k * n;
}

}  // namespace

LlgResult simulate_llg(const Macrospin& m, double current_A, std::size_t trajectories, const LlgOptions& o,
                       std::uint64_t seed, const RunControl& control) {
  if (!(o.dt_s > 0.0) || !(o.t_max_s >= 0.0)) throw ConfigError("llg_dt_s", "time step and duration must be positive");
  if (!(m.alpha > 0.0) || !(m.h_k_A_per_m > 0.0) || !(m.ms_A_per_m > 0.0) || !(m.volume_m3 > 0.0) || !(m.eta > 0.0))
    throw ConfigError("mtj", "macrospin needs alpha, H_k, Ms, V and eta > 0");
  LlgResult r;
  r.switching_time_s.assign(trajectories, std::numeric_limits<double>::infinity());
  r.mx.assign(trajectories, 0.0);
  r.my.assign(trajectories, 0.0);
  r.mz.assign(trajectories, 0.0);
  const RngKey init_key(seed, rng_purpose("mtj.llg.initial"));
  const RngKey noise_key(seed, rng_purpose("mtj.llg.thermal"));
  const std::size_t block = std::max<std::size_t>(1, o.block);
  const std::size_t nblocks = (trajectories + block - 1) / block;
  std::vector<std::uint64_t> work(nblocks, 0);
  std::atomic<std::size_t> done{0};
  parallel_blocks(nblocks, 1, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      const std::size_t first = b * block, n = std::min(trajectories, first + block) - first;
      BlockOut out{r.switching_time_s.data() + first, r.mx.data() + first, r.my.data() + first, r.mz.data() + first};
      work[b] = integrate_block(m, current_A, first, n, o, init_key, noise_key, out, control);
      control.report(done += n, trajectories, "s-LLGS trajectories");
    }
  });
  for (auto w : work) r.trajectory_steps += w;
  return r;
}

}  // namespace xbarsim::mtj

// FeFET multi-domain Preisach model: state layout, device-to-device sampling, pulse
// kinetics (Merz law / VDST with equivalent-time accumulation), read-out and retention.
// See fefet_preisach.hpp for the physics and the state layout.
#include <algorithm>
#include <cmath>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/devices/fefet_preisach.hpp>

namespace xbarsim {
namespace {

// Coercive voltages are kept at least this far from 0 V so that the sign of vc_next is the
// domain state (a domain with Vc+ <= 0 would switch without any field). Only reached for
// sigma comparable to the mean, far outside the calibrated parameters.
constexpr float kVcFloor_V = 0.01f;
// The run counter saturates here, so it stays an exact integer in a float.
constexpr float kRunCap = 1 << 22;

// Standard normal quantile Phi^-1(p), P. J. Acklam's rational approximation (absolute
// error below 1e-8, far below float resolution; checked against Boost's erfc_inv, which is
// about 6x slower and dominated create_state).
double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  auto tail = [&](double q) {
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  };
  if (p < p_low) return tail(std::sqrt(-2.0 * std::log(p)));
  if (p > 1.0 - p_low) return -tail(std::sqrt(-2.0 * std::log1p(-p)));
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

double log_add_exp(double a, double b) {
  const double hi = std::max(a, b), lo = std::min(a, b);
  return hi + std::log1p(std::exp(lo - hi));
}

// Random stream of pulse p of one apply call: (tile, column, step, p) folded into Philox's
// three counter words; the row is the element index, so any row split gives the same numbers.
StreamId pulse_stream(std::uint32_t tile, std::size_t col, std::uint64_t step, std::size_t p) {
  return {tile ^ (static_cast<std::uint32_t>(p) << 16),
          static_cast<std::uint32_t>(col) ^ (static_cast<std::uint32_t>(step >> 32) << 20),
          static_cast<std::uint32_t>(step)};
}

bool is_faulty(float code) { return code != static_cast<float>(CellFault::None); }

// Adds `flips` domain flips (2 N flips = one full cycle) to a float cycle count. Once the
// count is large, one flip is below half an ulp and a plain sum would drop it (at N = 128
// from ~65k cycles on); the flips are kept in `pending` until the sum can take them.
inline void add_flips(float& cycles, float& pending, float flips, float two_n) {
  pending += flips;
  const float updated = cycles + pending / two_n;
  pending -= (updated - cycles) * two_n;  // what the float sum really absorbed
  cycles = updated;
}

}  // namespace

FefetPreisachModel::FefetPreisachModel(FefetPreisachParams p) : p_(std::move(p)) {
  ProblemList problems;
  FefetPreisachParams::table().validate_struct(p_, "device", problems);
  problems.throw_if_any();
  stratified_ = p_.domain_sampling == "stratified";
  progressive_ = p_.pulse_scheme == "progressive-amplitude";
  exponential_map_ = p_.conductance_mapping == "exponential";
  log_tref_over_tinf_ = std::log(p_.t_ref_s / p_.merz_t_inf_s);
  theta_ = p_.temperature_K / kReferenceTemperature_K;
  square_law_ = p_.merz_alpha == 2.0;
}

std::vector<StateField> FefetPreisachModel::layout() const {
  std::vector<StateField> f = {
      {"up_domains", "1", "number of domains polarised up (towards the channel, raising G)"},
      {"run_reach_V", "V", "effective voltage |V| h(t) reached by the current same-polarity pulse run"},
      {"run_pulses", "1", "pulses in the current run (+ potentiation, - depression); scheme-3 ladder index"},
      {"cycles", "1", "equivalent full switching cycles (sum of |switched-fraction changes| / 2)"},
      {"flips_pending", "1", "domain flips not yet added to cycles (keeps the float cycle count exact)"},
      {"fault", "1", "0 none, 1 stuck at G_max, 2 stuck at G_min"}};
  const int n = p_.domains;
  for (int k = 0; k < n; ++k)
    f.push_back({"vc_next_V_" + std::to_string(k), "V",
                 "coercive voltage (at t_ref_s) of domain " + std::to_string(k) +
                     "'s next switch: > 0 while the domain is down, < 0 while it is up"});
  for (int k = 0; k < n; ++k)
    f.push_back({"vc_other_V_" + std::to_string(k), "V",
                 "the other coercive voltage (at t_ref_s) of domain " + std::to_string(k)});
  return f;
}

DeviceState FefetPreisachModel::create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                             std::uint32_t tile_id) const {
  DeviceState state(rows, cols, layout(), seed, tile_id);
  const int n = p_.domains;
  const RngKey fault_key(seed, rng_purpose("fefet.fault"));
  const RngKey d2d_key(seed, rng_purpose("fefet.d2d"));
  const RngKey domain_key(seed, rng_purpose("fefet.domains"));
  const RngKey pairing_key(seed, rng_purpose("fefet.pairing"));
  std::vector<float> shift_up(rows), shift_down(rows), draw(rows), other(static_cast<std::size_t>(n));
  std::vector<float*> down_col(static_cast<std::size_t>(n));
  arma::fmat& fault = state.field(kFault);
  for (std::size_t j = 0; j < cols; ++j) {
    const auto col = static_cast<std::uint32_t>(j);
    for (std::size_t i = 0; i < rows; ++i)
      fault(i, j) = static_cast<float>(sample_fault(p_, fault_key, tile_id, static_cast<std::uint32_t>(i), col));
    // Device-to-device: one shift of the mean coercive voltages per cell.
    normal_block(shift_up.data(), rows, d2d_key, {tile_id, col, 0});
    normal_block(shift_down.data(), rows, d2d_key, {tile_id, col, 1});
    for (int k = 0; k < n; ++k) {
      for (int polarity = 0; polarity < 2; ++polarity) {
        const StreamId id{tile_id, col, (polarity == 0 ? 0u : 0x80000000u) | static_cast<std::uint32_t>(k)};
        const bool up = polarity == 0;
        const double mean = up ? p_.vc_up_mean_V : p_.vc_down_mean_V;
        const double sigma = up ? p_.vc_up_sigma_V : p_.vc_down_sigma_V;
        const std::vector<float>& shift = up ? shift_up : shift_down;
        if (stratified_)
          uniform_block(draw.data(), rows, domain_key, id);
        else
          normal_block(draw.data(), rows, domain_key, id);
        // Fresh cells are all down: vc_next holds Vc+ and vc_other holds Vc-.
        float* out = state.field(kFirstDomain + static_cast<std::size_t>(up ? k : n + k)).colptr(j);
        for (std::size_t i = 0; i < rows; ++i) {
          // Stratified: domain k lies in quantile stratum [k/n, (k+1)/n) of the Gaussian.
          const double z = stratified_ ? normal_quantile((k + static_cast<double>(draw[i])) / n) : draw[i];
          const double v = mean + p_.vc_d2d_sigma_V * shift[i] + sigma * z;
          out[i] = up ? std::max(static_cast<float>(v), kVcFloor_V) : std::min(static_cast<float>(v), -kVcFloor_V);
        }
      }
    }
    if (stratified_ && n > 1) {
      // Pair up- and down-strata at random per cell (Fisher-Yates), so Vc+ and Vc- of a
      // domain are independent as in a product Preisach density.
      for (int k = 0; k < n; ++k) down_col[k] = state.field(kFirstDomain + n + k).colptr(j);
      for (std::size_t i = 0; i < rows; ++i) {
        for (int k = 0; k < n; ++k) other[k] = down_col[k][i];
        CounterRng rng(pairing_key, tile_id, static_cast<std::uint32_t>(i), col);
        for (int k = n - 1; k > 0; --k) {
          const int m = std::min(k, static_cast<int>(rng.uniform() * (k + 1)));
          std::swap(other[k], other[m]);
        }
        for (int k = 0; k < n; ++k) down_col[k][i] = other[k];
      }
    }
  }
  return state;
}

FefetPreisachModel::Pulse FefetPreisachModel::scheme_pulse(int direction, double run_index) const {
  if (!progressive_) return direction > 0 ? Pulse{p_.v_set_V, p_.t_set_s} : Pulse{-p_.v_reset_V, p_.t_reset_s};
  const double k = std::min(run_index, static_cast<double>(p_.scheme_steps - 1));
  if (direction > 0) return {p_.v_set_init_V + k * p_.v_set_step_V, p_.t_set_s + k * p_.t_step_s};
  return {-(p_.v_reset_init_V + k * p_.v_reset_step_V), p_.t_reset_s + k * p_.t_step_s};
}

double FefetPreisachModel::reach_after(double reach_V, double v_abs_V, double width_s) const {
  if (!(v_abs_V > 0.0) || !(width_s > 0.0)) return reach_V;
  // x = ln(t_total / t_inf); the pulse alone gives ln(width / t_inf).
  double x = std::log(width_s / p_.merz_t_inf_s);
  if (p_.accumulate && reach_V > 0.0) {
    // Equivalent time at |V| that reaches the run's reach: ln(t_eq/t_inf) = (L/theta) (R/|V|)^alpha.
    const double ratio = reach_V / v_abs_V;
    const double log_teq =
        log_tref_over_tinf_ / theta_ * (square_law_ ? ratio * ratio : std::pow(ratio, p_.merz_alpha));
    if (!std::isfinite(log_teq)) return reach_V;
    x = log_add_exp(log_teq, x);
  }
  if (x <= 0.0) return reach_V;                             // shorter than t_inf: nothing nucleates
  const double h_alpha = theta_ * x / log_tref_over_tinf_;  // h(t)^alpha
  const double v_eff = v_abs_V * (square_law_ ? std::sqrt(h_alpha) : std::pow(h_alpha, 1.0 / p_.merz_alpha));
  return std::max(reach_V, v_eff);
}

template <class CountOf, class PulseOf>
void FefetPreisachModel::pulse_cells(DeviceState& state, CountOf count_of, PulseOf pulse_of, std::uint64_t step,
                                     RowRange rows) const {
  const std::size_t nb = rows.size();
  if (nb == 0) return;
  const std::size_t n = static_cast<std::size_t>(p_.domains);
  const RngKey c2c_key(state.seed(), rng_purpose("fefet.c2c"));
  std::vector<int> count(nb);
  std::vector<float> jitter(nb, 0.0f), reach_signed(nb), delta(nb);
  for (std::size_t j = 0; j < state.cols(); ++j) {
    float* up = state.field(kUpDomains).colptr(j);
    float* reach = state.field(kRunReach).colptr(j);
    float* run = state.field(kRunPulses).colptr(j);
    float* cycles = state.field(kCycles).colptr(j);
    float* pending = state.field(kFlipsPending).colptr(j);
    const float* fault = state.field(kFault).colptr(j);
    int pmax = 0;
    for (std::size_t ii = 0; ii < nb; ++ii) {
      const std::size_t i = rows.begin + ii;
      count[ii] = is_faulty(fault[i]) ? 0 : count_of(i, j);
      pmax = std::max(pmax, std::abs(count[ii]));
    }
    if (pmax == 0) continue;
    // 1) Advance each cell's run reach pulse by pulse (cheap, per cell).
    for (int p = 0; p < pmax; ++p) {
      if (p_.c2c_sigma_rel > 0.0)
        normal_block(jitter.data(), nb, c2c_key, pulse_stream(state.tile_id(), j, step, static_cast<std::size_t>(p)),
                     rows.begin);
      for (std::size_t ii = 0; ii < nb; ++ii) {
        if (std::abs(count[ii]) <= p) continue;
        const std::size_t i = rows.begin + ii;
        const int dir = count[ii] > 0 ? 1 : -1;
        if (p == 0 && run[i] * static_cast<float>(dir) <= 0.0f) {  // polarity reversal: a new run
          run[i] = 0.0f;
          reach[i] = 0.0f;
        }
        const float k = std::abs(run[i]);
        const Pulse pulse = pulse_of(dir, static_cast<double>(k));
        const double v = std::max(0.0, pulse.v_abs_V * (1.0 + p_.c2c_sigma_rel * jitter[ii]));
        reach[i] = static_cast<float>(reach_after(reach[i], v, pulse.width_s));
        run[i] = static_cast<float>(dir) * std::min(k + 1.0f, kRunCap);
      }
    }
    // 2) One sweep over the domains: within a run the reach only grows, so switching
    // against the final reach is the same as switching after every pulse.
    for (std::size_t ii = 0; ii < nb; ++ii) {
      const float r = reach[rows.begin + ii];
      reach_signed[ii] = count[ii] == 0 ? 0.0f : (count[ii] > 0 ? r : -r);
      delta[ii] = 0.0f;
    }
    for (std::size_t k = 0; k < n; ++k) {
      float* next = state.field(kFirstDomain + k).colptr(j) + rows.begin;
      float* other = state.field(kFirstDomain + n + k).colptr(j) + rows.begin;
      for (std::size_t ii = 0; ii < nb; ++ii) {
        // Branch-free so the loop vectorises: the domain switches when it points against
        // the run (same sign as the signed reach) and its coercive voltage is reached.
        const float r = reach_signed[ii], a = next[ii], b = other[ii];
        const bool flip = (a * r > 0.0f) & (std::abs(a) <= std::abs(r));
        next[ii] = flip ? b : a;
        other[ii] = flip ? a : b;
        delta[ii] += flip ? std::copysign(1.0f, a) : 0.0f;
      }
    }
    for (std::size_t ii = 0; ii < nb; ++ii) {
      up[rows.begin + ii] += delta[ii];
      if (delta[ii] != 0.0f)
        add_flips(cycles[rows.begin + ii], pending[rows.begin + ii], std::abs(delta[ii]), 2.0f * static_cast<float>(n));
    }
  }
}

void FefetPreisachModel::apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step,
                                      RowRange rows) const {
  if (counts.n_rows != state.rows() || counts.n_cols != state.cols())
    throw InternalError("fefet-preisach: pulse count matrix does not match the tile");
  pulse_cells(
      state, [&](std::size_t i, std::size_t j) { return static_cast<int>(counts(i, j)); },
      [this](int dir, double k) { return scheme_pulse(dir, k); }, step, rows);
}

void FefetPreisachModel::apply_voltage_pulse(DeviceState& state, double v_V, double width_s, std::uint64_t step,
                                             RowRange rows) const {
  const int dir = v_V > 0.0 ? 1 : (v_V < 0.0 ? -1 : 0);
  if (dir == 0) return;
  const Pulse pulse{std::abs(v_V), width_s};
  pulse_cells(
      state, [dir](std::size_t, std::size_t) { return dir; }, [pulse](int, double) { return pulse; }, step, rows);
}

ProgramReport FefetPreisachModel::program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                                          RowRange rows) const {
  // Finite levels: write_verify verifies against the nearest programmable level.
  return write_verify(*this, state, target_S, options, rows, p_.levels);
}

void FefetPreisachModel::read(const DeviceState& state, double /*v_read_V: linear channel*/, bool noisy,
                              std::uint64_t read_index, arma::fmat& out_S, RowRange rows) const {
  const double n = p_.domains, g_min = p_.g_min_S, g_max = p_.g_max_S;
  const bool add_noise = noisy && p_.read_noise_rel > 0.0;
  const RngKey noise_key(state.seed(), rng_purpose("fefet.read_noise"));
  std::vector<float> z(add_noise ? rows.size() : 0);
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const float* up = state.field(kUpDomains).colptr(j);
    const float* cycles = state.field(kCycles).colptr(j);
    const float* fault = state.field(kFault).colptr(j);
    if (add_noise)
      normal_block(z.data(), rows.size(), noise_key,
                   {state.tile_id() ^ (static_cast<std::uint32_t>(read_index >> 32) << 16),
                    static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(read_index)},
                   rows.begin);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      double s = up[i] / n;
      // Endurance (fatigue): pinned domains shrink the switchable contrast around s = 1/2.
      if (p_.endurance_cycles > 1.0) s = 0.5 + (s - 0.5) * endurance_window_factor(p_, cycles[i]);
      double g = exponential_map_ ? g_min * std::pow(g_max / g_min, s) : g_min + s * (g_max - g_min);
      const auto f = static_cast<CellFault>(static_cast<int>(fault[i]));
      if (f == CellFault::StuckOn) g = g_max;
      if (f == CellFault::StuckOff) g = g_min;
      if (add_noise) g = std::max(0.0, g * (1.0 + p_.read_noise_rel * z[i - rows.begin]));
      out_S(i, j) = static_cast<float>(g);
    }
  }
}

void FefetPreisachModel::relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const {
  // Retention: the depolarising voltage opposes each domain's polarisation for the time
  // since programming, so by Merz kinetics every domain whose reverse coercive voltage is
  // below V_eff = V_dep h(t1) back-switches. Switching is a threshold crossing, so
  // evaluating at t1 is exact for any split of [0, t1]. A domain whose both coercive
  // voltages are below V_eff cannot hold either state; it is left as it is rather than
  // flipped back and forth between calls.
  if (!(p_.depolarization_V > 0.0) || !(t1_s > t0_s)) return;
  const auto r = static_cast<float>(reach_after(0.0, p_.depolarization_V, t1_s));
  if (!(r > 0.0f)) return;
  const std::size_t n = static_cast<std::size_t>(p_.domains), nb = rows.size();
  std::vector<float> delta(nb);
  for (std::size_t j = 0; j < state.cols(); ++j) {
    float* up = state.field(kUpDomains).colptr(j);
    const float* fault = state.field(kFault).colptr(j);
    std::fill(delta.begin(), delta.end(), 0.0f);
    for (std::size_t k = 0; k < n; ++k) {
      float* next = state.field(kFirstDomain + k).colptr(j) + rows.begin;
      float* other = state.field(kFirstDomain + n + k).colptr(j) + rows.begin;
      for (std::size_t ii = 0; ii < nb; ++ii) {
        const float a = next[ii], b = other[ii];
        if (std::abs(a) <= r && std::abs(b) > r && !is_faulty(fault[rows.begin + ii])) {
          next[ii] = b;
          other[ii] = a;
          delta[ii] += a > 0.0f ? 1.0f : -1.0f;
        }
      }
    }
    for (std::size_t ii = 0; ii < nb; ++ii) up[rows.begin + ii] += delta[ii];
  }
}

void FefetPreisachModel::switched_fraction(const DeviceState& state, arma::fmat& out, RowRange rows) const {
  const float n = static_cast<float>(p_.domains);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) out(i, j) = state.field(kUpDomains)(i, j) / n;
}

void FefetPreisachModel::polarization(const DeviceState& state, arma::fmat& out_C_per_m2, RowRange rows) const {
  switched_fraction(state, out_C_per_m2, rows);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i)
      out_C_per_m2(i, j) = static_cast<float>(p_.remanent_polarization_C_per_m2 * (2.0 * out_C_per_m2(i, j) - 1.0));
}

}  // namespace xbarsim

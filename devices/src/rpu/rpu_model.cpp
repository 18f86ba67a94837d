// rpu-step model: state layout, device-to-device sampling, programming, read and the
// decay/diffusion relaxation (pulses are in rpu_pulse.cpp). Equations in rpu_step.hpp.
#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/rpu_step.hpp>

#include "rpu_internal.hpp"

namespace xbarsim {
using namespace rpu_detail;

namespace {
// Quantities of the d2d streams (StreamId.c); each has its own stream so adding one
// never changes the others.
enum D2dQuantity : std::uint32_t {
  kQBmax = 0,
  kQBmin,
  kQGain,
  kQUpDown,
  kQGammaUp,
  kQGammaDown,
  kQPowGain,
  kQPowUpDown,
  kQLifetime,
  kQDiffusion,
  kQReset,
};

// Fault codes of the "fault" field (CellFault plus aihwkit's corrupt devices).
constexpr float kFaultStuckOn = 1.0f;
constexpr float kFaultStuckOff = 2.0f;
constexpr float kFaultCorrupt = 3.0f;
}  // namespace

RpuStepModel::RpuStepModel(RpuStepParams p) : p_(std::move(p)), type_(rpu_step_type(p_.step)) {
  ProblemList problems;
  RpuStepParams::table().validate_struct(p_, "", problems);
  problems.throw_if_any();
  auto add = [this](int& index, std::string name, std::string description) {
    index = static_cast<int>(layout_.size());
    layout_.push_back({std::move(name), "1", std::move(description)});
  };
  add(f_.w, "w", "weight (aihwkit units) the updates act on");
  if (p_.write_noise_std > 0.0) add(f_.w_read, "w_read", "weight seen by reads: w plus write noise");
  add(f_.scale_up, "scale_up", "device step of a potentiation coincidence (weight units)");
  add(f_.scale_down, "scale_down", "device step of a depression coincidence (weight units)");
  add(f_.b_max, "w_max_bound", "device upper weight bound");
  add(f_.b_min, "w_min_bound", "device lower weight bound");
  if (type_ == RpuStepType::Linear) {
    add(f_.slope_up, "slope_up", "linear step: d(step_up)/dw");
    add(f_.slope_down, "slope_down", "linear step: d(step_down)/dw");
  }
  if (type_ == RpuStepType::Pow) {
    add(f_.gamma_up, "gamma_up", "pow step: device exponent of the up direction");
    add(f_.gamma_down, "gamma_down", "pow step: device exponent of the down direction");
  }
  if (p_.lifetime > 0.0) {
    // The rate 1/lifetime rather than aihwkit's factor 1 - 1/lifetime: a float factor
    // this close to 1 would keep only about 2 significant digits of the rate.
    add(f_.decay, "decay_rate", "fraction of (w - reset_bias) lost per update cycle, 1/lifetime");
    add(f_.reset, "reset_bias", "weight the decay relaxes to");
  }
  if (p_.diffusion > 0.0) add(f_.diffusion, "diffusion_rate", "sigma of the random walk per update cycle");
  if (p_.stuck_on_fraction > 0.0 || p_.stuck_off_fraction > 0.0 || p_.corrupt_devices_prob > 0.0)
    add(f_.fault, "fault", "0 working, 1 stuck at w_max, 2 stuck at w_min, 3 corrupt (aihwkit)");
  for (double v : p_.piecewise_up()) pw_up_.push_back(static_cast<float>(v));
  for (double v : p_.piecewise_down()) pw_down_.push_back(static_cast<float>(v));
}

std::vector<StateField> RpuStepModel::layout() const { return layout_; }

int RpuStepModel::field_index(std::string_view name) const {
  for (std::size_t i = 0; i < layout_.size(); ++i)
    if (layout_[i].name == name) return static_cast<int>(i);
  return -1;
}

double RpuStepModel::conductance_S(double w) const {
  return p_.g_min_S + (w - p_.w_min) / (p_.w_max - p_.w_min) * (p_.g_max_S - p_.g_min_S);
}

double RpuStepModel::weight_of(double g_S) const {
  return p_.w_min + (g_S - p_.g_min_S) / (p_.g_max_S - p_.g_min_S) * (p_.w_max - p_.w_min);
}

DeviceState RpuStepModel::create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                                       std::uint32_t tile_id) const {
  DeviceState state(rows, cols, layout_, seed, tile_id);
  sample_devices(state);
  return state;
}

// aihwkit PulsedRPUDevice::populate (and the LinearStep / PowStep additions), one
// column at a time with one normal stream per quantity.
void RpuStepModel::sample_devices(DeviceState& state) const {
  const std::size_t rows = state.rows();
  const std::uint32_t tile = state.tile_id();
  const RngKey key(state.seed(), kPurposeD2d);
  const RngKey fault_key(state.seed(), kPurposeFault);
  const RngKey corrupt_key(state.seed(), kPurposeCorrupt);
  const double up_bias = p_.up_down > 0.0 ? 0.0 : p_.up_down;
  const double down_bias = p_.up_down > 0.0 ? -p_.up_down : 0.0;
  const double pow_up_bias = p_.pow_up_down > 0.0 ? 0.0 : p_.pow_up_down;
  const double pow_down_bias = p_.pow_up_down > 0.0 ? -p_.pow_up_down : 0.0;
  std::vector<float> xi(rows * 11), u(2 * rows);
  auto draw = [&](std::size_t col, D2dQuantity q) {
    float* out = xi.data() + q * rows;
    normal_block(out, rows, key, {tile, static_cast<std::uint32_t>(col), q});
    return out;
  };
  float* w = state.field(f_.w).memptr();
  float* su = state.field(f_.scale_up).memptr();
  float* sd = state.field(f_.scale_down).memptr();
  float* bx = state.field(f_.b_max).memptr();
  float* bn = state.field(f_.b_min).memptr();
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const float* x_bmax = draw(j, kQBmax);
    const float* x_bmin = draw(j, kQBmin);
    const float* x_gain = draw(j, kQGain);
    const float* x_ud = draw(j, kQUpDown);
    const bool corrupt = p_.corrupt_devices_prob > 0.0;
    if (corrupt) {
      uniform_block(u.data(), rows, corrupt_key, {tile, static_cast<std::uint32_t>(j), 0});
      uniform_block(u.data() + rows, rows, corrupt_key, {tile, static_cast<std::uint32_t>(j), 1});
    }
    for (std::size_t i = 0; i < rows; ++i) {
      const std::size_t c = j * rows + i;
      double b_max = p_.w_max * (1.0 + p_.w_max_dtod * x_bmax[i]);
      double b_min = p_.w_min * (1.0 + p_.w_min_dtod * x_bmin[i]);
      const double gain =
          p_.dw_min_dtod_log_normal ? std::exp(p_.dw_min_dtod * x_gain[i]) : 1.0 + p_.dw_min_dtod * x_gain[i];
      const double r = p_.up_down_dtod * x_ud[i];
      double s_up = (up_bias + gain + r) * p_.dw_min;
      double s_down = (down_bias + gain - r) * p_.dw_min;
      if (p_.enforce_consistency) {
        s_up = std::abs(s_up);
        s_down = std::abs(s_down);
        if (b_min > b_max) std::swap(b_min, b_max);
        b_max = std::abs(b_max);
        b_min = -std::abs(b_min);
      } else if (b_min > b_max) {
        b_max = b_min = b_max + (b_min - b_max) / 2.0;  // aihwkit "turns off" such a device
      }
      float fault = 0.0f;
      const CellFault stuck =
          sample_fault(p_, fault_key, tile, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
      if (stuck != CellFault::None) {
        b_max = b_min = stuck == CellFault::StuckOn ? p_.w_max : p_.w_min;
        s_up = s_down = 0.0;
        fault = stuck == CellFault::StuckOn ? kFaultStuckOn : kFaultStuckOff;
      } else if (corrupt && p_.corrupt_devices_prob > u[i]) {
        // aihwkit: stuck somewhere in [b_min, b_max] within +-corrupt_devices_range.
        const double mn = std::max(std::min(b_max, b_min), -std::abs(p_.corrupt_devices_range));
        const double mx = std::min(std::max(b_max, b_min), std::abs(p_.corrupt_devices_range));
        b_max = b_min = mn + (mx - mn) * u[rows + i];
        s_up = s_down = 0.0;
        fault = kFaultCorrupt;
      }
      su[c] = static_cast<float>(s_up);
      sd[c] = static_cast<float>(s_down);
      bx[c] = static_cast<float>(b_max);
      bn[c] = static_cast<float>(b_min);
      w[c] = static_cast<float>(b_min);
      if (f_.fault >= 0) state.field(f_.fault)[c] = fault;
    }
    if (f_.slope_up >= 0) {
      // aihwkit LinearStepRPUDevice::populate.
      const float* x_gu = draw(j, kQGammaUp);
      const float* x_gd = draw(j, kQGammaDown);
      float* slu = state.field(f_.slope_up).memptr() + j * rows;
      float* sld = state.field(f_.slope_down).memptr() + j * rows;
      for (std::size_t i = 0; i < rows; ++i) {
        const std::size_t c = j * rows + i;
        double d_up = p_.gamma_up + p_.gamma_up_dtod * x_gu[i];
        double d_down = p_.gamma_down + p_.gamma_down_dtod * x_gd[i];
        if (!p_.allow_increasing) {
          d_up = std::abs(d_up);
          d_down = std::abs(d_down);
        }
        const double ref_up = p_.mean_bound_reference ? p_.w_max : bx[c];
        const double ref_down = p_.mean_bound_reference ? p_.w_min : bn[c];
        slu[i] = ref_up != 0.0 ? static_cast<float>(-d_up * su[c] / ref_up) : 0.0f;
        sld[i] = ref_down != 0.0 ? static_cast<float>(-d_down * sd[c] / ref_down) : 0.0f;
      }
    }
    if (f_.gamma_up >= 0) {
      // aihwkit PowStepRPUDevice::populate.
      const float* x_g = draw(j, kQPowGain);
      const float* x_r = draw(j, kQPowUpDown);
      float* gu = state.field(f_.gamma_up).memptr() + j * rows;
      float* gd = state.field(f_.gamma_down).memptr() + j * rows;
      for (std::size_t i = 0; i < rows; ++i) {
        const double gain = 1.0 + p_.pow_gamma_dtod * x_g[i];
        const double r = p_.pow_up_down_dtod * x_r[i];
        double g_up = (pow_up_bias + gain + r) * p_.pow_gamma;
        double g_down = (pow_down_bias + gain - r) * p_.pow_gamma;
        if (p_.enforce_consistency) {
          g_up = std::abs(g_up);
          g_down = std::abs(g_down);
        }
        gu[i] = static_cast<float>(g_up);
        gd[i] = static_cast<float>(g_down);
      }
    }
    if (f_.decay >= 0) {
      const float* x_l = draw(j, kQLifetime);
      const float* x_b = draw(j, kQReset);
      float* rate = state.field(f_.decay).memptr() + j * rows;
      float* b = state.field(f_.reset).memptr() + j * rows;
      for (std::size_t i = 0; i < rows; ++i) {
        const double t = p_.lifetime * (1.0 + p_.lifetime_dtod * x_l[i]);
        rate[i] = t > 1.0 ? static_cast<float>(1.0 / t) : 1.0f;  // aihwkit: factor 0 for lifetimes <= 1
        b[i] = static_cast<float>(p_.reset + p_.reset_dtod * x_b[i]);
      }
    }
    if (f_.diffusion >= 0) {
      const float* x_d = draw(j, kQDiffusion);
      float* rho = state.field(f_.diffusion).memptr() + j * rows;
      for (std::size_t i = 0; i < rows; ++i)
        rho[i] = static_cast<float>(std::abs(p_.diffusion * (1.0 + p_.diffusion_dtod * x_d[i])));
    }
  }
  if (f_.w_read >= 0) state.field(f_.w_read) = state.field(f_.w);  // a fresh device was never written
}

ProgramReport RpuStepModel::program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                                    RowRange rows) const {
  ProgramReport report;
  const std::size_t R = state.rows();
  float* w = state.field(f_.w).memptr();
  const float* bx = state.field(f_.b_max).memptr();
  const float* bn = state.field(f_.b_min).memptr();
  const bool noisy = f_.w_read >= 0 && p_.apply_write_noise_on_set;
  const float sigma = static_cast<float>(p_.write_noise_std * p_.dw_min);
  const RngKey key = step_key(state.seed(), kPurposeSetNoise, state.pulse_step);
  const double tol = options.tolerance_rel * (p_.g_max_S - p_.g_min_S);
  std::vector<float> xi(noisy ? rows.size() : 0);
  for (std::size_t j = 0; j < state.cols(); ++j) {
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const std::size_t c = j * R + i;
      const double g = quantize_to_levels(target_S(i, j), p_.g_min_S, p_.g_max_S, p_.levels);
      w[c] = std::clamp(static_cast<float>(weight_of(g)), bn[c], bx[c]);
    }
    if (f_.w_read >= 0) {
      float* wr = state.field(f_.w_read).memptr() + j * R;
      if (noisy)
        normal_block(xi.data(), rows.size(), key, step_stream(state.tile_id(), j, state.pulse_step), rows.begin);
      for (std::size_t i = rows.begin; i < rows.end; ++i)
        wr[i] = w[j * R + i] + (noisy ? sigma * xi[i - rows.begin] : 0.0f);
    }
    const float* wr = f_.w_read >= 0 ? state.field(f_.w_read).memptr() : w;
    for (std::size_t i = rows.begin; i < rows.end; ++i)
      report.unconverged += std::abs(conductance_S(wr[j * R + i]) - target_S(i, j)) > tol;
  }
  return report;
}

void RpuStepModel::read(const DeviceState& state, double /*v_read_V: ohmic*/, bool /*noisy: no device read noise*/,
                        std::uint64_t /*read_index*/, arma::fmat& out_S, RowRange rows) const {
  const std::size_t R = state.rows();
  const float* w = state.field(f_.w_read >= 0 ? f_.w_read : f_.w).memptr();
  const float g0 = static_cast<float>(p_.g_min_S);
  const float w0 = static_cast<float>(p_.w_min);
  const float slope = static_cast<float>((p_.g_max_S - p_.g_min_S) / (p_.w_max - p_.w_min));
  for (std::size_t j = 0; j < state.cols(); ++j) {
    float* out = out_S.colptr(j);
    for (std::size_t i = rows.begin; i < rows.end; ++i) out[i] = std::max(0.0f, g0 + (w[j * R + i] - w0) * slope);
  }
}

void RpuStepModel::relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const {
  const bool decay = f_.decay >= 0, diffuse = f_.diffusion >= 0;
  if (!(decay || diffuse) || !(t1_s > t0_s)) return;  // no time dependence configured
  const double n = (t1_s - t0_s) / p_.update_cycle_s;
  const std::size_t R = state.rows(), m = rows.size();
  // Streams keyed by the interval and the pulse clock, so each relax draws afresh.
  const std::uint64_t h = derive_seed(std::bit_cast<std::uint64_t>(t1_s),
                                      std::bit_cast<std::uint64_t>(t0_s) ^ (state.pulse_step * 0x9e3779b97f4a7c15ull));
  const std::uint32_t c = static_cast<std::uint32_t>(h ^ (h >> 32));
  const RngKey key(state.seed(), kPurposeDiffusion), wn_key(state.seed(), kPurposeRelaxNoise);
  const float sigma_w = static_cast<float>(p_.write_noise_std * p_.dw_min);
  std::vector<float> xi(diffuse ? m : 0), wn(f_.w_read >= 0 ? m : 0);
  float* w = state.field(f_.w).memptr();
  const float* bx = state.field(f_.b_max).memptr();
  const float* bn = state.field(f_.b_min).memptr();
  for (std::size_t j = 0; j < state.cols(); ++j) {
    const StreamId id{state.tile_id(), static_cast<std::uint32_t>(j), c};
    if (diffuse) normal_block(xi.data(), m, key, id, rows.begin);
    if (f_.w_read >= 0) normal_block(wn.data(), m, wn_key, id, rows.begin);
    for (std::size_t i = rows.begin; i < rows.end; ++i) {
      const std::size_t k = j * R + i;
      double x = w[k];
      double s2n_term = n;  // sum of s^(2k), k < n; n when there is no decay
      if (decay) {
        // s = 1 - rate; s^n = exp(n ln(1 - rate)) and 1 - s^2n = -expm1(2 n ln(1 - rate)) in
        // double, accurate for long lifetimes too.
        const double rate = state.field(f_.decay)[k], b = state.field(f_.reset)[k];
        const double ln_s = std::log1p(-rate);
        x = (x - b) * std::exp(n * ln_s) + b;
        s2n_term = -std::expm1(2.0 * n * ln_s) / (rate * (2.0 - rate));  // (1 - s^2n)/(1 - s^2)
      }
      if (diffuse) x += state.field(f_.diffusion)[k] * std::sqrt(s2n_term) * xi[i - rows.begin];
      w[k] = std::clamp(static_cast<float>(x), bn[k], bx[k]);
      if (f_.w_read >= 0) state.field(f_.w_read)[k] = w[k] + sigma_w * wn[i - rows.begin];
    }
  }
}

}  // namespace xbarsim

// Optimisers with torch.optim's update rules (see optimizer.hpp). Each loop follows
// PyTorch 1.13's _single_tensor_<name> function line by line.
#include <algorithm>
#include <cmath>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/optimizer.hpp>

namespace xbarsim {
namespace {

void require_nonneg(double v, const char* key) {
  if (!(v >= 0.0)) throw ConfigError(std::string("optimizer.") + key, "expected >= 0, got " + std::to_string(v));
}

// Weight decay as PyTorch adds it (grad + wd * value), only for decayed params.
float decay_of(const Param& p, double weight_decay) { return p.decay ? static_cast<float>(weight_decay) : 0.0f; }

void check_shapes(const Param& p) {
  if (p.grad.size() != p.value.size())
    throw InternalError("optimizer: parameter " + p.name + " has a gradient of a different size");
}

// State vectors are sized on first use; a Param that changed size is a bug.
void ensure(std::vector<float>& v, std::size_t n, float init, const Param& p) {
  if (v.empty() && n != 0) v.assign(n, init);
  if (v.size() != n) throw InternalError("optimizer: parameter " + p.name + " changed size between steps");
}

}  // namespace

Sgd::Sgd(double momentum, double dampening, bool nesterov, double weight_decay)
    : momentum_(momentum), dampening_(dampening), weight_decay_(weight_decay), nesterov_(nesterov) {
  require_nonneg(momentum, "momentum");
  require_nonneg(dampening, "dampening");
  require_nonneg(weight_decay, "weight_decay");
  if (nesterov && (momentum <= 0.0 || dampening != 0.0))
    throw ConfigError("optimizer.nesterov", "Nesterov momentum requires a momentum > 0 and zero dampening");
}

void Sgd::step(const std::vector<Param*>& params, double lr) {
  const float m = static_cast<float>(momentum_), damp = 1.0f - static_cast<float>(dampening_);
  const float flr = static_cast<float>(lr);
  for (Param* p : params) {
    check_shapes(*p);
    const std::size_t n = p->value.size();
    float* w = p->value.data();
    const float* g = p->grad.data();
    const float wd = decay_of(*p, weight_decay_);
    if (momentum_ == 0.0) {
      for (std::size_t i = 0; i < n; ++i) w[i] -= flr * (g[i] + wd * w[i]);
      continue;
    }
    auto [it, first] = buf_.try_emplace(p);
    std::vector<float>& b = it->second;
    if (first) b.resize(n);
    if (b.size() != n) throw InternalError("optimizer: parameter " + p->name + " changed size between steps");
    for (std::size_t i = 0; i < n; ++i) {
      const float d = g[i] + wd * w[i];
      // The first step copies the gradient into the buffer (no dampening), as PyTorch.
      b[i] = first ? d : m * b[i] + damp * d;
      const float upd = nesterov_ ? d + m * b[i] : b[i];
      w[i] -= flr * upd;
    }
  }
}

Adagrad::Adagrad(double lr_decay, double weight_decay, double initial_accumulator_value, double eps)
    : lr_decay_(lr_decay), weight_decay_(weight_decay), initial_(initial_accumulator_value), eps_(eps) {
  require_nonneg(lr_decay, "lr_decay");
  require_nonneg(weight_decay, "weight_decay");
  require_nonneg(initial_accumulator_value, "initial_accumulator_value");
  require_nonneg(eps, "eps");
}

void Adagrad::step(const std::vector<Param*>& params, double lr) {
  const float eps = static_cast<float>(eps_);
  for (Param* p : params) {
    check_shapes(*p);
    const std::size_t n = p->value.size();
    State& s = state_[p];
    ensure(s.sum, n, static_cast<float>(initial_), *p);
    ++s.step;
    const float clr = static_cast<float>(lr / (1.0 + static_cast<double>(s.step - 1) * lr_decay_));
    const float wd = decay_of(*p, weight_decay_);
    float* w = p->value.data();
    const float* g = p->grad.data();
    for (std::size_t i = 0; i < n; ++i) {
      const float d = g[i] + wd * w[i];
      s.sum[i] += d * d;
      w[i] -= clr * d / (std::sqrt(s.sum[i]) + eps);
    }
  }
}

RmsProp::RmsProp(double alpha, double eps, double weight_decay, double momentum, bool centered)
    : alpha_(alpha), eps_(eps), weight_decay_(weight_decay), momentum_(momentum), centered_(centered) {
  require_nonneg(alpha, "alpha");
  require_nonneg(eps, "eps");
  require_nonneg(weight_decay, "weight_decay");
  require_nonneg(momentum, "momentum");
}

void RmsProp::step(const std::vector<Param*>& params, double lr) {
  const float a = static_cast<float>(alpha_), eps = static_cast<float>(eps_), m = static_cast<float>(momentum_);
  const float flr = static_cast<float>(lr);
  for (Param* p : params) {
    check_shapes(*p);
    const std::size_t n = p->value.size();
    State& s = state_[p];
    ensure(s.square_avg, n, 0.0f, *p);
    if (centered_) ensure(s.grad_avg, n, 0.0f, *p);
    if (momentum_ > 0.0) ensure(s.buf, n, 0.0f, *p);
    const float wd = decay_of(*p, weight_decay_);
    float* w = p->value.data();
    const float* g = p->grad.data();
    for (std::size_t i = 0; i < n; ++i) {
      const float d = g[i] + wd * w[i];
      s.square_avg[i] = a * s.square_avg[i] + (1.0f - a) * d * d;
      float avg;
      if (centered_) {
        s.grad_avg[i] = a * s.grad_avg[i] + (1.0f - a) * d;
        avg = std::sqrt(s.square_avg[i] - s.grad_avg[i] * s.grad_avg[i]) + eps;
      } else {
        avg = std::sqrt(s.square_avg[i]) + eps;
      }
      if (momentum_ > 0.0) {
        s.buf[i] = m * s.buf[i] + d / avg;
        w[i] -= flr * s.buf[i];
      } else {
        w[i] -= flr * d / avg;
      }
    }
  }
}

Adam::Adam(double beta1, double beta2, double eps, double weight_decay)
    : beta1_(beta1), beta2_(beta2), eps_(eps), weight_decay_(weight_decay) {
  if (!(beta1 >= 0.0 && beta1 < 1.0))
    throw ConfigError("optimizer.beta1", "expected in [0, 1), got " + std::to_string(beta1));
  if (!(beta2 >= 0.0 && beta2 < 1.0))
    throw ConfigError("optimizer.beta2", "expected in [0, 1), got " + std::to_string(beta2));
  require_nonneg(eps, "eps");
  require_nonneg(weight_decay, "weight_decay");
}

void Adam::step(const std::vector<Param*>& params, double lr) {
  const float b1 = static_cast<float>(beta1_), b2 = static_cast<float>(beta2_), eps = static_cast<float>(eps_);
  for (Param* p : params) {
    check_shapes(*p);
    const std::size_t n = p->value.size();
    State& s = state_[p];
    ensure(s.m, n, 0.0f, *p);
    ensure(s.v, n, 0.0f, *p);
    ++s.step;
    const double t = static_cast<double>(s.step);
    const double bc1 = 1.0 - std::pow(beta1_, t), bc2 = 1.0 - std::pow(beta2_, t);
    const float step_size = static_cast<float>(lr / bc1);
    const float bc2_sqrt = static_cast<float>(std::sqrt(bc2));
    const float wd = decay_of(*p, weight_decay_);
    float* w = p->value.data();
    const float* g = p->grad.data();
    for (std::size_t i = 0; i < n; ++i) {
      const float d = g[i] + wd * w[i];
      s.m[i] = b1 * s.m[i] + (1.0f - b1) * d;  // exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)
      s.v[i] = b2 * s.v[i] + (1.0f - b2) * d * d;
      const float denom = std::sqrt(s.v[i]) / bc2_sqrt + eps;
      w[i] -= step_size * s.m[i] / denom;
    }
  }
}

// ---------------------------------------------------------------- checkpoint state

namespace {

std::string key(std::size_t index, const char* name) {
  std::string k(1, 'p');  // built by appending: GCC 12 warns falsely on "p" + std::string (bug 105329)
  k += std::to_string(index);
  k += '.';
  k += name;
  return k;
}

/// Copies a buffer into the state if it exists (non-empty).
void put(OptimizerState& st, std::size_t index, const char* name, const std::vector<float>& v) {
  if (!v.empty()) st.buffers[key(index, name)] = v;
}

/// Checks that every key of `st` is "p<k>.<one of names>" with k < params.size() and
/// buffers sized like their parameter.
void check_keys(const std::vector<Param*>& params, const OptimizerState& st, std::vector<std::string> buffers,
                std::vector<std::string> counters) {
  auto parse = [&](const std::string& k, const std::vector<std::string>& names) -> std::size_t {
    const std::size_t dot = k.find('.');
    if (k.size() < 3 || k[0] != 'p' || dot == std::string::npos) throw ConfigError("optimizer." + k, "unknown state");
    const std::size_t idx = std::stoul(k.substr(1, dot - 1));
    const std::string name = k.substr(dot + 1);
    if (idx >= params.size() || std::find(names.begin(), names.end(), name) == names.end())
      throw ConfigError("optimizer." + k, "unknown state for these parameters");
    return idx;
  };
  for (const auto& [k, v] : st.buffers) {
    const std::size_t idx = parse(k, buffers);
    if (v.size() != params[idx]->value.size())
      throw ConfigError("optimizer." + k, "has " + std::to_string(v.size()) + " values for a parameter of " +
                                              std::to_string(params[idx]->value.size()));
  }
  for (const auto& [k, v] : st.counters) (void)parse(k, counters);
}

const std::vector<float>* find(const OptimizerState& st, std::size_t index, const char* name) {
  const auto it = st.buffers.find(key(index, name));
  return it == st.buffers.end() ? nullptr : &it->second;
}

}  // namespace

OptimizerState Sgd::state(const std::vector<Param*>& params) const {
  OptimizerState st;
  for (std::size_t k = 0; k < params.size(); ++k)
    if (const auto it = buf_.find(params[k]); it != buf_.end()) put(st, k, "momentum_buffer", it->second);
  return st;
}

void Sgd::set_state(const std::vector<Param*>& params, const OptimizerState& st) {
  check_keys(params, st, {"momentum_buffer"}, {});
  buf_.clear();
  for (std::size_t k = 0; k < params.size(); ++k)
    if (const auto* v = find(st, k, "momentum_buffer")) buf_[params[k]] = *v;
}

OptimizerState Adagrad::state(const std::vector<Param*>& params) const {
  OptimizerState st;
  for (std::size_t k = 0; k < params.size(); ++k)
    if (const auto it = state_.find(params[k]); it != state_.end()) {
      put(st, k, "sum", it->second.sum);
      st.counters[key(k, "step")] = it->second.step;
    }
  return st;
}

void Adagrad::set_state(const std::vector<Param*>& params, const OptimizerState& st) {
  check_keys(params, st, {"sum"}, {"step"});
  state_.clear();
  for (std::size_t k = 0; k < params.size(); ++k) {
    const auto c = st.counters.find(key(k, "step"));
    if (c == st.counters.end()) continue;
    State& s = state_[params[k]];
    s.step = c->second;
    if (const auto* v = find(st, k, "sum")) s.sum = *v;
  }
}

OptimizerState RmsProp::state(const std::vector<Param*>& params) const {
  OptimizerState st;
  for (std::size_t k = 0; k < params.size(); ++k)
    if (const auto it = state_.find(params[k]); it != state_.end()) {
      put(st, k, "square_avg", it->second.square_avg);
      put(st, k, "grad_avg", it->second.grad_avg);
      put(st, k, "momentum_buffer", it->second.buf);
    }
  return st;
}

void RmsProp::set_state(const std::vector<Param*>& params, const OptimizerState& st) {
  check_keys(params, st, {"square_avg", "grad_avg", "momentum_buffer"}, {});
  state_.clear();
  for (std::size_t k = 0; k < params.size(); ++k) {
    const auto* sq = find(st, k, "square_avg");
    if (!sq) continue;
    State& s = state_[params[k]];
    s.square_avg = *sq;
    if (const auto* g = find(st, k, "grad_avg")) s.grad_avg = *g;
    if (const auto* b = find(st, k, "momentum_buffer")) s.buf = *b;
  }
}

OptimizerState Adam::state(const std::vector<Param*>& params) const {
  OptimizerState st;
  for (std::size_t k = 0; k < params.size(); ++k)
    if (const auto it = state_.find(params[k]); it != state_.end()) {
      put(st, k, "exp_avg", it->second.m);
      put(st, k, "exp_avg_sq", it->second.v);
      st.counters[key(k, "step")] = it->second.step;
    }
  return st;
}

void Adam::set_state(const std::vector<Param*>& params, const OptimizerState& st) {
  check_keys(params, st, {"exp_avg", "exp_avg_sq"}, {"step"});
  state_.clear();
  for (std::size_t k = 0; k < params.size(); ++k) {
    const auto c = st.counters.find(key(k, "step"));
    if (c == st.counters.end()) continue;
    State& s = state_[params[k]];
    s.step = c->second;
    if (const auto* m = find(st, k, "exp_avg")) s.m = *m;
    if (const auto* v = find(st, k, "exp_avg_sq")) s.v = *v;
  }
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& c) {
  auto eps_or = [&](double def) { return c.eps < 0.0 ? def : c.eps; };
  if (c.kind == "sgd") return std::make_unique<Sgd>(c.momentum, c.dampening, c.nesterov, c.weight_decay);
  if (c.kind == "adagrad") return std::make_unique<Adagrad>(0.0, c.weight_decay, 0.0, eps_or(1e-10));
  if (c.kind == "rmsprop")
    return std::make_unique<RmsProp>(c.alpha, eps_or(1e-8), c.weight_decay, c.momentum, c.centered);
  if (c.kind == "adam") return std::make_unique<Adam>(c.beta1, c.beta2, eps_or(1e-8), c.weight_decay);
  throw ConfigError("optimizer.kind", "expected sgd, adagrad, rmsprop or adam, got \"" + std::string(c.kind) + "\"");
}

}  // namespace xbarsim

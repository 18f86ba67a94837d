// Hardware-aware training backend (see hwa_backend.hpp).
#include <cmath>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/mapping/hwa_backend.hpp>

namespace xbarsim {

const ParamTable<HwaParams>& HwaParams::table() {
  static const ParamTable<HwaParams> t = [] {
    ParamTable<HwaParams> tab;
    tab.choice("modifier", &HwaParams::modifier, {"none", "add-normal", "mult-normal", "discretize"},
               "weight modifier applied during training",
               "aihwkit WeightModifierParameter types ADD_NORMAL, MULT_NORMAL, DISCRETIZE (aihwkit.md 1.8)");
    tab.real("std_dev", &HwaParams::std_dev, "1", Range::non_negative(), "relative noise of the normal modifiers",
             "aihwkit StandardHWATrainingPreset-like noise level (assumption: 2% of w_max)");
    tab.real("res", &HwaParams::res, "1", Range{0.0, 1.0, true, false}, "discretize grid step as a fraction of w_max",
             "aihwkit WeightModifierParameter res (7-bit style grid, 1/127)");
    return tab;
  }();
  return t;
}

HwaBackend::HwaBackend(HwaParams params) : p_(std::move(params)) {
  ProblemList problems;
  HwaParams::table().validate_struct(p_, "hwa", problems);
  problems.throw_if_any();
}

void HwaBackend::set_pass(std::uint32_t pass) {
  first_pass_ = pass;
  passes_.clear();
}

arma::fmat HwaBackend::perturb(const MatVecId& id, const arma::fmat& W) {
  const auto key = std::make_pair(id.layer, id.group);
  const std::uint32_t pass = passes_.try_emplace(key, first_pass_).first->second++;
  if (p_.modifier == "none") return W;
  const float w_max = W.is_empty() ? 0.0f : arma::abs(W).max();
  arma::fmat out = W;
  if (p_.modifier == "discretize") {
    const float step = static_cast<float>(p_.res) * w_max;
    if (step > 0.0f) out.transform([step](float w) { return std::round(w / step) * step; });
    return out;
  }
  std::vector<float> z(W.n_elem);
  normal_block(z.data(), z.size(), RngKey(p_.seed, rng_purpose("mapping.hwa")),
               StreamId{static_cast<std::uint32_t>(id.layer), static_cast<std::uint32_t>(id.group), pass});
  const float s = static_cast<float>(p_.std_dev);
  for (arma::uword e = 0; e < out.n_elem; ++e)
    out[e] = p_.modifier == "add-normal" ? out[e] + s * w_max * z[e] : out[e] * (1.0f + s * z[e]);
  return out;
}

void HwaBackend::forward(const MatVecId& id, const arma::fmat& W, const arma::fmat& X, arma::fmat& Y) {
  arma::fmat& Wp = last_[{id.layer, id.group}];
  Wp = perturb(id, W);
  Y = Wp * X;
}

void HwaBackend::backward(const MatVecId& id, const arma::fmat& W, const arma::fmat& dY, arma::fmat& dX) {
  const auto it = last_.find({id.layer, id.group});
  // The perturbed weights of this mini-batch's forward; W itself if there was none.
  dX = (it != last_.end() && it->second.n_rows == W.n_rows && it->second.n_cols == W.n_cols ? it->second : W).t() * dY;
}

const arma::fmat& HwaBackend::last_weights(const MatVecId& id) const {
  const auto it = last_.find({id.layer, id.group});
  if (it == last_.end()) throw ConfigError(id.name, "has not run a forward on this backend");
  return it->second;
}

}  // namespace xbarsim

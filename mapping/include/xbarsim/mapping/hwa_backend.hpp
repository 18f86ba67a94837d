#pragma once
// Hardware-aware training (aihwkit's WeightModifierParameter, aihwkit.md 1.8): during
// digital training every forward and backward product uses a perturbed copy of W, so the
// network learns weights that tolerate the analog chip's noise; the optimiser updates the
// clean weights. One perturbed copy per weight matrix per forward pass, reused by its
// backward pass (as aihwkit applies the modifier once per mini-batch).
//
// Modifiers, with w_max = max |W| of the matrix (aihwkit rel_to_actual_wmax):
//   "add-normal":  W + std_dev w_max xi
//   "mult-normal": W (1 + std_dev xi)
//   "discretize":  W rounded to a grid of res w_max (res = 1 / (2^bits - 1) style, aihwkit DISCRETIZE)
//   "none":        W
// xi ~ N(0, 1) keyed by (seed, "mapping.hwa"), StreamId{layer, group, pass}, element.
// In inference (the network's LayerContext.training = false) use a DigitalBackend or
// the AnalogBackend instead: this backend always perturbs.
#include <cstdint>
#include <map>
#include <string>
#include <xbarsim/core/params.hpp>
#include <xbarsim/nn/matvec_backend.hpp>

namespace xbarsim {

struct HwaParams {
  std::string modifier = "add-normal";  // "none" | "add-normal" | "mult-normal" | "discretize"
  double std_dev = 0.02;                // relative noise of add-normal / mult-normal
  double res = 1.0 / 127.0;             // grid step of discretize, fraction of w_max
  std::uint64_t seed = 1;
  static const ParamTable<HwaParams>& table();
};

class HwaBackend final : public MatVecBackend {
 public:
  /// ConfigError naming the key for invalid parameters.
  explicit HwaBackend(HwaParams params);
  void forward(const MatVecId& id, const arma::fmat& W, const arma::fmat& X, arma::fmat& Y) override;
  void backward(const MatVecId& id, const arma::fmat& W, const arma::fmat& dY, arma::fmat& dX) override;
  /// The next forward of every weight matrix draws the noise of pass `pass` (then pass + 1,
  /// ...): a training loop sets its global step so a resumed run repeats the noise.
  void set_pass(std::uint32_t pass);
  /// The perturbed copy the last forward of `id` used (tests).
  const arma::fmat& last_weights(const MatVecId& id) const;

 private:
  arma::fmat perturb(const MatVecId& id, const arma::fmat& W);
  HwaParams p_;
  std::uint32_t first_pass_ = 0;  // pass of a matrix's first forward after set_pass
  std::map<std::pair<std::size_t, std::size_t>, std::uint32_t> passes_;
  std::map<std::pair<std::size_t, std::size_t>, arma::fmat> last_;
};

}  // namespace xbarsim

#pragma once
// Optimisers and learning-rate schedules with PyTorch's torch.optim semantics (1.13,
// single-tensor path), so a few steps on the same network match PyTorch's weights.
//
// Conventions:
//  * step(params, lr) updates every Param from its accumulated gradient; it does not
//    zero the gradients (call Network::zero_grad() before each backward, as with
//    PyTorch's optimizer.zero_grad()).
//  * Weight decay is PyTorch's: L2, added to the gradient before anything else
//    (g = grad + weight_decay * value), and applied only to Params with decay = true
//    (the equivalent of a second parameter group with weight_decay = 0).
//  * State (momentum buffers, running averages, step counts) is kept per Param, keyed by
//    its address, created on the first step that sees it; reset() forgets it.
//  * Element arithmetic is in float like PyTorch's float32 tensors; scalar factors
//    (bias corrections, step sizes) in double.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include <xbarsim/nn/layer.hpp>

namespace xbarsim {

/// An optimiser's state for checkpoints: buffers and step counters keyed
/// "p<index>.<name>", index = position in the params list given to state()/set_state().
/// Only state that exists is listed (PyTorch distinguishes "no momentum buffer yet").
struct OptimizerState {
  std::map<std::string, std::vector<float>> buffers;
  std::map<std::string, std::uint64_t> counters;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::string_view name() const = 0;
  /// One update of every parameter with learning rate lr.
  virtual void step(const std::vector<Param*>& params, double lr) = 0;
  /// Forgets all state (momentum, averages, step counts).
  virtual void reset() = 0;
  /// The state of `params` (checkpoints), and its restoration into the same params:
  /// after set_state(params, state(params)) steps continue exactly. set_state replaces
  /// all state; ConfigError naming the key for a buffer of the wrong size or an unknown key.
  virtual OptimizerState state(const std::vector<Param*>& params) const = 0;
  virtual void set_state(const std::vector<Param*>& params, const OptimizerState& st) = 0;
};

/// torch.optim.SGD(momentum, dampening, weight_decay, nesterov).
class Sgd final : public Optimizer {
 public:
  /// ConfigError for negative values, or nesterov without momentum or with dampening
  /// (PyTorch's own checks).
  explicit Sgd(double momentum = 0.0, double dampening = 0.0, bool nesterov = false, double weight_decay = 0.0);
  std::string_view name() const override { return "sgd"; }
  void step(const std::vector<Param*>& params, double lr) override;
  void reset() override { buf_.clear(); }
  OptimizerState state(const std::vector<Param*>& params) const override;
  void set_state(const std::vector<Param*>& params, const OptimizerState& st) override;

 private:
  double momentum_, dampening_, weight_decay_;
  bool nesterov_;
  std::unordered_map<const Param*, std::vector<float>> buf_;  // momentum buffers
};

/// torch.optim.Adagrad(lr_decay, weight_decay, initial_accumulator_value, eps = 1e-10).
class Adagrad final : public Optimizer {
 public:
  explicit Adagrad(double lr_decay = 0.0, double weight_decay = 0.0, double initial_accumulator_value = 0.0,
                   double eps = 1e-10);
  std::string_view name() const override { return "adagrad"; }
  void step(const std::vector<Param*>& params, double lr) override;
  void reset() override { state_.clear(); }
  OptimizerState state(const std::vector<Param*>& params) const override;
  void set_state(const std::vector<Param*>& params, const OptimizerState& st) override;

 private:
  struct State {
    std::uint64_t step = 0;
    std::vector<float> sum;
  };
  double lr_decay_, weight_decay_, initial_, eps_;
  std::unordered_map<const Param*, State> state_;
};

/// torch.optim.RMSprop(alpha = 0.99, eps = 1e-8, weight_decay, momentum, centered).
class RmsProp final : public Optimizer {
 public:
  explicit RmsProp(double alpha = 0.99, double eps = 1e-8, double weight_decay = 0.0, double momentum = 0.0,
                   bool centered = false);
  std::string_view name() const override { return "rmsprop"; }
  void step(const std::vector<Param*>& params, double lr) override;
  void reset() override { state_.clear(); }
  OptimizerState state(const std::vector<Param*>& params) const override;
  void set_state(const std::vector<Param*>& params, const OptimizerState& st) override;

 private:
  struct State {
    std::vector<float> square_avg, grad_avg, buf;
  };
  double alpha_, eps_, weight_decay_, momentum_;
  bool centered_;
  std::unordered_map<const Param*, State> state_;
};

/// torch.optim.Adam(betas = (0.9, 0.999), eps = 1e-8, weight_decay), with bias
/// correction (amsgrad not supported).
class Adam final : public Optimizer {
 public:
  explicit Adam(double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0.0);
  std::string_view name() const override { return "adam"; }
  void step(const std::vector<Param*>& params, double lr) override;
  void reset() override { state_.clear(); }
  OptimizerState state(const std::vector<Param*>& params) const override;
  void set_state(const std::vector<Param*>& params, const OptimizerState& st) override;

 private:
  struct State {
    std::uint64_t step = 0;
    std::vector<float> m, v;
  };
  double beta1_, beta2_, eps_, weight_decay_;
  std::unordered_map<const Param*, State> state_;
};

/// Optimiser chosen by name (for configs and the CLI).
struct OptimizerConfig {
  std::string kind = "sgd";  // "sgd", "adagrad", "rmsprop", "adam"
  double momentum = 0.0, dampening = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
  double alpha = 0.99;                // RMSProp
  double beta1 = 0.9, beta2 = 0.999;  // Adam
  double eps = -1.0;                  // < 0: the optimiser's PyTorch default
  bool centered = false;              // RMSProp
};
/// ConfigError ("optimizer.kind") for an unknown kind.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config);

// ---------------------------------------------------------------- schedules

enum class ScheduleKind { Constant, Step, Exponential, Cosine };

/// Learning rate as a function of the epoch (0-based), PyTorch's closed forms:
///  Constant     lr = base_lr
///  Step         lr = base_lr * gamma^floor(epoch / step_size)          (StepLR)
///  Exponential  lr = base_lr * gamma^epoch                             (ExponentialLR)
///  Cosine       lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / t_max)) / 2
///                                                                      (CosineAnnealingLR)
struct LrSchedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double base_lr = 0.01;
  std::size_t step_size = 1;  // Step
  double gamma = 0.1;         // Step, Exponential
  std::size_t t_max = 1;      // Cosine
  double eta_min = 0.0;       // Cosine

  /// ConfigError naming the field for a non-positive base_lr, step_size or t_max, or a
  /// negative gamma or eta_min.
  void validate() const;
  double lr(std::size_t epoch) const;
};

}  // namespace xbarsim

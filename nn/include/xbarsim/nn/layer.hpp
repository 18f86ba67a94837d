#pragma once
// Layers of the NN engine. A layer maps one or more input tensors (NCHW) to one output,
// computes its backward pass given the output gradient, and owns its parameters with
// their gradients. Layers are nodes of a Network (network.hpp); the network stores the
// activations, so forward/backward receive the inputs and output they need.
//
// Conventions shared by every layer:
//  * output_shape() validates the input shapes and throws ConfigError naming the layer
//    ("<name>: expected ..."), so a network is checked before anything runs.
//  * forward() may cache what backward() needs (e.g. max-pool argmax, dropout mask,
//    batch-norm statistics); backward() is called after the forward() of the same batch.
//  * backward() ACCUMULATES (+=) into parameter gradients (the optimiser zeroes them) and
//    WRITES (=) the input gradients din[k] (null entries need no gradient).
//  * Random numbers (dropout, RReLU) come from core/random.hpp keyed by
//    (ctx.seed, rng_purpose(...)) and (layer index, ctx.step), never a global engine.
//  * cost() gives multiply-accumulates and parameter counts per sample for the model
//    summary and the digital reference paths.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <xbarsim/nn/matvec_backend.hpp>
#include <xbarsim/nn/tensor.hpp>

namespace xbarsim {

/// A learnable parameter and its gradient (same shape). PyTorch layouts: Dense weight
/// out x in (n = out, c = in), Conv2D weight Cout x Cin/groups x kh x kw, bias n = size.
struct Param {
  std::string name;  // "weight", "bias", "gamma", ...
  Tensor value;
  Tensor grad;
  bool decay = true;  // subject to weight decay (false for biases and norm scales)
};

/// Per-call state of forward/backward.
struct LayerContext {
  bool training = false;
  MatVecBackend* backend = nullptr;  // never null when a network calls a layer
  std::uint64_t seed = 0;            // keys dropout / RReLU randomness
  std::uint64_t step = 0;            // batch counter, ditto
  std::size_t layer_index = 0;       // this layer's index in the network
};

/// Work of one sample through a layer.
struct LayerCost {
  std::uint64_t macs = 0;       // multiply-accumulates (weighted layers: the GEMM's)
  std::uint64_t params = 0;     // learnable parameters
  std::uint64_t other_ops = 0;  // comparisons, adds, activations (for digital references)
};

class Layer {
 public:
  explicit Layer(std::string name) : name_(std::move(name)) {}
  virtual ~Layer() = default;

  const std::string& name() const { return name_; }
  /// ONNX-style operator name: "Conv", "Gemm", "MaxPool", "Relu", ...
  virtual std::string_view type() const = 0;
  /// Number of inputs the layer takes (Add and Concat take several).
  virtual std::size_t arity() const { return 1; }

  virtual Shape output_shape(const std::vector<Shape>& inputs) const = 0;
  virtual void forward(const std::vector<const Tensor*>& inputs, Tensor& output, const LayerContext& ctx) = 0;
  virtual void backward(const std::vector<const Tensor*>& inputs, const Tensor& output, const Tensor& d_output,
                        const std::vector<Tensor*>& d_inputs, const LayerContext& ctx) = 0;

  virtual std::vector<Param*> params() { return {}; }
  virtual LayerCost cost(const std::vector<Shape>& inputs) const;

 private:
  std::string name_;
};

}  // namespace xbarsim

#pragma once
// A network is a directed acyclic graph of layers with one input and one output. Node 0
// is the input ("input"); every added layer is a node fed by earlier nodes (by name), so
// residual Add and Concat are ordinary nodes. Nodes run in insertion order, which is a
// topological order by construction.
//
// The network owns the activations of the last forward pass and the gradients of the
// last backward pass; a node whose output feeds several consumers sums their gradients.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <xbarsim/nn/layer.hpp>

namespace xbarsim {

/// One row of a model summary.
struct LayerSummary {
  std::string name, type;
  Shape output;  // for batch 1
  LayerCost cost;
};

struct NetworkSummary {
  std::vector<LayerSummary> layers;
  std::uint64_t total_params = 0, total_macs = 0;
};

class Network {
 public:
  /// `input` is the shape of one sample (n is ignored).
  explicit Network(Shape input);
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  ~Network();

  /// Adds `layer` fed by the named nodes (empty: the last added node). Names must be
  /// unique; ConfigError for an unknown input name, a duplicate name or wrong arity.
  /// Returns the node index.
  std::size_t add(std::unique_ptr<Layer> layer, std::vector<std::string> inputs = {});

  std::size_t num_nodes() const;  // input + layers
  Layer& layer(std::size_t node);
  const Layer& layer(std::size_t node) const;
  const std::vector<std::size_t>& inputs_of(std::size_t node) const;
  std::size_t node(const std::string& name) const;  // ConfigError if absent
  Shape input_shape() const;

  /// Output shapes of every node for a batch of n (node 0 = input); ConfigError naming
  /// the first layer whose inputs do not fit.
  std::vector<Shape> shapes(std::size_t n) const;
  Shape output_shape(std::size_t n) const { return shapes(n).back(); }

  /// Runs x (n x C x H x W matching the input shape) through every layer.
  const Tensor& forward(const Tensor& x, const LayerContext& ctx);
  /// Back-propagates d_output (shape of the last output) after forward(); accumulates
  /// parameter gradients.
  void backward(const Tensor& d_output, const LayerContext& ctx);
  /// Activation of a node from the last forward pass.
  const Tensor& activation(std::size_t node) const;
  /// Gradient of the loss w.r.t. a node's output from the last backward pass (empty for
  /// nodes nothing flowed back to); in-situ training reads the weighted layers' ones.
  const Tensor& gradient(std::size_t node) const;

  std::vector<Param*> params();
  void zero_grad();
  std::uint64_t num_params();
  NetworkSummary summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim

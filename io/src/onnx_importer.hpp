#pragma once
// Internal state of the ONNX importer (see onnx_import.hpp for what is supported).
// onnx_import.cpp handles the file, the graph, values and assembly; onnx_ops.cpp has one
// handler per operator. Internal to the io module.
//
// The importer walks the nodes in file order (ONNX requires a topological order) and
// tracks every value as either an activation (a node of the network under construction,
// with its ONNX rank and per-sample dims) or a constant (initializer or Constant node).
// Weighted nodes take constants as their parameters; shape checks use the layers' own
// output_shape() so the importer and the network agree, and any ConfigError they raise is
// re-labelled with the ONNX node and op type. Nodes that do not feed the graph output are
// skipped, so exporters' dead shape arithmetic needs no support.
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/network.hpp>

#include "onnx_proto.hpp"

namespace xbarsim::onnx_detail {

constexpr std::int64_t kMinOpset = 11, kMaxOpset = 17;

/// A value produced by a layer (or the network input). `shape` has n = 1; `rank` is the
/// ONNX rank including the batch axis (2: N x K, 3: N x C x H, 4: N x C x H x W).
struct Activation {
  std::string node;  // network node name ("input" for the graph input)
  Shape shape;
  int rank = 4;
};

struct Value {
  std::optional<Activation> act;
  std::optional<ConstTensor> constant;
};

/// One layer of the network under construction.
struct Pending {
  std::unique_ptr<Layer> layer;
  std::vector<std::string> inputs;  // network node names
  Shape shape;                      // output shape, n = 1
  std::string label;                // ONNX node label, for messages
};

/// "[a, b, c]" for messages.
std::string dims_str(const std::vector<std::int64_t>& d);
/// Per-sample ONNX dims of an activation (rank - 1 of them).
std::vector<std::int64_t> sample_dims(const Activation& a);
/// "[N, c, h, w]" (as many dims as the rank) for messages.
std::string act_str(const Activation& a);
/// True if constant dims `cd` broadcast (numpy rules, right-aligned) against an
/// activation of rank `rank` so that only the channel axis (axis 1) may differ from 1.
bool per_channel_broadcast(const std::vector<std::int64_t>& cd, int rank, std::int64_t channels);

class Importer {
 public:
  explicit Importer(std::filesystem::path path) : path_(std::move(path)), file_(path_.string()) {}

  Network run() {
    parse();
    const auto& g = model_.graph();
    check_opset();
    count_uses();
    declare_input();
    for (int i = 0; i < g.node_size(); ++i)
      if (live_[i]) import_node(g.node(i), static_cast<std::size_t>(i));
    return assemble();
  }

 private:
  // ------------------------------------------------------------------ file and graph

  void parse();
  void check_opset();

  /// Marks the nodes the graph output depends on (exporters leave dead shape arithmetic
  /// behind, which need not be supported) and counts the consumers of every value.
  void count_uses();
  void declare_input();

  // ------------------------------------------------------------------ value access

  const Value& value(const std::string& name) const;
  const Activation& act_input(const onnx::NodeProto& n, int k) const;

  /// Constant input k, or nullopt if the optional input is absent.
  std::optional<ConstTensor> const_input(const onnx::NodeProto& n, int k, bool required) const;
  void check_inputs(const onnx::NodeProto& n, int min, int max) const;

  /// Only output 0 is supported: extra outputs (MaxPool indices, Dropout mask,
  /// BatchNormalization running statistics) must be unused.
  void check_outputs(const onnx::NodeProto& n) const;
  void require_rank(const Activation& a, int rank, const std::string& what) const;

  // ------------------------------------------------------------------ emitting layers

  std::string layer_name(const onnx::NodeProto& n, std::size_t index);

  /// Adds `layer` fed by `inputs`, validates its shape and binds ONNX output 0 to it.
  void emit(const onnx::NodeProto& n, std::unique_ptr<Layer> layer, const std::vector<Activation>& inputs,
            int out_rank);
  void alias(const onnx::NodeProto& n, const Value& v) { values_[n.output(0)] = v; }

  // ------------------------------------------------------------------ dispatch

  void import_node(const onnx::NodeProto& n, std::size_t index);

  // ------------------------------------------------------------------ spatial attributes

  struct Window {
    std::size_t kh, kw, sh = 1, sw = 1, dh = 1, dw = 1;
    std::size_t top = 0, left = 0, bottom = 0, right = 0;
  };

  /// kernel_shape / strides / dilations / pads / auto_pad of Conv and the pools. The
  /// SAME_* rule is ONNX's: output = ceil(in / stride), the total padding split evenly
  /// with the odd pixel at the end (UPPER) or the beginning (LOWER).
  Window window(const Attributes& at, std::size_t kh, std::size_t kw, const Shape& in) const;

  // ------------------------------------------------------------------ operators

  void conv(const onnx::NodeProto& n, const std::string& name);
  void gemm(const onnx::NodeProto& n, const std::string& name);
  void matmul(const onnx::NodeProto& n, const std::string& name);

  void emit_dense(const onnx::NodeProto& n, const std::string& name, const Activation& x, std::size_t K, std::size_t M,
                  const std::vector<double>& w, const std::vector<double>* bias);
  void add(const onnx::NodeProto& n, const std::string& name);

  /// activation + constant: the constant becomes (part of) the bias of the Conv or Dense
  /// that produced the activation, which must have no other consumer.
  void fold_bias(const onnx::NodeProto& n, const std::string& act_name, const Activation& x, const ConstTensor& c);
  void mul(const onnx::NodeProto& n, const std::string& name);
  void activation(const onnx::NodeProto& n, const std::string& name);
  void prelu(const onnx::NodeProto& n, const std::string& name);
  void softmax(const onnx::NodeProto& n, const std::string& name);
  void pool(const onnx::NodeProto& n, const std::string& name);
  void global_avg_pool(const onnx::NodeProto& n, const std::string& name);
  void flatten(const onnx::NodeProto& n, const std::string& name);
  void reshape(const onnx::NodeProto& n, const std::string& name);
  void batchnorm(const onnx::NodeProto& n, const std::string& name);
  void concat(const onnx::NodeProto& n, const std::string& name);
  void pad(const onnx::NodeProto& n, const std::string& name);
  void constant(const onnx::NodeProto& n, const std::string&);
  void dropout(const onnx::NodeProto& n, const std::string& name);
  void identity(const onnx::NodeProto& n, const std::string&);
  void lrn(const onnx::NodeProto& n, const std::string& name);

  // ------------------------------------------------------------------ helpers

  /// Constructs a layer, re-labelling its ConfigError with the ONNX node.
  template <typename L, typename... Args>
  std::unique_ptr<L> make_layer(Args&&... args) {
    try {
      return std::make_unique<L>(std::forward<Args>(args)...);
    } catch (const ConfigError& e) {
      std::string what;
      for (const auto& p : e.problems()) what += (what.empty() ? "" : "; ") + p.what;
      throw ConfigError(where_, what);
    }
  }

  void copy_into(Tensor& t, const std::vector<double>& v) const;
  static void add_into(Tensor& bias, const ConstTensor& c);
  Network assemble();
  std::filesystem::path path_;
  std::string file_;
  onnx::ModelProto model_;
  std::int64_t opset_ = 0;
  std::optional<std::int64_t> static_batch_;
  Shape input_shape_;
  std::string output_name_;
  std::unordered_map<std::string, Value> values_;
  std::unordered_map<std::string, int> uses_;
  std::unordered_map<std::string, std::size_t> node_index_;  // network node name -> pending_
  std::set<std::string> used_names_{"input"};
  std::vector<Pending> pending_;
  std::vector<bool> live_;  // per ONNX node: feeds the graph output
  std::string where_;
};

}  // namespace xbarsim::onnx_detail

// ONNX model -> xbarsim Network: file, graph, values and assembly (see
// onnx_importer.hpp; the operator handlers are in onnx_ops.cpp).
#include <algorithm>
#include <fstream>
#include <iterator>
#include <xbarsim/io/onnx_import.hpp>

#include "onnx_importer.hpp"

namespace xbarsim {
namespace onnx_detail {

std::string dims_str(const std::vector<std::int64_t>& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

/// Per-sample ONNX dims of an activation (rank - 1 of them).
std::vector<std::int64_t> sample_dims(const Activation& a) {
  const std::int64_t all[3] = {static_cast<std::int64_t>(a.shape.c), static_cast<std::int64_t>(a.shape.h),
                               static_cast<std::int64_t>(a.shape.w)};
  return std::vector<std::int64_t>(all, all + (a.rank - 1));
}

std::string act_str(const Activation& a) {
  std::vector<std::int64_t> d = sample_dims(a);
  std::string s = "[N";
  for (auto v : d) s += ", " + std::to_string(v);
  return s + "]";
}

/// True if constant dims `cd` broadcast (numpy rules, right-aligned) against an
/// activation of rank `rank` so that only the channel axis (axis 1) may differ from 1.
bool per_channel_broadcast(const std::vector<std::int64_t>& cd, int rank, std::int64_t channels) {
  if (static_cast<int>(cd.size()) > rank) return false;
  for (std::size_t i = 0; i < cd.size(); ++i) {
    const int axis = rank - static_cast<int>(cd.size()) + static_cast<int>(i);
    if (cd[i] == 1) continue;
    if (axis != 1 || cd[i] != channels) return false;
  }
  return true;
}

void Importer::parse() {
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw IoError(file_, "cannot open the ONNX file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError(file_, "read error");
  if (!model_.ParseFromString(bytes))
    throw IoError(file_,
                  "not a valid ONNX protobuf (truncated or corrupt, " + std::to_string(bytes.size()) + " bytes)");
  // An empty or foreign file can parse as an empty message: require the essentials.
  if (!model_.has_graph() || model_.graph().node_size() == 0)
    throw IoError(file_, "not an ONNX model: no graph with nodes");
  if (model_.ir_version() <= 0) throw IoError(file_, "not an ONNX model: missing ir_version");
}

void Importer::check_opset() {
  std::optional<std::int64_t> version;
  for (const auto& op : model_.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") version = op.version();
  if (!version) throw ConfigError(file_, "the model imports no default-domain opset");
  opset_ = *version;
  if (opset_ < kMinOpset || opset_ > kMaxOpset)
    throw ConfigError(file_, "opset " + std::to_string(opset_) + " is not supported (expected " +
                                 std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) + ")");
}

void Importer::count_uses() {
  const auto& g = model_.graph();
  if (g.output_size() != 1)
    throw ConfigError(file_, "expected one graph output, found " + std::to_string(g.output_size()));
  output_name_ = g.output(0).name();
  std::set<std::string> needed{output_name_};
  live_.assign(g.node_size(), false);
  for (int i = g.node_size() - 1; i >= 0; --i) {
    const auto& n = g.node(i);
    if (std::none_of(n.output().begin(), n.output().end(), [&](const std::string& o) { return needed.count(o) > 0; }))
      continue;
    live_[i] = true;
    for (const auto& in : n.input()) needed.insert(in);
  }
  for (int i = 0; i < g.node_size(); ++i)
    if (live_[i])
      for (const auto& in : g.node(i).input()) ++uses_[in];
  ++uses_[output_name_];
}

void Importer::declare_input() {
  const auto& g = model_.graph();
  std::set<std::string> inits;
  for (const auto& t : g.initializer()) {
    inits.insert(t.name());
    values_[t.name()].constant = onnx_detail::decode_tensor(t, file_ + ": initializer");
  }
  const onnx::ValueInfoProto* input = nullptr;
  for (const auto& vi : g.input()) {
    if (inits.count(vi.name())) continue;  // older exporters list initializers as inputs
    if (input)
      throw ConfigError(file_, "expected one graph input, found \"" + input->name() + "\" and \"" + vi.name() + "\"");
    input = &vi;
  }
  if (!input) throw ConfigError(file_, "the graph has no input");
  const std::string where = file_ + ": input \"" + input->name() + "\"";
  if (!input->type().has_tensor_type()) throw ConfigError(where, "expected a tensor input");
  const auto& tt = input->type().tensor_type();
  if (tt.elem_type() != onnx::TensorProto::FLOAT)
    throw ConfigError(where, "expected float32 elements, got element type " + std::to_string(tt.elem_type()));
  const auto& dims = tt.shape().dim();
  if (!tt.has_shape() || (dims.size() != 2 && dims.size() != 4))
    throw ConfigError(where, "expected a rank-2 (N x K) or rank-4 (N x C x H x W) input");
  std::vector<std::size_t> d;
  for (int i = 1; i < dims.size(); ++i) {
    if (!dims[i].has_dim_value() || dims[i].dim_value() <= 0)
      throw ConfigError(where, "dimension " + std::to_string(i) + " must be a fixed positive size");
    d.push_back(static_cast<std::size_t>(dims[i].dim_value()));
  }
  if (dims[0].has_dim_value()) static_batch_ = dims[0].dim_value();
  Activation a;
  a.node = "input";
  a.rank = dims.size();
  a.shape = Shape{1, d[0], d.size() > 1 ? d[1] : 1, d.size() > 2 ? d[2] : 1};
  input_shape_ = a.shape;
  values_[input->name()].act = a;
}

const Value& Importer::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw ConfigError(where_, "input \"" + name + "\" is not produced by any earlier node, initializer or input");
  return it->second;
}

const Activation& Importer::act_input(const onnx::NodeProto& n, int k) const {
  if (k >= n.input_size() || n.input(k).empty()) throw ConfigError(where_, "missing input " + std::to_string(k));
  const Value& v = value(n.input(k));
  if (!v.act)
    throw ConfigError(where_,
                      "input " + std::to_string(k) + " (\"" + n.input(k) + "\") is a constant; expected an activation");
  return *v.act;
}

std::optional<ConstTensor> Importer::const_input(const onnx::NodeProto& n, int k, bool required) const {
  if (k >= n.input_size() || n.input(k).empty()) {
    if (required) throw ConfigError(where_, "missing input " + std::to_string(k));
    return std::nullopt;
  }
  const Value& v = value(n.input(k));
  if (!v.constant)
    throw ConfigError(where_, "input " + std::to_string(k) + " (\"" + n.input(k) +
                                  "\") must be a constant (initializer or Constant node)");
  return v.constant;
}

void Importer::check_inputs(const onnx::NodeProto& n, int min, int max) const {
  if (n.input_size() < min || n.input_size() > max)
    throw ConfigError(where_, "expected " + std::to_string(min) + (min == max ? "" : " to " + std::to_string(max)) +
                                  " inputs, got " + std::to_string(n.input_size()));
}

void Importer::check_outputs(const onnx::NodeProto& n) const {
  if (n.output_size() < 1 || n.output(0).empty()) throw ConfigError(where_, "expected an output");
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty() && uses_.count(n.output(k)))
      throw ConfigError(
          where_, "output " + std::to_string(k) + " (\"" + n.output(k) + "\") is used; only output 0 is supported");
}

void Importer::require_rank(const Activation& a, int rank, const std::string& what) const {
  if (a.rank != rank)
    throw ConfigError(where_, what + " expects a rank-" + std::to_string(rank) + " input, got " + act_str(a));
}

std::string Importer::layer_name(const onnx::NodeProto& n, std::size_t index) {
  std::string name = n.name();
  if (name.empty() || name == "input" || used_names_.count(name)) name = n.op_type() + "_" + std::to_string(index);
  while (used_names_.count(name)) name += "_";
  used_names_.insert(name);
  return name;
}

void Importer::emit(const onnx::NodeProto& n, std::unique_ptr<Layer> layer, const std::vector<Activation>& inputs,
                    int out_rank) {
  std::vector<Shape> in_shapes;
  std::vector<std::string> in_names;
  for (const auto& a : inputs) {
    in_shapes.push_back(a.shape);
    in_names.push_back(a.node);
  }
  Shape out;
  try {
    out = layer->output_shape(in_shapes);
  } catch (const ConfigError& e) {
    std::string what;
    for (const auto& p : e.problems()) what += (what.empty() ? "" : "; ") + p.what;
    throw ConfigError(where_, "inconsistent shapes: " + what);
  }
  Activation a;
  a.node = layer->name();
  a.shape = out;
  a.rank = out_rank;
  pending_.push_back(Pending{std::move(layer), std::move(in_names), out, where_});
  node_index_[a.node] = pending_.size() - 1;
  values_[n.output(0)].act = a;
}

void Importer::import_node(const onnx::NodeProto& n, std::size_t index) {
  where_ = file_ + ": " + onnx_detail::node_label(n, index);
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    throw ConfigError(where_, "operator domain \"" + n.domain() + "\" is not supported");
  using Handler = void (Importer::*)(const onnx::NodeProto&, const std::string&);
  static const std::map<std::string, Handler> handlers = {
      {"Conv", &Importer::conv},
      {"Gemm", &Importer::gemm},
      {"MatMul", &Importer::matmul},
      {"Add", &Importer::add},
      {"Mul", &Importer::mul},
      {"Relu", &Importer::activation},
      {"LeakyRelu", &Importer::activation},
      {"Elu", &Importer::activation},
      {"Sigmoid", &Importer::activation},
      {"Tanh", &Importer::activation},
      {"PRelu", &Importer::prelu},
      {"Softmax", &Importer::softmax},
      {"MaxPool", &Importer::pool},
      {"AveragePool", &Importer::pool},
      {"GlobalAveragePool", &Importer::global_avg_pool},
      {"Flatten", &Importer::flatten},
      {"Reshape", &Importer::reshape},
      {"BatchNormalization", &Importer::batchnorm},
      {"Concat", &Importer::concat},
      {"Pad", &Importer::pad},
      {"Constant", &Importer::constant},
      {"Dropout", &Importer::dropout},
      {"Identity", &Importer::identity},
      {"LRN", &Importer::lrn},
  };
  auto it = handlers.find(n.op_type());
  if (it == handlers.end())
    throw ConfigError(where_, "operator \"" + n.op_type() + "\" is not supported by the ONNX importer");
  check_outputs(n);
  (this->*(it->second))(n, layer_name(n, index));
}

void Importer::copy_into(Tensor& t, const std::vector<double>& v) const {
  if (t.size() != v.size())
    throw InternalError("onnx import: parameter of " + std::to_string(t.size()) + " values given " +
                        std::to_string(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) t[i] = static_cast<float>(v[i]);
}

void Importer::add_into(Tensor& bias, const ConstTensor& c) {
  for (std::size_t i = 0; i < bias.size(); ++i) bias[i] += static_cast<float>(c.values[c.size() == 1 ? 0 : i]);
}

Network Importer::assemble() {
  where_ = file_;
  const auto it = values_.find(output_name_);
  if (it == values_.end() || !it->second.act)
    throw ConfigError(file_, "the graph output \"" + output_name_ + "\" is not an activation computed by the graph");
  const Activation out = *it->second.act;
  if (out.node == "input") throw ConfigError(file_, "the graph output is its input: the model has no layers");
  // Keep the ancestors of the output (file order is topological, so the output's
  // producer comes last among them).
  std::vector<bool> keep(pending_.size(), false);
  std::vector<std::size_t> stack{node_index_.at(out.node)};
  while (!stack.empty()) {
    const std::size_t k = stack.back();
    stack.pop_back();
    if (keep[k]) continue;
    keep[k] = true;
    for (const auto& in : pending_[k].inputs)
      if (in != "input") stack.push_back(node_index_.at(in));
  }
  Network net(input_shape_);
  for (std::size_t k = 0; k < pending_.size(); ++k)
    if (keep[k]) net.add(std::move(pending_[k].layer), pending_[k].inputs);
  return net;
}

}  // namespace onnx_detail

Network load_onnx(const std::filesystem::path& path) { return onnx_detail::Importer(path).run(); }

}  // namespace xbarsim

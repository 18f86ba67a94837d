// ONNX operator handlers of the importer, one per supported op type, with ONNX's
// attribute defaults (see onnx_importer.hpp).
#include <algorithm>

#include "onnx_importer.hpp"

namespace xbarsim::onnx_detail {

Importer::Window Importer::window(const Attributes& at, std::size_t kh, std::size_t kw, const Shape& in) const {
  Window w{kh, kw};
  auto pair = [&](const std::string& name, std::vector<std::int64_t> def) {
    auto v = at.get_ints(name, def);
    if (v.size() != def.size())
      throw ConfigError(where_, name + " must have " + std::to_string(def.size()) + " values, got " + dims_str(v));
    for (auto x : v)
      if (x < (name == "pads" ? 0 : 1))
        throw ConfigError(where_, name + " " + dims_str(v) + " is not supported (expected " +
                                      (name == "pads" ? "non-negative" : "positive") + " values)");
    return v;
  };
  const auto s = pair("strides", {1, 1});
  const auto d = pair("dilations", {1, 1});
  w.sh = s[0], w.sw = s[1], w.dh = d[0], w.dw = d[1];
  const std::string auto_pad = at.get_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    const auto p = pair("pads", {0, 0, 0, 0});  // ONNX order: h_begin, w_begin, h_end, w_end
    w.top = p[0], w.left = p[1], w.bottom = p[2], w.right = p[3];
  } else if (auto_pad == "VALID") {
    if (at.has("pads")) throw ConfigError(where_, "pads cannot be combined with auto_pad VALID");
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (at.has("pads")) throw ConfigError(where_, "pads cannot be combined with auto_pad " + auto_pad);
    auto same = [&](std::size_t size, std::size_t k, std::size_t st, std::size_t dil, std::size_t& begin,
                    std::size_t& end) {
      const std::size_t out = (size + st - 1) / st;
      const std::size_t need = (out - 1) * st + (k - 1) * dil + 1;
      const std::size_t total = need > size ? need - size : 0;
      begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    };
    same(in.h, kh, w.sh, w.dh, w.top, w.bottom);
    same(in.w, kw, w.sw, w.dw, w.left, w.right);
  } else {
    throw ConfigError(where_, "auto_pad \"" + auto_pad + "\" is not supported");
  }
  return w;
}

void Importer::conv(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 2, 3);
  Attributes at(n, where_);
  at.only({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Activation x = act_input(n, 0);
  require_rank(x, 4, "Conv (2-D only)");
  const ConstTensor wt = *const_input(n, 1, true);
  const auto b = const_input(n, 2, false);
  if (wt.dims.size() != 4)
    throw ConfigError(where_, "weight must be 4-D (M x C/group x kH x kW), got " + dims_str(wt.dims));
  const std::int64_t group = at.get_int("group", 1);
  if (group < 1) throw ConfigError(where_, "group must be >= 1, got " + std::to_string(group));
  const auto M = static_cast<std::size_t>(wt.dims[0]);
  const auto g = static_cast<std::size_t>(group);
  if (static_cast<std::size_t>(wt.dims[1]) * g != x.shape.c)
    throw ConfigError(where_, "inconsistent shapes: weight " + dims_str(wt.dims) + " with group " + std::to_string(g) +
                                  " expects " + std::to_string(wt.dims[1] * group) + " input channels, the input is " +
                                  act_str(x));
  if (at.has("kernel_shape") && at.get_ints("kernel_shape", {}) != std::vector<std::int64_t>{wt.dims[2], wt.dims[3]})
    throw ConfigError(where_, "kernel_shape " + dims_str(at.get_ints("kernel_shape", {})) +
                                  " does not match the weight " + dims_str(wt.dims));
  if (b && b->size() != M)
    throw ConfigError(
        where_, "inconsistent shapes: bias " + dims_str(b->dims) + " for " + std::to_string(M) + " output channels");
  const Window w = window(at, wt.dims[2], wt.dims[3], x.shape);
  Conv2DSpec s;
  s.in_channels = x.shape.c;
  s.out_channels = M;
  s.kernel_h = w.kh, s.kernel_w = w.kw, s.stride_h = w.sh, s.stride_w = w.sw;
  s.dilation_h = w.dh, s.dilation_w = w.dw;
  s.pad_top = w.top, s.pad_left = w.left, s.pad_bottom = w.bottom, s.pad_right = w.right;
  s.groups = g;
  s.bias = b.has_value();
  auto layer = make_layer<Conv2D>(name, s);
  copy_into(layer->weight().value, wt.values);
  if (b) copy_into(layer->bias()->value, b->values);
  emit(n, std::move(layer), {x}, 4);
}

void Importer::gemm(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 2, 3);
  Attributes at(n, where_);
  at.only({"alpha", "beta", "transA", "transB"});
  if (at.get_int("transA", 0) != 0) throw ConfigError(where_, "transA = 1 is not supported");
  const std::int64_t transB = at.get_int("transB", 0);
  if (transB != 0 && transB != 1) throw ConfigError(where_, "transB must be 0 or 1");
  const double alpha = at.get_float("alpha", 1.0), beta = at.get_float("beta", 1.0);
  const Activation x = act_input(n, 0);
  require_rank(x, 2, "Gemm");
  const ConstTensor B = *const_input(n, 1, true);
  const auto C = const_input(n, 2, false);
  if (B.dims.size() != 2) throw ConfigError(where_, "B must be 2-D, got " + dims_str(B.dims));
  // B is K x M (transB = 0) or M x K (transB = 1); Dense stores M x K.
  const auto K = static_cast<std::size_t>(transB ? B.dims[1] : B.dims[0]);
  const auto M = static_cast<std::size_t>(transB ? B.dims[0] : B.dims[1]);
  if (K != x.shape.c)
    throw ConfigError(where_, "inconsistent shapes: B " + dims_str(B.dims) + (transB ? " (transposed)" : "") +
                                  " expects " + std::to_string(K) + " input features, the input is " + act_str(x));
  std::vector<double> w(M * K);
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t k = 0; k < K; ++k) w[m * K + k] = alpha * (transB ? B.values[m * K + k] : B.values[k * M + m]);
  std::vector<double> bias;
  if (C) {
    if (!(C->size() == 1 || (C->size() == M && per_channel_broadcast(C->dims, 2, M))))
      throw ConfigError(where_, "inconsistent shapes: C " + dims_str(C->dims) + " must be a scalar or hold " +
                                    std::to_string(M) + " values (per-sample C is not supported)");
    bias.resize(M);
    for (std::size_t m = 0; m < M; ++m) bias[m] = beta * C->values[C->size() == 1 ? 0 : m];
  }
  emit_dense(n, name, x, K, M, w, C ? &bias : nullptr);
}

void Importer::matmul(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 2, 2);
  Attributes(n, where_).only({});
  const Value& a = value(n.input(0));
  if (!a.act)
    throw ConfigError(where_, "the left operand must be an activation (constant x activation is not supported)");
  const Activation x = *a.act;
  require_rank(x, 2, "MatMul");
  const ConstTensor B = *const_input(n, 1, true);
  if (B.dims.size() != 2)
    throw ConfigError(where_, "the right operand must be a 2-D constant, got " + dims_str(B.dims));
  const auto K = static_cast<std::size_t>(B.dims[0]), M = static_cast<std::size_t>(B.dims[1]);
  if (K != x.shape.c) throw ConfigError(where_, "inconsistent shapes: " + act_str(x) + " x " + dims_str(B.dims));
  std::vector<double> w(M * K);
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t k = 0; k < K; ++k) w[m * K + k] = B.values[k * M + m];
  emit_dense(n, name, x, K, M, w, nullptr);
}

void Importer::emit_dense(const onnx::NodeProto& n, const std::string& name, const Activation& x, std::size_t K,
                          std::size_t M, const std::vector<double>& w, const std::vector<double>* bias) {
  auto layer = make_layer<Dense>(name, K, M, bias != nullptr);
  copy_into(layer->weight().value, w);
  if (bias) copy_into(layer->bias()->value, *bias);
  emit(n, std::move(layer), {x}, 2);
}

void Importer::add(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 2, 2);
  Attributes(n, where_).only({});
  const Value& a = value(n.input(0));
  const Value& b = value(n.input(1));
  if (a.act && b.act) {
    if (a.act->rank != b.act->rank || !(a.act->shape == b.act->shape))
      throw ConfigError(where_, "inconsistent shapes: " + act_str(*a.act) + " + " + act_str(*b.act) +
                                    " (broadcasting between activations is not supported)");
    emit(n, make_layer<Add>(name), {*a.act, *b.act}, a.act->rank);
    return;
  }
  if (!a.act && !b.act) throw ConfigError(where_, "adding two constants is not supported");
  fold_bias(n, a.act ? n.input(0) : n.input(1), a.act ? *a.act : *b.act, a.act ? *b.constant : *a.constant);
}

void Importer::fold_bias(const onnx::NodeProto& n, const std::string& act_name, const Activation& x,
                         const ConstTensor& c) {
  auto it = node_index_.find(x.node);
  Layer* producer = it == node_index_.end() ? nullptr : pending_[it->second].layer.get();
  auto* conv = dynamic_cast<Conv2D*>(producer);
  auto* dense = dynamic_cast<Dense*>(producer);
  if (!conv && !dense)
    throw ConfigError(where_,
                      "adding a constant is supported only as the bias of a directly preceding Conv, Gemm or MatMul");
  if (uses_[act_name] != 1)
    throw ConfigError(where_, "cannot fold the constant into \"" + x.node + "\": its output has other consumers");
  const std::size_t channels = x.shape.c;
  if (!(c.size() == 1 || (c.size() == channels && per_channel_broadcast(c.dims, x.rank, channels))))
    throw ConfigError(
        where_, "inconsistent shapes: constant " + dims_str(c.dims) + " is not a per-channel bias for " + act_str(x));
  Pending& p = pending_[it->second];
  if (conv) {
    conv->ensure_bias();
    add_into(conv->bias()->value, c);
  } else if (dense->bias()) {
    add_into(dense->bias()->value, c);
  } else {
    // Rebuild the Dense with a bias (a MatMul followed by Add, PyTorch's Linear form).
    auto rebuilt = std::make_unique<Dense>(dense->name(), dense->in_features(), dense->out_features(), true);
    rebuilt->weight().value = dense->weight().value;
    rebuilt->bias()->value.fill(0.0f);
    add_into(rebuilt->bias()->value, c);
    p.layer = std::move(rebuilt);
  }
  p.label += " + " + where_.substr(file_.size() + 2);
  values_[n.output(0)].act = x;
}

void Importer::mul(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 2, 2);
  Attributes(n, where_).only({});
  const Value& a = value(n.input(0));
  const Value& b = value(n.input(1));
  if (a.act && b.act) throw ConfigError(where_, "multiplying two activations is not supported");
  if (!a.act && !b.act) throw ConfigError(where_, "multiplying two constants is not supported");
  const ConstTensor& c = a.act ? *b.constant : *a.constant;
  if (c.size() != 1)
    throw ConfigError(where_, "only multiplication by a one-element constant is supported, got " + dims_str(c.dims));
  const Activation& x = a.act ? *a.act : *b.act;
  if (static_cast<int>(c.dims.size()) > x.rank)
    throw ConfigError(where_, "the constant has a higher rank than the input");
  emit(n, make_layer<Scale>(name, static_cast<float>(c.values[0])), {x}, x.rank);
}

void Importer::activation(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 1, 1);
  Attributes at(n, where_);
  const std::string& op = n.op_type();
  const Activation x = act_input(n, 0);
  std::unique_ptr<Layer> layer;
  if (op == "Relu") {
    at.only({});
    layer = make_layer<xbarsim::Activation>(name, ActivationKind::ReLU);
  } else if (op == "LeakyRelu") {
    at.only({"alpha"});
    layer = make_layer<xbarsim::Activation>(name, ActivationKind::LeakyReLU, at.get_float("alpha", 0.01));
  } else if (op == "Elu") {
    at.only({"alpha"});
    layer = make_layer<xbarsim::Activation>(name, ActivationKind::ELU, at.get_float("alpha", 1.0));
  } else if (op == "Sigmoid") {
    at.only({});
    layer = make_layer<xbarsim::Activation>(name, ActivationKind::Sigmoid);
  } else {
    at.only({});
    layer = make_layer<xbarsim::Activation>(name, ActivationKind::Tanh);
  }
  emit(n, std::move(layer), {x}, x.rank);
}

void Importer::prelu(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 2, 2);
  Attributes(n, where_).only({});
  const Activation x = act_input(n, 0);
  const ConstTensor slope = *const_input(n, 1, true);
  const std::size_t C = x.shape.c;
  if (!(slope.size() == 1 || (slope.size() == C && per_channel_broadcast(slope.dims, x.rank, C))))
    throw ConfigError(where_, "inconsistent shapes: slope " + dims_str(slope.dims) +
                                  " must be one value or one per channel of " + act_str(x));
  auto layer = make_layer<PReLU>(name, slope.size());
  copy_into(layer->slope().value, slope.values);
  emit(n, std::move(layer), {x}, x.rank);
}

void Importer::softmax(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 1, 1);
  Attributes at(n, where_);
  at.only({"axis"});
  const Activation x = act_input(n, 0);
  // Opset < 13 flattens from `axis` (default 1); 13+ normalises along `axis` (default
  // -1). Both equal our softmax over channels exactly when the axis is 1 and the
  // remaining per-sample axes have size 1.
  std::int64_t axis = at.get_int("axis", opset_ < 13 ? 1 : -1);
  if (axis < 0) axis += x.rank;
  if (axis != 1 || x.shape.h != 1 || x.shape.w != 1)
    throw ConfigError(where_, "softmax along axis " + std::to_string(at.get_int("axis", opset_ < 13 ? 1 : -1)) +
                                  " of " + act_str(x) +
                                  " is not supported (expected the class axis of an N x K input)");
  emit(n, make_layer<Softmax>(name), {x}, x.rank);
}

void Importer::pool(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 1, 1);
  Attributes at(n, where_);
  const bool is_max = n.op_type() == "MaxPool";
  if (is_max)
    at.only({"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
  else
    at.only({"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
  const Activation x = act_input(n, 0);
  require_rank(x, 4, n.op_type() + " (2-D only)");
  const auto k = at.get_ints("kernel_shape", {});
  if (k.size() != 2 || k[0] < 1 || k[1] < 1)
    throw ConfigError(where_, "kernel_shape must hold two positive values, got " + dims_str(k));
  const Window w = window(at, k[0], k[1], x.shape);
  if (w.dh != 1 || w.dw != 1) throw ConfigError(where_, "dilations other than 1 are not supported for pooling");
  const std::int64_t ceil_mode = at.get_int("ceil_mode", 0);
  const std::int64_t include = at.get_int("count_include_pad", 0);
  if ((ceil_mode != 0 && ceil_mode != 1) || (include != 0 && include != 1))
    throw ConfigError(where_, "ceil_mode and count_include_pad must be 0 or 1");
  Pool2DSpec s;
  s.kernel_h = w.kh, s.kernel_w = w.kw, s.stride_h = w.sh, s.stride_w = w.sw;
  s.pad_top = w.top, s.pad_left = w.left, s.pad_bottom = w.bottom, s.pad_right = w.right;
  s.ceil_mode = ceil_mode == 1;
  s.count_include_pad = include == 1;
  if (is_max)
    emit(n, make_layer<MaxPool2D>(name, s), {x}, 4);
  else
    emit(n, make_layer<AvgPool2D>(name, s), {x}, 4);
}

void Importer::global_avg_pool(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 1, 1);
  Attributes(n, where_).only({});
  const Activation x = act_input(n, 0);
  require_rank(x, 4, "GlobalAveragePool (2-D only)");
  emit(n, make_layer<GlobalAvgPool>(name), {x}, 4);
}

void Importer::flatten(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 1, 1);
  Attributes at(n, where_);
  at.only({"axis"});
  const Activation x = act_input(n, 0);
  std::int64_t axis = at.get_int("axis", 1);
  if (axis < 0) axis += x.rank;
  if (axis != 1)
    throw ConfigError(where_,
                      "axis " + std::to_string(at.get_int("axis", 1)) + " is not supported (only 1: keep the batch)");
  emit(n, make_layer<Flatten>(name), {x}, 2);
}

void Importer::reshape(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 2, 2);
  Attributes at(n, where_);
  at.only({"allowzero"});
  const Activation x = act_input(n, 0);
  const ConstTensor shape = *const_input(n, 1, true);
  if (!shape.integer || shape.dims.size() != 1) throw ConfigError(where_, "the shape must be a 1-D integer constant");
  std::vector<std::int64_t> t(shape.values.begin(), shape.values.end());
  const std::string target = dims_str(t);
  if (at.get_int("allowzero", 0) != 0 && std::find(t.begin(), t.end(), 0) != t.end())
    throw ConfigError(where_, "allowzero with a zero in the shape " + target + " is not supported");
  if (t.size() < 2 || t.size() > 4)
    throw ConfigError(where_, "target shape " + target + " must keep the batch and have rank 2 to 4");
  const std::vector<std::int64_t> in = sample_dims(x);
  const auto S = static_cast<std::int64_t>(x.shape.sample_size());
  // Per-sample part: 0 copies the input dimension, one -1 takes the rest.
  std::vector<std::int64_t> d(t.begin() + 1, t.end());
  std::int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (d[i] == 0) {
      if (i >= in.size())
        throw ConfigError(where_, "shape " + target + " copies a dimension the input " + act_str(x) + " lacks");
      d[i] = in[i];
    }
    if (d[i] == -1) {
      if (infer >= 0) throw ConfigError(where_, "shape " + target + " has more than one -1");
      infer = static_cast<int>(i);
    } else if (d[i] < 1) {
      throw ConfigError(where_, "shape " + target + " has an invalid dimension");
    } else {
      known *= d[i];
    }
  }
  // The batch entry must keep the batch: 0 (copy), the input's fixed batch size, or -1
  // when the per-sample dims are all given and account for every element.
  const std::int64_t b = t[0];
  const bool keeps_batch = b == 0 || (static_batch_ && b == *static_batch_) || (b == -1 && infer < 0 && known == S);
  if (!keeps_batch || (b == -1 && infer >= 0))
    throw ConfigError(where_,
                      "target shape " + target + " of input " + act_str(x) + " does not keep the batch dimension");
  if (infer >= 0) {
    if (known == 0 || S % known != 0)
      throw ConfigError(where_, "inconsistent shapes: cannot reshape " + act_str(x) + " to " + target);
    d[infer] = S / known;
    known *= d[infer];
  }
  if (known != S) throw ConfigError(where_, "inconsistent shapes: cannot reshape " + act_str(x) + " to " + target);
  d.resize(3, 1);
  emit(n, make_layer<Reshape>(name, d[0], d[1], d[2]), {x}, static_cast<int>(t.size()));
}

void Importer::batchnorm(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 5, 5);
  Attributes at(n, where_);
  at.only({"epsilon", "momentum", "training_mode", "spatial"});
  if (at.get_int("training_mode", 0) != 0) throw ConfigError(where_, "training_mode = 1 is not supported");
  if (at.get_int("spatial", 1) != 1) throw ConfigError(where_, "spatial = 0 is not supported");
  const Activation x = act_input(n, 0);
  if (x.rank != 4 && x.rank != 2) throw ConfigError(where_, "expected a rank-2 or rank-4 input, got " + act_str(x));
  const std::size_t C = x.shape.c;
  const char* names[4] = {"scale", "B", "mean", "var"};
  std::vector<ConstTensor> p;
  for (int k = 1; k <= 4; ++k) {
    p.push_back(*const_input(n, k, true));
    if (p.back().size() != C)
      throw ConfigError(where_, std::string("inconsistent shapes: ") + names[k - 1] + " " + dims_str(p.back().dims) +
                                    " for " + std::to_string(C) + " channels");
  }
  // ONNX momentum weights the old running value; PyTorch's weights the new batch value.
  const double momentum = 1.0 - at.get_float("momentum", 0.9);
  auto layer = make_layer<BatchNorm2D>(name, C, at.get_float("epsilon", 1e-5), momentum);
  copy_into(layer->gamma().value, p[0].values);
  copy_into(layer->beta().value, p[1].values);
  for (std::size_t c = 0; c < C; ++c) {
    layer->running_mean()[c] = static_cast<float>(p[2].values[c]);
    layer->running_var()[c] = static_cast<float>(p[3].values[c]);
  }
  emit(n, std::move(layer), {x}, x.rank);
}

void Importer::concat(const onnx::NodeProto& n, const std::string& name) {
  if (n.input_size() < 1) throw ConfigError(where_, "expected at least one input");
  Attributes at(n, where_);
  at.only({"axis"});
  std::vector<Activation> xs;
  for (int k = 0; k < n.input_size(); ++k) xs.push_back(act_input(n, k));
  if (!at.has("axis")) throw ConfigError(where_, "missing required attribute axis");
  std::int64_t axis = at.get_int("axis", 1);
  if (axis < 0) axis += xs[0].rank;
  if (axis != 1)
    throw ConfigError(where_, "axis " + std::to_string(at.get_int("axis", 1)) + " is not supported (only channels, 1)");
  for (const auto& a : xs)
    if (a.rank != xs[0].rank || a.shape.h != xs[0].shape.h || a.shape.w != xs[0].shape.w)
      throw ConfigError(where_, "inconsistent shapes: " + act_str(xs[0]) + " and " + act_str(a) + " along axis 1");
  emit(n, make_layer<Concat>(name), xs, xs[0].rank);
}

void Importer::pad(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 2, 3);
  Attributes at(n, where_);
  at.only({"mode"});
  const std::string mode = at.get_string("mode", "constant");
  if (mode != "constant") throw ConfigError(where_, "mode \"" + mode + "\" is not supported (only constant)");
  const Activation x = act_input(n, 0);
  require_rank(x, 4, "Pad (spatial padding)");
  const ConstTensor pads = *const_input(n, 1, true);
  if (!pads.integer || pads.size() != 8)
    throw ConfigError(where_, "pads must be 8 integers for a rank-4 input, got " + dims_str(pads.dims));
  // ONNX order: begins of N, C, H, W, then ends of N, C, H, W.
  std::vector<std::int64_t> p(pads.values.begin(), pads.values.end());
  if (p[0] || p[1] || p[4] || p[5])
    throw ConfigError(where_, "padding of the batch or channel axis " + dims_str(p) + " is not supported");
  for (auto v : p)
    if (v < 0) throw ConfigError(where_, "negative pads (cropping) " + dims_str(p) + " are not supported");
  double fill = 0.0;
  if (const auto cv = const_input(n, 2, false)) {
    if (cv->size() != 1) throw ConfigError(where_, "constant_value must be one value");
    fill = cv->values[0];
  }
  emit(n, make_layer<Pad2D>(name, p[2], p[3], p[6], p[7], static_cast<float>(fill)), {x}, 4);
}

void Importer::constant(const onnx::NodeProto& n, const std::string&) {
  check_inputs(n, 0, 0);
  Attributes at(n, where_);
  at.only({"value", "value_float", "value_floats", "value_int", "value_ints"});
  if (n.attribute_size() != 1) throw ConfigError(where_, "expected exactly one value attribute");
  const onnx::AttributeProto& a = n.attribute(0);
  ConstTensor c;
  if (a.name() == "value") {
    if (a.type() != onnx::AttributeProto_AttributeType_TENSOR) throw ConfigError(where_, "value must be a tensor");
    c = onnx_detail::decode_tensor(a.t(), where_);
  } else if (a.name() == "value_float") {
    c.values = {at.get_float("value_float", 0.0)};
  } else if (a.name() == "value_int") {
    c.integer = true;
    c.values = {static_cast<double>(at.get_int("value_int", 0))};
  } else if (a.name() == "value_ints") {
    c.integer = true;
    for (auto v : at.get_ints("value_ints", {})) c.values.push_back(static_cast<double>(v));
    c.dims = {static_cast<std::int64_t>(c.values.size())};
  } else {
    if (a.type() != onnx::AttributeProto_AttributeType_FLOATS) throw ConfigError(where_, "value_floats must be floats");
    c.values.assign(a.floats().begin(), a.floats().end());
    c.dims = {static_cast<std::int64_t>(c.values.size())};
  }
  values_[n.output(0)].constant = std::move(c);
}

void Importer::dropout(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 1, 3);
  Attributes at(n, where_);
  at.only({"seed", "ratio"});  // ratio: attribute before opset 12
  const Activation x = act_input(n, 0);
  double p = at.get_float("ratio", 0.5);
  if (const auto r = const_input(n, 1, false)) {
    if (r->size() != 1) throw ConfigError(where_, "ratio must be one value");
    p = r->values[0];
  }
  if (const auto tm = const_input(n, 2, false))
    if (tm->size() != 1 || tm->values[0] != 0.0)
      throw ConfigError(where_, "training_mode = true (dropout at inference) is not supported");
  emit(n, make_layer<Dropout>(name, p), {x}, x.rank);
}

void Importer::identity(const onnx::NodeProto& n, const std::string&) {
  check_inputs(n, 1, 1);
  Attributes(n, where_).only({});
  alias(n, value(n.input(0)));
}

void Importer::lrn(const onnx::NodeProto& n, const std::string& name) {
  check_inputs(n, 1, 1);
  Attributes at(n, where_);
  at.only({"alpha", "beta", "bias", "size"});
  const Activation x = act_input(n, 0);
  require_rank(x, 4, "LRN");
  const std::int64_t size = at.get_int("size", 0);
  if (size < 1) throw ConfigError(where_, "size must be given and positive");
  emit(n,
       make_layer<LRN>(name, static_cast<std::size_t>(size), at.get_float("alpha", 1e-4), at.get_float("beta", 0.75),
                       at.get_float("bias", 1.0)),
       {x}, 4);
}

}  // namespace xbarsim::onnx_detail

#pragma once
// Decoding helpers for ONNX protobuf messages used by the importer (onnx_import.cpp):
// constant tensors (initializers, Constant nodes) and node attributes with their ONNX
// defaults. Internal to the io module; no protobuf type leaks into a public header.
#include <onnx/onnx_pb.h>
#include <cstdint>
#include <string>
#include <vector>

namespace xbarsim::onnx_detail {

/// A constant tensor with its values widened to double (exact for float32 and for the
/// int64 shapes and pads the importer reads).
struct ConstTensor {
  std::vector<std::int64_t> dims;
  std::vector<double> values;
  bool integer = false;  // int32/int64/bool/uint8/int8 element type
  std::size_t size() const { return values.size(); }
};

/// Decodes `t`; ConfigError at `where` for external data, an unsupported element type
/// or a data size that does not match the dims.
ConstTensor decode_tensor(const onnx::TensorProto& t, const std::string& where);

/// "node \"name\" (Op)" or "node #index (Op)" for messages.
std::string node_label(const onnx::NodeProto& node, std::size_t index);

/// Typed attribute access with defaults. `where` labels errors (the node).
class Attributes {
 public:
  Attributes(const onnx::NodeProto& node, std::string where);
  bool has(const std::string& name) const;
  std::int64_t get_int(const std::string& name, std::int64_t def) const;
  double get_float(const std::string& name, double def) const;
  std::string get_string(const std::string& name, const std::string& def) const;
  std::vector<std::int64_t> get_ints(const std::string& name, std::vector<std::int64_t> def) const;
  /// ConfigError if the node has an attribute outside `known` (an unsupported feature
  /// must never be silently ignored).
  void only(const std::vector<std::string>& known) const;

 private:
  const onnx::AttributeProto* find(const std::string& name, onnx::AttributeProto_AttributeType type) const;
  const onnx::NodeProto& node_;
  std::string where_;
};

}  // namespace xbarsim::onnx_detail

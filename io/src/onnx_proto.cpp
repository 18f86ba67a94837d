// Decoding of ONNX tensors and attributes (see onnx_proto.hpp).
#include "onnx_proto.hpp"

#include <algorithm>
#include <cstring>
#include <xbarsim/core/error.hpp>

namespace xbarsim::onnx_detail {

namespace {

// Raw little-endian data of `count` elements of type T, widened to double. ONNX stores
// raw_data little-endian, which is the host order on every platform we build for.
template <typename T>
void from_raw(const std::string& raw, std::size_t count, std::vector<double>& out, const std::string& where,
              const std::string& tname) {
  if (raw.size() != count * sizeof(T))
    throw ConfigError(where, "tensor \"" + tname + "\" holds " + std::to_string(raw.size()) + " bytes of raw data, " +
                                 "expected " + std::to_string(count * sizeof(T)) + " for its dims");
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

template <typename Field>
void from_field(const Field& f, std::size_t count, std::vector<double>& out, const std::string& where,
                const std::string& tname) {
  if (static_cast<std::size_t>(f.size()) != count)
    throw ConfigError(where, "tensor \"" + tname + "\" holds " + std::to_string(f.size()) + " values, expected " +
                                 std::to_string(count) + " for its dims");
  out.assign(f.begin(), f.end());
}

}  // namespace

ConstTensor decode_tensor(const onnx::TensorProto& t, const std::string& where) {
  ConstTensor c;
  const std::string& name = t.name();
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    throw ConfigError(where, "tensor \"" + name + "\" uses external data files, which are not supported");
  if (t.has_segment()) throw ConfigError(where, "tensor \"" + name + "\" is segmented, which is not supported");
  std::size_t count = 1;
  for (auto d : t.dims()) {
    if (d < 0) throw ConfigError(where, "tensor \"" + name + "\" has a negative dimension");
    c.dims.push_back(d);
    count *= static_cast<std::size_t>(d);
  }
  const bool raw = t.has_raw_data();
  using TP = onnx::TensorProto;
  switch (t.data_type()) {
    case TP::FLOAT:
      raw ? from_raw<float>(t.raw_data(), count, c.values, where, name)
          : from_field(t.float_data(), count, c.values, where, name);
      break;
    case TP::DOUBLE:
      raw ? from_raw<double>(t.raw_data(), count, c.values, where, name)
          : from_field(t.double_data(), count, c.values, where, name);
      break;
    case TP::INT64:
      c.integer = true;
      raw ? from_raw<std::int64_t>(t.raw_data(), count, c.values, where, name)
          : from_field(t.int64_data(), count, c.values, where, name);
      break;
    case TP::INT32:
      c.integer = true;
      raw ? from_raw<std::int32_t>(t.raw_data(), count, c.values, where, name)
          : from_field(t.int32_data(), count, c.values, where, name);
      break;
    case TP::BOOL:
    case TP::UINT8:
      // int32_data carries these when not raw (one value per element).
      c.integer = true;
      raw ? from_raw<std::uint8_t>(t.raw_data(), count, c.values, where, name)
          : from_field(t.int32_data(), count, c.values, where, name);
      break;
    case TP::INT8:
      c.integer = true;
      raw ? from_raw<std::int8_t>(t.raw_data(), count, c.values, where, name)
          : from_field(t.int32_data(), count, c.values, where, name);
      break;
    default:
      throw ConfigError(where, "tensor \"" + name + "\" has element type " + std::to_string(t.data_type()) +
                                   " (supported: float, double, int64, int32, int8, uint8, bool)");
  }
  return c;
}

std::string node_label(const onnx::NodeProto& node, std::size_t index) {
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string&&.
  std::string s = "node ";
  if (node.name().empty()) {
    s += '#';
    s += std::to_string(index);
  } else {
    s += '"';
    s += node.name();
    s += '"';
  }
  s += " (";
  s += node.op_type();
  s += ')';
  return s;
}

Attributes::Attributes(const onnx::NodeProto& node, std::string where) : node_(node), where_(std::move(where)) {}

bool Attributes::has(const std::string& name) const {
  return std::any_of(node_.attribute().begin(), node_.attribute().end(),
                     [&](const onnx::AttributeProto& a) { return a.name() == name; });
}

const onnx::AttributeProto* Attributes::find(const std::string& name, onnx::AttributeProto_AttributeType type) const {
  for (const auto& a : node_.attribute()) {
    if (a.name() != name) continue;
    if (a.type() != type)
      throw ConfigError(where_, "attribute \"" + name + "\" has type " +
                                    onnx::AttributeProto_AttributeType_Name(a.type()) + ", expected " +
                                    onnx::AttributeProto_AttributeType_Name(type));
    return &a;
  }
  return nullptr;
}

std::int64_t Attributes::get_int(const std::string& name, std::int64_t def) const {
  const auto* a = find(name, onnx::AttributeProto_AttributeType_INT);
  return a ? a->i() : def;
}

double Attributes::get_float(const std::string& name, double def) const {
  const auto* a = find(name, onnx::AttributeProto_AttributeType_FLOAT);
  return a ? static_cast<double>(a->f()) : def;
}

std::string Attributes::get_string(const std::string& name, const std::string& def) const {
  const auto* a = find(name, onnx::AttributeProto_AttributeType_STRING);
  return a ? a->s() : def;
}

std::vector<std::int64_t> Attributes::get_ints(const std::string& name, std::vector<std::int64_t> def) const {
  const auto* a = find(name, onnx::AttributeProto_AttributeType_INTS);
  if (!a) return def;
  return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
}

void Attributes::only(const std::vector<std::string>& known) const {
  for (const auto& a : node_.attribute())
    if (std::find(known.begin(), known.end(), a.name()) == known.end())
      throw ConfigError(where_, "attribute \"" + a.name() + "\" is not supported");
}

}  // namespace xbarsim::onnx_detail

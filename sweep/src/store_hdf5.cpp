#include "store_hdf5.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace xbarsim::sweep {

std::mutex& hdf5_mutex() {
  static std::mutex m;
  return m;
}

namespace detail {
namespace {
H5::StrType vlen_utf8() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}
}  // namespace

// Variable-length UTF-8 strings: h5py reads them as str.
void put_string(H5::H5Object& obj, const std::string& name, const std::string& value) {
  const H5::StrType type = vlen_utf8();
  if (obj.attrExists(name)) obj.removeAttr(name);
  const char* text = value.c_str();
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, &text);
}

void put_strings(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& values) {
  const H5::StrType type = vlen_utf8();
  if (obj.attrExists(name)) obj.removeAttr(name);
  std::vector<const char*> texts;
  for (const auto& v : values) texts.push_back(v.c_str());
  const hsize_t n = texts.size();
  // A zero-length simple dataspace is valid in HDF5 1.10 and reads as an empty array.
  H5::Attribute a = obj.createAttribute(name, type, H5::DataSpace(1, &n));
  if (!texts.empty()) a.write(type, texts.data());
}

void put_uint64(H5::H5Object& obj, const std::string& name, std::uint64_t value) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  obj.createAttribute(name, H5::PredType::NATIVE_UINT64, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_UINT64, &value);
}

void put_value(H5::H5Object& obj, const std::string& name, const ParamValue& value) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  const H5::DataSpace scalar(H5S_SCALAR);
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>)
          obj.createAttribute(name, H5::PredType::NATIVE_DOUBLE, scalar).write(H5::PredType::NATIVE_DOUBLE, &v);
        else if constexpr (std::is_same_v<T, std::int64_t>)
          obj.createAttribute(name, H5::PredType::NATIVE_INT64, scalar).write(H5::PredType::NATIVE_INT64, &v);
        else if constexpr (std::is_same_v<T, bool>) {
          const std::uint8_t b = v ? 1 : 0;  // as io::ResultFile: h5py reads uint8 0/1
          obj.createAttribute(name, H5::PredType::NATIVE_UINT8, scalar).write(H5::PredType::NATIVE_UINT8, &b);
        } else
          put_string(obj, name, v);
      },
      value);
}

std::string get_string(const H5::H5Object& obj, const std::string& name) {
  H5::Attribute a = obj.openAttribute(name);
  const H5::StrType type = a.getStrType();
  if (type.isVariableStr()) {
    char* text = nullptr;
    a.read(type, &text);
    std::string out = text ? text : "";
    H5free_memory(text);
    return out;
  }
  std::string out;
  a.read(type, out);
  return out;
}

std::vector<std::string> get_strings(const H5::H5Object& obj, const std::string& name) {
  H5::Attribute a = obj.openAttribute(name);
  const H5::StrType type = vlen_utf8();
  const auto n = static_cast<std::size_t>(a.getSpace().getSimpleExtentNpoints());
  std::vector<char*> texts(n, nullptr);
  if (n) a.read(type, texts.data());
  std::vector<std::string> out;
  for (char* t : texts) {
    out.emplace_back(t ? t : "");
    H5free_memory(t);
  }
  return out;
}

double get_number(const H5::H5Object& obj, const std::string& name) {
  H5::Attribute a = obj.openAttribute(name);
  double v = 0.0;
  a.read(H5::PredType::NATIVE_DOUBLE, &v);
  return v;
}

ParamValue get_value(const H5::H5Object& obj, const std::string& name) {
  H5::Attribute a = obj.openAttribute(name);
  switch (a.getTypeClass()) {
    case H5T_STRING:
      return get_string(obj, name);
    case H5T_INTEGER: {
      std::int64_t v = 0;
      a.read(H5::PredType::NATIVE_INT64, &v);
      return v;
    }
    default: {
      double v = 0.0;
      a.read(H5::PredType::NATIVE_DOUBLE, &v);
      return v;
    }
  }
}

std::optional<std::string> sweep_result_spec(const std::filesystem::path& path) {
  try {
    // isHdf5 only reads the signature; RDONLY opens never write to the file.
    if (!H5::H5File::isHdf5(path.string())) return std::nullopt;
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    H5::Group root = file.openGroup("/");
    if (!root.attrExists("xbarsim_sweep")) return std::nullopt;
    H5::Attribute marker = root.openAttribute("xbarsim_sweep");
    if (marker.getTypeClass() != H5T_INTEGER || marker.getSpace().getSimpleExtentNpoints() != 1) return std::nullopt;
    std::int64_t v = 0;
    marker.read(H5::PredType::NATIVE_INT64, &v);
    if (v != 1 || !root.attrExists("spec") || !file.nameExists("summary")) return std::nullopt;
    return get_string(root, "spec");
  } catch (const H5::Exception&) {
    return std::nullopt;  // unreadable HDF5 (truncated, corrupt): not a sweep result
  }
}

std::string axis_field(const std::string& key) {
  static constexpr std::array<std::string_view, 7> reserved{"id",     "config", "seed",   "repeat",
                                                            "status", "error",  "seconds"};
  if (std::find(reserved.begin(), reserved.end(), key) != reserved.end()) return "axis:" + key;
  return key;
}

}  // namespace detail
}  // namespace xbarsim::sweep

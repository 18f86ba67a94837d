#include <H5Cpp.h>
#include <algorithm>

#include <chrono>
#include <ctime>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/core/version.hpp>
#include <xbarsim/io/result_file.hpp>

namespace xbarsim::io {
namespace {
// The HDF5 C++ API reports errors through exceptions, but the C library also prints a
// stack to stderr unless told not to; libraries never print.
void silence_hdf5() { H5::Exception::dontPrint(); }

// Variable-length UTF-8 strings: h5py reads them as str (fixed-length ones come back as
// bytes), HDFView shows them as text.
void put_string_attribute(H5::H5Object& obj, const std::string& name, const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  if (obj.attrExists(name)) obj.removeAttr(name);
  const char* text = value.c_str();
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, &text);
}

void put_attribute(H5::H5Object& obj, const std::string& name, const ParamValue& value) {
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
          const std::uint8_t b = v ? 1 : 0;  // h5py reads uint8 0/1; HDF5 has no native bool
          obj.createAttribute(name, H5::PredType::NATIVE_UINT8, scalar).write(H5::PredType::NATIVE_UINT8, &b);
        } else
          put_string_attribute(obj, name, v);
      },
      value);
}

}  // namespace

struct ResultFile::Impl {
  H5::H5File file;
  H5::Group group(const std::string& name) {
    if (name.empty()) return file.openGroup("/");
    // nameExists() fails on a path whose parent is missing, so walk it level by level.
    bool exists = true;
    for (std::size_t pos = name.find('/'); exists; pos = name.find('/', pos + 1)) {
      exists = file.nameExists(name.substr(0, pos));
      if (pos == std::string::npos) break;
    }
    if (exists) return file.openGroup(name);
    H5::LinkCreatPropList lcpl;
    lcpl.setCreateIntermediateGroup(true);
    return file.createGroup(name, lcpl);
  }
};

ResultFile::ResultFile(const std::filesystem::path& path, const RunInfo& info) : path_(path) {
  silence_hdf5();
  try {
    impl_ = std::make_unique<Impl>();
    impl_->file = H5::H5File(path.string(), H5F_ACC_TRUNC);
    H5::Group root = impl_->file.openGroup("/");
    put_string_attribute(root, "config", info.config_toml);
    put_attribute(root, "seed", static_cast<std::int64_t>(info.seed));
    put_string_attribute(root, "xbarsim_version", std::string(version()));
    put_string_attribute(root, "git_revision", std::string(git_revision()));
    put_string_attribute(root, "created", utc_now_iso8601());
    put_string_attribute(root, "command", info.command);
    impl_->file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw IoError(path.string(), "cannot create HDF5 file (" + e.getDetailMsg() + ")");
  }
}

ResultFile::~ResultFile() = default;

void ResultFile::write(const Dataset& d, const std::string& group) {
  std::size_t count = 1;
  for (auto n : d.shape) count *= n;
  if (count != d.values.size())
    throw InternalError("dataset " + d.name + " has " + std::to_string(d.values.size()) + " values for its shape");
  try {
    std::vector<hsize_t> dims(d.shape.begin(), d.shape.end());
    H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
    H5::Group g = impl_->group(group);
    H5::DataSet ds = g.createDataSet(d.name, H5::PredType::IEEE_F64LE, space);
    if (!d.values.empty()) ds.write(d.values.data(), H5::PredType::NATIVE_DOUBLE);
    put_string_attribute(ds, "units", d.units);
    put_string_attribute(ds, "description", d.description);
  } catch (const H5::Exception& e) {
    throw IoError(path_.string(), "cannot write dataset " + group + "/" + d.name + " (" + e.getDetailMsg() + ")");
  }
}

void ResultFile::write_float32(const std::string& group, const std::string& name, const std::vector<std::size_t>& shape,
                               const float* values, const std::string& units, const std::string& description) {
  try {
    std::vector<hsize_t> dims(shape.begin(), shape.end());
    H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
    H5::Group g = impl_->group(group);
    H5::DataSet ds = g.createDataSet(name, H5::PredType::IEEE_F32LE, space);
    std::size_t count = 1;
    for (auto n : shape) count *= n;
    if (count) ds.write(values, H5::PredType::NATIVE_FLOAT);
    put_string_attribute(ds, "units", units);
    put_string_attribute(ds, "description", description);
  } catch (const H5::Exception& e) {
    throw IoError(path_.string(), "cannot write dataset " + group + "/" + name + " (" + e.getDetailMsg() + ")");
  }
}

void ResultFile::write_attribute(const std::string& name, const ParamValue& value, const std::string& group) {
  try {
    H5::Group g = impl_->group(group);
    put_attribute(g, name, value);
  } catch (const H5::Exception& e) {
    throw IoError(path_.string(), "cannot write attribute " + name + " (" + e.getDetailMsg() + ")");
  }
}

void ResultFile::write_params(const std::string& group, const ParamValues& values, const ParamTableBase& table,
                              const std::function<std::string(const std::string&)>& source_of) {
  try {
    H5::Group g = impl_->group(group);
    for (const auto& info : table.entries()) {
      const auto it = values.find(info.name);
      put_attribute(g, info.name, it != values.end() ? it->second : info.default_value);
      if (!info.unit.empty()) put_string_attribute(g, info.name + ".unit", info.unit);
      put_string_attribute(g, info.name + ".source", source_of(info.name));
    }
  } catch (const H5::Exception& e) {
    throw IoError(path_.string(), "cannot write parameters to " + group + " (" + e.getDetailMsg() + ")");
  }
}

void ResultFile::flush() {
  try {
    impl_->file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    throw IoError(path_.string(), "cannot flush (" + e.getDetailMsg() + ")");
  }
}

namespace {
std::string read_string_attr(const H5::H5Object& obj, const std::string& name) {
  if (!obj.attrExists(name)) return {};
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
}  // namespace

DatasetData read_dataset(const std::filesystem::path& path, const std::string& name) {
  silence_hdf5();
  try {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    if (!file.nameExists(name)) throw IoError(path.string(), "has no dataset '" + name + "'");
    H5::DataSet ds = file.openDataSet(name);
    H5::DataSpace space = ds.getSpace();
    std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
    space.getSimpleExtentDims(dims.data());
    DatasetData out;
    std::size_t count = 1;
    for (auto d : dims) {
      out.shape.push_back(static_cast<std::size_t>(d));
      count *= static_cast<std::size_t>(d);
    }
    out.values.resize(count);
    if (count) ds.read(out.values.data(), H5::PredType::NATIVE_DOUBLE);
    out.units = read_string_attr(ds, "units");
    out.description = read_string_attr(ds, "description");
    return out;
  } catch (const H5::Exception& e) {
    throw IoError(path.string(), "cannot read dataset '" + name + "' (" + e.getDetailMsg() + ")");
  }
}

namespace {
/// "group/attr" -> {"group", "attr"}; a plain name is an attribute of the root.
std::pair<std::string, std::string> split_attribute_path(const std::string& name) {
  const std::size_t slash = name.rfind('/');
  if (slash == std::string::npos) return {"/", name};
  std::string group(1, '/');  // appended: GCC 12 warns falsely on "/" + std::string (bug 105329)
  group += name.substr(0, slash);
  return {group, name.substr(slash + 1)};
}
}  // namespace

FloatDataset read_float_dataset(const std::filesystem::path& path, const std::string& name) {
  silence_hdf5();
  try {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    if (!file.nameExists(name)) throw IoError(path.string(), "has no dataset '" + name + "'");
    H5::DataSet ds = file.openDataSet(name);
    if (ds.getTypeClass() != H5T_FLOAT && ds.getTypeClass() != H5T_INTEGER)
      throw IoError(path.string(), "dataset '" + name + "' is not numeric");
    H5::DataSpace space = ds.getSpace();
    std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
    space.getSimpleExtentDims(dims.data());
    FloatDataset out;
    std::size_t count = 1;
    for (auto d : dims) {
      out.shape.push_back(static_cast<std::size_t>(d));
      count *= static_cast<std::size_t>(d);
    }
    out.values.resize(count);
    if (count) ds.read(out.values.data(), H5::PredType::NATIVE_FLOAT);
    return out;
  } catch (const H5::Exception& e) {
    throw IoError(path.string(), "cannot read dataset '" + name + "' (" + e.getDetailMsg() + ")");
  }
}

namespace {
/// Sorted names of the datasets in `group`, or of its attributes.
std::vector<std::string> list_group(const std::filesystem::path& path, const std::string& group, bool attributes) {
  silence_hdf5();
  try {
    std::vector<std::string> out;
    if (!has_object(path, group)) return out;
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    H5::Group g = file.openGroup(group);
    if (attributes) {
      for (int k = 0; k < g.getNumAttrs(); ++k) out.push_back(g.openAttribute(static_cast<unsigned>(k)).getName());
    } else {
      for (hsize_t k = 0; k < g.getNumObjs(); ++k)
        if (g.getObjTypeByIdx(k) == H5G_DATASET) out.push_back(g.getObjnameByIdx(k));
    }
    std::sort(out.begin(), out.end());
    return out;
  } catch (const H5::Exception& e) {
    throw IoError(path.string(), "cannot list " + group + " (" + e.getDetailMsg() + ")");
  }
}
}  // namespace

std::vector<std::string> list_datasets(const std::filesystem::path& path, const std::string& group) {
  return list_group(path, group, false);
}

std::vector<std::string> list_attributes(const std::filesystem::path& path, const std::string& group) {
  return list_group(path, group, true);
}

bool has_object(const std::filesystem::path& path, const std::string& name) {
  silence_hdf5();
  try {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    // nameExists checks one link; walk the path so a missing parent is "false", not an error.
    std::string prefix;
    std::size_t start = 0;
    while (start <= name.size()) {
      const std::size_t slash = name.find('/', start);
      prefix = name.substr(0, slash);
      if (!file.nameExists(prefix)) return false;
      if (slash == std::string::npos) return true;
      start = slash + 1;
    }
    return true;
  } catch (const H5::Exception& e) {
    throw IoError(path.string(), "cannot open (" + e.getDetailMsg() + ")");
  }
}

std::string read_string_attribute(const std::filesystem::path& path, const std::string& name) {
  silence_hdf5();
  try {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    const auto [group, attr] = split_attribute_path(name);
    return read_string_attr(file.openGroup(group), attr);
  } catch (const H5::Exception& e) {
    throw IoError(path.string(), "cannot read attribute '" + name + "' (" + e.getDetailMsg() + ")");
  }
}

std::optional<double> read_number_attribute(const std::filesystem::path& path, const std::string& name) {
  silence_hdf5();
  try {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    const auto [group, attr] = split_attribute_path(name);
    if (group != "/" && !file.nameExists(group)) return std::nullopt;
    H5::Group root = file.openGroup(group);
    if (!root.attrExists(attr)) return std::nullopt;
    H5::Attribute a = root.openAttribute(attr);
    const H5T_class_t cls = a.getTypeClass();
    if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || a.getSpace().getSimpleExtentNpoints() != 1)
      throw IoError(path.string(), "attribute '" + name + "' must be a numeric scalar");
    double value = 0.0;
    a.read(H5::PredType::NATIVE_DOUBLE, &value);
    return value;
  } catch (const H5::Exception& e) {
    throw IoError(path.string(), "cannot read attribute '" + name + "' (" + e.getDetailMsg() + ")");
  }
}

}  // namespace xbarsim::io

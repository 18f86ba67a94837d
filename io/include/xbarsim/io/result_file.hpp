#pragma once
// Self-describing HDF5 results: every dataset carries `units` and `description`
// attributes; the root records the resolved config (TOML text), master seed, version,
// git revision and creation time, so files are readable with h5py or HDFView alone.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/family.hpp>

namespace xbarsim::io {

struct RunInfo {
  std::string config_toml;  // resolved configuration
  std::uint64_t seed = 0;
  std::string command;  // what produced the file, e.g. "device curve"
};

class ResultFile {
 public:
  /// Creates (truncates) `path` and writes the run metadata at once, so an unwritable
  /// path fails before any work is done. IoError names the path.
  ResultFile(const std::filesystem::path& path, const RunInfo& info);
  ~ResultFile();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  /// Writes a dataset (float64) at `group/name` (group "" = root).
  void write(const Dataset& d, const std::string& group = "");
  /// Writes a float32 dataset (weights, activations) at `group/name`.
  void write_float32(const std::string& group, const std::string& name, const std::vector<std::size_t>& shape,
                     const float* values, const std::string& units, const std::string& description);
  /// Writes a scalar attribute on the root, or on `group` if given.
  void write_attribute(const std::string& name, const ParamValue& value, const std::string& group = "");
  /// Writes a parameter set as attributes of `group` (value, plus `<name>.unit` and
  /// `<name>.source` attributes from the table).
  void write_params(const std::string& group, const ParamValues& values, const ParamTableBase& table,
                    const std::function<std::string(const std::string&)>& source_of);
  /// Flushes to disk.
  void flush();
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::filesystem::path path_;
};

/// Reads a float64 dataset back (tests, tools): values row-major and its shape.
struct DatasetData {
  std::vector<std::size_t> shape;
  std::vector<double> values;
  std::string units;
  std::string description;
};
DatasetData read_dataset(const std::filesystem::path& path, const std::string& name);
/// Reads any numeric dataset as float32 (weights): values row-major and its shape.
struct FloatDataset {
  std::vector<std::size_t> shape;
  std::vector<float> values;
};
FloatDataset read_float_dataset(const std::filesystem::path& path, const std::string& name);
/// Names of the datasets directly in `group`, and of the attributes of `group`, sorted.
std::vector<std::string> list_datasets(const std::filesystem::path& path, const std::string& group);
std::vector<std::string> list_attributes(const std::filesystem::path& path, const std::string& group);
/// True if `path` has a dataset or group called `name` (a path like "a/b").
bool has_object(const std::filesystem::path& path, const std::string& name);

/// Reads a string attribute of the root group ("name") or of a group ("group/name").
std::string read_string_attribute(const std::filesystem::path& path, const std::string& name);
/// Reads a numeric scalar attribute of the root group ("name") or of a group
/// ("group/name"); empty if there is none. IoError if
/// it exists but is not a numeric scalar.
std::optional<double> read_number_attribute(const std::filesystem::path& path, const std::string& name);

}  // namespace xbarsim::io

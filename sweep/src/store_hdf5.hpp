#pragma once
// HDF5 helpers shared by the sweep store's writer (store.cpp) and reader
// (store_summary.cpp). Every call happens under Hdf5Lock.
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/sweep/store.hpp>

namespace xbarsim::sweep::detail {

/// Holds hdf5_mutex() and turns off HDF5's printing of error stacks (libraries never
/// print; the setting is per thread in a thread-safe HDF5 build, so it is set each time).
class Hdf5Lock {
 public:
  Hdf5Lock() : lock_(hdf5_mutex()) { H5::Exception::dontPrint(); }

 private:
  std::lock_guard<std::mutex> lock_;
};

void put_string(H5::H5Object& obj, const std::string& name, const std::string& value);
void put_strings(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& values);
void put_value(H5::H5Object& obj, const std::string& name, const ParamValue& value);
void put_uint64(H5::H5Object& obj, const std::string& name, std::uint64_t value);
std::string get_string(const H5::H5Object& obj, const std::string& name);
std::vector<std::string> get_strings(const H5::H5Object& obj, const std::string& name);
/// A numeric scalar attribute as double (bools are uint8 0/1).
double get_number(const H5::H5Object& obj, const std::string& name);
/// An attribute as a ParamValue: string, int64 (any integer), or double.
ParamValue get_value(const H5::H5Object& obj, const std::string& name);

/// If `path` is an HDF5 file with the sweep marker: its spec text. Never modifies the
/// file. Call under Hdf5Lock.
std::optional<std::string> sweep_result_spec(const std::filesystem::path& path);

/// Names of attributes and summary fields (see store.hpp, "Name clashes").
std::string axis_field(const std::string& key);

}  // namespace xbarsim::sweep::detail

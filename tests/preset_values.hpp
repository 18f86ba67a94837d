#pragma once
// Reads a preset file's [parameters] into ParamValues for tests of modules below io
// (toml11 is header-only; io owns the real, validating preset loader).
#include <toml.hpp>
#include <xbarsim/core/params.hpp>

namespace xbarsim::test {

inline ParamValues read_parameters(const toml::value& file) {
  ParamValues values;
  for (const auto& [key, v] : toml::find(file, "parameters").as_table()) {
    if (v.is_floating())
      values[key] = v.as_floating();
    else if (v.is_integer())
      values[key] = static_cast<std::int64_t>(v.as_integer());
    else if (v.is_boolean())
      values[key] = v.as_boolean();
    else
      values[key] = v.as_string().str;
  }
  return values;
}

}  // namespace xbarsim::test

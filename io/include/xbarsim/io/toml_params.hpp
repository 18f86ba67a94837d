#pragma once
// Binds parameter tables (core/params.hpp) to TOML. Only io (and the layers above it)
// sees TOML; model code gets plain ParamValues.
#include <map>
#include <string>
#include <string_view>
#include <toml.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/params.hpp>

namespace xbarsim::io {

/// Parses TOML text; a syntax error becomes a ConfigError whose location names `file`
/// and the line, and whose message says what the parser expected.
toml::value parse_toml(const std::string& text, const std::string& file);
/// "an integer", "a table", ...: the kind of a TOML value, for messages.
std::string toml_kind_name(const toml::value& v);
/// Reads and parses a TOML file; IoError if it cannot be read.
toml::value read_toml_file(const std::string& path);

/// Converts the key/value pairs of a TOML table into ParamValues checked against
/// `table`: unknown keys, wrong kinds and out-of-range values are all added to
/// `problems` with the location `where.key`. Integers are accepted for real parameters.
ParamValues params_from_toml(const toml::value& toml_table, const ParamTableBase& table, std::string_view where,
                             ProblemList& problems);

/// The [parameters] and [sources] tables of a preset file: values checked against
/// `table`, and the source of each; every value needs a source and every source a value.
struct SourcedParams {
  ParamValues values;
  std::map<std::string, std::string, std::less<>> sources;
};
SourcedParams read_sourced_parameters(const toml::value& doc, const ParamTableBase& table, const std::string& file,
                                      ProblemList& problems);

/// Renders values as TOML `key = value` lines in table order (keys missing from
/// `values` take the table default), each preceded by a comment with unit and meaning.
std::string params_to_toml(const ParamValues& values, const ParamTableBase& table);

/// TOML literal of one value (reals always with a decimal point or exponent).
std::string toml_literal(const ParamValue& value);

}  // namespace xbarsim::io

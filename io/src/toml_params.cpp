#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <xbarsim/io/toml_params.hpp>

namespace xbarsim::io {
namespace {
// toml11's messages span several lines with source excerpts ("[error] what", " --> file",
// " 2 | text", "   | ^--- hint"). Keep what a user needs: the first line's text, the
// first source line number and the first hint.
struct TomlMessage {
  std::string line;
  std::string text;
};
TomlMessage compact_toml_message(const std::string& what) {
  std::istringstream in(what);
  std::string l;
  TomlMessage m;
  std::string hint;
  while (std::getline(in, l)) {
    if (m.text.empty()) {
      m.text = l.rfind("[error] ", 0) == 0 ? l.substr(8) : l;
      continue;
    }
    const auto bar = l.find('|');
    if (bar == std::string::npos) continue;
    const std::string left = l.substr(0, bar);
    const auto digits = left.find_first_of("0123456789");
    if (m.line.empty() && digits != std::string::npos) m.line = left.substr(digits, left.find(' ', digits) - digits);
    const auto caret = l.find("^---", bar);
    if (hint.empty() && caret != std::string::npos) hint = l.substr(caret + 4);
  }
  while (!hint.empty() && hint.front() == ' ') hint.erase(hint.begin());
  if (!hint.empty()) m.text += " (" + hint + ")";
  return m;
}

}  // namespace

std::string toml_kind_name(const toml::value& v) {
  switch (v.type()) {
    case toml::value_t::boolean:
      return "a boolean";
    case toml::value_t::integer:
      return "an integer";
    case toml::value_t::floating:
      return "a real number";
    case toml::value_t::string:
      return "a string";
    case toml::value_t::array:
      return "an array";
    case toml::value_t::table:
      return "a table";
    default:
      return "a date/time";
  }
}

toml::value parse_toml(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  try {
    return toml::parse(in, file);
  } catch (const std::exception& e) {  // toml::syntax_error and toml11's other parse errors
    const TomlMessage m = compact_toml_message(e.what());
    throw ConfigError(m.line.empty() ? file : file + ":" + m.line, "malformed TOML: " + m.text);
  }
}

toml::value read_toml_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path, "cannot open for reading");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_toml(buf.str(), path);
}

ParamValues params_from_toml(const toml::value& toml_table, const ParamTableBase& table, std::string_view where,
                             ProblemList& problems) {
  ParamValues out;
  if (!toml_table.is_table()) {
    problems.add(std::string(where), "expected a table, found " + toml_kind_name(toml_table));
    return out;
  }
  for (const auto& [key, v] : toml_table.as_table()) {
    const std::string loc = key_path(where, key);
    const ParamInfo* info = table.find(key);
    if (!info) {
      problems.add(loc, "unknown parameter");
      continue;
    }
    ParamValue value;
    switch (info->kind) {
      case ParamKind::Real:
        if (v.is_floating())
          value = v.as_floating();
        else if (v.is_integer())
          value = static_cast<double>(v.as_integer());
        else {
          problems.add(loc, "expected a real number, found " + toml_kind_name(v));
          continue;
        }
        break;
      case ParamKind::Integer:
        if (!v.is_integer()) {
          problems.add(loc, "expected an integer, found " + toml_kind_name(v));
          continue;
        }
        value = static_cast<std::int64_t>(v.as_integer());
        break;
      case ParamKind::Boolean:
        if (!v.is_boolean()) {
          problems.add(loc, "expected true or false, found " + toml_kind_name(v));
          continue;
        }
        value = v.as_boolean();
        break;
      case ParamKind::Choice:
        if (!v.is_string()) {
          problems.add(loc, "expected a string, found " + toml_kind_name(v));
          continue;
        }
        value = std::string(v.as_string().str);
        break;
    }
    if (auto what = table.check(*info, value)) {
      problems.add(loc, *what);
      continue;
    }
    out.emplace(key, std::move(value));
  }
  return out;
}

std::string toml_literal(const ParamValue& value) {
  if (const double* d = std::get_if<double>(&value)) {
    if (std::isinf(*d)) return *d > 0 ? "inf" : "-inf";
    if (std::isnan(*d)) return "nan";
    char buf[40];
    const auto res = std::to_chars(buf, buf + sizeof buf, *d);  // shortest round-trip form
    std::string s(buf, res.ptr);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  if (const std::string* text = std::get_if<std::string>(&value)) {
    std::string out = "\"";
    for (char c : *text) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    return out + "\"";
  }
  return format_value(value);  // integers and booleans are already TOML
}

std::string params_to_toml(const ParamValues& values, const ParamTableBase& table) {
  std::string out;
  for (const auto& info : table.entries()) {
    const auto it = values.find(info.name);
    const ParamValue& v = it != values.end() ? it->second : info.default_value;
    out += "# " + info.description + (info.unit.empty() ? "" : " [" + info.unit + "]") + "\n";
    out += info.name + " = " + toml_literal(v) + "\n";
  }
  return out;
}

SourcedParams read_sourced_parameters(const toml::value& doc, const ParamTableBase& table, const std::string& file,
                                      ProblemList& p) {
  SourcedParams out;
  const bool has_params = doc.contains("parameters");
  if (has_params) out.values = params_from_toml(doc.at("parameters"), table, file + ": parameters", p);
  if (doc.contains("sources")) {
    const auto& s = doc.at("sources");
    if (!s.is_table()) {
      p.add(file + ": sources", "expected a table of strings");
    } else {
      for (const auto& [key, v] : s.as_table()) {
        if (!v.is_string())
          p.add(file + ": sources." + key, "expected a string naming the source");
        else if (!has_params || !doc.at("parameters").contains(key))
          p.add(file + ": sources." + key, "names no entry of [parameters]");
        else
          out.sources.emplace(key, v.as_string().str);
      }
    }
  }
  if (has_params && doc.at("parameters").is_table())
    for (const auto& [key, v] : doc.at("parameters").as_table()) {
      (void)v;
      if (!doc.contains("sources") || !doc.at("sources").contains(key))
        p.add(file + ": parameters." + key, "has no entry in [sources]; every preset value needs its source");
    }
  return out;
}

}  // namespace xbarsim::io

#pragma once
// Parameter tables: one table per plain parameter struct lists each field's name, unit,
// range, description and the source of its default. The same table drives TOML
// load/save (io), range checks, HDF5 attributes and GUI editors, so a parameter is
// described once. Defaults come from the struct's in-class initialisers (SI units).
//
//   struct VteamParams { double r_on_ohm = 50; ... static const ParamTable<VteamParams>& table(); };
//   table.real("r_on_ohm", &VteamParams::r_on_ohm, "ohm", Range::positive(), "ON resistance", "MemTorch VTEAM.py");
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include <xbarsim/core/error.hpp>

namespace xbarsim {

using ParamValue = std::variant<double, std::int64_t, bool, std::string>;
/// Named parameter values; ordered so files and listings are stable.
using ParamValues = std::map<std::string, ParamValue, std::less<>>;

enum class ParamKind { Real, Integer, Boolean, Choice };
std::string_view to_string(ParamKind kind);

/// Closed or open numeric interval used for range checks.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  static Range any() { return {}; }
  static Range positive() { return {0.0, std::numeric_limits<double>::infinity(), true, false}; }
  static Range non_negative() { return {0.0, std::numeric_limits<double>::infinity()}; }
  static Range closed(double a, double b) { return {a, b}; }
  static Range unit() { return {0.0, 1.0}; }
  static Range at_least(double a) { return {a, std::numeric_limits<double>::infinity()}; }
  bool contains(double x) const;
  /// "[0, 1]", "(0, inf)", ... for messages and listings.
  std::string describe() const;
};

struct ParamInfo {
  std::string name;
  ParamKind kind = ParamKind::Real;
  std::string unit;  // SI unit, "1" for dimensionless, "" for flags and choices
  Range range;
  std::vector<std::string> choices;  // for ParamKind::Choice
  std::string description;
  std::string source;  // where the default value comes from
  ParamValue default_value;
};

/// Formats a value for messages and listings (doubles with %.6g).
std::string format_value(const ParamValue& value);

/// The type-independent part of a table: names, kinds, ranges, defaults.
class ParamTableBase {
 public:
  virtual ~ParamTableBase() = default;
  const std::vector<ParamInfo>& entries() const noexcept { return entries_; }
  const ParamInfo* find(std::string_view name) const;
  /// Checks kind and range of one value; returns what is wrong, if anything.
  std::optional<std::string> check(const ParamInfo& info, const ParamValue& value) const;
  /// Checks names (unknown keys are problems), kinds and ranges of a value set; keys
  /// are reported as `prefix.name`.
  void validate(const ParamValues& values, std::string_view prefix, ProblemList& problems) const;
  /// Converts the text of `--set key=value` to the parameter's kind.
  ParamValue parse_text(const ParamInfo& info, std::string_view text, std::string_view where) const;
  ParamValues defaults() const;
  /// Cross-field checks on a complete value set (e.g. g_min < g_max).
  virtual void validate_relations(const ParamValues& values, std::string_view prefix, ProblemList& problems) const = 0;

 protected:
  std::vector<ParamInfo> entries_;
};

/// Joins a key path: key_path("device", "g_max_S") == "device.g_max_S".
std::string key_path(std::string_view prefix, std::string_view name);

template <class S>
class ParamTable final : public ParamTableBase {
 public:
  using Relation = std::function<void(const S&, std::string_view prefix, ProblemList&)>;

  ParamTable& real(std::string name, double S::*member, std::string unit, Range range, std::string description,
                   std::string source) {
    add(std::move(name), ParamKind::Real, std::move(unit), range, {}, std::move(description), std::move(source),
        ParamValue(S{}.*member));
    getters_.push_back([member](const S& s) { return ParamValue(s.*member); });
    setters_.push_back([member](S& s, const ParamValue& v) { s.*member = std::get<double>(v); });
    return *this;
  }
  ParamTable& integer(std::string name, int S::*member, std::string unit, Range range, std::string description,
                      std::string source) {
    add(std::move(name), ParamKind::Integer, std::move(unit), range, {}, std::move(description), std::move(source),
        ParamValue(static_cast<std::int64_t>(S{}.*member)));
    getters_.push_back([member](const S& s) { return ParamValue(static_cast<std::int64_t>(s.*member)); });
    setters_.push_back(
        [member](S& s, const ParamValue& v) { s.*member = static_cast<int>(std::get<std::int64_t>(v)); });
    return *this;
  }
  ParamTable& boolean(std::string name, bool S::*member, std::string description, std::string source) {
    add(std::move(name), ParamKind::Boolean, "", Range::any(), {}, std::move(description), std::move(source),
        ParamValue(S{}.*member));
    getters_.push_back([member](const S& s) { return ParamValue(s.*member); });
    setters_.push_back([member](S& s, const ParamValue& v) { s.*member = std::get<bool>(v); });
    return *this;
  }
  ParamTable& choice(std::string name, std::string S::*member, std::vector<std::string> choices,
                     std::string description, std::string source) {
    add(std::move(name), ParamKind::Choice, "", Range::any(), std::move(choices), std::move(description),
        std::move(source), ParamValue(S{}.*member));
    getters_.push_back([member](const S& s) { return ParamValue(s.*member); });
    setters_.push_back([member](S& s, const ParamValue& v) { s.*member = std::get<std::string>(v); });
    return *this;
  }
  /// Adds a cross-field check, run after every field is in range.
  ParamTable& relation(Relation rule) {
    relations_.push_back(std::move(rule));
    return *this;
  }

  ParamValues values(const S& s) const {
    ParamValues out;
    for (std::size_t i = 0; i < entries_.size(); ++i) out.emplace(entries_[i].name, getters_[i](s));
    return out;
  }
  /// Builds a struct from defaults plus `overrides`; throws ConfigError listing every
  /// unknown key, wrong kind, out-of-range value and broken relation.
  S make(const ParamValues& overrides, std::string_view prefix = {}) const {
    ProblemList problems;
    validate(overrides, prefix, problems);
    problems.throw_if_any();
    S s{};
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (auto it = overrides.find(entries_[i].name); it != overrides.end()) setters_[i](s, it->second);
    }
    for (const auto& rule : relations_) rule(s, prefix, problems);
    problems.throw_if_any();
    return s;
  }
  /// Range and relation checks of a struct built in code.
  void validate_struct(const S& s, std::string_view prefix, ProblemList& problems) const {
    validate(values(s), prefix, problems);
    if (problems.empty())
      for (const auto& rule : relations_) rule(s, prefix, problems);
  }
  void validate_relations(const ParamValues& values, std::string_view prefix, ProblemList& problems) const override {
    S s{};
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (auto it = values.find(entries_[i].name); it != values.end()) setters_[i](s, it->second);
    }
    for (const auto& rule : relations_) rule(s, prefix, problems);
  }

 private:
  void add(std::string name, ParamKind kind, std::string unit, Range range, std::vector<std::string> choices,
           std::string description, std::string source, ParamValue def) {
    entries_.push_back({std::move(name), kind, std::move(unit), range, std::move(choices), std::move(description),
                        std::move(source), std::move(def)});
  }
  std::vector<std::function<ParamValue(const S&)>> getters_;
  std::vector<std::function<void(S&, const ParamValue&)>> setters_;
  std::vector<Relation> relations_;
};

/// Helper for relations: adds a problem unless `ok`.
inline void require(bool ok, ProblemList& problems, std::string_view prefix, std::string_view name, std::string what) {
  if (!ok) problems.add(key_path(prefix, name), std::move(what));
}

}  // namespace xbarsim

#include <charconv>
#include <cstdio>
#include <xbarsim/core/params.hpp>
#include <xbarsim/core/text.hpp>

namespace xbarsim {

std::string_view to_string(ParamKind kind) {
  switch (kind) {
    case ParamKind::Real:
      return "real";
    case ParamKind::Integer:
      return "integer";
    case ParamKind::Boolean:
      return "boolean";
    case ParamKind::Choice:
      return "choice";
  }
  return "?";
}

namespace {
std::string number(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}
std::string_view kind_of(const ParamValue& v) {
  switch (v.index()) {
    case 0:
      return "a real number";
    case 1:
      return "an integer";
    case 2:
      return "a boolean";
    default:
      return "a string";
  }
}
}  // namespace

bool Range::contains(double x) const {
  if (std::isnan(x)) return false;
  const bool above = lo_open ? x > lo : x >= lo;
  const bool below = hi_open ? x < hi : x <= hi;
  return above && below;
}

std::string Range::describe() const {
  return std::string(lo_open ? "(" : "[") + number(lo) + ", " + number(hi) + (hi_open ? ")" : "]");
}

std::string format_value(const ParamValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>)
          return number(v);
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return std::to_string(v);
        else if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else
          return "\"" + v + "\"";
      },
      value);
}

std::string key_path(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return std::string(prefix) + "." + std::string(name);
}

const ParamInfo* ParamTableBase::find(std::string_view name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

std::optional<std::string> ParamTableBase::check(const ParamInfo& info, const ParamValue& value) const {
  switch (info.kind) {
    case ParamKind::Real: {
      if (!std::holds_alternative<double>(value)) return "expected a real number, found " + std::string(kind_of(value));
      const double x = std::get<double>(value);
      if (!info.range.contains(x))
        return "must be in " + info.range.describe() + (info.unit.empty() || info.unit == "1" ? "" : " " + info.unit) +
               ", got " + number(x);
      return {};
    }
    case ParamKind::Integer: {
      if (!std::holds_alternative<std::int64_t>(value))
        return "expected an integer, found " + std::string(kind_of(value));
      const auto x = std::get<std::int64_t>(value);
      if (!info.range.contains(static_cast<double>(x)))
        return "must be in " + info.range.describe() + ", got " + std::to_string(x);
      return {};
    }
    case ParamKind::Boolean:
      if (!std::holds_alternative<bool>(value)) return "expected true or false, found " + std::string(kind_of(value));
      return {};
    case ParamKind::Choice: {
      const std::string allowed = join(info.choices);
      if (!std::holds_alternative<std::string>(value))
        return "expected one of {" + allowed + "}, found " + std::string(kind_of(value));
      for (const auto& c : info.choices)
        if (c == std::get<std::string>(value)) return {};
      return "expected one of {" + allowed + "}, got " + format_value(value);
    }
  }
  return {};
}

void ParamTableBase::validate(const ParamValues& values, std::string_view prefix, ProblemList& problems) const {
  for (const auto& [name, value] : values) {
    const ParamInfo* info = find(name);
    if (!info) {
      problems.add(key_path(prefix, name), "unknown parameter");
      continue;
    }
    if (auto what = check(*info, value)) problems.add(key_path(prefix, name), *what);
  }
}

ParamValue ParamTableBase::parse_text(const ParamInfo& info, std::string_view text, std::string_view where) const {
  auto fail = [&](std::string expected) -> ParamValue {
    throw ConfigError(std::string(where), expected + ", got \"" + std::string(text) + "\"");
  };
  switch (info.kind) {
    case ParamKind::Real: {
      try {
        std::size_t used = 0;
        const double x = std::stod(std::string(text), &used);
        if (used != text.size()) return fail("expected a real number");
        return x;
      } catch (const std::logic_error&) {
        return fail("expected a real number");
      }
    }
    case ParamKind::Integer: {
      std::int64_t x = 0;
      const auto res = std::from_chars(text.data(), text.data() + text.size(), x);
      if (res.ec != std::errc() || res.ptr != text.data() + text.size()) return fail("expected an integer");
      return x;
    }
    case ParamKind::Boolean:
      if (text == "true") return true;
      if (text == "false") return false;
      return fail("expected true or false");
    case ParamKind::Choice:
      return std::string(text);
  }
  return fail("unsupported parameter kind");
}

ParamValues ParamTableBase::defaults() const {
  ParamValues out;
  for (const auto& e : entries_) out.emplace(e.name, e.default_value);
  return out;
}

}  // namespace xbarsim

#pragma once
// Small text helpers for messages ("expected one of {a, b, c}") and the
// "NAME[:key=value,...]" names of digital targets and compression transforms.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xbarsim {

/// Joins proj(item) for every item of a range with `sep`.
template <class Range, class Proj = std::identity>
std::string join(const Range& items, std::string_view sep = ", ", Proj proj = {}) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += std::string_view(std::invoke(proj, item));
  }
  return out;
}

/// The current UTC time in ISO 8601, e.g. "2026-11-26T20:31:00Z" (for output files).
std::string utc_now_iso8601();

/// `s` without leading and trailing spaces and tabs.
std::string trim(std::string_view s);

/// "NAME[:key=value,...]" split into the name and the settings in order.
struct NamedSettings {
  std::string name;
  std::vector<std::pair<std::string, std::string>> settings;
};
/// ConfigError with key `what` for an empty name, a setting without '=' or an empty key,
/// and "what.NAME.key" for a repeated key.
NamedSettings parse_named_settings(std::string_view text, std::string_view what);

}  // namespace xbarsim

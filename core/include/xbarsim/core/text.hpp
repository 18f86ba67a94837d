#pragma once
// Small text helpers for messages ("expected one of {a, b, c}").
#include <functional>
#include <string>
#include <string_view>

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

}  // namespace xbarsim

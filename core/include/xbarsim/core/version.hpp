#pragma once
#include <string_view>

namespace xbarsim {
/// Semantic version of this build ("0.1.0").
std::string_view version();
/// Git revision the build was configured from ("unknown" outside a checkout; "-dirty"
/// appended when the work tree had changes).
std::string_view git_revision();
}  // namespace xbarsim

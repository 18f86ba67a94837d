#pragma once
#include <filesystem>
#include <vector>

namespace xbarsim::io {
/// Directories searched for shipped data (presets, models), in order: $XBARSIM_DATA_DIR,
/// the installed share/xbarsim/data, the source tree's data/ (for builds run in place).
std::vector<std::filesystem::path> data_dirs();
}  // namespace xbarsim::io

#include <cstdlib>
#include <xbarsim/io/data_dirs.hpp>

namespace xbarsim::io {
std::vector<std::filesystem::path> data_dirs() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("XBARSIM_DATA_DIR"); env && *env) dirs.emplace_back(env);
  for (const char* d : {XBARSIM_INSTALL_DATA_DIR, XBARSIM_SOURCE_DATA_DIR}) {
    std::error_code ec;
    if (std::filesystem::is_directory(d, ec)) dirs.emplace_back(d);
  }
  return dirs;
}
}  // namespace xbarsim::io

#include <xbarsim/core/error.hpp>

namespace xbarsim {
namespace {
std::string join(const std::vector<Problem>& problems) {
  std::string text;
  for (const auto& p : problems) {
    if (!text.empty()) text += '\n';
    text += p.where + ": " + p.what;
  }
  return text;
}
}  // namespace

ConfigError::ConfigError(std::vector<Problem> problems) : Error(join(problems)), problems_(std::move(problems)) {}

ConfigError::ConfigError(std::string where, std::string what)
    : ConfigError(std::vector<Problem>{{std::move(where), std::move(what)}}) {}

IoError::IoError(std::string path, std::string what, std::optional<std::uint64_t> offset)
    : Error(path + (offset ? " (offset " + std::to_string(*offset) + ")" : std::string()) + ": " + what),
      path_(std::move(path)),
      detail_(std::move(what)),
      offset_(offset) {}

void ProblemList::throw_if_any() const {
  if (!items_.empty()) throw ConfigError(items_);
}

}  // namespace xbarsim

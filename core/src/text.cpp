// Text helpers (see text.hpp).
#include <chrono>
#include <ctime>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>

namespace xbarsim {

std::string utc_now_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

NamedSettings parse_named_settings(std::string_view text, std::string_view what) {
  const std::string key_what(what);
  std::string quoted = "\"";
  quoted += text;
  quoted += '"';
  NamedSettings out;
  const auto colon = text.find(':');
  out.name = trim(text.substr(0, colon));
  if (out.name.empty()) throw ConfigError(key_what, "empty name in " + quoted);
  if (colon == std::string_view::npos) return out;
  std::string_view rest = text.substr(colon + 1);
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos)
      throw ConfigError(key_what, "expected key=value, got \"" + std::string(item) + "\" in " + quoted);
    std::string key = trim(item.substr(0, eq)), value = trim(item.substr(eq + 1));
    if (key.empty()) throw ConfigError(key_what, "empty key in " + quoted);
    for (const auto& [k, v] : out.settings)
      if (k == key) throw ConfigError(key_what + "." + out.name + "." + key, "given twice");
    out.settings.emplace_back(std::move(key), std::move(value));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

}  // namespace xbarsim

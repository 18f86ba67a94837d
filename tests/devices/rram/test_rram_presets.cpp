// The shipped RRAM presets name existing parameters with the right kinds, give a source
// for each, and build valid models. (Family tests do not link io, so a line parser for
// the flat preset format of the helper brief is used here.)
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <xbarsim/devices/registry.hpp>

using namespace xbarsim;

namespace {
struct Preset {
  std::map<std::string, std::string> top;
  ParamValues parameters;
  std::set<std::string> sources;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

ParamValue value_of(const std::string& text) {
  if (text.front() == '"') return text.substr(1, text.rfind('"') - 1);
  if (text == "true" || text == "false") return text == "true";
  if (text.find_first_of(".eE") != std::string::npos) return std::stod(text);
  return static_cast<std::int64_t>(std::stoll(text));
}

Preset parse(const std::filesystem::path& file) {
  Preset p;
  std::ifstream in(file);
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.find('#') != std::string::npos && line.find('"') == std::string::npos)
      line = line.substr(0, line.find('#'));
    line = trim(line);
    if (line.empty()) continue;
    if (line.front() == '[') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    const auto eq = line.find('=');
    REQUIRE(eq != std::string::npos);
    const std::string key = trim(line.substr(0, eq)), val = trim(line.substr(eq + 1));
    if (section.empty())
      p.top[key] = val;
    else if (section == "parameters")
      p.parameters[key] = value_of(val);
    else if (section == "sources")
      p.sources.insert(key);
  }
  return p;
}

bool kind_matches(ParamKind kind, const ParamValue& v) {
  switch (kind) {
    case ParamKind::Real:
      return std::holds_alternative<double>(v);
    case ParamKind::Integer:
      return std::holds_alternative<std::int64_t>(v);
    case ParamKind::Boolean:
      return std::holds_alternative<bool>(v);
    case ParamKind::Choice:
      return std::holds_alternative<std::string>(v);
  }
  return false;
}
}  // namespace

TEST_CASE("RRAM presets are complete, sourced and valid", "[devices][rram]") {
  // Reference: the preset format of the helper brief (every [parameters] key is a table
  // name of the model, reals written as reals, one [sources] entry per parameter).
  const std::map<std::string, const DeviceFamily*> families{{"rram-vteam", &vteam_family()},
                                                            {"rram-stanford-pku", &stanford_pku_family()},
                                                            {"rram-pulse", &rram_pulse_family()}};
  const std::filesystem::path dir = std::filesystem::path(XBARSIM_TEST_DATA_DIR) / "presets" / "devices";
  std::size_t seen = 0;
  for (const char* name : {"rram-vteam", "rram-stanford-pku", "rram-ag-asi", "rram-taox-hfox", "rram-epiram"}) {
    INFO(name);
    const auto file = dir / (std::string(name) + ".toml");
    REQUIRE(std::filesystem::exists(file));
    const Preset p = parse(file);
    CHECK(p.top.at("schema_version") == "1");
    for (const char* key : {"description", "source"}) CHECK(p.top.at(key).size() > 10);
    const std::string model = std::get<std::string>(value_of(p.top.at("model")));
    REQUIRE(families.count(model) == 1);
    const DeviceFamily& f = *families.at(model);
    CHECK_FALSE(p.parameters.empty());
    std::set<std::string> keys;
    for (const auto& [key, value] : p.parameters) {
      INFO(key);
      const ParamInfo* info = f.table().find(key);
      REQUIRE(info != nullptr);
      CHECK(kind_matches(info->kind, value));
      CHECK(value != info->default_value);  // presets list only values that differ
      keys.insert(key);
    }
    CHECK(keys == p.sources);
    CHECK_NOTHROW(f.make(p.parameters));
    ++seen;
  }
  CHECK(seen == 5);
}

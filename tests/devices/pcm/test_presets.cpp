// The PCM presets (data/presets/devices/pcm-*.toml) name only real table keys, give a
// source for every key, and build a model. A minimal line reader is enough for these
// flat files (io owns real TOML parsing; devices tests do not link it).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <xbarsim/devices/pcm_laws.hpp>
#include <xbarsim/devices/pcm_pulse.hpp>
#include <xbarsim/devices/pcm_statistical.hpp>
#include <xbarsim/devices/pcm_thermal.hpp>
#include <xbarsim/devices/registry.hpp>

using namespace xbarsim;

namespace {
struct Preset {
  std::map<std::string, std::string> top, parameters, sources;
};

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

Preset read_preset(const std::filesystem::path& file) {
  Preset p;
  std::ifstream in(file);
  std::string line, section;
  std::map<std::string, std::string>* target = &p.top;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      section = line;
      target = section == "[parameters]" ? &p.parameters : section == "[sources]" ? &p.sources : nullptr;
      REQUIRE(target != nullptr);
      continue;
    }
    const auto eq = line.find('=');
    REQUIRE(eq != std::string::npos);
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
    (*target)[trim(line.substr(0, eq))] = value;
  }
  return p;
}
}  // namespace

TEST_CASE("pcm presets use table keys, cite every value and build a model", "[devices][pcm]") {
  const std::filesystem::path dir = std::filesystem::path(XBARSIM_TEST_DATA_DIR) / "presets" / "devices";
  const std::map<std::string, const DeviceFamily*> families = {{"pcm-statistical", &pcm_statistical_family()},
                                                               {"pcm-pulse", &pcm_pulse_family()},
                                                               {"pcm-thermal", &pcm_thermal_family()}};
  std::map<std::string, std::string> seen;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("pcm-", 0) != 0) continue;
    INFO(name);
    const Preset p = read_preset(entry.path());
    CHECK(p.top.at("schema_version") == "1");
    CHECK_FALSE(p.top.at("description").empty());
    CHECK_FALSE(p.top.at("source").empty());
    REQUIRE(families.count(p.top.at("model")) == 1);
    const DeviceFamily& fam = *families.at(p.top.at("model"));
    seen[name] = p.top.at("model");
    ParamValues values;
    for (const auto& [key, text] : p.parameters) {
      INFO(key);
      const ParamInfo* info = fam.table().find(key);
      REQUIRE(info != nullptr);
      CHECK(p.sources.count(key) == 1);
      values[key] = fam.table().parse_text(*info, text, key);
    }
    CHECK(p.sources.size() == p.parameters.size());
    CHECK_NOTHROW(fam.make(values));
  }
  CHECK(seen["pcm-joshi2020.toml"] == "pcm-statistical");
  CHECK(seen["pcm-nandakumar2020.toml"] == "pcm-pulse");
  CHECK(seen["pcm-gst-thermal.toml"] == "pcm-thermal");
}

TEST_CASE("pcm-joshi2020 pins exactly the published constants", "[devices][pcm]") {
  // Reference: aihwkit PCMLikeNoiseModel defaults and the Joshi 2020 fit
  // (device_physics.md 3.1): g_max 25 uS, t0 20 s, t_read 250 ns, unit scales, and the
  // published polynomial / drift / 1/f constants of pcm_laws.hpp.
  const Preset p = read_preset(std::filesystem::path(XBARSIM_TEST_DATA_DIR) / "presets/devices/pcm-joshi2020.toml");
  CHECK(std::stod(p.parameters.at("g_max_S")) == 25e-6);
  CHECK(std::stod(p.parameters.at("t0_s")) == 20.0);
  CHECK(std::stod(p.parameters.at("t_read_s")) == 250e-9);
  CHECK(pcm::kProgC0_S == 0.26348e-6);
  CHECK(pcm::kProgC1_S == 1.9650e-6);
  CHECK(pcm::kProgC2_S == -1.1731e-6);
  CHECK(pcm::sigma_prog_S(1.0, 25e-6) == Approx((0.26348 + 1.9650 - 1.1731) * 1e-6));  // 1.055 uS, 4.2 % of g_max
  CHECK(pcm::mu_nu(1.0) == 0.049);                                                     // clamp (0.0244 unclamped)
  CHECK(pcm::sigma_nu(1.0) == 0.008);
  CHECK(pcm::mu_nu(0.1) == Approx(-0.0155 * std::log(0.1) + 0.0244));
  CHECK(pcm::q_s(1.0) == Approx(0.0088));
  CHECK(pcm::q_s(0.0) == 0.2);
  CHECK(pcm::read_noise_time_factor(0.0, 20.0, 250e-9) == Approx(std::sqrt(std::log(20.00000025 / 5e-7))));
}

// The rpu-step presets (data/presets/devices/rpu-*.toml): real table keys, a source for
// every value, valid models, and the values of the aihwkit presets they copy.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <toml.hpp>
#include <xbarsim/devices/registry.hpp>

#include "rpu_test_util.hpp"

#include "../../preset_values.hpp"

using namespace xbarsim;

TEST_CASE("rpu presets use table keys, cite every value and build a model", "[devices][rpu]") {
  const std::filesystem::path dir = std::filesystem::path(XBARSIM_TEST_DATA_DIR) / "presets" / "devices";
  std::map<std::string, RpuStepParams> presets;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().stem().string();
    if (name.rfind("rpu-", 0) != 0) continue;
    INFO(name);
    const toml::value file = toml::parse(entry.path().string());
    CHECK(toml::find<std::int64_t>(file, "schema_version") == 1);
    CHECK(toml::find<std::string>(file, "model") == "rpu-step");
    CHECK(!toml::find<std::string>(file, "source").empty());
    const ParamValues values = test::read_parameters(file);
    const auto& sources = toml::find(file, "sources").as_table();
    for (const auto& [key, v] : values) {
      INFO(key);
      CHECK(sources.count(key) == 1);
      CHECK(RpuStepParams::table().find(key) != nullptr);
    }
    CHECK(sources.size() == values.size());
    presets[name] = RpuStepParams::table().make(values);
    CHECK_NOTHROW(rpu_step_family().make(values));
  }
  REQUIRE(presets.size() == 6);
  // Reference values: aihwkit src/aihwkit/simulator/presets/devices.py (device_physics.md
  // 2.6 and 5.1-5.3) together with the PulsedDevice / LinearStepDevice defaults.
  const RpuStepParams& gv = presets.at("rpu-gokmen-vlasov");
  CHECK(gv.step == "constant");
  CHECK((gv.w_max - gv.w_min) / gv.dw_min == Approx(1250.0));  // "to keep 1200 states" (sic)
  CHECK(gv.dw_min_dtod == 0.3);
  CHECK(gv.dw_min_std == 0.3);
  CHECK(gv.up_down_dtod == 0.01);
  CHECK(gv.w_max_dtod == 0.3);
  CHECK(gv.w_min_dtod == 0.3);
  const RpuStepParams& ideal = presets.at("rpu-idealized");
  CHECK((ideal.w_max - ideal.w_min) / ideal.dw_min == Approx(10000.0));  // "10000 steps"
  CHECK(ideal.up_down_dtod == 0.0);
  const RpuStepParams& es = presets.at("rpu-reram-es");
  CHECK(es.step == "exp");
  CHECK(es.up_down == 0.259359);
  CHECK(es.exp_A_up == -1.18445);
  CHECK(es.exp_A_down == -0.081404);
  CHECK(es.exp_a == -0.5);
  CHECK(es.exp_gamma_down == 5.0);
  CHECK(es.dw_min_std == 5.0);
  CHECK(es.write_noise_std == 75.0);
  CHECK(es.w_max_dtod == 0.3);
  const RpuStepParams& sb = presets.at("rpu-reram-sb");
  CHECK(sb.step == "soft-bounds");
  CHECK(!sb.mult_noise);
  CHECK(sb.w_max_dtod == Approx(0.3 / 1.25));
  CHECK(sb.w_min_dtod == Approx(0.3 / 0.75));
  CHECK(sb.write_noise_std == 56.0);
  const RpuStepParams& ec = presets.at("rpu-ecram");
  CHECK(ec.step == "linear");
  CHECK(ec.gamma_up == 0.1153);
  CHECK(ec.gamma_down == 0.5085);
  CHECK(ec.w_max - ec.w_min == Approx(2.0));
  CHECK(ec.mult_noise);
  CHECK(ec.mean_bound_reference);
  const RpuStepParams& cap = presets.at("rpu-capacitor");
  CHECK(cap.step == "linear");
  CHECK(cap.lifetime == 1.0e6);
  CHECK(cap.lifetime_dtod == 0.3);
  CHECK(!cap.mult_noise);
  CHECK(cap.gamma_up_dtod == 0.01);
}

TEST_CASE("the family's defaults for the generic protocols", "[devices][rpu]") {
  // Reference: aihwkit calcNumStates (w_max - w_min)/dw_min: 1200 for the PulsedDevice
  // defaults; the pulse-response protocol sweeps that many pulses up and down.
  const DeviceFamily& f = rpu_step_family();
  CHECK(f.model() == "rpu-step");
  CHECK(f.default_pulses({}) == 1200);
  CHECK(f.default_pulses({{"dw_min", 0.0016}, {"w_max", 1.0}, {"w_min", -1.0}}) == 1250);
  CurveRequest r;
  r.protocol = "pulse-response";
  r.devices = 4;
  r.pulses = 50;
  const Curve c = characterise(f,
                               {{"step", std::string("constant")},
                                {"dw_min_std", 0.0},
                                {"dw_min_dtod", 0.0},
                                {"up_down_dtod", 0.0},
                                {"w_max_dtod", 0.0},
                                {"w_min_dtod", 0.0}},
                               r);
  const auto& g = c.find("conductance_S")->values;
  // 50 noise-free up steps of 0.001 from w_min: G rises by 50 * 0.001/1.2 of the window.
  const RpuStepParams p;
  CHECK(g[50] - g[0] == Approx(50 * 0.001 / 1.2 * (p.g_max_S - p.g_min_S)).epsilon(1e-4));
  CHECK(g[100] == Approx(g[0]).margin(1e-5 * p.g_max_S));  // 50 up, 50 down: back to the start
}

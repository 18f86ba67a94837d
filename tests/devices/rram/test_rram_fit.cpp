// fit_rram_pulse: recovers known rram-pulse parameters from their own pulse response and
// describes a VTEAM pulse response with a small residual.
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/devices/registry.hpp>
#include <xbarsim/devices/rram_fit.hpp>
#include <xbarsim/devices/rram_pulse.hpp>

using namespace xbarsim;

namespace {
Curve response(const DeviceFamily& f, const ParamValues& v, std::size_t devices = 3, std::size_t pulses = 0) {
  CurveRequest r;
  r.protocol = "pulse-response";
  r.devices = devices;
  r.pulses = pulses;
  return characterise(f, v, r);
}

double real(const ParamValues& v, const char* k) { return std::get<double>(v.at(k)); }
std::int64_t integer(const ParamValues& v, const char* k) { return std::get<std::int64_t>(v.at(k)); }
}  // namespace

TEST_CASE("The fit recovers the parameters of synthetic rram-pulse curves", "[devices][rram]") {
  // Reference: the generating parameters themselves (NeuroSim device table, sheet 2.5),
  // noise-free curves, so the least-squares optimum is exact.
  SECTION("Ag:a-Si (NL 2.40 / -4.88, 97 / 100 pulses)") {
    const ParamValues v{{"g_min_S", 3.0769e-9},
                        {"g_max_S", 3.8462e-8},
                        {"pulses_ltp", std::int64_t{97}},
                        {"pulses_ltd", std::int64_t{100}},
                        {"nl_ltp", 2.40},
                        {"nl_ltd", -4.88}};
    const RramPulseFit fit = fit_rram_pulse(response(rram_pulse_family(), v));
    CHECK(real(fit.params, "g_min_S") == Approx(3.0769e-9).epsilon(2e-3));
    CHECK(real(fit.params, "g_max_S") == Approx(3.8462e-8).epsilon(2e-3));
    CHECK(integer(fit.params, "pulses_ltp") == 97);
    CHECK(integer(fit.params, "pulses_ltd") == 100);
    CHECK(real(fit.params, "nl_ltp") == Approx(2.40).margin(0.02));
    CHECK(real(fit.params, "nl_ltd") == Approx(-4.88).margin(0.02));
    CHECK(fit.rms_rel < 1e-4);
    CHECK(fit.devices == 3);
  }
  SECTION("TaOx/HfOx (NL 0.04 / -0.63, 128 pulses), more pulses than needed") {
    const ParamValues v{
        {"g_min_S", 1e-6}, {"g_max_S", 1e-5}, {"pulses_ltp", std::int64_t{128}}, {"pulses_ltd", std::int64_t{128}},
        {"nl_ltp", 0.04},  {"nl_ltd", -0.63}};
    const RramPulseFit fit = fit_rram_pulse(response(rram_pulse_family(), v, 2, 150));
    CHECK(integer(fit.params, "pulses_ltp") == 128);
    CHECK(integer(fit.params, "pulses_ltd") == 128);
    CHECK(real(fit.params, "nl_ltp") == Approx(0.04).margin(0.02));
    CHECK(real(fit.params, "nl_ltd") == Approx(-0.63).margin(0.02));
    CHECK(fit.rms_rel < 1e-4);
  }
}

TEST_CASE("The fit describes a VTEAM pulse response with a small residual", "[devices][rram]") {
  // Reference: the VTEAM curve itself; the NeuroSim exponential form is only an
  // approximation of 1/R(u) along the Biolek trajectory, so the bound is a few percent.
  const Curve c = response(vteam_family(), {}, 2);
  const RramPulseFit fit = fit_rram_pulse(c);
  INFO("rms_rel = " << fit.rms_rel);
  CHECK(fit.rms_rel < 0.03);
  CHECK(real(fit.params, "g_max_S") > real(fit.params, "g_min_S"));
}

TEST_CASE("The fit rejects curves it cannot use", "[devices][rram]") {
  Curve c = response(rram_pulse_family(), {}, 1, 10);
  Curve no_pol = c;
  no_pol.datasets.erase(no_pol.datasets.begin() + 1);  // pulse_index, polarity, conductance_S
  CHECK_THROWS_AS(fit_rram_pulse(no_pol), ConfigError);
  Curve only_up = c;
  for (auto& d : only_up.datasets)
    if (d.name == "polarity")
      for (double& x : d.values) x = std::abs(x);
  CHECK_THROWS_AS(fit_rram_pulse(only_up), ConfigError);
}

#include <catch2/catch.hpp>
#include <xbarsim/core/constants.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/progress.hpp>

using namespace xbarsim;

TEST_CASE("errors carry their data", "[core]") {
  const IoError io("data/x.idx", "wrong magic number", 4);
  CHECK(io.path() == "data/x.idx");
  CHECK(io.offset() == 4u);
  CHECK(std::string(io.what()) == "data/x.idx (offset 4): wrong magic number");
  ProblemList p;
  p.add("a.b", "must be positive");
  p.add("a.c", "unknown parameter");
  try {
    p.throw_if_any();
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.problems().size() == 2);
    CHECK(std::string(e.what()) == "a.b: must be positive\na.c: unknown parameter");
  }
  CHECK_NOTHROW(ProblemList{}.throw_if_any());
}

TEST_CASE("cancellation throws Cancelled at the next check", "[core]") {
  CancellationToken token;
  RunControl control{nullptr, &token};
  CHECK_NOTHROW(control.check());
  token.cancel();
  CHECK_THROWS_AS(control.check(), Cancelled);
}

TEST_CASE("physical constants", "[core]") {
  // kT/q at 300 K = 25.852 mV (CODATA 2018 k and e, both exact).
  CHECK(constants::thermal_voltage_V(300.0) == Approx(0.0258520).epsilon(1e-6));
  // hbar = h / (2 pi) to the 10 digits CODATA quotes.
  CHECK(constants::hbar_Js == Approx(constants::planck_Js / (2 * 3.14159265358979323846)).epsilon(1e-9));
  // mu0 = 4 pi 1e-7 H/m to 1e-9 relative (CODATA 2018: 1.00000000055 x 4 pi 1e-7).
  CHECK(constants::vacuum_permeability_H_per_m == Approx(4e-7 * 3.14159265358979323846).epsilon(1e-9));
}

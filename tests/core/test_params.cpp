#include <catch2/catch.hpp>
#include <xbarsim/core/params.hpp>

using namespace xbarsim;

namespace {
struct Example {
  double g_max_S = 25e-6;
  double g_min_S = 0.0;
  int levels = 0;
  bool noisy = true;
  std::string mode = "fast";
  static const ParamTable<Example>& table() {
    static const ParamTable<Example> t = [] {
      ParamTable<Example> t;
      t.real("g_max_S", &Example::g_max_S, "S", Range::positive(), "max conductance", "test")
          .real("g_min_S", &Example::g_min_S, "S", Range::non_negative(), "min conductance", "test")
          .integer("levels", &Example::levels, "1", Range::closed(0, 1024), "levels", "test")
          .boolean("noisy", &Example::noisy, "noise on", "test")
          .choice("mode", &Example::mode, {"fast", "exact"}, "mode", "test")
          .relation([](const Example& e, std::string_view prefix, ProblemList& p) {
            require(e.g_min_S < e.g_max_S, p, prefix, "g_min_S", "must be below g_max_S");
          });
      return t;
    }();
    return t;
  }
};
}  // namespace

TEST_CASE("parameter table reads defaults from the struct", "[core]") {
  const auto d = Example::table().defaults();
  CHECK(std::get<double>(d.at("g_max_S")) == 25e-6);
  CHECK(std::get<std::int64_t>(d.at("levels")) == 0);
  CHECK(std::get<std::string>(d.at("mode")) == "fast");
}

TEST_CASE("make() applies overrides and round-trips through values()", "[core]") {
  const Example e =
      Example::table().make({{"g_max_S", 1e-5}, {"levels", std::int64_t{8}}, {"mode", std::string("exact")}});
  CHECK(e.g_max_S == 1e-5);
  CHECK(e.levels == 8);
  CHECK(e.mode == "exact");
  CHECK(Example::table().values(e).at("g_max_S") == ParamValue(1e-5));
}

TEST_CASE("validation collects every problem with its key path", "[core]") {
  try {
    Example::table().make({{"g_max_S", -1.0}, {"levels", 2.5}, {"bogus", true}, {"mode", std::string("slow")}},
                          "device");
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    const auto& p = e.problems();
    REQUIRE(p.size() == 4);
    std::map<std::string, std::string> by_key;
    for (const auto& x : p) by_key[x.where] = x.what;
    CHECK(by_key.at("device.g_max_S").find("must be in (0, inf]") != std::string::npos);
    CHECK(by_key.at("device.g_max_S").find("got -1") != std::string::npos);
    CHECK(by_key.at("device.levels").find("expected an integer") != std::string::npos);
    CHECK(by_key.at("device.bogus") == "unknown parameter");
    CHECK(by_key.at("device.mode").find("expected one of {fast, exact}") != std::string::npos);
  }
}

TEST_CASE("relations run after field checks", "[core]") {
  CHECK_THROWS_WITH(Example::table().make({{"g_min_S", 1e-4}}), Catch::Contains("g_min_S: must be below g_max_S"));
}

TEST_CASE("parse_text converts --set text by kind", "[core]") {
  const auto& t = Example::table();
  CHECK(std::get<double>(t.parse_text(*t.find("g_max_S"), "3e-6", "x")) == 3e-6);
  CHECK(std::get<std::int64_t>(t.parse_text(*t.find("levels"), "16", "x")) == 16);
  CHECK(std::get<bool>(t.parse_text(*t.find("noisy"), "false", "x")) == false);
  CHECK_THROWS_AS(t.parse_text(*t.find("g_max_S"), "abc", "x"), ConfigError);
  CHECK_THROWS_AS(t.parse_text(*t.find("levels"), "1.5", "x"), ConfigError);
  CHECK_THROWS_AS(t.parse_text(*t.find("noisy"), "yes", "x"), ConfigError);
}

TEST_CASE("ranges describe and contain correctly", "[core]") {
  CHECK(Range::positive().describe() == "(0, inf]");
  CHECK_FALSE(Range::positive().contains(0.0));
  CHECK(Range::unit().contains(1.0));
  CHECK_FALSE(Range::unit().contains(std::nan("")));
}

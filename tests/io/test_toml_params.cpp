#include <catch2/catch.hpp>
#include <xbarsim/io/toml_params.hpp>

using namespace xbarsim;

namespace {
struct P {
  double v_V = 0.5;
  int n = 3;
  bool on = false;
  std::string kind = "a";
  static const ParamTable<P>& table() {
    static const ParamTable<P> t = [] {
      ParamTable<P> t;
      t.real("v_V", &P::v_V, "V", Range::closed(0, 5), "voltage", "test")
          .integer("n", &P::n, "1", Range::closed(1, 10), "count", "test")
          .boolean("on", &P::on, "switch", "test")
          .choice("kind", &P::kind, {"a", "b"}, "kind", "test");
      return t;
    }();
    return t;
  }
};
}  // namespace

TEST_CASE("TOML tables convert to checked parameter values", "[io]") {
  const auto doc = io::parse_toml("[p]\nv_V = 1\nn = 4\non = true\nkind = \"b\"\n", "x.toml");
  ProblemList problems;
  const auto v = io::params_from_toml(doc.at("p"), P::table(), "x.toml: p", problems);
  REQUIRE(problems.empty());
  CHECK(std::get<double>(v.at("v_V")) == 1.0);  // integer accepted for a real
  CHECK(std::get<std::int64_t>(v.at("n")) == 4);
  CHECK(std::get<bool>(v.at("on")));
  CHECK(std::get<std::string>(v.at("kind")) == "b");
}

TEST_CASE("every TOML problem is reported with its key path", "[io]") {
  const auto doc = io::parse_toml("[p]\nv_V = 9.0\nn = 2.5\non = 1\nkind = \"z\"\nextra = 1\n", "x.toml");
  ProblemList problems;
  io::params_from_toml(doc.at("p"), P::table(), "x.toml: p", problems);
  std::map<std::string, std::string> by;
  for (const auto& q : problems.items()) by[q.where] = q.what;
  REQUIRE(by.size() == 5);
  CHECK(by.at("x.toml: p.v_V") == "must be in [0, 5] V, got 9");
  CHECK(by.at("x.toml: p.n") == "expected an integer, found a real number");
  CHECK(by.at("x.toml: p.on") == "expected true or false, found an integer");
  CHECK(by.at("x.toml: p.kind") == "expected one of {a, b}, got \"z\"");
  CHECK(by.at("x.toml: p.extra") == "unknown parameter");
}

TEST_CASE("malformed TOML names the file and line", "[io]") {
  try {
    io::parse_toml("a = 1\nb = [1, 2\n", "bad.toml");
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].where == "bad.toml:2");
    CHECK(e.problems()[0].what.find("malformed TOML: ") == 0);
    CHECK(e.problems()[0].what.find("array") != std::string::npos);
  }
}

TEST_CASE("params_to_toml round-trips through the parser", "[io]") {
  const ParamValues v{{"v_V", 0.1 + 0.2}, {"n", std::int64_t{7}}, {"kind", std::string("b")}};
  const std::string text = "[p]\n" + io::params_to_toml(v, P::table());
  ProblemList problems;
  const auto back = io::params_from_toml(io::parse_toml(text, "rt.toml").at("p"), P::table(), "p", problems);
  REQUIRE(problems.empty());
  CHECK(std::get<double>(back.at("v_V")) == 0.1 + 0.2);  // shortest round-trip keeps every bit
  CHECK(std::get<std::int64_t>(back.at("n")) == 7);
  CHECK(std::get<bool>(back.at("on")) == false);  // default filled in
  CHECK(io::toml_literal(std::string("say \"hi\"\\")) == "\"say \\\"hi\\\"\\\\\"");
}

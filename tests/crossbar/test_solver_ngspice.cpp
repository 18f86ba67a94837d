// LinearCrossbarSolver against ngspice (an independent circuit simulator, Debian
// package `ngspice`): the same network is written as a SPICE deck, solved with `.op`,
// and the sink currents are read back from a `wrdata` file.
#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>

#include "ngspice_crossbar.hpp"

using namespace xbarsim;
namespace fs = std::filesystem;

namespace {

struct Case {
  std::size_t rows, cols;
  std::uint32_t stream;
};

}  // namespace

TEST_CASE("exact solver matches ngspice .op sink currents on random arrays", "[crossbar][solver][ngspice]") {
  // Reference: ngspice (Berkeley SPICE3 descendant) DC operating point of the same
  // resistor network. Values: G 1-100 uS, wires 0.5-5 ohm, driver and sink 10-100 ohm.
  test::require_ngspice();
  double worst = 0.0;
  for (const Case c : {Case{4, 4, 1}, Case{8, 5, 2}, Case{5, 8, 3}, Case{16, 16, 4}}) {
    CAPTURE(c.rows, c.cols);
    const test::RandomCrossbar p = test::random_crossbar(
        c.rows, c.cols, RngKey(99, rng_purpose("test.crossbar.ngspice")), c.stream, 0.5, 5.0, 100.0);
    const arma::mat& G = p.G;
    const WireParams& w = p.w;
    const arma::rowvec& v = p.v;

    const std::string tag = "linear_" + std::to_string(c.rows) + "x" + std::to_string(c.cols);
    const std::vector<double> spice = test::ngspice_crossbar(tag, G, w, v);
    REQUIRE(spice.size() == c.rows + c.cols);

    const LinearCrossbarSolver solver(G, w);
    const arma::mat I = solver.currents(arma::mat(v));
    const double scale = arma::abs(I).max();
    for (std::size_t j = 0; j < c.cols; ++j) {
      const double err = std::abs(I(0, j) - spice[j]) / std::max(std::abs(spice[j]), 1e-3 * scale);
      worst = std::max(worst, err);
      CHECK(err <= 1e-6);
    }
  }
  // The measured worst relative error is shown in the report with -s.
  INFO("worst relative error vs ngspice: " << worst);
  CHECK(worst <= 1e-6);
}

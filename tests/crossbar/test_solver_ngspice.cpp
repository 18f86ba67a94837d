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

using namespace xbarsim;
namespace fs = std::filesystem;

namespace {

struct Case {
  std::size_t rows, cols;
  std::uint32_t stream;
};

double uniform(CounterRng& rng, double lo, double hi) { return lo + (hi - lo) * rng.uniform(); }

std::string num(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// Writes the canonical topology (circuit_solver.hpp) as a SPICE netlist. The sinks end
// in 0-V sources so their branch currents are the sensed currents.
void write_deck(const fs::path& deck, const fs::path& out, const arma::mat& G, const WireParams& w,
                const arma::rowvec& v) {
  const std::size_t rows = G.n_rows, cols = G.n_cols;
  std::ofstream f(deck);
  f << "xbarsim crossbar solver reference\n";
  auto wn = [](std::size_t i, std::size_t j) { return "w_" + std::to_string(i) + "_" + std::to_string(j); };
  auto bn = [](std::size_t i, std::size_t j) { return "b_" + std::to_string(i) + "_" + std::to_string(j); };
  for (std::size_t i = 0; i < rows; ++i) {
    f << "VIN" << i << " in_" << i << " 0 DC " << num(v(i)) << "\n";
    f << "RSRC" << i << " in_" << i << " " << wn(i, 0) << " " << num(w.r_source_ohm) << "\n";
    for (std::size_t j = 0; j + 1 < cols; ++j)
      f << "RROW" << i << "_" << j << " " << wn(i, j) << " " << wn(i, j + 1) << " " << num(w.r_row_ohm) << "\n";
  }
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t i = 0; i + 1 < rows; ++i)
      f << "RCOL" << i << "_" << j << " " << bn(i, j) << " " << bn(i + 1, j) << " " << num(w.r_col_ohm) << "\n";
    f << "RSNK" << j << " " << bn(rows - 1, j) << " sense_" << j << " " << num(w.r_sink_ohm) << "\n";
    f << "VSNS" << j << " sense_" << j << " 0 DC 0\n";
  }
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j)
      f << "RCELL" << i << "_" << j << " " << wn(i, j) << " " << bn(i, j) << " " << num(1.0 / G(i, j)) << "\n";
  f << ".options reltol=1e-12 abstol=1e-20 vntol=1e-15\n";
  f << ".control\nset numdgt=15\nop\nwrdata " << out.string();
  for (std::size_t j = 0; j < cols; ++j) f << " i(VSNS" << j << ")";
  f << "\n.endc\n.end\n";
}

// wrdata writes one line of (scale, value) pairs; the values are the odd entries.
std::vector<double> read_wrdata(const fs::path& out) {
  std::ifstream f(out);
  std::vector<double> tokens;
  double x;
  while (f >> x) tokens.push_back(x);
  std::vector<double> values;
  for (std::size_t k = 1; k < tokens.size(); k += 2) values.push_back(tokens[k]);
  return values;
}

}  // namespace

TEST_CASE("exact solver matches ngspice .op sink currents on random arrays", "[crossbar][solver][ngspice]") {
  // Reference: ngspice (Berkeley SPICE3 descendant) DC operating point of the same
  // resistor network. Values: G 1-100 uS, wires 0.5-5 ohm, driver and sink 10-100 ohm.
  if (std::system("command -v ngspice > /dev/null 2>&1") != 0)
    FAIL("ngspice is not installed (Debian package `ngspice`, see scripts/install-deps.sh)");

  const fs::path dir = fs::temp_directory_path() / ("xbarsim_ngspice_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  double worst = 0.0;
  for (const Case c : {Case{4, 4, 1}, Case{8, 5, 2}, Case{5, 8, 3}, Case{16, 16, 4}}) {
    CAPTURE(c.rows, c.cols);
    CounterRng rng(RngKey(99, rng_purpose("test.crossbar.ngspice")), c.stream);
    arma::mat G(c.rows, c.cols);
    for (auto& g : G) g = uniform(rng, 1e-6, 100e-6);
    WireParams w;
    w.r_row_ohm = uniform(rng, 0.5, 5.0);
    w.r_col_ohm = uniform(rng, 0.5, 5.0);
    w.r_source_ohm = uniform(rng, 10.0, 100.0);
    w.r_sink_ohm = uniform(rng, 10.0, 100.0);
    arma::rowvec v(c.rows);
    for (auto& x : v) x = uniform(rng, -1.0, 1.0);

    const std::string tag = std::to_string(c.rows) + "x" + std::to_string(c.cols);
    const fs::path deck = dir / ("deck_" + tag + ".cir"), out = dir / ("out_" + tag + ".txt");
    const fs::path log = dir / ("log_" + tag + ".txt");
    fs::remove(out);
    write_deck(deck, out, G, w, v);
    // ngspice -b exits 1 after a .control block even on success (shared/DEPENDENCIES.md):
    // success is judged by the output file.
    const std::string cmd = "ngspice -b " + deck.string() + " > " + log.string() + " 2>&1";
    [[maybe_unused]] const int rc = std::system(cmd.c_str());
    const std::vector<double> spice = read_wrdata(out);
    INFO("ngspice log: " << log.string());
    REQUIRE(spice.size() == c.cols);

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
  fs::remove_all(dir);
}

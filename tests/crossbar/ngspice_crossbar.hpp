#pragma once
// ngspice (Debian package `ngspice`) as the independent reference for the crossbar
// solvers: writes the canonical topology (circuit_solver.hpp) as a SPICE deck, solves
// its DC operating point and reads the branch currents back from a `wrdata` file.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>
#include <xbarsim/crossbar/circuit_solver.hpp>

namespace xbarsim::test {

/// U(lo, hi) from a counter-based stream.
inline double uniform(CounterRng& rng, double lo, double hi) { return lo + (hi - lo) * rng.uniform(); }

/// A random crossbar problem drawn from the project RNG in a fixed order (G, r_row,
/// r_col, r_source, r_sink, v): G in [1, 100] uS, wire segments in [wire_lo, wire_hi],
/// driver and sink in [10, drive_hi] ohm, inputs in [-1, 1] V.
struct RandomCrossbar {
  arma::mat G;
  WireParams w;
  arma::rowvec v;
};

inline RandomCrossbar random_crossbar(std::size_t rows, std::size_t cols, const RngKey& key, std::uint32_t stream,
                                      double wire_lo, double wire_hi, double drive_hi) {
  CounterRng rng(key, stream);
  RandomCrossbar p;
  p.G.set_size(rows, cols);
  for (auto& g : p.G) g = uniform(rng, 1e-6, 100e-6);
  p.w.r_row_ohm = uniform(rng, wire_lo, wire_hi);
  p.w.r_col_ohm = uniform(rng, wire_lo, wire_hi);
  p.w.r_source_ohm = uniform(rng, 10.0, drive_hi);
  p.w.r_sink_ohm = uniform(rng, 10.0, drive_hi);
  p.v.set_size(rows);
  for (auto& x : p.v) x = uniform(rng, -1.0, 1.0);
  return p;
}

inline std::string spice_number(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

inline void require_ngspice() {
  if (std::system("command -v ngspice > /dev/null 2>&1") != 0)
    FAIL("ngspice is not installed (Debian package `ngspice`, see scripts/install-deps.sh)");
}

/// Solves the crossbar with ngspice. Cells are resistors 1/G, or, with `selector_v0_V`,
/// behavioural sources I = G V0 sinh(V/V0). With r_access_ohm > 0 every cell gets an
/// explicit series resistor (1T1R access transistor) and an internal node between it
/// and the device, written out rather than eliminated. Returns the sink currents (cols) followed by
/// the driver currents into the array (rows); empty if ngspice produced no output.
inline std::vector<double> ngspice_crossbar(const std::string& tag, const arma::mat& G, const WireParams& w,
                                            const arma::rowvec& v, std::optional<double> selector_v0_V = {},
                                            double r_access_ohm = 0.0) {
  namespace fs = std::filesystem;
  const auto num = spice_number;
  const std::size_t rows = G.n_rows, cols = G.n_cols;
  const fs::path dir = fs::temp_directory_path() / ("xbarsim_ngspice_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path deck = dir / (tag + ".cir"), out = dir / (tag + ".txt"), log = dir / (tag + ".log");
  fs::remove(out);
  {
    std::ofstream f(deck);
    f << "xbarsim crossbar reference " << tag << "\n";
    auto wn = [](std::size_t i, std::size_t j) { return "w_" + std::to_string(i) + "_" + std::to_string(j); };
    auto bn = [](std::size_t i, std::size_t j) { return "b_" + std::to_string(i) + "_" + std::to_string(j); };
    for (std::size_t i = 0; i < rows; ++i) {
      f << "VIN" << i << " in_" << i << " 0 DC " << num(v(i)) << "\n";
      f << "RSRC" << i << " in_" << i << " " << wn(i, 0) << " " << num(w.r_source_ohm) << "\n";
      for (std::size_t j = 0; j + 1 < cols; ++j)
        f << "RROW" << i << "_" << j << " " << wn(i, j) << " " << wn(i, j + 1) << " " << num(w.r_row_ohm) << "\n";
    }
    // Each bit line ends in its sink resistor and a 0-V source whose branch current is
    // the sensed current.
    for (std::size_t j = 0; j < cols; ++j) {
      for (std::size_t i = 0; i + 1 < rows; ++i)
        f << "RCOL" << i << "_" << j << " " << bn(i, j) << " " << bn(i + 1, j) << " " << num(w.r_col_ohm) << "\n";
      f << "RSNK" << j << " " << bn(rows - 1, j) << " sense_" << j << " " << num(w.r_sink_ohm) << "\n";
      f << "VSNS" << j << " sense_" << j << " 0 DC 0\n";
    }
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) {
        // Device terminals: word-line node (or the internal node after the access
        // resistor) and bit-line node.
        std::string top = wn(i, j);
        if (r_access_ohm > 0.0) {
          top = "m_" + std::to_string(i) + "_" + std::to_string(j);
          f << "RACC" << i << "_" << j << " " << wn(i, j) << " " << top << " " << num(r_access_ohm) << "\n";
        }
        if (selector_v0_V) {
          const double v0 = *selector_v0_V;
          f << "BCELL" << i << "_" << j << " " << top << " " << bn(i, j) << " I=" << num(G(i, j)) << "*" << num(v0)
            << "*sinh(V(" << top << "," << bn(i, j) << ")/" << num(v0) << ")\n";
        } else {
          f << "RCELL" << i << "_" << j << " " << top << " " << bn(i, j) << " " << num(1.0 / G(i, j)) << "\n";
        }
      }
    f << ".options reltol=1e-12 abstol=1e-20 vntol=1e-15\n";
    f << ".control\nset numdgt=15\nop\nwrdata " << out.string();
    for (std::size_t j = 0; j < cols; ++j) f << " i(VSNS" << j << ")";
    for (std::size_t i = 0; i < rows; ++i) f << " i(VIN" << i << ")";
    f << "\n.endc\n.end\n";
  }
  // ngspice -b exits 1 after a .control block even on success (shared/DEPENDENCIES.md):
  // success is judged by the output file.
  const std::string cmd = "ngspice -b " + deck.string() + " > " + log.string() + " 2>&1";
  [[maybe_unused]] const int rc = std::system(cmd.c_str());
  // wrdata writes (scale, value) pairs; the values are the odd entries.
  std::ifstream in(out);
  std::vector<double> tokens, values;
  for (double x; in >> x;) tokens.push_back(x);
  for (std::size_t k = 1; k < tokens.size(); k += 2) values.push_back(tokens[k]);
  // Driver currents into the array: ngspice reports a source's current flowing into its
  // positive terminal, so flip the sign.
  for (std::size_t k = cols; k < values.size(); ++k) values[k] = -values[k];
  if (values.size() == rows + cols) fs::remove_all(dir);
  return values;
}

}  // namespace xbarsim::test

// `xbarsim solve IN.h5 -o OUT.h5 [--nodes]`: exact IR-drop solve of the canonical
// crossbar topology for a batch of inputs (one factorisation, reused for every input).
#include <cstdio>
#include <filesystem>
#include <optional>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/transfer_matrix.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/io/solve_input.hpp>
#include <xbarsim/io/toml_params.hpp>

#include "commands.hpp"

namespace xbarsim::cli {
namespace {
struct SolveOptions {
  std::string input, output;
  bool nodes = false;
};

std::vector<double> row_major(const arma::mat& m) {
  const arma::mat t = m.t();  // column-major storage of the transpose = row-major of m
  return {t.begin(), t.end()};
}

int run_solve(const SolveOptions& o, const Globals& g) {
  const io::SolveInput in = io::read_solve_input(o.input);
  const std::size_t batch = in.V.n_rows, rows = in.G_S.n_rows, cols = in.G_S.n_cols;
  const std::string config = "# xbarsim solve " + o.input + ": " + std::to_string(rows) + " x " + std::to_string(cols) +
                             " array, " + std::to_string(batch) + " inputs\n[wires]\n" +
                             io::params_to_toml(WireParams::table().values(in.wires), WireParams::table());
  const std::string partial = o.output + ".partial";
  std::optional<io::ResultFile> out;
  try {
    out.emplace(partial, io::RunInfo{config, g.seed, "solve " + o.input});
  } catch (const IoError& e) {
    throw ConfigError("-o " + o.output, "cannot create the output file: " + e.detail());
  }
  try {
    TerminalProgress progress("solve");
    progress.update(0, batch, "inputs");
    // Both paths are exact. The structured transfer matrix costs about rows * cols^3
    // dense flops whatever the batch, one sparse solve per input costs ~4 nnz(L): with at
    // least as many inputs as rows (and no node voltages wanted) the transfer matrix wins.
    const bool structured = !o.nodes && batch >= rows;
    std::optional<LinearCrossbarSolver> solver;
    arma::mat I;
    if (structured) {
      I = in.V * crossbar_transfer_matrix(in.G_S, in.wires);
    } else {
      solver.emplace(in.G_S, in.wires);
      I = solver->currents(in.V);
    }
    interrupt_token().check();
    out->write(Dataset{"I",
                       "A",
                       "currents into the virtual grounds at the bit-line ends (batch x cols)",
                       {batch, cols},
                       row_major(I)});
    out->write_attribute("method", std::string(structured ? "structured transfer matrix" : "sparse Cholesky"));
    if (o.nodes) {
      std::vector<double> wl, bl;
      wl.reserve(batch * rows * cols);
      bl.reserve(batch * rows * cols);
      for (std::size_t b = 0; b < batch; ++b) {
        interrupt_token().check();
        const CrossbarNodes n = solver->nodes(in.V.row(b));
        const auto w = row_major(n.wordline_V), v = row_major(n.bitline_V);
        wl.insert(wl.end(), w.begin(), w.end());
        bl.insert(bl.end(), v.begin(), v.end());
        progress.update(b + 1, batch, "inputs");
      }
      out->write(Dataset{"V_wordline", "V", "word-line node voltages (batch x rows x cols)", {batch, rows, cols}, wl});
      out->write(Dataset{"V_bitline", "V", "bit-line node voltages (batch x rows x cols)", {batch, rows, cols}, bl});
    }
    progress.update(batch, batch, "inputs");
    out->write_params("wires", WireParams::table().values(in.wires), WireParams::table(),
                      [&](const std::string&) { return "attribute of " + o.input; });
    out->flush();
    out.reset();
    std::filesystem::rename(partial, o.output);
  } catch (...) {
    out.reset();
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    throw;
  }
  std::fprintf(stderr, "wrote %s (%zu inputs, %zu x %zu array)\n", o.output.c_str(), batch, rows, cols);
  return kOk;
}
}  // namespace

void register_solve_command(CLI::App& app, const Globals& globals, Action& action) {
  auto opts = std::make_shared<SolveOptions>();
  auto* solve = app.add_subcommand("solve", "exact IR-drop solve of a crossbar for a batch of input voltages");
  solve
      ->add_option("input", opts->input,
                   "HDF5 file with G (rows x cols, S), V (batch x rows, V) and attributes r_row_ohm, r_col_ohm, "
                   "r_source_ohm, r_sink_ohm")
      ->required();
  solve->add_option("-o,--output", opts->output, "output HDF5 file (I, batch x cols, A)")->required();
  solve->add_flag("--nodes", opts->nodes, "also write word- and bit-line node voltages");
  solve->callback([&action, &globals, opts] { action = [opts, &globals] { return run_solve(*opts, globals); }; });
}

}  // namespace xbarsim::cli

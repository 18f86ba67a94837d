// `xbarsim solve IN.h5 -o OUT.h5 [--nodes]`: exact IR-drop solve of the canonical
// crossbar topology for a batch of inputs (one factorisation, reused for every input).
#include <cstdio>
#include <filesystem>
#include <optional>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/circuit_solver.hpp>
#include <xbarsim/crossbar/line_solver.hpp>
#include <xbarsim/crossbar/nonlinear_solver.hpp>
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
  std::optional<double> selector_v0_V;  // nonlinear 0T1R cells when set
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
  write_result(o.output, io::RunInfo{config, g.seed, "solve " + o.input}, [&](io::ResultFile& out) {
    TerminalProgress progress("solve");
    progress.update(0, batch, "inputs");
    arma::mat I(batch, cols);
    std::vector<CrossbarNodes> nodes;  // one per input, only with --nodes
    std::string method;
    if (o.selector_v0_V) {
      // Nonlinear 0T1R cells: one Newton solve per input.
      SelectorParams selector;
      selector.v0_V = *o.selector_v0_V;
      const NonlinearCrossbarSolver solver(in.G_S, in.wires, selector);
      std::vector<double> iterations(batch);
      for (std::size_t b = 0; b < batch; ++b) {
        interrupt_token().check();
        NonlinearCrossbarResult r = solver.solve(in.V.row(b));
        I.row(b) = r.currents_A;
        iterations[b] = static_cast<double>(r.iterations);
        if (o.nodes) nodes.push_back(std::move(r.nodes));
        progress.update(b + 1, batch, "inputs");
      }
      out.write(Dataset{"newton_iterations", "1", "Newton iterations per input", {batch}, iterations});
      method = "Newton, selector I = G V0 sinh(V/V0), V0 = " + format_value(selector.v0_V) + " V";
    } else if (!o.nodes && batch >= rows) {
      // Both linear paths are exact. The structured transfer matrix costs about
      // rows * cols^3 dense flops whatever the batch, one sparse solve per input ~4 nnz(L):
      // with at least as many inputs as rows the transfer matrix wins.
      I = in.V * crossbar_transfer_matrix(in.G_S, in.wires);
      method = "structured transfer matrix";
    } else {
      // Fewer inputs than rows: conjugate gradients preconditioned by the exact word- and
      // bit-line chains (line_solver.hpp), stopped at a 1e-12 bound on the relative
      // current error; far faster and smaller than a sparse factorisation at 1024 x 1024.
      LineSolverOptions options;
      options.rel_tol = 1e-12;
      const LineCrossbarSolver solver(in.wires, rows, cols, options);
      I.set_size(batch, cols);
      for (std::size_t b = 0; b < batch; ++b) {
        interrupt_token().check();
        I.row(b) = solver.solve(in.G_S, in.V.row(b)).currents_A;
        if (o.nodes) nodes.push_back(solver.nodes(in.G_S, in.V.row(b)));
        progress.update(b + 1, batch, "inputs");
      }
      method = "line-preconditioned conjugate gradients";
    }
    interrupt_token().check();
    out.write(Dataset{"I",
                      "A",
                      "currents into the virtual grounds at the bit-line ends (batch x cols)",
                      {batch, cols},
                      row_major(I)});
    out.write_attribute("method", method);
    if (o.nodes) {
      std::vector<double> wl, bl;
      wl.reserve(batch * rows * cols);
      bl.reserve(batch * rows * cols);
      for (const CrossbarNodes& n : nodes) {
        const auto w = row_major(n.wordline_V), v = row_major(n.bitline_V);
        wl.insert(wl.end(), w.begin(), w.end());
        bl.insert(bl.end(), v.begin(), v.end());
      }
      out.write(Dataset{"V_wordline", "V", "word-line node voltages (batch x rows x cols)", {batch, rows, cols}, wl});
      out.write(Dataset{"V_bitline", "V", "bit-line node voltages (batch x rows x cols)", {batch, rows, cols}, bl});
    }
    progress.update(batch, batch, "inputs");
    out.write_params("wires", WireParams::table().values(in.wires), WireParams::table(),
                     [&](const std::string&) { return "attribute of " + o.input; });
  });
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
  solve
      ->add_option("--selector-v0", opts->selector_v0_V,
                   "nonlinear cells I = G V0 sinh(V/V0) with this V0 in volts (Newton solve per input)")
      ->check(CLI::PositiveNumber);
  solve->callback([&action, &globals, opts] { action = [opts, &globals] { return run_solve(*opts, globals); }; });
}

}  // namespace xbarsim::cli

#pragma once
// Input of `xbarsim solve`: an HDF5 file with datasets G (rows x cols, siemens) and V
// (batch x rows, volts) and root attributes r_row_ohm, r_col_ohm, r_source_ohm,
// r_sink_ohm. Every problem is reported with the file and the dataset, element or
// attribute it concerns.
#include <armadillo>
#include <filesystem>
#include <xbarsim/crossbar/circuit_solver.hpp>

namespace xbarsim::io {

struct SolveInput {
  arma::mat G_S;  // rows x cols
  arma::mat V;    // batch x rows
  WireParams wires;
};

/// Reads and validates the input; ConfigError listing every problem (missing datasets or
/// attributes, wrong shapes, NaN or infinite values, negative conductances, non-positive
/// resistances); IoError if the file is not readable HDF5.
SolveInput read_solve_input(const std::filesystem::path& path);

/// Row-major HDF5 values to an Armadillo matrix (rows x cols).
arma::mat to_matrix(const std::vector<double>& row_major, std::size_t rows, std::size_t cols);

}  // namespace xbarsim::io

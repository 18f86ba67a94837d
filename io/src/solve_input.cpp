#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/params.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/io/solve_input.hpp>

namespace xbarsim::io {

arma::mat to_matrix(const std::vector<double>& row_major, std::size_t rows, std::size_t cols) {
  // Armadillo is column-major: the row-major block read as cols x rows is the transpose.
  return arma::mat(row_major.data(), cols, rows).t();
}

namespace {
std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t k = 0; k < shape.size(); ++k) s += (k ? " x " : "") + std::to_string(shape[k]);
  return s + ")";
}

// Reads a 2-D dataset or records why it cannot be used.
bool read_2d(const std::filesystem::path& path, const std::string& name, const std::string& meaning, ProblemList& p,
             DatasetData& out) {
  const std::string where = path.string() + ": " + name;
  try {
    out = read_dataset(path, name);
  } catch (const IoError& e) {
    p.add(where, "expected a dataset " + meaning + ": " + e.detail());
    return false;
  }
  if (out.shape.size() != 2 || out.shape[0] == 0 || out.shape[1] == 0) {
    p.add(where, "expected a non-empty 2-D dataset " + meaning + ", got shape " + shape_text(out.shape));
    return false;
  }
  return true;
}

// Reports the first few offending elements, then a count: a bad file may have millions.
template <class Bad>
void check_elements(const DatasetData& d, const std::string& where, const std::string& expected, ProblemList& p,
                    Bad bad) {
  std::size_t count = 0;
  for (std::size_t k = 0; k < d.values.size(); ++k) {
    if (!bad(d.values[k])) continue;
    if (++count <= 3)
      p.add(where + "(" + std::to_string(k / d.shape[1]) + ", " + std::to_string(k % d.shape[1]) + ")",
            expected + ", got " + format_value(d.values[k]));
  }
  if (count > 3) p.add(where, std::to_string(count - 3) + " more elements like the above");
}
}  // namespace

SolveInput read_solve_input(const std::filesystem::path& path) {
  ProblemList p;
  const std::string file = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw ConfigError(file, "no such input file");
  DatasetData g, v;
  const bool have_g = read_2d(path, "G", "of conductances (rows x cols, siemens)", p, g);
  const bool have_v = read_2d(path, "V", "of input voltages (batch x rows, volts)", p, v);
  if (have_g)
    check_elements(g, file + ": G", "expected a finite conductance >= 0 S", p,
                   [](double x) { return !(std::isfinite(x) && x >= 0.0); });
  if (have_v)
    check_elements(v, file + ": V", "expected a finite voltage", p, [](double x) { return !std::isfinite(x); });
  if (have_g && have_v && v.shape[1] != g.shape[0])
    p.add(file + ": V",
          "expected " + std::to_string(g.shape[0]) + " columns (one per row of G), got shape " + shape_text(v.shape));
  ParamValues wire_values;
  for (const auto& info : WireParams::table().entries()) {
    const std::string where = file + ": attribute " + info.name;
    std::optional<double> value;
    try {
      value = read_number_attribute(path, info.name);
    } catch (const IoError& e) {
      p.add(where, e.detail());
      continue;
    }
    if (!value) {
      p.add(where, "missing; expected a resistance in ohms > 0");
      continue;
    }
    if (auto what = WireParams::table().check(info, ParamValue(*value))) p.add(where, *what);
    wire_values[info.name] = *value;
  }
  p.throw_if_any();
  SolveInput in;
  in.wires = WireParams::table().make(wire_values, file);
  in.G_S = to_matrix(g.values, g.shape[0], g.shape[1]);
  in.V = to_matrix(v.values, v.shape[0], v.shape[1]);
  return in;
}

}  // namespace xbarsim::io

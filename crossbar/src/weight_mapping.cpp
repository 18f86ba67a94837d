// Weight -> conductance mapping and its digital inverse (see weight_mapping.hpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/weight_mapping.hpp>

namespace xbarsim {

const ParamTable<WeightMappingParams>& WeightMappingParams::table() {
  static const ParamTable<WeightMappingParams> t = [] {
    using P = WeightMappingParams;
    ParamTable<P> tab;
    tab.choice("scheme", &P::scheme, {"differential", "reference-column", "bit-sliced"},
               "differential G+/G- pair per weight; one device per weight minus a shared mid-conductance reference "
               "column; or bit slices (each differential) recombined by digital shift-add",
               "aihwkit SinglePairConductanceConverter (aihwkit.md, device_physics.md 3.1); CrossSim BALANCED / "
               "OFFSET / BITSLICED cores (crosssim_memtorch.md 1.3)");
    tab.real("g_min_S", &P::g_min_S, "S", Range::non_negative(), "conductance of a zero-weight device",
             "aihwkit SinglePairConductanceConverter(g_max=25, g_min=0) (aihwkit.md, device_physics.md 3.1)");
    tab.real("g_max_S", &P::g_max_S, "S", Range::positive(), "conductance of a device representing max |W|",
             "aihwkit SinglePairConductanceConverter g_max = 25 uS (aihwkit.md, device_physics.md 3.1)");
    tab.choice("scale", &P::scale, {"per-tile", "per-column", "fixed"},
               "weight scale s: max |W| over the tile or over each output column, or fixed_scale",
               "aihwkit maps the tile abs-max (weight_scaling_omega) or column-wise (weight_scaling_columnwise) "
               "(aihwkit.md)");
    tab.real("fixed_scale", &P::fixed_scale, "1", Range::positive(),
             "weight mapped to the full device range with scale = \"fixed\" (larger weights are clipped)",
             "aihwkit trains in device units with bounds w_max = 0.6 (aihwkit.md 1.3); 1.0 = unit weights");
    tab.integer("weight_bits", &P::weight_bits, "1", Range::closed(1, 32),
                "magnitude bits of bit-sliced weights (sign carried by the differential pair)",
                "CrossSim ISAAC.json preset: 16-bit weights (crosssim_memtorch.md)");
    tab.integer("slices", &P::slices, "1", Range::closed(1, 32), "number of weight bit slices",
                "CrossSim ISAAC.json preset: 8 slices (crosssim_memtorch.md)");
    tab.integer("bits_per_slice", &P::bits_per_slice, "1", Range::closed(1, 16), "bits stored per slice device",
                "CrossSim ISAAC.json preset: 2 bits/cell (crosssim_memtorch.md)");
    tab.integer("conductance_levels", &P::conductance_levels, "1", Range::closed(0, 1 << 30),
                "programmable levels per device for differential / reference-column (0 = continuous)",
                "assumption: continuous (aihwkit SinglePairConductanceConverter has no level grid)");
    tab.relation([](const P& p, std::string_view prefix, ProblemList& problems) {
      require(p.g_min_S < p.g_max_S, problems, prefix, "g_min_S", "must be below g_max_S");
      require(p.conductance_levels != 1, problems, prefix, "conductance_levels", "must be 0 (continuous) or >= 2");
      if (p.scheme == "bit-sliced") {
        require(static_cast<long>(p.bits_per_slice) * p.slices >= p.weight_bits, problems, prefix, "bits_per_slice",
                "bits_per_slice * slices must be >= weight_bits");
      }
    });
    return tab;
  }();
  return t;
}

namespace {

// Scale of each logical column: the abs-max over the scope; 1 for an all-zero scope.
arma::vec column_scales(const arma::mat& W, const std::string& scale, double fixed_scale) {
  arma::vec s(W.n_cols);
  if (scale == "fixed") {
    s.fill(fixed_scale);
  } else if (scale == "per-column") {
    for (arma::uword j = 0; j < W.n_cols; ++j) s(j) = arma::abs(W.col(j)).max();
  } else {
    s.fill(arma::abs(W).max());
  }
  s.replace(0.0, 1.0);
  return s;
}

// Rounds a normalised device value u in [0, 1] to the grid of L levels (L = 0: none).
double to_levels(double u, int levels) {
  if (levels < 2) return u;
  return std::round(u * (levels - 1)) / (levels - 1);
}

void set_column(MappedWeights& m, arma::uword c, arma::uword logical, arma::uword slice, ColumnRole role,
                double coeff) {
  m.column_logical(c) = logical;
  m.column_slice(c) = slice;
  m.column_role[c] = role;
  m.column_coeff(c) = coeff;
}

void allocate(MappedWeights& m, arma::uword physical) {
  m.G_S.set_size(m.inputs, physical);
  m.column_logical.set_size(physical);
  m.column_slice.zeros(physical);
  m.column_role.assign(physical, ColumnRole::Single);
  m.column_coeff.set_size(physical);
}

void map_differential(const arma::mat& W, const WeightMappingParams& p, MappedWeights& m) {
  const double dG = p.g_max_S - p.g_min_S;
  allocate(m, 2 * m.outputs);
  for (arma::uword j = 0; j < m.outputs; ++j) {
    set_column(m, 2 * j, j, 0, ColumnRole::Positive, 1.0);
    set_column(m, 2 * j + 1, j, 0, ColumnRole::Negative, -1.0);
    const double inv_s = 1.0 / m.column_scale(j);
    for (arma::uword i = 0; i < m.inputs; ++i) {
      const double w = W(i, j);
      const double g = p.g_min_S + dG * to_levels(std::min(std::abs(w) * inv_s, 1.0), p.conductance_levels);
      m.G_S(i, 2 * j) = w > 0 ? g : p.g_min_S;
      m.G_S(i, 2 * j + 1) = w < 0 ? g : p.g_min_S;
    }
    m.weight_per_S(j) = m.column_scale(j) / dG;
  }
}

void map_reference(const arma::mat& W, const WeightMappingParams& p, MappedWeights& m) {
  const double dG = p.g_max_S - p.g_min_S;
  const double g_mid = 0.5 * (p.g_min_S + p.g_max_S);
  allocate(m, m.outputs + 1);
  for (arma::uword j = 0; j < m.outputs; ++j) {
    set_column(m, j, j, 0, ColumnRole::Single, 1.0);
    const double inv_s = 1.0 / m.column_scale(j);
    // u = (G - g_min) / dG in [0, 1]; the weight is 2 u - 1 in units of s_j. Continuous
    // devices are written relative to g_mid so a zero weight equals the reference bit for
    // bit and cancels exactly.
    for (arma::uword i = 0; i < m.inputs; ++i) {
      const double w = std::clamp(W(i, j) * inv_s, -1.0, 1.0);  // clips only with scale = "fixed"
      m.G_S(i, j) = p.conductance_levels < 2 ? g_mid + 0.5 * dG * w
                                             : p.g_min_S + dG * to_levels(0.5 + 0.5 * w, p.conductance_levels);
    }
    m.weight_per_S(j) = 2.0 * m.column_scale(j) / dG;
  }
  set_column(m, m.outputs, m.outputs, 0, ColumnRole::Reference, -1.0);
  m.G_S.col(m.outputs).fill(g_mid);
}

void map_bit_sliced(const arma::mat& W, const WeightMappingParams& p, MappedWeights& m) {
  const int b = p.bits_per_slice;
  const auto n_slices = static_cast<arma::uword>(p.slices);
  const double q_max = std::ldexp(1.0, p.weight_bits) - 1.0;  // exact for weight_bits <= 52
  const std::uint64_t digit_mask = (std::uint64_t{1} << b) - 1;
  const double dG_slice = (p.g_max_S - p.g_min_S) / static_cast<double>(digit_mask);
  allocate(m, 2 * n_slices * m.outputs);
  m.slice_weights.set_size(n_slices);
  for (arma::uword k = 0; k < n_slices; ++k) m.slice_weights(k) = std::ldexp(1.0, static_cast<int>(k) * b);
  for (arma::uword k = 0; k < n_slices; ++k) {
    for (arma::uword j = 0; j < m.outputs; ++j) {
      const arma::uword c = 2 * (k * m.outputs + j);
      set_column(m, c, j, k, ColumnRole::Positive, m.slice_weights(k));
      set_column(m, c + 1, j, k, ColumnRole::Negative, -m.slice_weights(k));
    }
  }
  for (arma::uword j = 0; j < m.outputs; ++j) {
    const double to_q = q_max / m.column_scale(j);
    for (arma::uword i = 0; i < m.inputs; ++i) {
      const double w = W(i, j);
      // |w| <= s_j so |q| <= q_max; the clamp guards the last ulp of the product.
      const auto q = static_cast<std::uint64_t>(std::min(std::round(std::abs(w) * to_q), q_max));
      for (arma::uword k = 0; k < n_slices; ++k) {
        const arma::uword c = 2 * (k * m.outputs + j);
        const auto shift = static_cast<unsigned>(k) * static_cast<unsigned>(b);
        const std::uint64_t d = shift < 64 ? (q >> shift) & digit_mask : 0;
        const double g = p.g_min_S + dG_slice * static_cast<double>(d);
        m.G_S(i, c) = w > 0 ? g : p.g_min_S;
        m.G_S(i, c + 1) = w < 0 ? g : p.g_min_S;
      }
    }
    m.weight_per_S(j) = m.column_scale(j) / (q_max * dG_slice);
  }
}

}  // namespace

MappedWeights map_weights(const arma::mat& W, const WeightMappingParams& params, std::string_view prefix) {
  ProblemList problems;
  WeightMappingParams::table().validate_struct(params, prefix, problems);
  if (params.scheme == "bit-sliced" && params.weight_bits > 52)
    problems.add(key_path(prefix, "weight_bits"), "bit-sliced weights need weight_bits <= 52 (exact in double)");
  if (W.is_empty()) problems.add(key_path(prefix, "weights"), "weight matrix is empty");
  for (arma::uword j = 0; j < W.n_cols && problems.items().size() < 16; ++j)
    for (arma::uword i = 0; i < W.n_rows; ++i)
      if (!std::isfinite(W(i, j))) {
        problems.add(key_path(prefix, "weights") + "(" + std::to_string(i) + "," + std::to_string(j) + ")",
                     "weight is not finite");
        break;  // one report per column is enough
      }
  problems.throw_if_any();

  MappedWeights m;
  m.scheme = params.scheme;
  m.inputs = W.n_rows;
  m.outputs = W.n_cols;
  m.column_scale = column_scales(W, params.scale, params.fixed_scale);
  m.weight_per_S.set_size(m.outputs);
  m.slice_weights = arma::vec{1.0};
  if (params.scheme == "differential")
    map_differential(W, params, m);
  else if (params.scheme == "reference-column")
    map_reference(W, params, m);
  else if (params.scheme == "bit-sliced")
    map_bit_sliced(W, params, m);
  else
    throw InternalError("weight_mapping: scheme passed validation but is unknown: " + params.scheme);
  return m;
}

arma::mat unmap_outputs(const arma::mat& column_currents_A, const MappedWeights& mapped, double v_read_V) {
  if (column_currents_A.n_cols != mapped.physical_columns())
    throw ConfigError("column_currents", "has " + std::to_string(column_currents_A.n_cols) +
                                             " columns, the mapping has " + std::to_string(mapped.physical_columns()) +
                                             " physical columns");
  if (!(std::isfinite(v_read_V) && v_read_V != 0.0)) throw ConfigError("v_read_V", "must be finite and non-zero");
  arma::mat y(column_currents_A.n_rows, mapped.outputs, arma::fill::zeros);
  for (arma::uword c = 0; c < mapped.physical_columns(); ++c) {
    const double a = mapped.column_coeff(c);
    if (mapped.column_role[c] == ColumnRole::Reference)
      y.each_col() += a * column_currents_A.col(c);  // shared reference: subtract from every column
    else
      y.col(mapped.column_logical(c)) += a * column_currents_A.col(c);
  }
  y.each_row() %= (mapped.weight_per_S / v_read_V).t();
  return y;
}

arma::mat unmap_weights(const MappedWeights& mapped) {
  // A unit input on row i with v_read = 1 V reads row i of G as its column currents.
  return unmap_outputs(mapped.G_S, mapped, 1.0);
}

}  // namespace xbarsim

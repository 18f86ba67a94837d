// Analog tile: composition, programming and the forward / backward reads (see tile.hpp).
#include <xbarsim/crossbar/tile.hpp>

#include <cmath>
#include <limits>
#include <utility>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/transfer_matrix.hpp>

#include "managed_mvm.hpp"
#include "tile_impl.hpp"

namespace xbarsim {

const ParamTable<TileParams>& TileParams::table() {
  static const ParamTable<TileParams> t = [] {
    ParamTable<TileParams> tab;
    tab.real("v_read_V", &TileParams::v_read_V, "V", Range::positive(),
             "read voltage of a full-scale input (sets the devices' operating point and the currents)",
             "0.2 V, PRIME read voltage as cited by CiMLoop (device_physics.md 3.5 read voltage row)");
    tab.choice("wire_model", &TileParams::wire_model, {"ideal", "exact", "fast", "fast-calibrated"},
               "ideal wires; the exact transfer matrix of the canonical topology (IR drop); the fast O(cells) "
               "per-cell model of ir_drop_model.hpp; or that model calibrated per column by one exact solve "
               "with all rows driven, at every conductance read",
               "ideal by default, as aihwkit's ir_drop = 0 (aihwkit.md 1.6)");
    tab.choice("device_read_noise", &TileParams::device_read_noise, {"off", "per-batch", "per-mvm"},
               "device read noise: none, one noisy read per forward call, or a fresh read per vector",
               "off by default: aihwkit puts read noise in the periphery (w_noise, aihwkit.md 1.6)");
    tab.real("program_tolerance_rel", &TileParams::program_tolerance_rel, "1", Range::closed(0.0, 1.0),
             "write-verify tolerance |G - G_target| / (G_max - G_min)",
             "2% of the range; NeuroSim's write-verify target band (assumption, neurosim.md)");
    tab.real("dw_min", &TileParams::dw_min, "1", Range::non_negative(),
             "weight step of one pulse coincidence in normalised units (G change / dG); 0 = measured on a probe",
             "measured from the device model by default (aihwkit's dw_min is a device parameter, aihwkit.md 1.3)");
    tab.integer("program_max_iterations", &TileParams::program_max_iterations, "1", Range::closed(1, 100000),
                "write-verify pulse/verify rounds per cell", "assumption: 100 rounds (Le Gallo 2018 uses <= 20)");
    return tab;
  }();
  return t;
}

AnalogTile::AnalogTile(std::unique_ptr<DeviceModel> model, const TileConfig& config, std::size_t inputs,
                       std::size_t outputs, std::uint64_t seed, std::uint32_t tile_id) {
  if (!model) throw ConfigError("tile.device", "no device model given");
  ProblemList problems;
  CellAccessParams::table().validate_struct(config.cell_access, "cell_access", problems);
  TileParams::table().validate_struct(config.tile, "tile", problems);
  MvmIoParams::table().validate_struct(config.forward_io, "forward_io", problems);
  MvmIoParams::table().validate_struct(config.backward_io, "backward_io", problems);
  WireParams::table().validate_struct(config.wires, "wires", problems);
  if (inputs == 0 || outputs == 0) problems.add("tile", "a tile needs at least one input and one output");
  if (inputs > detail::kMaxColumns || outputs > detail::kMaxColumns)
    problems.add("tile", "at most 65536 inputs and 65536 outputs per tile");
  problems.throw_if_any();
  impl_ = std::make_unique<Impl>(std::move(model), config, inputs, outputs, seed, tile_id);
  Impl& t = *impl_;
  const CellAccessParams& cell = t.cfg.cell_access;
  if (cell.cell == "2T2R" && t.cfg.mapping.scheme != "differential")
    throw ConfigError("cell_access.cell", "2T2R cells hold differential pairs: set mapping.scheme = \"differential\"");
  t.r_access = has_access_transistor(cell) ? cell.r_access_ohm : 0.0;
  t.cfg.mapping.g_min_S = t.model->g_min_S() / (1.0 + t.r_access * t.model->g_min_S());
  t.cfg.mapping.g_max_S = t.model->g_max_S() / (1.0 + t.r_access * t.model->g_max_S());
  t.dG = t.cfg.mapping.g_max_S - t.cfg.mapping.g_min_S;
  if (!(t.dG > 0.0)) throw ConfigError("tile.device", "the device's conductance range G_max - G_min must be > 0");
  t.mapped = map_weights(arma::mat(inputs, outputs, arma::fill::zeros), t.cfg.mapping, "mapping");
  check_cell_layout(cell, t.mapped.physical_columns(), "cell_access");
  t.build_adc_layout();
  if (t.n_adc > detail::kMaxColumns) throw ConfigError("mapping.slices", "slices x outputs must not exceed 65536");
  t.update_factors();
  t.fadc = Adc(config.forward_adc, t.n_adc, seed, 2 * tile_id);
  t.state = t.model->create_state(inputs, t.mapped.physical_columns(), seed, tile_id);
}

AnalogTile::~AnalogTile() = default;
AnalogTile::AnalogTile(AnalogTile&&) noexcept = default;
AnalogTile& AnalogTile::operator=(AnalogTile&&) noexcept = default;

std::size_t AnalogTile::inputs() const { return impl_->inputs; }
std::size_t AnalogTile::outputs() const { return impl_->outputs; }
const TileConfig& AnalogTile::config() const { return impl_->cfg; }
const DeviceModel& AnalogTile::model() const { return *impl_->model; }
const DeviceState& AnalogTile::state() const { return impl_->state; }
DeviceState& AnalogTile::mutable_state() {
  impl_->fresh = false;
  return impl_->state;
}
const MappedWeights& AnalogTile::mapping() const { return impl_->mapped; }
const MvmStats& AnalogTile::last_stats() const { return impl_->stats; }

const arma::fmat& AnalogTile::conductances() const {
  impl_->refresh();
  return impl_->G;
}

arma::mat AnalogTile::weights() const {
  Impl& t = *impl_;
  t.refresh();
  arma::mat W(t.inputs, t.outputs, arma::fill::zeros);
  for (arma::uword a = 0; a < t.n_adc; ++a)
    W.col(t.logical_of_adc(a)) +=
        static_cast<double>(t.adc_factor(a)) * arma::conv_to<arma::vec>::from(t.Wideal.col(a));
  return W;
}

TileProgramReport AnalogTile::set_weights(const arma::mat& W) {
  Impl& t = *impl_;
  if (W.n_rows != t.inputs || W.n_cols != t.outputs)
    throw ConfigError("weights", "expected " + std::to_string(t.inputs) + " x " + std::to_string(t.outputs) + ", got " +
                                     std::to_string(W.n_rows) + " x " + std::to_string(W.n_cols));
  t.mapped = map_weights(W, t.cfg.mapping, "mapping");
  t.update_factors();
  TileProgramReport report;
  const ProgramOptions options{t.cfg.tile.program_tolerance_rel, t.cfg.tile.program_max_iterations};
  report.device = program_all(*t.model, t.state, t.device_targets(t.mapped.G_S), options);
  t.fresh = false;
  t.forward_adc_calibrated = t.backward_adc_calibrated = false;
  const arma::mat err = weights() - W;
  report.weight_rms_error = std::sqrt(arma::accu(arma::square(err)) / static_cast<double>(err.n_elem));
  report.weight_max_error = arma::abs(err).max();
  return report;
}

void AnalogTile::relax_to(double t_s) {
  Impl& t = *impl_;
  if (!(std::isfinite(t_s) && t_s >= t.state.time_s))
    throw ConfigError("t_s",
                      "must be finite and not before the tile's current time " + std::to_string(t.state.time_s) + " s");
  relax_all(*t.model, t.state, t_s);
  t.state.time_s = t_s;
  t.fresh = false;
}

namespace {
/// ConfigError naming `where` unless x has `cols` columns (`what`).
void check_columns(const arma::fmat& x, std::size_t cols, const char* where, const char* what) {
  if (x.n_cols != cols)
    throw ConfigError(where,
                      "expected " + std::to_string(cols) + " columns (" + what + "), got " + std::to_string(x.n_cols));
}
/// check_columns and finite values.
void check_batch(const arma::fmat& x, std::size_t cols, const char* where, const char* what) {
  check_columns(x, cols, where, what);
  if (!x.is_finite()) throw ConfigError(where, "contains NaN or infinite values");
}
}  // namespace

void AnalogTile::forward(const arma::fmat& x, arma::fmat& y) {
  check_columns(x, impl_->inputs, "forward.x", "tile inputs");
  impl_->forward_read(x, detail::VectorLayout::rows, y);
}

void AnalogTile::forward_columns(const arma::fmat& X, arma::fmat& Y) {
  if (X.n_rows != impl_->inputs)
    throw ConfigError("forward.X", "expected " + std::to_string(impl_->inputs) + " rows (tile inputs), got " +
                                       std::to_string(X.n_rows));
  impl_->forward_read(X, detail::VectorLayout::columns, Y);
}

void AnalogTile::Impl::forward_read(const arma::fmat& x, detail::VectorLayout layout, arma::fmat& y) {
  // Finite values are checked by the pipeline's input scan.
  const bool columns = layout == detail::VectorLayout::columns;
  const char* key = columns ? "forward.X" : "forward.x";
  refresh();
  const std::uint64_t call = calls;  // counted once the pipeline accepted x
  stats = MvmStats{};
  arma::fmat Wbatch;
  const arma::fmat* W = &Wfwd;
  if (cfg.tile.device_read_noise == "per-batch") {
    arma::fmat Gn;
    read_cells(true, call << 32, Gn);
    Wbatch = combine(through_wires(Gn));
    W = &Wbatch;
  }
  std::unique_ptr<LineCrossbarSolver> solver;
  if (cfg.tile.device_read_noise == "per-mvm" && cfg.tile.wire_model == "exact")
    solver = std::make_unique<LineCrossbarSolver>(cfg.wires, inputs, mapped.physical_columns());
  const detail::AnalogProduct analog = [&](const arma::fmat& xq, const arma::uvec& samples, std::uint32_t pass,
                                           arma::fmat& z, arma::fmat& variance) {
    forward_product(xq, samples, pass, call, *W, solver.get(), z, variance);
  };
  if (!forward_adc_calibrated && fadc.params().range_mode != "fixed")
    calibrate_once(fadc, forward_adc_calibrated, cfg.forward_io, columns ? arma::fmat(x.t()) : x, *W, key);
  // Per-mvm device reads cost a whole array read per vector: no vector is carried along.
  const bool batched = cfg.tile.device_read_noise != "per-mvm";
  if (n_adc == outputs) {
    // One ADC column per output: the pipeline applies the column factors as it stores y.
    detail::managed_mvm(x, layout, n_adc, {cfg.forward_io, fdac, fadc, &adc_factor, key, batched}, analog, seed,
                        2 * tile_id, call, work, y, stats);
    ++calls;
    return;
  }
  arma::fmat z;
  detail::managed_mvm(x, layout, n_adc, {cfg.forward_io, fdac, fadc, nullptr, key, batched}, analog, seed, 2 * tile_id,
                      call, work, z, stats);
  ++calls;
  // Bit-sliced: shift-add of the slices' ADC outputs.
  if (columns) {
    y.zeros(outputs, x.n_cols);
    for (arma::uword a = 0; a < n_adc; ++a) y.row(logical_of_adc(a)) += adc_factor(a) * z.row(a);
  } else {
    y.zeros(x.n_rows, outputs);
    for (arma::uword a = 0; a < n_adc; ++a) y.col(logical_of_adc(a)) += adc_factor(a) * z.col(a);
  }
}

void AnalogTile::backward(const arma::fmat& d, arma::fmat& dx) {
  Impl& t = *impl_;
  check_batch(d, t.outputs, "backward.d", "tile outputs");
  if (t.n_adc != t.outputs)
    throw ConfigError("mapping.scheme",
                      "the backward read needs the differential or reference-column mapping, not " + t.mapped.scheme);
  t.refresh();
  const std::uint64_t call = t.calls++;
  t.stats = MvmStats{};
  // dx = d W^T with W = Wideal diag(factor): the digital side scales d by the factors.
  const arma::fmat ds = d.each_row() % t.adc_factor.t();
  const arma::fmat Wt = t.Wideal.t();
  const arma::fmat Wt_abs = t.cfg.backward_io.w_noise_type == "pcm-read" ? arma::fmat(arma::abs(Wt)) : arma::fmat();
  const detail::AnalogProduct analog = [&](const arma::fmat& dq, const arma::uvec&, std::uint32_t, arma::fmat& z,
                                           arma::fmat& variance) {
    z = dq * Wt;
    Impl::weight_noise_variance(dq, Wt_abs, t.cfg.backward_io, t.inputs, variance);
  };
  Impl::calibrate_once(t.badc, t.backward_adc_calibrated, t.cfg.backward_io, ds, Wt, "backward.d");
  detail::managed_mvm(ds, detail::VectorLayout::rows, t.inputs,
                      {t.cfg.backward_io, t.bdac, t.badc, nullptr, "backward.d"}, analog, t.seed, 2 * t.tile_id + 1,
                      call, t.work, dx, t.stats);
}

}  // namespace xbarsim

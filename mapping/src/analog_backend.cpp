// Analog MatVecBackend on crossbar tiles (see analog_backend.hpp).
#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/mapping/analog_backend.hpp>

namespace xbarsim {

struct AnalogBackend::Matrix {
  std::size_t M = 0, K = 0;
  bool stale = true;
  std::vector<std::size_t> row_start, col_start;  // block origins in K and M
  std::vector<AnalogTile> tiles;                  // row block major: tiles[r * ncol + c]
  std::vector<TransferTile> transfer;             // tiki-taka: per block instead of tiles (C reads)
  std::vector<double> reference, scale;           // drift compensation per tile
  AnalogTile& tile(std::size_t i) { return transfer.empty() ? tiles[i] : transfer[i].slow(); }
  std::size_t size() const { return transfer.empty() ? tiles.size() : transfer.size(); }
  /// f(block i): the AnalogTile, or the TransferTile of a Tiki-Taka block (programming,
  /// update, read-back and drift act on both of its tiles).
  template <class F>
  void with_block(std::size_t i, F&& f) {
    if (transfer.empty())
      f(tiles[i]);
    else
      f(transfer[i]);
  }
  template <class F>
  void with_block(std::size_t i, F&& f) const {
    if (transfer.empty())
      f(tiles[i]);
    else
      f(transfer[i]);
  }
  arma::fmat xr, y;  // forward's buffers (a row block of X, one tile's outputs), reused by every batch
};

namespace {
/// Sum of |outputs| of the tile for the all-ones reference input.
double reference_readout(AnalogTile& tile) {
  arma::fmat y;
  tile.forward(arma::fmat(1, tile.inputs(), arma::fill::ones), y);
  return arma::accu(arma::abs(arma::conv_to<arma::mat>::from(y)));
}

}  // namespace

TileConfig inference_tile_defaults() {
  TileConfig t;
  t.forward_dac.bits = 8;
  t.forward_adc.bits = 8;
  t.forward_io.out_noise = 0.04;
  t.tile.device_read_noise = "per-batch";
  return t;
}

AnalogBackend::AnalogBackend(AnalogBackendOptions options) : opt_(std::move(options)) {
  if (!opt_.device) throw ConfigError("analog.device", "no device model given");
  if (opt_.drift_compensation != "none" && opt_.drift_compensation != "global")
    throw ConfigError("analog.drift_compensation",
                      "expected \"none\" or \"global\", got \"" + opt_.drift_compensation + "\"");
  if (opt_.backward != "digital" && opt_.backward != "analog")
    throw ConfigError("analog.backward", "expected \"digital\" or \"analog\", got \"" + opt_.backward + "\"");
  if (opt_.tile_inputs == 0 || opt_.tile_outputs == 0)
    throw ConfigError("analog.tile", "tile_inputs and tile_outputs must be > 0");
  if (opt_.in_situ != "sgd" && opt_.in_situ != "tiki-taka")
    throw ConfigError("analog.in_situ", "expected \"sgd\" or \"tiki-taka\", got \"" + opt_.in_situ + "\"");
  if (opt_.in_situ == "tiki-taka" && opt_.transfer.transfer.gamma != 0.0)
    throw ConfigError("analog.transfer.gamma", "the backend reads C only: Tiki-Taka needs gamma = 0 here");
}

AnalogBackend::~AnalogBackend() = default;

AnalogBackend::Matrix& AnalogBackend::tiles_for(const MatVecId& id, const arma::fmat& W) {
  auto& slot = matrices_[{id.layer, id.group}];
  if (!slot || slot->M != W.n_rows || slot->K != W.n_cols) {
    slot = std::make_unique<Matrix>();
    Matrix& m = *slot;
    m.M = W.n_rows;
    m.K = W.n_cols;
    for (std::size_t k = 0; k < m.K; k += opt_.tile_inputs) m.row_start.push_back(k);
    for (std::size_t j = 0; j < m.M; j += opt_.tile_outputs) m.col_start.push_back(j);
    for (std::size_t r = 0; r < m.row_start.size(); ++r)
      for (std::size_t c = 0; c < m.col_start.size(); ++c) {
        const std::size_t in = std::min(opt_.tile_inputs, m.K - m.row_start[r]);
        const std::size_t out = std::min(opt_.tile_outputs, m.M - m.col_start[c]);
        const std::uint32_t t = next_tile_++;
        if (opt_.in_situ == "tiki-taka")
          m.transfer.emplace_back(opt_.device(), opt_.device(), opt_.tile, opt_.transfer, in, out,
                                  derive_seed(opt_.seed, t), t);
        else
          m.tiles.emplace_back(opt_.device(), opt_.tile, in, out, derive_seed(opt_.seed, t), t);
      }
  }
  Matrix& m = *slot;
  if (m.stale) {
    const std::size_t ncol = m.col_start.size();
    for (std::size_t r = 0; r < m.row_start.size(); ++r)
      for (std::size_t c = 0; c < ncol; ++c) {
        AnalogTile& tile = m.tile(r * ncol + c);
        const arma::fmat block = W.submat(m.col_start[c], m.row_start[r], m.col_start[c] + tile.outputs() - 1,
                                          m.row_start[r] + tile.inputs() - 1);
        const arma::mat Wt = arma::conv_to<arma::mat>::from(block.t());
        TileProgramReport rep;
        m.with_block(r * ncol + c, [&](auto& b) { rep = b.set_weights(Wt); });
        programming_.pulses += rep.device.pulses;
        programming_.verify_reads += rep.device.verify_reads;
        programming_.unconverged += rep.device.unconverged;
        programming_.energy_J += rep.device.energy_J;
      }
    m.scale.assign(m.size(), 1.0);
    m.reference.assign(m.size(), 0.0);
    if (opt_.drift_compensation == "global")
      for (std::size_t t = 0; t < m.size(); ++t) m.reference[t] = reference_readout(m.tile(t));
    m.stale = false;
    if (time_s_ > 0.0) relax_matrix(m, time_s_);  // read at the backend's time since programming
  }
  return m;
}

void AnalogBackend::forward(const MatVecId& id, const arma::fmat& W, const arma::fmat& X, arma::fmat& Y) {
  if (X.n_rows != W.n_cols)
    throw ConfigError(id.name, "input has " + std::to_string(X.n_rows) + " rows for a weight matrix with " +
                                   std::to_string(W.n_cols) + " inputs");
  Matrix& m = tiles_for(id, W);
  const std::size_t ncol = m.col_start.size(), nrow = m.row_start.size();
  // Tiles read the seam's layout (one vector per column) directly: no transposes.
  for (std::size_t r = 0; r < nrow; ++r) {
    if (nrow > 1) m.xr = X.rows(m.row_start[r], m.row_start[r] + m.tile(r * ncol).inputs() - 1);
    const arma::fmat& xr = nrow > 1 ? m.xr : X;
    for (std::size_t c = 0; c < ncol; ++c) {
      AnalogTile& tile = m.tile(r * ncol + c);
      // Drift compensation: one digital scale per tile (1 when switched off).
      const float scale = compensate_ ? static_cast<float>(m.scale[r * ncol + c]) : 1.0f;
      if (nrow == 1 && ncol == 1 && &X != &Y) {  // one tile: its outputs are Y
        tile.forward_columns(xr, Y);
        if (scale != 1.0f) Y *= scale;
        continue;
      }
      tile.forward_columns(xr, m.y);
      if (r == 0 && c == 0) Y.set_size(m.M, X.n_cols);
      const arma::uword j0 = m.col_start[c], j1 = j0 + tile.outputs() - 1;
      if (r == 0)
        Y.rows(j0, j1) = scale * m.y;
      else
        Y.rows(j0, j1) += scale * m.y;  // digital partial sums
    }
  }
}

void AnalogBackend::backward(const MatVecId& id, const arma::fmat& W, const arma::fmat& dY, arma::fmat& dX) {
  if (opt_.backward != "analog") {
    dX = W.t() * dY;
    return;
  }
  Matrix& m = tiles_for(id, W);
  const std::size_t ncol = m.col_start.size();
  // Transposed reads: each tile maps its output block of dY to its input block of dX.
  const arma::fmat dYt = dY.t();
  arma::fmat dXt(dY.n_cols, m.K, arma::fill::zeros), d;
  for (std::size_t r = 0; r < m.row_start.size(); ++r)
    for (std::size_t c = 0; c < ncol; ++c) {
      AnalogTile& tile = m.tile(r * ncol + c);
      tile.backward(arma::fmat(dYt.cols(m.col_start[c], m.col_start[c] + tile.outputs() - 1)), d);
      dXt.cols(m.row_start[r], m.row_start[r] + tile.inputs() - 1) += d;
    }
  dX = dXt.t();
}

void AnalogBackend::update(const MatVecId& id, const arma::fmat& X, const arma::fmat& dY, double lr) {
  const auto it = matrices_.find({id.layer, id.group});
  if (it == matrices_.end() || it->second->stale)
    throw ConfigError(id.name, "in-situ update before the tiles were programmed (run a forward first)");
  Matrix& m = *it->second;
  if (X.n_rows != m.K || dY.n_rows != m.M || X.n_cols != dY.n_cols)
    throw ConfigError(id.name, "in-situ update: X must be " + std::to_string(m.K) + " x B and dY " +
                                   std::to_string(m.M) + " x B with the same B");
  const std::size_t ncol = m.col_start.size();
  const arma::fmat Xt = X.t(), dYt = dY.t();
  for (std::size_t r = 0; r < m.row_start.size(); ++r)
    for (std::size_t c = 0; c < ncol; ++c) {
      AnalogTile& tile = m.tile(r * ncol + c);
      const arma::fmat x(Xt.cols(m.row_start[r], m.row_start[r] + tile.inputs() - 1));
      const arma::fmat d(dYt.cols(m.col_start[c], m.col_start[c] + tile.outputs() - 1));
      m.with_block(r * ncol + c, [&](auto& b) { b.update(x, d, lr); });  // Tiki-Taka: A, transfers to C
    }
}

arma::fmat AnalogBackend::weights(const MatVecId& id) const {
  const auto it = matrices_.find({id.layer, id.group});
  if (it == matrices_.end()) throw ConfigError(id.name, "has no tiles yet");
  const Matrix& m = *it->second;
  const std::size_t ncol = m.col_start.size();
  arma::fmat W(m.M, m.K);
  for (std::size_t r = 0; r < m.row_start.size(); ++r)
    for (std::size_t c = 0; c < ncol; ++c) {
      arma::mat Wb;
      m.with_block(r * ncol + c, [&](const auto& b) { Wb = b.weights(); });
      W.submat(m.col_start[c], m.row_start[r], m.col_start[c] + Wb.n_cols - 1, m.row_start[r] + Wb.n_rows - 1) =
          arma::conv_to<arma::fmat>::from(Wb.t());
    }
  return W;
}

void AnalogBackend::weights_changed(const MatVecId& id) {
  const auto it = matrices_.find({id.layer, id.group});
  if (it != matrices_.end()) it->second->stale = true;
}

void AnalogBackend::relax_matrix(Matrix& m, double t_s) {
  for (std::size_t t = 0; t < m.size(); ++t) {
    m.with_block(t, [&](auto& b) { b.relax_to(t_s); });
    if (opt_.drift_compensation == "global" && m.reference[t] > 0.0) {
      const double now = reference_readout(m.tile(t));
      m.scale[t] = now > 0.0 ? m.reference[t] / now : 1.0;
    }
  }
}

void AnalogBackend::relax_to(double t_s) {
  if (!(t_s >= time_s_)) throw ConfigError("t_s", "must not go back in time (" + std::to_string(time_s_) + " s now)");
  time_s_ = t_s;
  for (auto& [key, m] : matrices_)
    if (!m->stale) relax_matrix(*m, t_s);
}

std::size_t AnalogBackend::num_tiles() const {
  std::size_t n = 0;
  for (const auto& [key, m] : matrices_) n += m->tiles.size() + 2 * m->transfer.size();  // tiki-taka: A and C
  return n;
}

ProgramReport AnalogBackend::programming() const { return programming_; }

}  // namespace xbarsim

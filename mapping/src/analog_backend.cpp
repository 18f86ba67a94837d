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
  std::vector<double> reference, scale;           // drift compensation per tile
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
        m.tiles.emplace_back(opt_.device(), opt_.tile, in, out, derive_seed(opt_.seed, t), t);
      }
  }
  Matrix& m = *slot;
  if (m.stale) {
    const std::size_t ncol = m.col_start.size();
    for (std::size_t r = 0; r < m.row_start.size(); ++r)
      for (std::size_t c = 0; c < ncol; ++c) {
        AnalogTile& tile = m.tiles[r * ncol + c];
        const arma::fmat block = W.submat(m.col_start[c], m.row_start[r], m.col_start[c] + tile.outputs() - 1,
                                          m.row_start[r] + tile.inputs() - 1);
        const TileProgramReport rep = tile.set_weights(arma::conv_to<arma::mat>::from(block.t()));
        programming_.pulses += rep.device.pulses;
        programming_.verify_reads += rep.device.verify_reads;
        programming_.unconverged += rep.device.unconverged;
        programming_.energy_J += rep.device.energy_J;
      }
    m.scale.assign(m.tiles.size(), 1.0);
    m.reference.assign(m.tiles.size(), 0.0);
    if (opt_.drift_compensation == "global")
      for (std::size_t t = 0; t < m.tiles.size(); ++t) m.reference[t] = reference_readout(m.tiles[t]);
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
  const std::size_t ncol = m.col_start.size();
  // Tiles take one vector per row: work on X^T (B x K), whose row blocks of W are
  // contiguous column ranges, and accumulate Y^T (B x M) the same way.
  const arma::fmat Xt = X.t();
  const bool whole = m.row_start.size() == 1;
  arma::fmat Yt(X.n_cols, m.M, arma::fill::zeros), y, block;
  for (std::size_t r = 0; r < m.row_start.size(); ++r) {
    const AnalogTile& first = m.tiles[r * ncol];
    if (!whole) block = Xt.cols(m.row_start[r], m.row_start[r] + first.inputs() - 1);
    const arma::fmat& xr = whole ? Xt : block;
    for (std::size_t c = 0; c < ncol; ++c) {
      AnalogTile& tile = m.tiles[r * ncol + c];
      tile.forward(xr, y);
      // Drift compensation: one digital scale per tile (1 when switched off).
      const float scale = compensate_ ? static_cast<float>(m.scale[r * ncol + c]) : 1.0f;
      Yt.cols(m.col_start[c], m.col_start[c] + tile.outputs() - 1) += scale * y;  // digital partial sums
    }
  }
  Y = Yt.t();
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
      AnalogTile& tile = m.tiles[r * ncol + c];
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
      AnalogTile& tile = m.tiles[r * ncol + c];
      tile.update(arma::fmat(Xt.cols(m.row_start[r], m.row_start[r] + tile.inputs() - 1)),
                  arma::fmat(dYt.cols(m.col_start[c], m.col_start[c] + tile.outputs() - 1)), lr);
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
      const AnalogTile& tile = m.tiles[r * ncol + c];
      W.submat(m.col_start[c], m.row_start[r], m.col_start[c] + tile.outputs() - 1,
               m.row_start[r] + tile.inputs() - 1) = arma::conv_to<arma::fmat>::from(tile.weights().t());
    }
  return W;
}

void AnalogBackend::weights_changed(const MatVecId& id) {
  const auto it = matrices_.find({id.layer, id.group});
  if (it != matrices_.end()) it->second->stale = true;
}

void AnalogBackend::relax_matrix(Matrix& m, double t_s) {
  for (std::size_t t = 0; t < m.tiles.size(); ++t) {
    m.tiles[t].relax_to(t_s);
    if (opt_.drift_compensation == "global" && m.reference[t] > 0.0) {
      const double now = reference_readout(m.tiles[t]);
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
  for (const auto& [key, m] : matrices_) n += m->tiles.size();
  return n;
}

ProgramReport AnalogBackend::programming() const { return programming_; }

}  // namespace xbarsim

#pragma once
// The analog MatVecBackend (issue 5): every weight matrix of a network runs on crossbar
// tiles. W (M outputs x K inputs, nn's layout) is split into row blocks of at most
// tile_inputs inputs and column blocks of at most tile_outputs outputs; each block is one
// AnalogTile holding W^T of the block (tiles are inputs x outputs). A product sums the
// row blocks' tile outputs digitally (partial-sum accumulation). Tiles are programmed on
// first use and again after weights_changed(). The backward product is digital, as
// aihwkit's InferenceRPUConfig (hardware-aware training keeps an ideal backward pass).
//
// Drift compensation ("global", aihwkit GlobalDriftCompensation): right after programming
// each tile reads a fixed reference input (all inputs at full scale, 1.0) and stores the
// sum of |outputs|; after relax_to(t) it reads it again, and every later output of the
// tile is multiplied by the ratio before / after (one digital scale per tile, computed
// from the tile's own noisy read-out, as on hardware).
//
// Randomness: tile t of the backend uses the seed derive_seed(seed, t) and tile id t, in
// the order tiles are created (layer by layer, group by group, row block, column block),
// so results do not depend on threads.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <xbarsim/crossbar/tile.hpp>
#include <xbarsim/crossbar/transfer_tile.hpp>
#include <xbarsim/nn/matvec_backend.hpp>

namespace xbarsim {

struct AnalogBackendOptions {
  TileConfig tile;                 // periphery, mapping, wires, cells of every tile
  std::size_t tile_inputs = 256;   // rows (word lines) per tile
  std::size_t tile_outputs = 256;  // logical outputs per tile
  std::uint64_t seed = 1;
  std::string drift_compensation = "none";  // "none" | "global"
  std::string backward = "digital";         // "digital" (W^T dY) | "analog" (the tiles' transposed read)
  /// In-situ algorithm of update(): "sgd" (aihwkit SingleRPUConfig: the pulsed update on the
  /// weight tiles) or "tiki-taka" (aihwkit TransferCompound: every block is a TransferTile,
  /// two tiles A and C of `device`, forward / backward read C; gamma must be 0, its default).
  std::string in_situ = "sgd";
  TransferConfig transfer;  // Tiki-Taka settings (transfer_tile.hpp), aihwkit's defaults
  /// Makes the device model of a tile (one per tile; required).
  std::function<std::unique_ptr<DeviceModel>()> device;
};

/// The inference periphery of the built-in `xbarsim run`: 8-bit DAC and ADC (issue 5),
/// aihwkit's inference output noise 0.04 (StandardHWATrainingPreset uses 0.04), device
/// read noise redrawn for every batch; everything else as TileConfig's defaults.
TileConfig inference_tile_defaults();

class AnalogBackend final : public MatVecBackend {
 public:
  /// ConfigError for a missing device factory or zero tile sizes.
  explicit AnalogBackend(AnalogBackendOptions options);
  ~AnalogBackend() override;

  void forward(const MatVecId& id, const arma::fmat& W, const arma::fmat& X, arma::fmat& Y) override;
  void backward(const MatVecId& id, const arma::fmat& W, const arma::fmat& dY, arma::fmat& dX) override;
  void weights_changed(const MatVecId& id) override;

  /// In-situ training step on the tiles of one weight matrix: W <- W - lr dY X^T by the
  /// tiles' pulsed outer-product update (AnalogTile::update, or TransferTile::update with
  /// Tiki-Taka; X is K x B inputs, dY is M x B output gradients, nn layouts; for a
  /// convolution B = batch x output positions, X the im2col columns). The digital W the
  /// layer holds is not changed: after in-situ updates the tiles are the weights
  /// (weights() reads them back).
  void update(const MatVecId& id, const arma::fmat& X, const arma::fmat& dY, double lr);
  /// The weights the tiles of a matrix hold now (M x K, nn layout); ConfigError if the
  /// matrix has no tiles yet.
  arma::fmat weights(const MatVecId& id) const;
  /// Reads the chip t_s seconds after programming from now on: programmed tiles drift to
  /// t_s; tiles programmed later (first use, weights_changed) drift to t_s right after
  /// programming, so the call may come before the first forward. t_s never decreases.
  void relax_to(double t_s);
  /// Turns the drift-compensation scales on or off (with "global", they are measured at
  /// every relax_to either way), so one drifted chip can be read both ways.
  void use_compensation(bool on) { compensate_ = on; }
  /// Tiles in use (two per block with Tiki-Taka) and their programming totals so far.
  std::size_t num_tiles() const;
  ProgramReport programming() const;

 private:
  struct Matrix;  // the tiles of one weight matrix
  Matrix& tiles_for(const MatVecId& id, const arma::fmat& W);
  void relax_matrix(Matrix& m, double t_s);

  AnalogBackendOptions opt_;
  std::map<std::pair<std::size_t, std::size_t>, std::unique_ptr<Matrix>> matrices_;
  std::uint32_t next_tile_ = 0;
  bool compensate_ = true;
  double time_s_ = 0.0;
  ProgramReport programming_;
};

}  // namespace xbarsim

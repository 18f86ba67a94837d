#pragma once
// Tiki-Taka (version 1) in-situ training on two analog tiles (Gokmen & Haensch, Front.
// Neurosci. 14:103, 2020; aihwkit TransferCompound, shared/reference/aihwkit.md 1.4, C++
// src/rpucuda/rpu_transfer_device.cpp). A composition of two AnalogTiles of the same shape:
//   A, the fast tile: accumulates the gradient by the pulsed outer-product update;
//   C, the slow tile: the weights, updated only by transfers from A.
// Effective weights W = gamma A + C (aihwkit reduce_weightening with gamma_vec = {gamma, 1};
// gamma = 0 by default, so the forward and backward reads see C only). With gamma != 0
// forward / backward are two analog reads summed digitally (aihwkit reads the reduced
// weights of one compound cell in one pass).
//
// update(x, d, lr), x batch x inputs, d batch x outputs:
//  1. A <- A - lr_A x^T d by A's pulsed update, lr_A = fast_lr lr with scale_fast_lr,
//     fast_lr without it, and lr itself when fast_lr = 0 (aihwkit getPulseCountLearningRate
//     and TransferCompound.scale_fast_lr).
//  2. The update counter u counts mat-vecs (samples), as aihwkit's current_update_idx_;
//     the transfer period is P = ceil(transfer_every B) with units_in_mbatch (B = this
//     call's batch size), round(transfer_every) otherwise (getTransferEvery). After this
//     call, one transfer is made for every multiple of P in (u - B, u] (aihwkit transfers
//     when u % P == 0 after a sample, i.e. at the end of every transfer_every-th batch for
//     integer transfer_every; transfers due inside a batch are done after it here).
//  3. A transfer reads n_reads_per_transfer consecutive "columns" of A, starting at the
//     column index after the last one read and wrapping (sequential selection). A column
//     is aihwkit's column of its d x x matrix, i.e. one INPUT line i (transfer_columns):
//     the one-hot input e_i is read through A's forward periphery, which is the transfer
//     read periphery (transfer_dac, transfer_adc, transfer_io; aihwkit transfer_forward,
//     bound management forced off as aihwkit's initializeWithSize does), giving
//     r = (A row i, read). Then C is pulsed with x = e_i, d = -r and the transfer rate
//     lr_T = transfer_lr lr (scale_transfer_lr) or transfer_lr: C row i += lr_T r, by C's
//     pulsed update with the transfer_update parameters (aihwkit readAndUpdate:
//     readVector(alpha = -1) then writeVector). The reads of one transfer event are one
//     batched forward call and the C updates one batched update call: every vector and
//     sample is managed on its own and one-hot samples touch disjoint rows, so this has
//     the law of aihwkit's sequential per-column steps (not its random numbers).
// set_weights(W): A <- 0 and C <- W (aihwkit onSetWeights: only the last device holds
// the weights, divided by its significance gamma^0 = 1); the counters restart.
// Rows transfer is not implemented (transfer_columns = false is a ConfigError), nor
// random_selection, with_reset_prob or more than two devices.
//
// Random numbers: C uses (seed, tile_id) exactly as a plain AnalogTile would, A uses
// (derive_seed(seed, 0xfa57), tile_id); transfers are deterministic functions of the
// update count, so results do not depend on threads.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/crossbar/tile.hpp>

namespace xbarsim {

struct TransferParams {
  double gamma = 0.0;             // W = gamma A + C
  double transfer_every = 1.0;    // transfer period (mini-batches or mat-vecs)
  bool units_in_mbatch = true;    // transfer_every in mini-batches (true) or mat-vecs
  int n_reads_per_transfer = 1;   // consecutive columns per transfer event
  bool transfer_columns = true;   // read columns (input lines); rows are not implemented
  double fast_lr = 1.0;           // learning rate of A's gradient update (0: the SGD lr)
  bool scale_fast_lr = true;      // fast_lr is relative to the SGD lr
  double transfer_lr = 1.0;       // learning rate of the A -> C transfer update
  bool scale_transfer_lr = true;  // transfer_lr is relative to the SGD lr
  static const ParamTable<TransferParams>& table();
};

/// Transfer settings plus the periphery of the transfer read and the transfer update.
struct TransferConfig {
  TransferParams transfer;
  DacParams transfer_dac;              // DAC of the one-hot read of A (aihwkit transfer_forward)
  AdcParams transfer_adc;              // ADC of that read
  MvmIoParams transfer_io;             // noise / bound management of that read (bound management off)
  PulsedUpdateParams transfer_update;  // pulsed update of C by a transfer
  /// aihwkit's defaults: transfer_forward = IOParameters() (7-bit DAC, out_res 1/510 ~
  /// 9-bit ADC over +-12, out_noise 0.06, abs-max noise management) with bound
  /// management off, transfer_update = UpdateParameters() (aihwkit.md 1.6, 1.7).
  TransferConfig();
};

/// What one TransferTile::update did.
struct TransferUpdateReport {
  TileUpdateReport fast;              // A's gradient update
  std::size_t transfers = 0;          // transfer events in this call
  std::vector<std::size_t> columns;   // columns (input lines) read, in order
  std::uint64_t transfer_pulses = 0;  // device pulses applied to C by the transfers
};

class TransferTile {
 public:
  /// Both tiles `inputs` x `outputs`; A gets `fast_model` and `tile` with its forward
  /// periphery replaced by the transfer read periphery; C gets `slow_model` and `tile`
  /// with its update replaced by transfer_update. ConfigError (key paths "transfer...")
  /// for invalid parameters, unsupported options or a mapping that cannot be updated.
  TransferTile(std::unique_ptr<DeviceModel> fast_model, std::unique_ptr<DeviceModel> slow_model, const TileConfig& tile,
               const TransferConfig& transfer, std::size_t inputs, std::size_t outputs, std::uint64_t seed,
               std::uint32_t tile_id = 0);

  std::size_t inputs() const { return slow_.inputs(); }
  std::size_t outputs() const { return slow_.outputs(); }
  const TransferConfig& transfer_config() const { return tc_; }
  AnalogTile& fast() { return fast_; }
  AnalogTile& slow() { return slow_; }
  const AnalogTile& fast() const { return fast_; }
  const AnalogTile& slow() const { return slow_; }

  /// A <- 0, C <- W; returns C's programming report (A's is added to its device totals).
  TileProgramReport set_weights(const arma::mat& W);
  /// gamma A + C, noise-free reads (inputs x outputs).
  arma::mat weights() const;
  /// y = x (gamma A + C) through the periphery (C's forward; plus gamma A's read if gamma != 0).
  void forward(const arma::fmat& x, arma::fmat& y);
  /// dx = d (gamma A + C)^T through the backward periphery.
  void backward(const arma::fmat& d, arma::fmat& dx);
  /// Tiki-Taka step (file comment).
  TransferUpdateReport update(const arma::fmat& x, const arma::fmat& d, double lr);
  /// Both tiles drift / relax to t_s.
  void relax_to(double t_s);

  std::uint64_t update_count() const { return samples_; }  // mat-vecs seen since set_weights
  std::uint64_t transfer_count() const { return transfers_; }
  std::size_t next_column() const { return next_column_; }  // first column of the next transfer

 private:
  void transfer_once(double lr, TransferUpdateReport& rep);

  TransferConfig tc_;
  AnalogTile fast_, slow_;
  std::uint64_t samples_ = 0, transfers_ = 0;
  std::size_t next_column_ = 0;
};

}  // namespace xbarsim

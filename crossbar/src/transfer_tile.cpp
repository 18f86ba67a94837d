// Tiki-Taka v1 on two analog tiles (see transfer_tile.hpp).
#include <xbarsim/crossbar/transfer_tile.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>

namespace xbarsim {

const ParamTable<TransferParams>& TransferParams::table() {
  static const ParamTable<TransferParams> t = [] {
    ParamTable<TransferParams> tab;
    tab.real("gamma", &TransferParams::gamma, "1", Range::non_negative(),
             "significance of the fast tile A in the weights W = gamma A + C",
             "aihwkit TransferCompound.gamma = 0 (aihwkit.md 1.4; compounds.py)");
    tab.real("transfer_every", &TransferParams::transfer_every, "1", Range::non_negative(),
             "transfer period in mini-batches (units_in_mbatch) or mat-vecs; 0 = no transfer",
             "aihwkit TransferCompound.transfer_every = 1.0 (aihwkit.md 1.4)");
    tab.boolean("units_in_mbatch", &TransferParams::units_in_mbatch,
                "transfer_every counts mini-batches (period ceil(transfer_every B) mat-vecs) instead of mat-vecs",
                "aihwkit TransferCompound.units_in_mbatch = True (aihwkit.md 1.4)");
    tab.integer("n_reads_per_transfer", &TransferParams::n_reads_per_transfer, "1", Range::closed(1, 65536),
                "consecutive columns (input lines) of A read and transferred per transfer event",
                "aihwkit TransferCompound.n_reads_per_transfer = 1 (aihwkit.md 1.4)");
    tab.boolean("transfer_columns", &TransferParams::transfer_columns,
                "read columns of A with one-hot forward reads (rows by backward reads are not implemented)",
                "aihwkit TransferCompound.transfer_columns = True (aihwkit.md 1.4)");
    tab.real("fast_lr", &TransferParams::fast_lr, "1", Range::non_negative(),
             "learning rate of the gradient update onto A (0: the SGD learning rate)",
             "aihwkit TransferCompound.fast_lr = 1 (aihwkit.md 1.4)");
    tab.boolean("scale_fast_lr", &TransferParams::scale_fast_lr, "fast_lr is multiplied by the SGD learning rate",
                "aihwkit TransferCompound.scale_fast_lr = True (aihwkit.md 1.4; compounds.py docstring: effective fast "
                "LR fast_lr * current_lr)");
    tab.real("transfer_lr", &TransferParams::transfer_lr, "1", Range::non_negative(),
             "learning rate of the transfer update C += transfer_lr (A column read)",
             "aihwkit TransferCompound.transfer_lr = 1 (aihwkit.md 1.4)");
    tab.boolean("scale_transfer_lr", &TransferParams::scale_transfer_lr,
                "transfer_lr is multiplied by the SGD learning rate",
                "aihwkit TransferCompound.scale_transfer_lr = True (aihwkit.md 1.4)");
    return tab;
  }();
  return t;
}

TransferConfig::TransferConfig() {
  // aihwkit IOParameters(): inp_res 1/126 (7 bit, DacParams default), out_res 1/510 over
  // out_bound 12 (~9 bit), out_noise 0.06, abs-max noise management (MvmIoParams
  // defaults); bound management is switched off for transfers (initializeWithSize).
  transfer_adc.bits = 9;
  transfer_io.bound_management = "none";
}

namespace {
TileConfig fast_config(const TileConfig& tile, const TransferConfig& tc) {
  TileConfig c = tile;
  c.forward_dac = tc.transfer_dac;
  c.forward_adc = tc.transfer_adc;
  c.forward_io = tc.transfer_io;
  return c;
}
TileConfig slow_config(const TileConfig& tile, const TransferConfig& tc) {
  TileConfig c = tile;
  c.update = tc.transfer_update;
  return c;
}
const TransferConfig& checked(const TransferConfig& tc) {
  ProblemList problems;
  TransferParams::table().validate_struct(tc.transfer, "transfer", problems);
  DacParams::table().validate_struct(tc.transfer_dac, "transfer_dac", problems);
  AdcParams::table().validate_struct(tc.transfer_adc, "transfer_adc", problems);
  MvmIoParams::table().validate_struct(tc.transfer_io, "transfer_io", problems);
  PulsedUpdateParams::table().validate_struct(tc.transfer_update, "transfer_update", problems);
  if (!tc.transfer.transfer_columns)
    problems.add("transfer.transfer_columns", "only column transfers (one-hot forward reads) are implemented");
  if (tc.transfer_io.bound_management != "none")
    problems.add("transfer_io.bound_management", "must be \"none\" (aihwkit turns it off for transfer reads)");
  problems.throw_if_any();
  return tc;
}
}  // namespace

TransferTile::TransferTile(std::unique_ptr<DeviceModel> fast_model, std::unique_ptr<DeviceModel> slow_model,
                           const TileConfig& tile, const TransferConfig& transfer, std::size_t inputs,
                           std::size_t outputs, std::uint64_t seed, std::uint32_t tile_id)
    : tc_(checked(transfer)),
      fast_(std::move(fast_model), fast_config(tile, transfer), inputs, outputs, derive_seed(seed, 0xfa57), tile_id),
      slow_(std::move(slow_model), slow_config(tile, transfer), inputs, outputs, seed, tile_id) {
  const std::string& scheme = tile.mapping.scheme;
  if (scheme != "differential" && scheme != "reference-column")
    throw ConfigError("mapping.scheme",
                      "Tiki-Taka updates both tiles by pulses: needs the differential or "
                      "reference-column mapping, not " +
                          scheme);
}

TileProgramReport TransferTile::set_weights(const arma::mat& W) {
  const TileProgramReport a = fast_.set_weights(arma::mat(W.n_rows, W.n_cols, arma::fill::zeros));
  TileProgramReport c = slow_.set_weights(W);
  c.device.pulses += a.device.pulses;
  c.device.verify_reads += a.device.verify_reads;
  c.device.unconverged += a.device.unconverged;
  c.device.energy_J += a.device.energy_J;
  samples_ = transfers_ = 0;
  next_column_ = 0;
  return c;
}

arma::mat TransferTile::weights() const {
  if (tc_.transfer.gamma == 0.0) return slow_.weights();
  return tc_.transfer.gamma * fast_.weights() + slow_.weights();
}

void TransferTile::forward(const arma::fmat& x, arma::fmat& y) {
  slow_.forward(x, y);
  if (tc_.transfer.gamma == 0.0) return;
  arma::fmat ya;
  fast_.forward(x, ya);
  y += static_cast<float>(tc_.transfer.gamma) * ya;
}

void TransferTile::backward(const arma::fmat& d, arma::fmat& dx) {
  slow_.backward(d, dx);
  if (tc_.transfer.gamma == 0.0) return;
  arma::fmat da;
  fast_.backward(d, da);
  dx += static_cast<float>(tc_.transfer.gamma) * da;
}

void TransferTile::transfer_once(double lr, TransferUpdateReport& rep) {
  const TransferParams& p = tc_.transfer;
  const double lr_t = p.scale_transfer_lr ? p.transfer_lr * lr : p.transfer_lr;
  const std::size_t n_in = inputs();
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(p.n_reads_per_transfer), n_in);
  // The n one-hot reads go through A's forward periphery as one batch and the n row
  // updates of C as one pulsed update: both treat every vector / sample on its own
  // (per-vector noise management and output noise; per-sample BL, A, B), and one-hot
  // samples touch disjoint rows, so this has the law of aihwkit's n sequential
  // read-and-update steps.
  arma::fmat e(n, n_in, arma::fill::zeros), r;
  for (std::size_t k = 0; k < n; ++k) {
    rep.columns.push_back(next_column_);
    e(k, next_column_) = 1.0f;
    next_column_ = (next_column_ + 1) % n_in;
  }
  ++transfers_;
  ++rep.transfers;
  if (lr_t == 0.0) return;  // aihwkit readAndUpdate returns for lr == 0
  fast_.forward(e, r);      // rows of A through the transfer read periphery
  // C <- C - lr_t e^T (-r) = C + lr_t e^T r (aihwkit: read with alpha = -1, then update).
  r = -r;
  rep.transfer_pulses += slow_.update(e, r, lr_t).device_pulses;
}

TransferUpdateReport TransferTile::update(const arma::fmat& x, const arma::fmat& d, double lr) {
  const TransferParams& p = tc_.transfer;
  if (!(lr >= 0.0) || !std::isfinite(lr)) throw ConfigError("update.lr", "must be finite and >= 0");
  TransferUpdateReport rep;
  const double lr_a = p.fast_lr > 0.0 ? (p.scale_fast_lr ? p.fast_lr * lr : p.fast_lr) : lr;
  rep.fast = fast_.update(x, d, lr_a);
  const std::uint64_t batch = x.n_rows;
  const std::uint64_t before = samples_;
  samples_ += batch;
  // aihwkit getTransferEvery: ceil(transfer_every m_batch) or round(transfer_every), >= 0.
  const double every =
      p.units_in_mbatch ? std::ceil(p.transfer_every * static_cast<double>(batch)) : std::round(p.transfer_every);
  if (every >= 1.0) {
    const auto period = static_cast<std::uint64_t>(every);
    const std::uint64_t due = samples_ / period - before / period;
    for (std::uint64_t k = 0; k < due; ++k) transfer_once(lr, rep);
  }
  return rep;
}

void TransferTile::relax_to(double t_s) {
  fast_.relax_to(t_s);
  slow_.relax_to(t_s);
}

}  // namespace xbarsim

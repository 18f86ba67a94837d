#pragma once
// The training loop: one epoch of mini-batch (or online, or full-batch) gradient descent
// with softmax cross-entropy on the network's logits, and evaluation.
//
// Consistency under cancellation: the CancellationToken is checked before each batch,
// never between a batch's forward, backward and optimiser step, so when Cancelled (or
// NumericalError for a non-finite loss, thrown before the step) leaves train_epoch the
// weights are exactly those after the last completed step. Saving a checkpoint is the
// caller's job.
#include <cstddef>
#include <cstdint>
#include <xbarsim/core/progress.hpp>
#include <xbarsim/nn/dataset.hpp>
#include <xbarsim/nn/network.hpp>
#include <xbarsim/nn/optimizer.hpp>

namespace xbarsim {

struct TrainOptions {
  std::size_t batch_size = 32;     // 1: online (one step per sample); 0: full batch (one step per epoch)
  bool shuffle = true;             // order from shuffled_indices(n, seed, epoch); else dataset order
  std::uint64_t seed = 0;          // shuffling key
  Optimizer* optimizer = nullptr;  // required; keeps its state across epochs
  LrSchedule schedule;             // lr of the epoch = schedule.lr(epoch)
  // Resuming inside an epoch: batches before first_batch (of the epoch's shuffled order)
  // are skipped; batches_done, if set, holds the number of the epoch's batches completed
  // (first_batch + steps taken) after every step, so a caller that catches Cancelled
  // knows where to resume. Stats then cover the batches run in this call.
  std::size_t first_batch = 0;
  std::size_t* batches_done = nullptr;
};

/// Mean loss and accuracy over the samples seen (batch losses weighted by batch size;
/// in training, measured on each batch before its update, as PyTorch loops report).
struct EpochStats {
  double loss = 0.0;
  double accuracy = 0.0;  // fraction in [0, 1]
  std::size_t samples = 0;
  std::size_t batches = 0;
  double lr = 0.0;  // learning rate used (training only)
};

/// Number of batches an epoch of n samples takes with batch_size (0 = full batch).
std::size_t batches_per_epoch(std::size_t n, std::size_t batch_size);

/// One epoch over `data`. ctx supplies the backend (required) and the seed for
/// stochastic layers; ctx.training is set and ctx.step is set to
/// epoch * batches_per_epoch + batch. After each optimiser step the backend is told
/// (weights_changed) for every Dense/Conv weight matrix. Progress is reported per batch
/// as samples done of the epoch's total. ConfigError if the dataset does not fit the
/// network (sample shape, class count), the options are invalid or no optimiser is given.
EpochStats train_epoch(Network& net, const ImageDataset& data, std::size_t epoch, const TrainOptions& options,
                       const LayerContext& ctx, const RunControl& run = {});

/// Accuracy and mean cross-entropy of `data` in inference mode (ctx.training = false),
/// batch_size samples at a time (0 = all at once). Checks cancellation between batches.
EpochStats evaluate(Network& net, const ImageDataset& data, std::size_t batch_size, const LayerContext& ctx,
                    const RunControl& run = {});

}  // namespace xbarsim

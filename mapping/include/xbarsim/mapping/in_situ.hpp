#pragma once
// In-situ training on pulsed-device tiles (issue 5; aihwkit's AnalogSGD with a pulsed
// update): forward on the tiles, softmax cross-entropy, backward through the tiles'
// transposed reads, then every Dense and Conv2D layer's tiles update themselves with the
// layer's forward input X and output gradients by stochastic pulse coincidences
// (AnalogBackend::update -> AnalogTile::update, or TransferTile::update when the backend's
// in_situ is "tiki-taka"). The tiles are the weights; biases and any other digital
// parameters take a plain SGD step with the same learning rate.
//
// X is the input the backend saw in the forward pass (kept by a recording wrapper around
// the backend, as aihwkit's tiles keep theirs). A convolution's X is its im2col matrix
// (K x batch P, P output positions per image) and its output gradients are arranged in
// the same column order, so the pulsed update of one mini-batch is the outer-product sum
// over all images and positions in one update call per group, as aihwkit's analog conv
// tiles do (the unfolded inputs are the update's batch). Convolutions must use the im2col
// algorithm (ConfigError naming the layer otherwise).
//
// The backend must use backward = "analog" (the layers' digital W is not updated, so a
// digital backward would use stale weights).
#include <cstddef>
#include <cstdint>
#include <xbarsim/core/progress.hpp>
#include <xbarsim/mapping/analog_backend.hpp>
#include <xbarsim/nn/dataset.hpp>
#include <xbarsim/nn/network.hpp>
#include <xbarsim/nn/trainer.hpp>

namespace xbarsim {

struct InSituOptions {
  std::size_t batch_size = 10;
  double lr = 0.05;
  std::uint64_t seed = 0;  // shuffling
};

/// One epoch of in-situ training; returns the training loss and accuracy seen.
EpochStats train_in_situ_epoch(Network& net, AnalogBackend& backend, const ImageDataset& data, std::size_t epoch,
                               const InSituOptions& options, const RunControl& run = {});

}  // namespace xbarsim

#pragma once
// In-situ training on pulsed-device tiles (issue 5; aihwkit's AnalogSGD with a pulsed
// update): forward on the tiles, softmax cross-entropy, backward through the tiles'
// transposed reads, then every Dense layer's tiles update themselves with the layer's
// input activations and output gradients by stochastic pulse coincidences
// (AnalogBackend::update -> AnalogTile::update). The tiles are the weights; biases and
// any other digital parameters take a plain SGD step with the same learning rate.
//
// The backend must use backward = "analog" (the layers' digital W is not updated, so a
// digital backward would use stale weights). Convolutions need their im2col inputs for
// the outer product and are not supported in situ yet: ConfigError naming the layer.
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

#pragma once
// Helpers shared by the NN commands (model, eval, train).
#include <cstddef>
#include <string>
#include <vector>
#include <xbarsim/nn/dataset.hpp>
#include <xbarsim/nn/network.hpp>

namespace xbarsim::cli {

/// The zoo's model names.
std::vector<std::string> zoo_model_names();
/// A named dataset split ("fashion-mnist"; split "train" or "test") from `dir`, or from
/// Debian's install location when `dir` is empty. ConfigError for an unknown name.
ImageDataset load_named_dataset(const std::string& name, const std::string& split, const std::string& dir);
/// Inference logits (N x K) of images x, `batch` samples at a time.
Tensor network_logits(Network& net, const Tensor& x, std::size_t batch, const LayerContext& ctx);
/// ImageDataset `x` (N x C x H x W) of an HDF5 file; ConfigError naming the file unless
/// C x H x W equals the model input `expected`.
Tensor read_input_tensor(const std::string& path, const Shape& expected);

}  // namespace xbarsim::cli

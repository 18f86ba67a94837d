#pragma once
// Network weights in HDF5 (issue 4), self-describing and readable with h5py:
//   /model attributes: model (zoo name or ONNX path), classes, input_c, input_h, input_w
//   /weights/<k>_<layer>/<param>   float32, the parameter's PyTorch layout as its shape,
//                                  attributes units "1", description, layer (the name)
//   /weights/<k>_<layer>/running_mean, running_var   BatchNorm2D statistics
// k is the node index, so names that repeat or contain '/' stay unambiguous ('/' in a
// name becomes '|'). Reading checks every shape against the network it fills and names
// the dataset and both shapes on a mismatch.
#include <cstddef>
#include <filesystem>
#include <string>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/nn/network.hpp>

namespace xbarsim::io {

struct ModelInfo {
  std::string model;        // zoo name ("lenet5") or the ONNX file it came from
  std::size_t classes = 0;  // output classes
  Shape input;              // one sample (n ignored)
};

/// Writes the model description and every parameter and buffer of `net` into `out`.
void write_weights(ResultFile& out, Network& net, const ModelInfo& info);
/// The /model attributes of a weights file. IoError naming the file if absent.
ModelInfo read_model_info(const std::filesystem::path& path);
/// Fills `net` (same architecture) from a weights file. IoError for a missing dataset,
/// ConfigError naming "<file>: <dataset>" for a shape that does not fit.
void read_weights(const std::filesystem::path& path, Network& net);

}  // namespace xbarsim::io

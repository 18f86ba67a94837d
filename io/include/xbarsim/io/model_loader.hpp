#pragma once
// One way to name a network on the command line: a zoo name ("lenet5"), an ONNX file
// (*.onnx, weights included) or an xbarsim weights file (*.h5: the zoo model it records,
// filled with its weights).
#include <string>
#include <xbarsim/io/nn_weights.hpp>
#include <xbarsim/nn/network.hpp>

namespace xbarsim::io {

struct LoadedModel {
  Network net;
  ModelInfo info;  // model name, classes, input shape
};

/// ConfigError for an unknown zoo name; IoError for unreadable files.
LoadedModel load_model(const std::string& spec);

}  // namespace xbarsim::io

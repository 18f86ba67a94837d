// Networks from a zoo name, an ONNX file or a weights file (see model_loader.hpp).
#include <filesystem>
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/model_loader.hpp>
#include <xbarsim/io/onnx_import.hpp>
#include <xbarsim/nn/zoo.hpp>

namespace xbarsim::io {
namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

LoadedModel load_model(const std::string& spec) {
  if (ends_with(spec, ".onnx")) {
    Network net = load_onnx(spec);
    const Shape out = net.output_shape(1);
    ModelInfo info{spec, out.sample_size(), net.input_shape()};
    return {std::move(net), info};
  }
  if (ends_with(spec, ".h5")) {
    if (!std::filesystem::exists(spec)) throw IoError(spec, "no such file");
    ModelInfo info = read_model_info(spec);
    Network net = make_model(info.model, info.classes, info.input);
    read_weights(spec, net);
    return {std::move(net), info};
  }
  Network net = make_model(spec);
  const Shape out = net.output_shape(1);
  ModelInfo info{spec, out.sample_size(), net.input_shape()};
  return {std::move(net), info};
}

}  // namespace xbarsim::io

#pragma once
// The weighted layers of a network as shapes only, the common input of the mapper and of
// the digital reference targets. A conv layer unrolls to a (Cin/g kh kw) x Cout weight
// matrix applied at Ho Wo positions; a dense layer is the 1 x 1 case on a 1 x 1 map.
// SCALE-Sim's topology CSV (Layer name, IFMAP Height, IFMAP Width, Filter Height,
// Filter Width, Channels, Num Filter, Strides) gives the same shapes without weights.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>
#include <xbarsim/nn/network.hpp>

namespace xbarsim {

struct LayerShape {
  std::string name;
  bool dense = false;
  std::size_t ifmap_h = 1, ifmap_w = 1;  // input map as the layer sees it (padding included for CSV input)
  std::size_t filter_h = 1, filter_w = 1;
  std::size_t channels = 1;     // input channels
  std::size_t num_filters = 1;  // output channels / features
  std::size_t stride = 1;
  std::size_t groups = 1;
  std::size_t ofmap_h = 1, ofmap_w = 1;
  /// Rows of the unrolled weight matrix per group: (channels / groups) filter_h filter_w.
  std::size_t rows() const { return channels / groups * filter_h * filter_w; }
  /// Columns per group: num_filters / groups.
  std::size_t cols() const { return num_filters / groups; }
  /// Output positions: ofmap_h ofmap_w.
  std::size_t positions() const { return ofmap_h * ofmap_w; }
  std::uint64_t macs() const { return static_cast<std::uint64_t>(rows()) * num_filters * positions(); }
  std::uint64_t weights() const { return static_cast<std::uint64_t>(rows()) * num_filters; }
};

/// Conv2D and Dense layers of `net` in execution order, for one sample.
std::vector<LayerShape> weighted_layer_shapes(const Network& net);

/// SCALE-Sim topology CSV: a header line, then one layer per line with the eight columns
/// above (a trailing comma is allowed, as SCALE-Sim's files have). Output size
/// ceil((ifmap - filter + stride) / stride), SCALE-Sim v2's (padding is already in the
/// ifmap size; 224 x 224 with an 11 x 11 filter at stride 4 gives 55, as its alexnet.csv).
/// IoError naming the file and line for a malformed line or a filter larger than its map.
std::vector<LayerShape> read_scalesim_topology(const std::filesystem::path& csv);

}  // namespace xbarsim

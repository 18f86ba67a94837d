#pragma once
// Internals shared by the compression transforms (compress.hpp): layer copies, network
// rebuilds, weighted-layer selection and counting.
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <xbarsim/mapping/compress.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim::compress_detail {

/// Name of node k ("input" for node 0).
std::string node_name(const Network& net, std::size_t node);
/// Copy of a layer of any type of layers.hpp (weights, statistics and settings included);
/// ConfigError naming the layer for a type the transforms do not know.
std::unique_ptr<Layer> clone_layer(const Layer& layer);
/// A copy of `src` in which node k of `replace` is replaced by its layers in sequence:
/// the first takes node k's inputs, each next one the previous; the last must carry a
/// name that later nodes refer to (normally node k's name).
Network rebuild(const Network& src, std::map<std::size_t, std::vector<std::unique_ptr<Layer>>>& replace);
/// Nodes whose inputs include `node`.
std::vector<std::size_t> consumers(const Network& net, std::size_t node);

/// The weight Param of a Conv2D or Dense, null for other layers.
Param* weight_of(Layer& layer);
/// Nodes of the selected weighted layers in network order: `names` (each must be a
/// Conv2D or Dense; `conv_only` restricts to Conv2D) or all of them when empty.
std::vector<std::size_t> select_layers(const Network& net, const std::vector<std::string>& names, bool conv_only,
                                       const std::string& transform);
std::uint64_t count_params(Layer& layer);
std::uint64_t count_nonzero(const Tensor& t);
/// Output rows of a weight tensor (Cout or out) and elements per row.
inline std::size_t rows_of(const Tensor& w) { return w.shape().n; }
inline std::size_t row_size(const Tensor& w) { return w.shape().sample_size(); }

/// Fills the network-level counts before (after = false) or after the transform.
void count_into(Network& net, CompressionReport& r, bool after);
/// Per-layer entry with the before counts of node k.
LayerCompression layer_entry(Network& net, std::size_t node);

}  // namespace xbarsim::compress_detail

// Shared internals of the compression transforms and their parameter tables.
#include "common.hpp"

#include <xbarsim/core/error.hpp>

namespace xbarsim {

double CompressionReport::sparsity() const {
  if (weights_after == 0) return 0.0;
  return 1.0 - static_cast<double>(nonzero_after) / static_cast<double>(weights_after);
}

WeightCount count_weights(Network& net) {
  WeightCount c;
  for (std::size_t k = 1; k < net.num_nodes(); ++k) {
    if (Param* w = compress_detail::weight_of(net.layer(k))) {
      c.weights += w->value.size();
      c.nonzero += compress_detail::count_nonzero(w->value);
    }
  }
  return c;
}

const ParamTable<MagnitudePruneParams>& MagnitudePruneParams::table() {
  static const ParamTable<MagnitudePruneParams> t = [] {
    ParamTable<MagnitudePruneParams> tab;
    tab.real("fraction", &MagnitudePruneParams::fraction, "1", Range::unit(),
             "fraction of the selected Conv2D/Dense weights set to zero (smallest |w| first)",
             "assumption: 50 %, a moderate level (Han et al., NeurIPS 2015, prune 9-13x on AlexNet/VGG with "
             "retraining); the user sets it");
    tab.choice("scope", &MagnitudePruneParams::scope, {"global", "layer"},
               "global: one threshold over all selected layers; layer: the fraction in every layer",
               "assumption: global ranking, as torch.nn.utils.prune.global_unstructured");
    return tab;
  }();
  return t;
}

const ParamTable<FilterPruneParams>& FilterPruneParams::table() {
  static const ParamTable<FilterPruneParams> t = [] {
    ParamTable<FilterPruneParams> tab;
    tab.real("fraction", &FilterPruneParams::fraction, "1", Range::closed(0.0, 1.0),
             "fraction of the filters of each selected Conv2D removed (smallest L1 norm first; one is always kept)",
             "assumption: 50 %; Li et al. (ICLR 2017) prune 50 % of the filters of VGG-16 conv layers 8-13");
    return tab;
  }();
  return t;
}

const ParamTable<LowRankParams>& LowRankParams::table() {
  static const ParamTable<LowRankParams> t = [] {
    ParamTable<LowRankParams> tab;
    tab.integer("rank", &LowRankParams::rank, "1", Range::non_negative(),
                "rank r of every decomposed layer; 0 uses rank_fraction",
                "assumption: 0 (rank chosen per layer by rank_fraction)");
    tab.real("rank_fraction", &LowRankParams::rank_fraction, "1", Range{0.0, 1.0, true, false},
             "r = max(1, round(rank_fraction min(rows, cols))) when rank = 0", "assumption: half the full rank");
    return tab;
  }();
  return t;
}

const ParamTable<QuantizeParams>& QuantizeParams::table() {
  static const ParamTable<QuantizeParams> t = [] {
    ParamTable<QuantizeParams> tab;
    tab.integer("bits", &QuantizeParams::bits, "1", Range::closed(2, 16),
                "weight bits of symmetric uniform quantisation (2^bits - 1 levels)",
                "assumption: 8 bits, the common post-training integer format (Jacob et al., CVPR 2018)");
    tab.choice("granularity", &QuantizeParams::granularity, {"per_tensor", "per_channel"},
               "one step per weight tensor or one per output channel",
               "assumption: per tensor, the simplest scheme (Krishnamoorthi 2018, arXiv:1806.08342)");
    return tab;
  }();
  return t;
}

const ParamTable<BinarizeParams>& BinarizeParams::table() {
  static const ParamTable<BinarizeParams> t = [] {
    ParamTable<BinarizeParams> tab;
    tab.choice("scale", &BinarizeParams::scale, {"none", "layer_mean_abs", "channel_mean_abs"},
               "alpha of w = alpha sign(w): 1, mean|w| per layer, or mean|w| per output filter",
               "Courbariaux et al. 2015 (BinaryConnect, alpha = 1); Rastegari et al. 2016 (XNOR-Net BWN, "
               "alpha = mean|w|); default per layer (assumption: one scale per crossbar weight matrix)");
    return tab;
  }();
  return t;
}

const ParamTable<TernarizeParams>& TernarizeParams::table() {
  static const ParamTable<TernarizeParams> t = [] {
    ParamTable<TernarizeParams> tab;
    tab.real("threshold_factor", &TernarizeParams::threshold_factor, "1", Range::positive(),
             "delta = threshold_factor mean|w| per layer",
             "Li & Liu 2016, Ternary weight networks, eq. 10: delta* ~ 0.7 E(|W|)");
    return tab;
  }();
  return t;
}

}  // namespace xbarsim

namespace xbarsim::compress_detail {

std::string node_name(const Network& net, std::size_t node) {
  return node == 0 ? std::string("input") : net.layer(node).name();
}

namespace {
template <class T>
bool try_clone(const Layer& l, std::unique_ptr<Layer>& out) {
  if (const auto* p = dynamic_cast<const T*>(&l)) {
    out = std::make_unique<T>(*p);
    return true;
  }
  return false;
}
}  // namespace

std::unique_ptr<Layer> clone_layer(const Layer& l) {
  std::unique_ptr<Layer> out;
  if (try_clone<Dense>(l, out) || try_clone<Conv2D>(l, out) || try_clone<MaxPool2D>(l, out) ||
      try_clone<AvgPool2D>(l, out) || try_clone<GlobalAvgPool>(l, out) || try_clone<SpatialPyramidPool>(l, out) ||
      try_clone<Flatten>(l, out) || try_clone<Reshape>(l, out) || try_clone<Pad2D>(l, out) ||
      try_clone<BatchNorm2D>(l, out) || try_clone<Dropout>(l, out) || try_clone<LRN>(l, out) ||
      try_clone<Add>(l, out) || try_clone<Concat>(l, out) || try_clone<Activation>(l, out) ||
      try_clone<PReLU>(l, out) || try_clone<Softmax>(l, out) || try_clone<Scale>(l, out))
    return out;
  throw ConfigError(l.name(), "layer type '" + std::string(l.type()) +
                                  "' is not known to the compression transforms (cannot rebuild the network)");
}

Network rebuild(const Network& src, std::map<std::size_t, std::vector<std::unique_ptr<Layer>>>& replace) {
  Network out(src.input_shape());
  for (std::size_t k = 1; k < src.num_nodes(); ++k) {
    std::vector<std::string> in;
    for (std::size_t i : src.inputs_of(k)) in.push_back(node_name(src, i));
    auto it = replace.find(k);
    if (it == replace.end()) {
      out.add(clone_layer(src.layer(k)), in);
      continue;
    }
    for (auto& layer : it->second) {
      const std::string name = layer->name();
      out.add(std::move(layer), in);
      in = {name};
    }
  }
  return out;
}

std::vector<std::size_t> consumers(const Network& net, std::size_t node) {
  std::vector<std::size_t> c;
  for (std::size_t k = node + 1; k < net.num_nodes(); ++k)
    for (std::size_t i : net.inputs_of(k))
      if (i == node) {
        c.push_back(k);
        break;
      }
  return c;
}

Param* weight_of(Layer& layer) {
  if (auto* c = dynamic_cast<Conv2D*>(&layer)) return &c->weight();
  if (auto* d = dynamic_cast<Dense*>(&layer)) return &d->weight();
  return nullptr;
}

std::vector<std::size_t> select_layers(const Network& net, const std::vector<std::string>& names, bool conv_only,
                                       const std::string& transform) {
  auto eligible = [&](std::size_t k) {
    const Layer& l = net.layer(k);
    return dynamic_cast<const Conv2D*>(&l) != nullptr || (!conv_only && dynamic_cast<const Dense*>(&l) != nullptr);
  };
  std::vector<std::size_t> nodes;
  if (names.empty()) {
    for (std::size_t k = 1; k < net.num_nodes(); ++k)
      if (eligible(k)) nodes.push_back(k);
    return nodes;
  }
  ProblemList problems;
  std::vector<bool> chosen(net.num_nodes(), false);
  for (const auto& n : names) {
    std::size_t k = 0;
    for (std::size_t j = 1; j < net.num_nodes(); ++j)
      if (net.layer(j).name() == n) k = j;
    if (k == 0)
      problems.add(n, transform + ": no such layer in the network");
    else if (!eligible(k))
      problems.add(n, transform + ": expected a " + std::string(conv_only ? "Conv2D" : "Conv2D or Dense") +
                          " layer, got " + std::string(net.layer(k).type()));
    else
      chosen[k] = true;
  }
  problems.throw_if_any();
  for (std::size_t k = 1; k < chosen.size(); ++k)
    if (chosen[k]) nodes.push_back(k);
  return nodes;
}

std::uint64_t count_params(Layer& layer) {
  std::uint64_t n = 0;
  for (Param* p : layer.params()) n += p->value.size();
  return n;
}

std::uint64_t count_nonzero(const Tensor& t) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) n += t[i] != 0.0f ? 1 : 0;
  return n;
}

void count_into(Network& net, CompressionReport& r, bool after) {
  const WeightCount w = count_weights(net);
  const std::uint64_t p = net.num_params();
  (after ? r.params_after : r.params_before) = p;
  (after ? r.weights_after : r.weights_before) = w.weights;
  (after ? r.nonzero_after : r.nonzero_before) = w.nonzero;
}

LayerCompression layer_entry(Network& net, std::size_t node) {
  Layer& l = net.layer(node);
  LayerCompression e;
  e.name = l.name();
  e.type = std::string(l.type());
  e.params_before = count_params(l);
  if (Param* w = weight_of(l)) {
    e.weights_before = w->value.size();
    e.nonzero_before = count_nonzero(w->value);
  }
  return e;
}

}  // namespace xbarsim::compress_detail

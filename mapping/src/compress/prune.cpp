// Magnitude pruning and filter pruning by L1 norm (schemes in compress.hpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <xbarsim/core/error.hpp>

#include "common.hpp"

namespace xbarsim {

using namespace compress_detail;

namespace {

template <class P>
void validate(const P& p, const char* prefix) {
  ProblemList problems;
  P::table().validate_struct(p, prefix, problems);
  problems.throw_if_any();
}

std::size_t round_count(double fraction, std::size_t n) {
  return static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
}

// Zeros the k smallest |w| of the tensors `ts` taken in order as one sequence: with T
// the k-th smallest magnitude, every |w| < T and then the first (by position) |w| == T
// until k are zeroed. Memory: one float per weight.
void zero_smallest(const std::vector<Tensor*>& ts, std::size_t k) {
  std::vector<float> mags;
  for (const Tensor* t : ts)
    for (std::size_t i = 0; i < t->size(); ++i) mags.push_back(std::abs((*t)[i]));
  k = std::min(k, mags.size());
  if (k == 0) return;
  std::nth_element(mags.begin(), mags.begin() + static_cast<std::ptrdiff_t>(k - 1), mags.end());
  const float thr = mags[k - 1];
  std::size_t below = 0;
  for (const Tensor* t : ts)
    for (std::size_t i = 0; i < t->size(); ++i) below += std::abs((*t)[i]) < thr ? 1 : 0;
  std::size_t ties = k - below;  // how many |w| == thr to zero, first positions first
  for (Tensor* t : ts)
    for (std::size_t i = 0; i < t->size(); ++i) {
      const float m = std::abs((*t)[i]);
      if (m < thr) {
        (*t)[i] = 0.0f;
      } else if (m == thr && ties > 0) {
        (*t)[i] = 0.0f;
        --ties;
      }
    }
}

}  // namespace

CompressionReport prune_magnitude(Network& net, const MagnitudePruneParams& p, const std::vector<std::string>& layers) {
  validate(p, "magnitude_prune");
  CompressionReport r;
  r.transform = "magnitude_prune";
  const auto nodes = select_layers(net, layers, false, "magnitude_prune");
  count_into(net, r, false);
  for (std::size_t k : nodes) r.layers.push_back(layer_entry(net, k));
  std::vector<Tensor*> all;
  std::size_t total = 0;
  for (std::size_t k : nodes) {
    Tensor* w = &weight_of(net.layer(k))->value;
    all.push_back(w);
    total += w->size();
    if (p.scope == "layer") zero_smallest({w}, round_count(p.fraction, w->size()));
  }
  if (p.scope == "global") zero_smallest(all, round_count(p.fraction, total));
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    LayerCompression& e = r.layers[i];
    const Tensor& w = weight_of(net.layer(nodes[i]))->value;
    e.new_layers = {e.name};
    e.params_after = e.params_before;
    e.weights_after = w.size();
    e.nonzero_after = count_nonzero(w);
    e.detail = "sparsity " + std::to_string(1.0 - static_cast<double>(e.nonzero_after) / static_cast<double>(w.size()));
  }
  count_into(net, r, true);
  return r;
}

namespace {

// One filter-pruning step of conv node k in `net`; appends report entries.
void prune_one(Network& net, std::size_t k, double fraction, CompressionReport& r) {
  auto& conv = dynamic_cast<Conv2D&>(net.layer(k));
  const Conv2DSpec spec = conv.spec();
  if (spec.groups != 1)
    throw ConfigError(conv.name(), "filter pruning needs groups = 1, got groups = " + std::to_string(spec.groups));
  const Tensor& w = conv.weight().value;
  const std::size_t cout = spec.out_channels, per = row_size(w);
  const std::size_t n_remove = std::min(round_count(fraction, cout), cout - 1);
  if (n_remove == 0) return;

  // Walk from the conv to the one layer that consumes its channels.
  const auto shapes = net.shapes(1);
  std::vector<std::size_t> sliced;  // BatchNorm2D / per-channel PReLU nodes
  std::size_t node = k, last = 0, spatial = 0;
  bool flat = false;
  for (;;) {
    const auto cons = consumers(net, node);
    const std::string where = node_name(net, node);
    if (cons.empty())
      throw ConfigError(where, "filter pruning of '" + conv.name() +
                                   "': its channels reach the network output without a Conv2D or Dense to absorb them");
    if (cons.size() > 1) {
      // Name the merging layer (residual Add, Concat) when there is one.
      std::size_t m = cons[1];
      for (std::size_t c : cons)
        if (dynamic_cast<Add*>(&net.layer(c)) || dynamic_cast<Concat*>(&net.layer(c))) m = c;
      throw ConfigError(net.layer(m).name(), "filter pruning of '" + conv.name() +
                                                 "' is not well-defined: the output of '" + where + "' feeds " +
                                                 std::to_string(cons.size()) + " layers, this " +
                                                 std::string(net.layer(m).type()) + " among them");
    }
    const std::size_t c = cons[0];
    Layer& l = net.layer(c);
    const std::string bad =
        "filter pruning of '" + conv.name() + "' is not well-defined through a " + std::string(l.type()) + " layer";
    if (auto* nc = dynamic_cast<Conv2D*>(&l)) {
      if (flat) throw ConfigError(l.name(), bad + " after Flatten");
      if (nc->spec().groups != 1)
        throw ConfigError(l.name(), "filter pruning of '" + conv.name() + "' feeds a grouped convolution (groups = " +
                                        std::to_string(nc->spec().groups) + ")");
      last = c;
      break;
    }
    if (dynamic_cast<Dense*>(&l)) {
      if (!flat) spatial = shapes[node].h * shapes[node].w;
      last = c;
      break;
    }
    if (dynamic_cast<Flatten*>(&l) && !flat) {
      flat = true;
      spatial = shapes[node].h * shapes[node].w;
    } else if (auto* pr = dynamic_cast<PReLU*>(&l)) {
      if (pr->slope().value.size() != 1) {
        if (flat) throw ConfigError(l.name(), bad + " with per-feature slopes after Flatten");
        sliced.push_back(c);
      }
    } else if (dynamic_cast<BatchNorm2D*>(&l) && !flat) {
      sliced.push_back(c);
    } else if (dynamic_cast<Activation*>(&l) || dynamic_cast<Dropout*>(&l) || dynamic_cast<Scale*>(&l)) {
      // elementwise: channels pass unchanged
    } else if (!flat && (dynamic_cast<MaxPool2D*>(&l) || dynamic_cast<AvgPool2D*>(&l) ||
                         dynamic_cast<GlobalAvgPool*>(&l) || dynamic_cast<Pad2D*>(&l))) {
      // per-channel spatial operations
    } else {
      throw ConfigError(l.name(), bad);
    }
    node = c;
  }

  // Filters by ascending L1 norm, ties by index; remove the first n_remove.
  std::vector<double> l1(cout, 0.0);
  for (std::size_t o = 0; o < cout; ++o)
    for (std::size_t i = 0; i < per; ++i) l1[o] += std::abs(static_cast<double>(w[o * per + i]));
  std::vector<std::size_t> order(cout);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return l1[a] < l1[b]; });
  std::vector<std::size_t> removed(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_remove));
  std::sort(removed.begin(), removed.end());
  std::vector<std::size_t> keep;
  for (std::size_t o = 0; o < cout; ++o)
    if (!std::binary_search(removed.begin(), removed.end(), o)) keep.push_back(o);
  const std::size_t nk = keep.size();

  std::map<std::size_t, std::vector<std::unique_ptr<Layer>>> repl;
  std::vector<LayerCompression> entries;
  auto entry = [&](std::size_t n, std::size_t before) {
    LayerCompression e = layer_entry(net, n);
    e.new_layers = {e.name};
    e.channels_before = before;
    e.channels_after = nk;
    e.removed = removed;
    return e;
  };

  {  // the pruned conv
    Conv2DSpec s = spec;
    s.out_channels = nk;
    auto nc = std::make_unique<Conv2D>(conv.name(), s);
    for (std::size_t j = 0; j < nk; ++j) {
      std::copy_n(w.data() + keep[j] * per, per, nc->weight().value.data() + j * per);
      if (nc->bias()) nc->bias()->value[j] = conv.bias()->value[keep[j]];
    }
    entries.push_back(entry(k, cout));
    entries.back().detail = "filters " + std::to_string(cout) + " -> " + std::to_string(nk) + " (L1 norm)";
    repl[k].push_back(std::move(nc));
  }
  for (std::size_t n : sliced) {
    Layer& l = net.layer(n);
    if (auto* bn = dynamic_cast<BatchNorm2D*>(&l)) {
      // nn exposes no momentum getter: the copy gets BatchNorm2D's default (0.1).
      auto nb = std::make_unique<BatchNorm2D>(bn->name(), nk, bn->eps());
      for (std::size_t j = 0; j < nk; ++j) {
        nb->gamma().value[j] = bn->gamma().value[keep[j]];
        nb->beta().value[j] = bn->beta().value[keep[j]];
        nb->running_mean()[j] = bn->running_mean()[keep[j]];
        nb->running_var()[j] = bn->running_var()[keep[j]];
      }
      entries.push_back(entry(n, cout));
      repl[n].push_back(std::move(nb));
    } else {
      auto& pr = dynamic_cast<PReLU&>(l);
      auto np = std::make_unique<PReLU>(pr.name(), nk);
      for (std::size_t j = 0; j < nk; ++j) np->slope().value[j] = pr.slope().value[keep[j]];
      entries.push_back(entry(n, cout));
      repl[n].push_back(std::move(np));
    }
    entries.back().detail = "channels " + std::to_string(cout) + " -> " + std::to_string(nk);
  }
  Layer& tail = net.layer(last);
  if (auto* nc = dynamic_cast<Conv2D*>(&tail)) {
    Conv2DSpec s = nc->spec();
    const std::size_t khw = s.kernel_h * s.kernel_w, old_per = s.in_channels * khw;
    s.in_channels = nk;
    auto nn = std::make_unique<Conv2D>(nc->name(), s);
    const Tensor& ow = nc->weight().value;
    for (std::size_t o = 0; o < s.out_channels; ++o)
      for (std::size_t j = 0; j < nk; ++j)
        std::copy_n(ow.data() + o * old_per + keep[j] * khw, khw, nn->weight().value.data() + (o * nk + j) * khw);
    if (nn->bias()) nn->bias()->value = nc->bias()->value;
    entries.push_back(entry(last, cout));
    entries.back().detail = "input channels " + std::to_string(cout) + " -> " + std::to_string(nk);
    repl[last].push_back(std::move(nn));
  } else {
    auto& d = dynamic_cast<Dense&>(tail);
    const std::size_t in = nk * spatial, out = d.out_features(), old_in = d.in_features();
    auto nd = std::make_unique<Dense>(d.name(), in, out, d.bias() != nullptr);
    const Tensor& ow = d.weight().value;
    for (std::size_t o = 0; o < out; ++o)
      for (std::size_t j = 0; j < nk; ++j)
        std::copy_n(ow.data() + o * old_in + keep[j] * spatial, spatial,
                    nd->weight().value.data() + o * in + j * spatial);
    if (nd->bias()) nd->bias()->value = d.bias()->value;
    entries.push_back(entry(last, cout));
    entries.back().channels_before = old_in;
    entries.back().channels_after = in;
    entries.back().detail = "input features " + std::to_string(old_in) + " -> " + std::to_string(in) + " (" +
                            std::to_string(spatial) + " per channel)";
    repl[last].push_back(std::move(nd));
  }

  net = rebuild(net, repl);
  for (auto& e : entries) {
    Layer& l = net.layer(net.node(e.name));
    e.params_after = count_params(l);
    if (Param* pw = weight_of(l)) {
      e.weights_after = pw->value.size();
      e.nonzero_after = count_nonzero(pw->value);
    }
    r.layers.push_back(std::move(e));
  }
}

}  // namespace

CompressionReport prune_filters(Network& net, const FilterPruneParams& p, const std::vector<std::string>& layers) {
  validate(p, "filter_prune");
  CompressionReport r;
  r.transform = "filter_prune";
  const auto nodes = select_layers(net, layers, true, "filter_prune");
  count_into(net, r, false);
  // Work on a copy so that a ConfigError at a later layer leaves `net` unchanged. Node
  // indices do not change: every replacement is one layer for one layer.
  std::map<std::size_t, std::vector<std::unique_ptr<Layer>>> none;
  Network work = rebuild(net, none);
  for (std::size_t k : nodes) prune_one(work, k, p.fraction, r);
  (void)work.shapes(1);
  net = std::move(work);
  count_into(net, r, true);
  return r;
}

}  // namespace xbarsim

// Network graph: validation, forward and backward (see network.hpp).
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/network.hpp>

namespace xbarsim {

LayerCost Layer::cost(const std::vector<Shape>& inputs) const {
  LayerCost c;
  for (Param* p : const_cast<Layer*>(this)->params()) c.params += p->value.size();
  c.other_ops = output_shape(inputs).sample_size();
  return c;
}

struct Network::Impl {
  Shape input;
  std::vector<std::unique_ptr<Layer>> layers;  // layers[k] is node k + 1
  std::vector<std::vector<std::size_t>> inputs;
  std::vector<std::string> names;  // per node, names[0] = "input"
  std::vector<Tensor> acts, grads;
};

Network::Network(Shape input) : impl_(std::make_unique<Impl>()) {
  impl_->input = input;
  impl_->input.n = 1;
  if (input.sample_size() == 0) throw ConfigError("network.input", "the input shape " + input.str() + " is empty");
  impl_->names.push_back("input");
  impl_->inputs.push_back({});
}
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;
Network::~Network() = default;

std::size_t Network::add(std::unique_ptr<Layer> layer, std::vector<std::string> inputs) {
  Impl& m = *impl_;
  if (!layer) throw InternalError("Network::add: null layer");
  for (const auto& n : m.names)
    if (n == layer->name()) throw ConfigError(layer->name(), "duplicate layer name");
  std::vector<std::size_t> idx;
  if (inputs.empty()) idx.push_back(m.names.size() - 1);
  for (const auto& in : inputs) idx.push_back(node(in));
  if (layer->arity() != 0 && idx.size() != layer->arity())
    throw ConfigError(layer->name(),
                      "takes " + std::to_string(layer->arity()) + " input(s), given " + std::to_string(idx.size()));
  m.names.push_back(layer->name());
  m.inputs.push_back(std::move(idx));
  m.layers.push_back(std::move(layer));
  return m.names.size() - 1;
}

std::size_t Network::num_nodes() const { return impl_->names.size(); }
Layer& Network::layer(std::size_t node) { return *impl_->layers.at(node - 1); }
const Layer& Network::layer(std::size_t node) const { return *impl_->layers.at(node - 1); }
const std::vector<std::size_t>& Network::inputs_of(std::size_t node) const { return impl_->inputs.at(node); }
Shape Network::input_shape() const { return impl_->input; }

std::size_t Network::node(const std::string& name) const {
  for (std::size_t k = 0; k < impl_->names.size(); ++k)
    if (impl_->names[k] == name) return k;
  throw ConfigError(name, "no such layer or input in the network");
}

std::vector<Shape> Network::shapes(std::size_t n) const {
  const Impl& m = *impl_;
  std::vector<Shape> s(m.names.size());
  s[0] = m.input;
  s[0].n = n;
  for (std::size_t k = 1; k < s.size(); ++k) {
    std::vector<Shape> in;
    for (std::size_t i : m.inputs[k]) in.push_back(s[i]);
    s[k] = m.layers[k - 1]->output_shape(in);
  }
  return s;
}

const Tensor& Network::forward(const Tensor& x, const LayerContext& ctx) {
  Impl& m = *impl_;
  Shape expect = m.input;
  expect.n = x.shape().n;
  if (!(x.shape() == expect))
    throw ConfigError("input", "expected " + expect.str() + " (the network's input), got " + x.shape().str());
  const std::vector<Shape> s = shapes(x.shape().n);
  m.acts.resize(m.names.size());
  m.acts[0] = x;
  for (std::size_t k = 1; k < m.names.size(); ++k) {
    std::vector<const Tensor*> in;
    for (std::size_t i : m.inputs[k]) in.push_back(&m.acts[i]);
    m.acts[k].resize(s[k]);
    LayerContext c = ctx;
    c.layer_index = k;
    m.layers[k - 1]->forward(in, m.acts[k], c);
  }
  return m.acts.back();
}

void Network::backward(const Tensor& d_output, const LayerContext& ctx) {
  Impl& m = *impl_;
  if (m.acts.size() != m.names.size() || !(d_output.shape() == m.acts.back().shape()))
    throw InternalError("Network::backward: call forward first with a matching batch");
  const std::size_t N = m.names.size();
  m.grads.assign(N, Tensor());
  std::vector<bool> has(N, false);
  m.grads[N - 1] = d_output;
  has[N - 1] = true;
  std::vector<Tensor> scratch;
  for (std::size_t k = N - 1; k >= 1; --k) {
    if (!has[k]) continue;  // a dead branch: nothing flows back
    const auto& idx = m.inputs[k];
    std::vector<const Tensor*> in;
    for (std::size_t i : idx) in.push_back(&m.acts[i]);
    scratch.assign(idx.size(), Tensor());
    std::vector<Tensor*> din(idx.size(), nullptr);
    for (std::size_t a = 0; a < idx.size(); ++a) {
      if (idx[a] == 0) continue;  // no gradient for the network input
      scratch[a].resize(m.acts[idx[a]].shape());
      din[a] = &scratch[a];
    }
    LayerContext c = ctx;
    c.layer_index = k;
    m.layers[k - 1]->backward(in, m.acts[k], m.grads[k], din, c);
    for (std::size_t a = 0; a < idx.size(); ++a) {
      if (!din[a]) continue;
      Tensor& g = m.grads[idx[a]];
      if (!has[idx[a]]) {
        g = std::move(scratch[a]);
        has[idx[a]] = true;
      } else {
        for (std::size_t e = 0; e < g.size(); ++e) g[e] += scratch[a][e];
      }
    }
  }
}

const Tensor& Network::activation(std::size_t node) const { return impl_->acts.at(node); }
const Tensor& Network::gradient(std::size_t node) const { return impl_->grads.at(node); }

std::vector<Param*> Network::params() {
  std::vector<Param*> out;
  for (auto& l : impl_->layers)
    for (Param* p : l->params()) out.push_back(p);
  return out;
}

void Network::zero_grad() {
  for (Param* p : params()) p->grad.fill(0.0f);
}

std::uint64_t Network::num_params() {
  std::uint64_t n = 0;
  for (Param* p : params()) n += p->value.size();
  return n;
}

NetworkSummary Network::summary() const {
  const std::vector<Shape> s = shapes(1);
  NetworkSummary out;
  for (std::size_t k = 1; k < s.size(); ++k) {
    std::vector<Shape> in;
    for (std::size_t i : impl_->inputs[k]) in.push_back(s[i]);
    const Layer& l = *impl_->layers[k - 1];
    LayerSummary row{l.name(), std::string(l.type()), s[k], l.cost(in)};
    out.total_params += row.cost.params;
    out.total_macs += row.cost.macs;
    out.layers.push_back(std::move(row));
  }
  return out;
}

}  // namespace xbarsim

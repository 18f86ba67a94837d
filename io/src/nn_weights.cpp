// Network weights in HDF5 (see nn_weights.hpp).
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/nn_weights.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim::io {
namespace {

std::string group_of(const Network& net, std::size_t node) {
  std::string name = net.layer(node).name();
  for (char& c : name)
    if (c == '/') c = '|';
  return "weights/" + std::to_string(node) + "_" + name;
}

std::vector<std::size_t> shape_of(const Tensor& t) {
  const Shape& s = t.shape();
  std::vector<std::size_t> out{s.n, s.c, s.h, s.w};
  while (out.size() > 1 && out.back() == 1) out.pop_back();  // weight out x in x 1 x 1 -> out x in
  return out;
}

std::string shape_text(const std::vector<std::size_t>& s) {
  std::string out;
  for (std::size_t k = 0; k < s.size(); ++k) out += (k ? " x " : "") + std::to_string(s[k]);
  return out;
}

/// Copies a dataset into `dst` of `count` floats after checking its element count.
void read_into(const std::filesystem::path& path, const std::string& name, float* dst, std::size_t count,
               const std::vector<std::size_t>& expected) {
  const FloatDataset d = read_float_dataset(path, name);
  if (d.values.size() != count)
    throw ConfigError(path.string() + ": " + name,
                      "expected shape " + shape_text(expected) + ", the file has " + shape_text(d.shape));
  std::copy(d.values.begin(), d.values.end(), dst);
}

}  // namespace

void write_weights(ResultFile& out, Network& net, const ModelInfo& info) {
  out.write_attribute("model", info.model, "model");
  out.write_attribute("classes", static_cast<std::int64_t>(info.classes), "model");
  out.write_attribute("input_c", static_cast<std::int64_t>(info.input.c), "model");
  out.write_attribute("input_h", static_cast<std::int64_t>(info.input.h), "model");
  out.write_attribute("input_w", static_cast<std::int64_t>(info.input.w), "model");
  for (std::size_t k = 1; k < net.num_nodes(); ++k) {
    Layer& layer = net.layer(k);
    const std::string g = group_of(net, k);
    for (Param* p : layer.params())
      out.write_float32(g, p->name, shape_of(p->value), p->value.data(), "1",
                        std::string(layer.type()) + " " + p->name + " of layer " + layer.name());
    if (auto* bn = dynamic_cast<BatchNorm2D*>(&layer)) {
      const std::vector<std::size_t> s{bn->running_mean().size()};
      out.write_float32(g, "running_mean", s, bn->running_mean().data(), "1", "running mean of " + layer.name());
      out.write_float32(g, "running_var", s, bn->running_var().data(), "1", "running variance of " + layer.name());
    }
  }
}

ModelInfo read_model_info(const std::filesystem::path& path) {
  if (!has_object(path, "model")) throw IoError(path.string(), "is not an xbarsim weights file (no /model group)");
  ModelInfo info;
  info.model = read_string_attribute(path, "model/model");
  auto num = [&](const char* key) {
    const auto v = read_number_attribute(path, std::string("model/") + key);
    if (!v) throw IoError(path.string(), std::string("has no /model attribute ") + key);
    return static_cast<std::size_t>(*v);
  };
  info.classes = num("classes");
  info.input = Shape{1, num("input_c"), num("input_h"), num("input_w")};
  return info;
}

void read_weights(const std::filesystem::path& path, Network& net) {
  for (std::size_t k = 1; k < net.num_nodes(); ++k) {
    Layer& layer = net.layer(k);
    const std::string g = group_of(net, k);
    for (Param* p : layer.params())
      read_into(path, g + "/" + p->name, p->value.data(), p->value.size(), shape_of(p->value));
    if (auto* bn = dynamic_cast<BatchNorm2D*>(&layer)) {
      const std::vector<std::size_t> s{bn->running_mean().size()};
      read_into(path, g + "/running_mean", bn->running_mean().data(), s[0], s);
      read_into(path, g + "/running_var", bn->running_var().data(), s[0], s);
    }
  }
}

}  // namespace xbarsim::io

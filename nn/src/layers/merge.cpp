// Merging layers: residual Add and channel Concat (ONNX Add without broadcasting, ONNX
// Concat axis 1; see layers.hpp).
#include <algorithm>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

// ---------------------------------------------------------------- Add

Shape Add::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 2) throw ConfigError(name(), "Add expects 2 inputs, got " + std::to_string(inputs.size()));
  if (!(inputs[0] == inputs[1]))
    throw ConfigError(name(), "Add expects inputs of equal shape, got " + inputs[0].str() + " and " + inputs[1].str());
  return inputs[0];
}

void Add::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  out.resize(output_shape({in[0]->shape(), in[1]->shape()}));
  const float* a = in[0]->data();
  const float* b = in[1]->data();
  float* y = out.data();
  for (std::size_t i = 0, n = out.size(); i < n; ++i) y[i] = a[i] + b[i];
}

void Add::backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor& dout,
                   const std::vector<Tensor*>& din, const LayerContext&) {
  for (Tensor* d : din)
    if (d) std::copy(dout.data(), dout.data() + dout.size(), d->data());
}

// ---------------------------------------------------------------- Concat

Shape Concat::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.empty()) throw ConfigError(name(), "Concat expects at least one input, got none");
  Shape s = inputs[0];
  s.c = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const Shape& in = inputs[k];
    if (in.n != inputs[0].n || in.h != inputs[0].h || in.w != inputs[0].w)
      throw ConfigError(name(), "Concat (channels) expects equal N, H, W in every input; input 0 is " +
                                    inputs[0].str() + ", input " + std::to_string(k) + " is " + in.str());
    s.c += in.c;
  }
  return s;
}

void Concat::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  std::vector<Shape> shapes;
  for (const Tensor* t : in) shapes.push_back(t->shape());
  const Shape s = output_shape(shapes);
  out.resize(s);
  const std::size_t HW = s.h * s.w;
  // Per sample the output is the inputs' sample blocks one after another.
  for (std::size_t n = 0; n < s.n; ++n) {
    float* y = out.data() + n * s.c * HW;
    for (const Tensor* t : in) {
      const std::size_t len = t->shape().c * HW;
      const float* x = t->data() + n * len;
      y = std::copy(x, x + len, y);
    }
  }
}

void Concat::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                      const std::vector<Tensor*>& din, const LayerContext&) {
  const Shape s = dout.shape();
  const std::size_t HW = s.h * s.w;
  for (std::size_t n = 0; n < s.n; ++n) {
    const float* g = dout.data() + n * s.c * HW;
    for (std::size_t k = 0; k < in.size(); ++k) {
      const std::size_t len = in[k]->shape().c * HW;
      if (din[k]) std::copy(g, g + len, din[k]->data() + n * len);
      g += len;
    }
  }
}

}  // namespace xbarsim

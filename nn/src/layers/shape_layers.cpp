// Layers that only move data: Flatten, Reshape, Pad2D (see layers.hpp).
#include <algorithm>
#include <cstring>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

namespace {

void copy_reshaped(const Tensor& src, Tensor& dst, Shape s) {
  dst.resize(s);
  std::copy(src.data(), src.data() + src.size(), dst.data());
}

}  // namespace

// ---------------------------------------------------------------- Flatten

Shape Flatten::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1 || inputs[0].sample_size() == 0) throw ConfigError(name(), "expected one non-empty input");
  return Shape{inputs[0].n, inputs[0].sample_size(), 1, 1};
}

void Flatten::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  copy_reshaped(*in[0], out, output_shape({in[0]->shape()}));
}

void Flatten::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                       const std::vector<Tensor*>& din, const LayerContext&) {
  if (din[0]) copy_reshaped(dout, *din[0], in[0]->shape());
}

// ---------------------------------------------------------------- Reshape

Reshape::Reshape(std::string name, std::size_t c, std::size_t h, std::size_t w)
    : Layer(std::move(name)), c_(c), h_(h), w_(w) {
  if (c == 0 || h == 0 || w == 0)
    throw ConfigError(this->name(), "expected a non-empty target shape, got " + std::to_string(c) + " x " +
                                        std::to_string(h) + " x " + std::to_string(w));
}

Shape Reshape::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1) throw ConfigError(name(), "expected one input");
  const Shape out{inputs[0].n, c_, h_, w_};
  if (out.sample_size() != inputs[0].sample_size())
    throw ConfigError(name(), "cannot reshape " + inputs[0].str() + " to " + std::to_string(c_) + " x " +
                                  std::to_string(h_) + " x " + std::to_string(w_) + " per sample (" +
                                  std::to_string(inputs[0].sample_size()) + " vs " + std::to_string(out.sample_size()) +
                                  " elements)");
  return out;
}

void Reshape::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  copy_reshaped(*in[0], out, output_shape({in[0]->shape()}));
}

void Reshape::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                       const std::vector<Tensor*>& din, const LayerContext&) {
  if (din[0]) copy_reshaped(dout, *din[0], in[0]->shape());
}

// ---------------------------------------------------------------- Pad2D

Pad2D::Pad2D(std::string name, std::size_t top, std::size_t left, std::size_t bottom, std::size_t right, float value)
    : Layer(std::move(name)), top_(top), left_(left), bottom_(bottom), right_(right), value_(value) {}

Shape Pad2D::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1 || inputs[0].sample_size() == 0) throw ConfigError(name(), "expected one non-empty input");
  const Shape& x = inputs[0];
  return Shape{x.n, x.c, x.h + top_ + bottom_, x.w + left_ + right_};
}

void Pad2D::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  const Shape xs = in[0]->shape(), os = output_shape({xs});
  out.resize(os);
  out.fill(value_);
  for (std::size_t b = 0; b < xs.n * xs.c; ++b)
    for (std::size_t h = 0; h < xs.h; ++h)
      std::memcpy(out.data() + (b * os.h + h + top_) * os.w + left_, in[0]->data() + (b * xs.h + h) * xs.w,
                  xs.w * sizeof(float));
}

void Pad2D::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                     const std::vector<Tensor*>& din, const LayerContext&) {
  if (!din[0]) return;
  const Shape xs = in[0]->shape(), os = dout.shape();
  din[0]->resize(xs);
  // The gradient of a crop-and-copy: the interior of dout; padding gets no gradient.
  for (std::size_t b = 0; b < xs.n * xs.c; ++b)
    for (std::size_t h = 0; h < xs.h; ++h)
      std::memcpy(din[0]->data() + (b * xs.h + h) * xs.w, dout.data() + (b * os.h + h + top_) * os.w + left_,
                  xs.w * sizeof(float));
}

}  // namespace xbarsim

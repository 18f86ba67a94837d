// Multiplication by a constant scalar (see layers.hpp).
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

Scale::Scale(std::string name, float factor) : Layer(std::move(name)), factor_(factor) {
  if (!std::isfinite(factor)) throw ConfigError(this->name(), "expected a finite scale factor");
}

Shape Scale::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1 || inputs[0].sample_size() == 0) throw ConfigError(name(), "expected one non-empty input");
  return inputs[0];
}

void Scale::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext&) {
  const Tensor& x = *in[0];
  out.resize(x.shape());
  const float* src = x.data();
  float* dst = out.data();
  for (std::size_t i = 0; i < x.size(); ++i) dst[i] = factor_ * src[i];
}

void Scale::backward(const std::vector<const Tensor*>&, const Tensor&, const Tensor& dout,
                     const std::vector<Tensor*>& din, const LayerContext&) {
  if (!din[0]) return;
  din[0]->resize(dout.shape());
  const float* src = dout.data();
  float* dst = din[0]->data();
  for (std::size_t i = 0; i < dout.size(); ++i) dst[i] = factor_ * src[i];
}

}  // namespace xbarsim

// Fully connected layer through the MatVecBackend (see layers.hpp).
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/layers.hpp>

#include "init.hpp"

namespace xbarsim {

Dense::Dense(std::string name, std::size_t in, std::size_t out, bool bias)
    : Layer(std::move(name)), in_(in), out_(out), has_bias_(bias) {
  if (in == 0 || out == 0) throw ConfigError(this->name(), "Dense needs in > 0 and out > 0");
  weight_ = make_param("weight", Shape{out, in, 1, 1});
  bias_ = make_param("bias", Shape{bias ? out : 0, 1, 1, 1}, false);
  // PyTorch Linear default: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias (callers that
  // need reproducible weights set them; this is only a sensible start).
  fill_uniform(weight_.value, 1.0 / std::sqrt(static_cast<double>(in)), this->name() + ".weight");
  fill_uniform(bias_.value, 1.0 / std::sqrt(static_cast<double>(in)), this->name() + ".bias");
}

Shape Dense::output_shape(const std::vector<Shape>& inputs) const {
  if (inputs.size() != 1 || inputs[0].sample_size() != in_)
    throw ConfigError(name(), "expected inputs of " + std::to_string(in_) + " features per sample, got " +
                                  (inputs.empty() ? std::string("none") : inputs[0].str()));
  return Shape{inputs[0].n, out_, 1, 1};
}

void Dense::forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) {
  const std::size_t n = in[0]->shape().n;
  const arma::fmat X = in[0]->as_matrix(in_, n);                            // one sample per column
  const arma::fmat W = arma::fmat(weight_.value.as_matrix(in_, out_)).t();  // stored out x in row-major
  arma::fmat Y;
  ctx.backend->forward(MatVecId{ctx.layer_index, 0, name()}, W, X, Y);
  if (has_bias_) Y.each_col() += arma::fvec(bias_.value.as_matrix(out_, 1));
  out.resize(Shape{n, out_, 1, 1});
  std::copy(Y.begin(), Y.end(), out.data());
}

void Dense::backward(const std::vector<const Tensor*>& in, const Tensor&, const Tensor& dout,
                     const std::vector<Tensor*>& din, const LayerContext& ctx) {
  const std::size_t n = in[0]->shape().n;
  const arma::fmat X = in[0]->as_matrix(in_, n);
  const arma::fmat dY = dout.as_matrix(out_, n);
  // dW (out x in, row-major) = dY X^T; stored transposed as an in x out column-major view.
  arma::fmat dWt = weight_.grad.as_matrix(in_, out_);
  dWt += X * dY.t();
  if (has_bias_) {
    arma::fmat db = bias_.grad.as_matrix(out_, 1);
    db += arma::sum(dY, 1);
  }
  if (din[0]) {
    const arma::fmat W = arma::fmat(weight_.value.as_matrix(in_, out_)).t();
    arma::fmat dX;
    ctx.backend->backward(MatVecId{ctx.layer_index, 0, name()}, W, dY, dX);
    std::copy(dX.begin(), dX.end(), din[0]->data());
  }
}

std::vector<Param*> Dense::params() {
  if (has_bias_) return {&weight_, &bias_};
  return {&weight_};
}

LayerCost Dense::cost(const std::vector<Shape>&) const {
  LayerCost c;
  c.macs = in_ * out_;
  c.params = in_ * out_ + (has_bias_ ? out_ : 0);
  c.other_ops = has_bias_ ? out_ : 0;
  return c;
}

}  // namespace xbarsim

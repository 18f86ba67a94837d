// Tensor helpers (see tensor.hpp).
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/tensor.hpp>

namespace xbarsim {

std::string Shape::str() const {
  return std::to_string(n) + " x " + std::to_string(c) + " x " + std::to_string(h) + " x " + std::to_string(w);
}

void Tensor::reshape(Shape s) {
  if (s.size() != data_.size()) throw InternalError("Tensor::reshape: " + shape_.str() + " cannot become " + s.str());
  shape_ = s;
}

arma::fmat Tensor::as_matrix(std::size_t rows, std::size_t cols) {
  if (rows * cols != data_.size()) throw InternalError("Tensor::as_matrix: size mismatch");
  return arma::fmat(data_.data(), rows, cols, false, true);
}

const arma::fmat Tensor::as_matrix(std::size_t rows, std::size_t cols) const {
  if (rows * cols != data_.size()) throw InternalError("Tensor::as_matrix: size mismatch");
  return arma::fmat(const_cast<float*>(data_.data()), rows, cols, false, true);
}

}  // namespace xbarsim

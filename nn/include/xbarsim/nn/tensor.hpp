#pragma once
// Dense float tensors in NCHW layout (batch, channels, height, width), contiguous,
// row-major within a sample: element (n, c, h, w) is at ((n C + c) H + h) W + w, the
// layout PyTorch and ONNX use, so weights and activations exchange without reordering.
// Dense activations are N x C x 1 x 1.
#include <armadillo>
#include <cstddef>
#include <string>
#include <vector>

namespace xbarsim {

struct Shape {
  std::size_t n = 0, c = 0, h = 1, w = 1;
  std::size_t sample_size() const { return c * h * w; }
  std::size_t size() const { return n * sample_size(); }
  bool operator==(const Shape&) const = default;
  /// "N x C x H x W" for messages.
  std::string str() const;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape s, float fill = 0.0f) : shape_(s), data_(s.size(), fill) {}

  const Shape& shape() const { return shape_; }
  std::size_t size() const { return data_.size(); }
  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](std::size_t i) { return data_[i]; }
  float operator[](std::size_t i) const { return data_[i]; }
  float& at(std::size_t n, std::size_t c, std::size_t h, std::size_t w) {
    return data_[((n * shape_.c + c) * shape_.h + h) * shape_.w + w];
  }
  float at(std::size_t n, std::size_t c, std::size_t h, std::size_t w) const {
    return data_[((n * shape_.c + c) * shape_.h + h) * shape_.w + w];
  }
  /// Resizes (contents unspecified unless the size is unchanged) and sets the shape.
  void resize(Shape s) {
    shape_ = s;
    data_.resize(s.size());
  }
  /// Same data, new shape of equal size (InternalError otherwise).
  void reshape(Shape s);
  void fill(float v) { std::fill(data_.begin(), data_.end(), v); }

  /// The data as a matrix without copying: column-major rows x cols over the buffer, so
  /// rows = sample_size and cols = n gives one sample per column (Armadillo view; valid
  /// while the tensor is not resized).
  arma::fmat as_matrix(std::size_t rows, std::size_t cols);
  const arma::fmat as_matrix(std::size_t rows, std::size_t cols) const;

 private:
  Shape shape_;
  std::vector<float> data_;
};

}  // namespace xbarsim

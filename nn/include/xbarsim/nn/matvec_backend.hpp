#pragma once
// The seam between the network and the hardware (ARCHITECTURE.md): every weighted layer
// (Dense, and Conv2D through im2col) computes its products through a MatVecBackend. The
// digital backend is a BLAS GEMM; the mapping module injects an analog one that runs the
// same products on crossbar tiles.
//
// Layout: X is K x B (one input vector per column, K = fan-in), W is M x K (PyTorch's
// weight layout: one output per row), Y = W X is M x B. A layer calls the backend once
// per group (grouped convolutions) with its id and the group index.
#include <armadillo>
#include <cstddef>
#include <string>

namespace xbarsim {

/// Identifies one weight matrix of a network.
struct MatVecId {
  std::size_t layer = 0;  // index of the layer in its network
  std::size_t group = 0;  // group of a grouped convolution, 0 otherwise
  std::string name;       // layer name, for messages
};

class MatVecBackend {
 public:
  virtual ~MatVecBackend() = default;
  /// Y = W X (inference and training forward).
  virtual void forward(const MatVecId& id, const arma::fmat& W, const arma::fmat& X, arma::fmat& Y) = 0;
  /// dX = W^T dY (training backward through the weights).
  virtual void backward(const MatVecId& id, const arma::fmat& W, const arma::fmat& dY, arma::fmat& dX) = 0;
  /// Called after an optimiser step changed W (an analog backend reprograms or updates).
  virtual void weights_changed(const MatVecId& id) { (void)id; }
};

/// The exact digital products (OpenBLAS SGEMM).
class DigitalBackend final : public MatVecBackend {
 public:
  void forward(const MatVecId&, const arma::fmat& W, const arma::fmat& X, arma::fmat& Y) override { Y = W * X; }
  void backward(const MatVecId&, const arma::fmat& W, const arma::fmat& dY, arma::fmat& dX) override {
    dX = W.t() * dY;
  }
};

}  // namespace xbarsim

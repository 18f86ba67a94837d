#pragma once
// Every layer type of the NN engine (semantics of PyTorch / ONNX, so models exchange
// through ONNX and compare with PyTorch numerically). Implementations live in
// nn/src/layers/<group>.cpp. See layer.hpp for the conventions all of them follow.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>
#include <xbarsim/nn/layer.hpp>

namespace xbarsim {

// ---------------------------------------------------------------- weighted layers

/// Fully connected: input N x C x H x W is flattened to N x (C H W) = N x in; output
/// N x out x 1 x 1. weight out x in (PyTorch Linear / ONNX Gemm transB = 1), bias out.
/// Computes through ctx.backend (MatVecId{layer, 0}).
class Dense final : public Layer {
 public:
  Dense(std::string name, std::size_t in, std::size_t out, bool bias = true);
  std::string_view type() const override { return "Gemm"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
  std::vector<Param*> params() override;
  LayerCost cost(const std::vector<Shape>& inputs) const override;
  Param& weight() { return weight_; }
  Param* bias() { return has_bias_ ? &bias_ : nullptr; }
  std::size_t in_features() const { return in_; }
  std::size_t out_features() const { return out_; }

 private:
  std::size_t in_, out_;
  bool has_bias_;
  Param weight_, bias_;
};

enum class ConvAlgorithm { Im2col, Winograd, Fft };

struct Conv2DSpec {
  std::size_t in_channels = 1, out_channels = 1;
  std::size_t kernel_h = 3, kernel_w = 3;
  std::size_t stride_h = 1, stride_w = 1;
  std::size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;  // zero padding
  std::size_t dilation_h = 1, dilation_w = 1;
  std::size_t groups = 1;  // in_channels and out_channels divisible; groups = in = out: depthwise
  bool bias = true;
  ConvAlgorithm algorithm = ConvAlgorithm::Im2col;
};

/// Arithmetic of one convolution algorithm, per sample (for the digital references).
struct ConvOpCounts {
  std::uint64_t mults = 0, adds = 0;
};

/// 2-D convolution (cross-correlation, PyTorch Conv2d / ONNX Conv). weight
/// Cout x (Cin / groups) x kh x kw, bias Cout. Im2col (default): each group is one GEMM
/// through ctx.backend (MatVecId{layer, group}), W = weight rows of the group (Cout/g x
/// Cin/g kh kw), X = im2col columns. Winograd F(2x2, 3x3) (3x3, stride 1, dilation 1
/// only; ConfigError otherwise) and FFT compute the same result digitally.
class Conv2D final : public Layer {
 public:
  Conv2D(std::string name, Conv2DSpec spec);
  std::string_view type() const override { return "Conv"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
  std::vector<Param*> params() override;
  LayerCost cost(const std::vector<Shape>& inputs) const override;
  /// Multiplications and additions of `algorithm` for one sample of input shape `in`.
  ConvOpCounts op_counts(const Shape& in, ConvAlgorithm algorithm) const;
  const Conv2DSpec& spec() const { return spec_; }
  void set_algorithm(ConvAlgorithm a);
  Param& weight() { return weight_; }
  Param* bias() { return spec_.bias ? &bias_ : nullptr; }
  /// Adds a bias parameter (zeros) if there is none (BatchNorm folding needs one).
  void ensure_bias();

 private:
  Conv2DSpec spec_;
  Param weight_, bias_;
  std::vector<float> cols_;  // im2col scratch
};

// ---------------------------------------------------------------- pooling and shape

struct Pool2DSpec {
  std::size_t kernel_h = 2, kernel_w = 2;
  std::size_t stride_h = 2, stride_w = 2;
  std::size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool ceil_mode = false;
  bool count_include_pad = false;  // average pooling: divide by the full window (ONNX attribute)
};

/// Max pooling (PyTorch MaxPool2d / ONNX MaxPool); padding never wins.
class MaxPool2D final : public Layer {
 public:
  MaxPool2D(std::string name, Pool2DSpec spec);
  std::string_view type() const override { return "MaxPool"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
  const Pool2DSpec& spec() const { return spec_; }

 private:
  Pool2DSpec spec_;
  std::vector<std::uint32_t> argmax_;
};

/// Average pooling (PyTorch AvgPool2d / ONNX AveragePool).
class AvgPool2D final : public Layer {
 public:
  AvgPool2D(std::string name, Pool2DSpec spec);
  std::string_view type() const override { return "AveragePool"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
  const Pool2DSpec& spec() const { return spec_; }

 private:
  Pool2DSpec spec_;
};

/// Mean over H x W: N x C x H x W -> N x C x 1 x 1 (ONNX GlobalAveragePool).
class GlobalAvgPool final : public Layer {
 public:
  explicit GlobalAvgPool(std::string name) : Layer(std::move(name)) {}
  std::string_view type() const override { return "GlobalAveragePool"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
};

/// Spatial pyramid pooling (He et al. 2015): for each level L, adaptive max pooling to
/// L x L bins (bin i covers [floor(i H / L), ceil((i + 1) H / L)) as PyTorch's
/// AdaptiveMaxPool2d); outputs concatenated to N x (C sum L^2) x 1 x 1, level by level,
/// channel-major within a level.
class SpatialPyramidPool final : public Layer {
 public:
  SpatialPyramidPool(std::string name, std::vector<std::size_t> levels);
  std::string_view type() const override { return "SpatialPyramidPool"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;

 private:
  std::vector<std::size_t> levels_;
  std::vector<std::uint32_t> argmax_;
};

/// N x C x H x W -> N x (C H W) x 1 x 1 (ONNX Flatten axis 1).
class Flatten final : public Layer {
 public:
  explicit Flatten(std::string name) : Layer(std::move(name)) {}
  std::string_view type() const override { return "Flatten"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
};

/// Per-sample reshape to C x H x W of equal size (ONNX Reshape with the batch kept).
class Reshape final : public Layer {
 public:
  Reshape(std::string name, std::size_t c, std::size_t h, std::size_t w);
  std::string_view type() const override { return "Reshape"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;

 private:
  std::size_t c_, h_, w_;
};

/// Constant padding of H and W (ONNX Pad, mode constant, spatial axes only).
class Pad2D final : public Layer {
 public:
  Pad2D(std::string name, std::size_t top, std::size_t left, std::size_t bottom, std::size_t right, float value = 0.0f);
  std::string_view type() const override { return "Pad"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;

 private:
  std::size_t top_, left_, bottom_, right_;
  float value_;
};

// ---------------------------------------------------------------- normalisation, regularisation

/// Batch normalisation over N, H, W per channel (PyTorch BatchNorm2d / ONNX
/// BatchNormalization): training uses batch statistics (biased variance for the
/// normalisation, unbiased for the running estimate, running = (1 - momentum) running +
/// momentum batch); inference uses the running statistics. Params gamma, beta (no decay).
class BatchNorm2D final : public Layer {
 public:
  BatchNorm2D(std::string name, std::size_t channels, double eps = 1e-5, double momentum = 0.1);
  std::string_view type() const override { return "BatchNormalization"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
  std::vector<Param*> params() override;
  Param& gamma() { return gamma_; }
  Param& beta() { return beta_; }
  std::vector<float>& running_mean() { return mean_; }
  std::vector<float>& running_var() { return var_; }
  double eps() const { return eps_; }
  /// Folds the inference transform into the preceding convolution (weight and bias
  /// scaled per output channel); afterwards this layer must be removed or bypassed.
  void fold_into(Conv2D& conv) const;

 private:
  std::size_t channels_;
  double eps_, momentum_;
  Param gamma_, beta_;
  std::vector<float> mean_, var_;
  std::vector<float> batch_mean_, batch_inv_std_;  // cached for backward
};

/// Inverted dropout (PyTorch Dropout): in training, zero with probability p and scale
/// the rest by 1/(1 - p); identity in inference.
class Dropout final : public Layer {
 public:
  Dropout(std::string name, double p);
  std::string_view type() const override { return "Dropout"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;

 private:
  double p_;
  std::vector<float> mask_;
};

/// Local response normalisation across channels (ONNX LRN): y = x / (k + alpha/size
/// sum_{window} x^2)^beta, window of `size` channels centred on c (floor((size-1)/2)
/// below, ceil((size-1)/2) above).
class LRN final : public Layer {
 public:
  LRN(std::string name, std::size_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);
  std::string_view type() const override { return "LRN"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;

 private:
  std::size_t size_;
  double alpha_, beta_, k_;
};

// ---------------------------------------------------------------- merging

/// Elementwise sum of two inputs of equal shape (residual connections; ONNX Add).
class Add final : public Layer {
 public:
  explicit Add(std::string name) : Layer(std::move(name)) {}
  std::string_view type() const override { return "Add"; }
  std::size_t arity() const override { return 2; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
};

/// Concatenation along channels of any number (>= 1) of inputs (ONNX Concat axis 1).
class Concat final : public Layer {
 public:
  explicit Concat(std::string name) : Layer(std::move(name)) {}
  std::string_view type() const override { return "Concat"; }
  std::size_t arity() const override { return 0; }  // any
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
};

// ---------------------------------------------------------------- activations

enum class ActivationKind { Sigmoid, Tanh, ReLU, LeakyReLU, ELU, RReLU };

/// Elementwise activation without parameters. LeakyReLU: alpha (NaN = the default 0.01);
/// ELU: alpha (NaN = 1.0); RReLU: slope ~ U(lower, upper) per element in training (keyed random
/// numbers), (lower + upper)/2 in inference (PyTorch defaults 1/8, 1/3).
class Activation final : public Layer {
 public:
  Activation(std::string name, ActivationKind kind, double alpha = std::numeric_limits<double>::quiet_NaN(),
             double lower = 1.0 / 8.0, double upper = 1.0 / 3.0);
  std::string_view type() const override;
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
  ActivationKind kind() const { return kind_; }
  double alpha() const { return alpha_; }

 private:
  ActivationKind kind_;
  double alpha_, lower_, upper_;
  std::vector<float> slopes_;  // RReLU slopes of the last training forward
};

/// PReLU with a learned slope per channel (or one shared slope when channels == 1),
/// initialised to 0.25 (PyTorch).
class PReLU final : public Layer {
 public:
  PReLU(std::string name, std::size_t channels);
  std::string_view type() const override { return "PRelu"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
  std::vector<Param*> params() override;
  Param& slope() { return slope_; }

 private:
  std::size_t channels_;
  Param slope_;
};

/// Softmax over channels per sample (ONNX Softmax axis 1) for inference outputs;
/// training uses softmax_cross_entropy on logits instead.
class Softmax final : public Layer {
 public:
  explicit Softmax(std::string name) : Layer(std::move(name)) {}
  std::string_view type() const override { return "Softmax"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
};

// ---------------------------------------------------------------- losses

struct LossResult {
  double loss = 0.0;  // mean over the batch
  Tensor grad;        // d loss / d input, same shape as the input
};

/// Mean softmax cross-entropy of logits (N x K x 1 x 1) against class labels in [0, K)
/// (PyTorch CrossEntropyLoss, reduction mean); ConfigError for a label out of range or
/// a count mismatch. Computed with the log-sum-exp shift.
LossResult softmax_cross_entropy(const Tensor& logits, const std::vector<std::uint8_t>& labels);
/// Mean squared error over all elements (PyTorch MSELoss, reduction mean).
LossResult mse_loss(const Tensor& output, const Tensor& target);

// ---------------------------------------------------------------- scaling

/// Multiplication by a constant scalar, y = factor x (ONNX Mul by a one-element
/// initializer, e.g. PyTorch's `x * 0.5`); no parameters.
class Scale final : public Layer {
 public:
  Scale(std::string name, float factor);
  std::string_view type() const override { return "Mul"; }
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& in, Tensor& out, const LayerContext& ctx) override;
  void backward(const std::vector<const Tensor*>& in, const Tensor& out, const Tensor& dout,
                const std::vector<Tensor*>& din, const LayerContext& ctx) override;
  float factor() const { return factor_; }

 private:
  float factor_;
};

}  // namespace xbarsim

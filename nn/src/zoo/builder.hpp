#pragma once
// Private helpers of the model zoo: one-line layer adders over a Network and the output
// size arithmetic the builders need to size their first dense layer. Each adder returns
// the node's name so graphs with branches read as data flow.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/network.hpp>

namespace xbarsim::zoo {

using Inputs = std::vector<std::string>;  // empty: the previously added node

/// Square convolution spec with symmetric padding.
inline Conv2DSpec conv_spec(std::size_t in, std::size_t out, std::size_t k, std::size_t stride = 1, std::size_t pad = 0,
                            std::size_t groups = 1, bool bias = true) {
  Conv2DSpec s;
  s.in_channels = in;
  s.out_channels = out;
  s.kernel_h = s.kernel_w = k;
  s.stride_h = s.stride_w = stride;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
  s.groups = groups;
  s.bias = bias;
  return s;
}

/// Square pooling spec with symmetric padding.
inline Pool2DSpec pool_spec(std::size_t k, std::size_t stride, std::size_t pad = 0, bool ceil_mode = false) {
  Pool2DSpec s;
  s.kernel_h = s.kernel_w = k;
  s.stride_h = s.stride_w = stride;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
  s.ceil_mode = ceil_mode;
  return s;
}

inline std::string conv(Network& net, const std::string& name, const Conv2DSpec& s, Inputs from = {}) {
  net.add(std::make_unique<Conv2D>(name, s), std::move(from));
  return name;
}
inline std::string bn(Network& net, const std::string& name, std::size_t channels, double eps = 1e-5,
                      double momentum = 0.1, Inputs from = {}) {
  net.add(std::make_unique<BatchNorm2D>(name, channels, eps, momentum), std::move(from));
  return name;
}
inline std::string relu(Network& net, const std::string& name, Inputs from = {}) {
  net.add(std::make_unique<Activation>(name, ActivationKind::ReLU), std::move(from));
  return name;
}
inline std::string maxpool(Network& net, const std::string& name, const Pool2DSpec& s, Inputs from = {}) {
  net.add(std::make_unique<MaxPool2D>(name, s), std::move(from));
  return name;
}
inline std::string avgpool(Network& net, const std::string& name, const Pool2DSpec& s, Inputs from = {}) {
  net.add(std::make_unique<AvgPool2D>(name, s), std::move(from));
  return name;
}
inline std::string gap(Network& net, const std::string& name, Inputs from = {}) {
  net.add(std::make_unique<GlobalAvgPool>(name), std::move(from));
  return name;
}
inline std::string flatten(Network& net, const std::string& name, Inputs from = {}) {
  net.add(std::make_unique<Flatten>(name), std::move(from));
  return name;
}
inline std::string dense(Network& net, const std::string& name, std::size_t in, std::size_t out, bool bias = true,
                         Inputs from = {}) {
  net.add(std::make_unique<Dense>(name, in, out, bias), std::move(from));
  return name;
}
inline std::string dropout(Network& net, const std::string& name, double p, Inputs from = {}) {
  net.add(std::make_unique<Dropout>(name, p), std::move(from));
  return name;
}
inline std::string add(Network& net, const std::string& name, const std::string& a, const std::string& b) {
  net.add(std::make_unique<Add>(name), {a, b});
  return name;
}
inline std::string concat(Network& net, const std::string& name, Inputs from) {
  net.add(std::make_unique<Concat>(name), std::move(from));
  return name;
}

/// Output length of a convolution or pooling window along one axis (PyTorch's formula,
/// ceil_mode as PyTorch: the last window must start inside the input or left padding).
/// 0 when the window does not fit, so callers size later layers without throwing and
/// Network::shapes() reports the offending layer by name.
inline std::size_t out_len(std::size_t in, std::size_t k, std::size_t stride, std::size_t pad_total,
                           bool ceil_mode = false, std::size_t pad_begin = 0) {
  if (in + pad_total < k || stride == 0) return 0;
  const std::size_t span = in + pad_total - k;
  std::size_t n = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (n - 1) * stride >= in + pad_begin) --n;
  return n;
}

// Family builders (one file each); `classes` and `input` are already resolved.
Network make_lenet5(std::size_t classes, Shape input);
Network make_alexnet(std::size_t classes, Shape input);
Network make_nin(std::size_t classes, Shape input);
Network make_vgg8(std::size_t classes, Shape input);
Network make_vgg(int depth, std::size_t classes, Shape input);              // 11, 16, 19
Network make_resnet_imagenet(int depth, std::size_t classes, Shape input);  // 18, 50, 152
Network make_resnet_cifar(int depth, std::size_t classes, Shape input);     // 6n + 2
Network make_googlenet(std::size_t classes, Shape input);
Network make_xception(std::size_t classes, Shape input);
Network make_mobilenet_v1(std::size_t classes, Shape input);

}  // namespace xbarsim::zoo

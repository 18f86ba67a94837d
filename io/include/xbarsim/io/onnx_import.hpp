#pragma once
// ONNX import: builds an xbarsim Network from an ONNX model file (opset 11-17, as
// PyTorch 1.13 exports), with the PyTorch/ONNX semantics of every supported operator.
//
// Supported operators (default domain): Conv, Gemm (transA = 0), MatMul (2-D, constant
// right operand), Add (two activations = residual Add; activation + constant = bias
// folded into the producing Conv/Gemm/MatMul), Mul (by a one-element constant), Relu,
// LeakyRelu, PRelu, Elu, Sigmoid, Tanh, Softmax (over the features of an N x K tensor),
// MaxPool, AveragePool, GlobalAveragePool, Flatten (axis 1), Reshape (batch kept),
// BatchNormalization (inference form), Concat (axis 1), Pad (constant, spatial),
// Constant, Dropout, Identity, LRN. Nodes that do not contribute to the single graph
// output are dropped.
//
// Errors:
//  * IoError naming the file: unreadable, truncated or corrupt protobuf, no graph,
//    external tensor data.
//  * ConfigError whose location names the node (its name, or "#index" if unnamed, and
//    its op type): unsupported operator or attribute value, a missing or non-constant
//    weight, shapes that do not fit. Graph-level problems (inputs, outputs, opset) name
//    the file.
#include <filesystem>
#include <xbarsim/nn/network.hpp>

namespace xbarsim {

/// Loads the ONNX model at `path` (one float input N x C x H x W or N x K, one output).
Network load_onnx(const std::filesystem::path& path);

}  // namespace xbarsim

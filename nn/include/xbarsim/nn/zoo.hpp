#pragma once
// Model zoo: the published CNN architectures the simulator maps, built from the layers of
// layers.hpp with PyTorch/torchvision-style layer names ("layer1.0.conv1", ...) so
// weights exchange by name. Weights are the layers' default initialisation; parameter
// and MAC counts (Network::summary()) match the published values listed per model in
// nn/src/zoo/<family>.cpp and checked in tests/nn/test_zoo.cpp.
#include <cstddef>
#include <string>
#include <vector>
#include <xbarsim/nn/network.hpp>

namespace xbarsim {

/// Names accepted by make_model, in a fixed order: lenet5, alexnet, nin, vgg8, vgg11,
/// vgg16, vgg19, resnet18, resnet20, resnet50, resnet152, googlenet, xception,
/// mobilenet-v1.
std::vector<std::string> zoo_models();

/// Builds model `name`. classes = 0 keeps the model's default (10 for the CIFAR and
/// Fashion-MNIST models, 1000 for the ImageNet ones); an input with c = 0 keeps the
/// default input shape (n is ignored). Other input sizes are accepted where the
/// architecture allows them; otherwise shapes() reports the first layer that does not
/// fit. ConfigError naming the model (and listing the valid names) for an unknown name.
Network make_model(const std::string& name, std::size_t classes = 0, Shape input = {});

}  // namespace xbarsim

// Model zoo registry: names, default classes and input shapes (see zoo.hpp).
#include <functional>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/zoo.hpp>

#include "builder.hpp"

namespace xbarsim {

namespace {

struct Entry {
  const char* name;
  std::size_t classes;
  Shape input;
  std::function<Network(std::size_t, Shape)> build;
};

const std::vector<Entry>& registry() {
  using namespace zoo;
  const Shape mnist{1, 1, 28, 28}, cifar{1, 3, 32, 32}, imagenet{1, 3, 224, 224};
  static const std::vector<Entry> entries = {
      {"lenet5", 10, mnist, make_lenet5},
      {"alexnet", 1000, Shape{1, 3, 227, 227}, make_alexnet},
      {"nin", 10, cifar, make_nin},
      {"vgg8", 10, cifar, make_vgg8},
      {"vgg11", 1000, imagenet, [](std::size_t k, Shape s) { return make_vgg(11, k, s); }},
      {"vgg16", 1000, imagenet, [](std::size_t k, Shape s) { return make_vgg(16, k, s); }},
      {"vgg19", 1000, imagenet, [](std::size_t k, Shape s) { return make_vgg(19, k, s); }},
      {"resnet18", 1000, imagenet, [](std::size_t k, Shape s) { return make_resnet_imagenet(18, k, s); }},
      {"resnet20", 10, cifar, [](std::size_t k, Shape s) { return make_resnet_cifar(20, k, s); }},
      {"resnet50", 1000, imagenet, [](std::size_t k, Shape s) { return make_resnet_imagenet(50, k, s); }},
      {"resnet152", 1000, imagenet, [](std::size_t k, Shape s) { return make_resnet_imagenet(152, k, s); }},
      {"googlenet", 1000, imagenet, make_googlenet},
      {"xception", 1000, Shape{1, 3, 299, 299}, make_xception},
      {"mobilenet-v1", 1000, imagenet, make_mobilenet_v1},
  };
  return entries;
}

}  // namespace

std::vector<std::string> zoo_models() {
  std::vector<std::string> names;
  for (const Entry& e : registry()) names.emplace_back(e.name);
  return names;
}

Network make_model(const std::string& name, std::size_t classes, Shape input) {
  for (const Entry& e : registry()) {
    if (name != e.name) continue;
    Shape in = input.c == 0 ? e.input : input;
    in.n = 1;
    if (in.h == 0 || in.w == 0) throw ConfigError("model " + name, "the input shape " + in.str() + " is empty");
    return e.build(classes == 0 ? e.classes : classes, in);
  }
  std::string valid;
  for (const Entry& e : registry()) valid += (valid.empty() ? "" : ", ") + std::string(e.name);
  throw ConfigError("model " + name, "unknown model; the zoo has " + valid);
}

}  // namespace xbarsim

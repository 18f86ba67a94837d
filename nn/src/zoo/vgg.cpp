// VGG networks.
//
// vgg11 / vgg16 / vgg19: configurations A, D, E of Simonyan, Zisserman, "Very deep
// convolutional networks for large-scale image recognition", ICLR 2015, laid out as
// torchvision.models.vgg11/16/19 (no batch norm; layer names are torchvision's
// Sequential indices, so state_dict keys "features.0.weight" map one to one).
// torchvision's AdaptiveAvgPool2d(7) is the identity at 224 x 224 and is omitted; for an
// input whose last map is 7k x 7k it is an exact k x k average pooling, added as such.
// Parameters: vgg11 132,863,336, vgg16 138,357,544, vgg19 143,667,240 (torchvision
// docs); MACs 7.61 G, 15.47 G, 19.63 G ("GFLOPS" column of the torchvision docs).
//
// vgg8: the CIFAR-10 VGG-8 of DNN_NeuroSim V1.3/V1.4 (models/VGG.py, cfg_list
// 'cifar10'/'vgg8'): 2 x conv128, max pool, 2 x conv256, max pool, 2 x conv512, max pool,
// fc 8192 -> 1024, fc 1024 -> 10, ReLU after every layer but the last. NeuroSim's
// QConv2d / QLinear have bias = False, so neither has biases here. Parameters
// 12,973,440; MACs 615,917,568 = half of NeuroSim's 1.231835136 GOP for VGG-8.
#include "builder.hpp"

namespace xbarsim::zoo {

namespace {

constexpr std::size_t kPool = 0;  // 'M' in the torchvision configuration lists

// Adds "features.<i>" layers for cfg (3 x 3 convs with padding 1, ReLU, 2 x 2 max pools)
// and returns the final channel count; h and w follow the map size through the pools.
std::size_t add_features(Network& net, const std::vector<std::size_t>& cfg, std::size_t in_c, bool bias, std::size_t& h,
                         std::size_t& w) {
  std::size_t i = 0, c = in_c;
  for (std::size_t v : cfg) {
    const std::string id = "features." + std::to_string(i);
    if (v == kPool) {
      maxpool(net, id, pool_spec(2, 2));
      h /= 2;
      w /= 2;
      i += 1;
    } else {
      conv(net, id, conv_spec(c, v, 3, 1, 1, 1, bias));
      relu(net, "features." + std::to_string(i + 1));
      c = v;
      i += 2;
    }
  }
  return c;
}

}  // namespace

Network make_vgg(int depth, std::size_t classes, Shape in) {
  const std::size_t M = kPool;
  std::vector<std::size_t> cfg;
  if (depth == 11) cfg = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
  if (depth == 16) cfg = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
  if (depth == 19) cfg = {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M};
  Network net(in);
  std::size_t h = in.h, w = in.w;
  const std::size_t c = add_features(net, cfg, in.c, true, h, w);
  if ((h != 7 || w != 7) && h % 7 == 0 && w % 7 == 0 && h > 0 && w > 0) {
    Pool2DSpec s = pool_spec(h / 7, h / 7);
    s.kernel_w = s.stride_w = w / 7;
    avgpool(net, "avgpool", s);
  }
  flatten(net, "flatten");
  dense(net, "classifier.0", c * 7 * 7, 4096);
  relu(net, "classifier.1");
  dropout(net, "classifier.2", 0.5);
  dense(net, "classifier.3", 4096, 4096);
  relu(net, "classifier.4");
  dropout(net, "classifier.5", 0.5);
  dense(net, "classifier.6", 4096, classes);
  return net;
}

Network make_vgg8(std::size_t classes, Shape in) {
  const std::size_t M = kPool;
  Network net(in);
  std::size_t h = in.h, w = in.w;
  const std::size_t c = add_features(net, {128, 128, M, 256, 256, M, 512, 512, M}, in.c, false, h, w);
  flatten(net, "flatten");
  dense(net, "classifier.0", c * std::max<std::size_t>(h * w, 1), 1024, false);
  relu(net, "classifier.1");
  dense(net, "classifier.2", 1024, classes, false);
  return net;
}

}  // namespace xbarsim::zoo

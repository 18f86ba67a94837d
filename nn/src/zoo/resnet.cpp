// Residual networks: He, Zhang, Ren, Sun, "Deep residual learning for image
// recognition", CVPR 2016.
//
// resnet18 / resnet50 / resnet152: the ImageNet models as torchvision.models builds them
// (names follow torchvision's modules: "layer2.0.downsample.0", ...): 7 x 7 stem, 3 x 3
// max pool, basic blocks [2, 2, 2, 2] or bottlenecks [3, 4, 6, 3] / [3, 8, 36, 3], 1 x 1
// projection shortcuts where the shape changes (option B), convolutions without bias
// followed by BatchNorm (eps 1e-5). torchvision puts the bottleneck's stride on the 3 x 3
// convolution ("ResNet v1.5"); so does this. Parameters (torchvision docs): 11,689,512,
// 25,557,032, 60,192,808; MACs 1.81 G, 4.09 G, 11.51 G at 224 x 224.
//
// resnet20: the CIFAR-10 network of section 4.2 (6n + 2 layers, n = 3; 16/32/64 filters
// on 32/16/8 maps, global average pooling, 10-way fc). The paper uses option A shortcuts
// (identity with zero-padded channels), which have no layer here; this model uses option
// B (1 x 1 convolution + BN projection where the shape changes, as for ImageNet): 272,474
// parameters = 269,722 of option A + 2,752 for the two projections. MACs 40,813,184.
#include "builder.hpp"

namespace xbarsim::zoo {

namespace {

// Projection shortcut (option B) from `x` when the block changes shape, else `x`.
std::string shortcut(Network& net, const std::string& p, const std::string& x, std::size_t in, std::size_t out,
                     std::size_t stride) {
  if (stride == 1 && in == out) return x;
  conv(net, p + "downsample.0", conv_spec(in, out, 1, stride, 0, 1, false), {x});
  return bn(net, p + "downsample.1", out);
}

// Basic block: 3x3 (stride) - BN - ReLU - 3x3 - BN, + shortcut, ReLU. Returns its output.
std::string basic_block(Network& net, const std::string& p, const std::string& x, std::size_t in, std::size_t planes,
                        std::size_t stride) {
  conv(net, p + "conv1", conv_spec(in, planes, 3, stride, 1, 1, false), {x});
  bn(net, p + "bn1", planes);
  relu(net, p + "relu1");
  conv(net, p + "conv2", conv_spec(planes, planes, 3, 1, 1, 1, false));
  const std::string y = bn(net, p + "bn2", planes);
  const std::string s = shortcut(net, p, x, in, planes, stride);
  add(net, p + "add", y, s);
  return relu(net, p + "relu");
}

// Bottleneck (torchvision v1.5): 1x1 - 3x3 (stride) - 1x1 (x4), each with BN, + shortcut.
std::string bottleneck(Network& net, const std::string& p, const std::string& x, std::size_t in, std::size_t planes,
                       std::size_t stride) {
  const std::size_t out = planes * 4;
  conv(net, p + "conv1", conv_spec(in, planes, 1, 1, 0, 1, false), {x});
  bn(net, p + "bn1", planes);
  relu(net, p + "relu1");
  conv(net, p + "conv2", conv_spec(planes, planes, 3, stride, 1, 1, false));
  bn(net, p + "bn2", planes);
  relu(net, p + "relu2");
  conv(net, p + "conv3", conv_spec(planes, out, 1, 1, 0, 1, false));
  const std::string y = bn(net, p + "bn3", out);
  const std::string s = shortcut(net, p, x, in, out, stride);
  add(net, p + "add", y, s);
  return relu(net, p + "relu");
}

}  // namespace

Network make_resnet_imagenet(int depth, std::size_t classes, Shape in) {
  std::vector<std::size_t> blocks;
  const bool bottle = depth >= 50;
  if (depth == 18) blocks = {2, 2, 2, 2};
  if (depth == 50) blocks = {3, 4, 6, 3};
  if (depth == 152) blocks = {3, 8, 36, 3};
  Network net(in);
  conv(net, "conv1", conv_spec(in.c, 64, 7, 2, 3, 1, false));
  bn(net, "bn1", 64);
  relu(net, "relu");
  std::string x = maxpool(net, "maxpool", pool_spec(3, 2, 1));
  std::size_t c = 64;
  for (std::size_t s = 0; s < blocks.size(); ++s) {
    const std::size_t planes = std::size_t{64} << s;
    for (std::size_t b = 0; b < blocks[s]; ++b) {
      const std::string p = "layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
      const std::size_t stride = (s > 0 && b == 0) ? 2 : 1;
      x = bottle ? bottleneck(net, p, x, c, planes, stride) : basic_block(net, p, x, c, planes, stride);
      c = bottle ? planes * 4 : planes;
    }
  }
  gap(net, "avgpool");
  flatten(net, "flatten");
  dense(net, "fc", c, classes);
  return net;
}

Network make_resnet_cifar(int depth, std::size_t classes, Shape in) {
  const std::size_t n = static_cast<std::size_t>((depth - 2) / 6);
  Network net(in);
  conv(net, "conv1", conv_spec(in.c, 16, 3, 1, 1, 1, false));
  bn(net, "bn1", 16);
  std::string x = relu(net, "relu");
  std::size_t c = 16;
  for (std::size_t s = 0; s < 3; ++s) {
    const std::size_t planes = std::size_t{16} << s;
    for (std::size_t b = 0; b < n; ++b) {
      const std::string p = "layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
      x = basic_block(net, p, x, c, planes, (s > 0 && b == 0) ? 2 : 1);
      c = planes;
    }
  }
  gap(net, "avgpool");
  flatten(net, "flatten");
  dense(net, "fc", c, classes);
  return net;
}

}  // namespace xbarsim::zoo

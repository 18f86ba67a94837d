// MobileNet v1 (width 1.0, 224 x 224): Howard et al., "MobileNets: efficient
// convolutional neural networks for mobile vision applications", arXiv 1704.04861
// (2017), Table 1: a 3 x 3 stride-2 convolution then 13 depthwise-separable blocks
// (depthwise 3 x 3 + BN + ReLU, pointwise 1 x 1 + BN + ReLU), global average pooling and
// a 1024 -> 1000 fc. Convolutions have no bias (BN follows); BN with Keras's constants
// (eps 1e-3, momentum 0.99 = PyTorch 0.01) as in keras.applications.MobileNet. Deviations
// from Keras, none affecting the counts: ReLU as in the paper (Keras uses ReLU6), symmetric
// padding 1 for the stride-2 layers (Keras pads bottom/right only; same output size),
// the classifier as a Dense layer (Keras: an equivalent 1 x 1 convolution with bias),
// no dropout. Parameters 4,231,976 (Keras's trainable count, i.e. conv weights, BN gamma
// and beta, fc; its total 4,253,864 adds the 21,888 BN moving statistics; the paper
// rounds to 4.2 M); MACs 568,740,352 (paper: 569 M mult-adds).
#include "builder.hpp"

namespace xbarsim::zoo {

Network make_mobilenet_v1(std::size_t classes, Shape in) {
  constexpr double kEps = 1e-3, kMomentum = 0.01;
  Network net(in);
  conv(net, "conv1", conv_spec(in.c, 32, 3, 2, 1, 1, false));
  bn(net, "conv1_bn", 32, kEps, kMomentum);
  relu(net, "conv1_relu");
  struct Block {
    std::size_t out, stride;
  };
  const Block blocks[] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1},  {512, 2}, {512, 1},
                          {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  std::size_t c = 32, i = 1;
  for (const Block& b : blocks) {
    const std::string id = std::to_string(i++);
    conv(net, "conv_dw_" + id, conv_spec(c, c, 3, b.stride, 1, c, false));
    bn(net, "conv_dw_" + id + "_bn", c, kEps, kMomentum);
    relu(net, "conv_dw_" + id + "_relu");
    conv(net, "conv_pw_" + id, conv_spec(c, b.out, 1, 1, 0, 1, false));
    bn(net, "conv_pw_" + id + "_bn", b.out, kEps, kMomentum);
    relu(net, "conv_pw_" + id + "_relu");
    c = b.out;
  }
  gap(net, "global_average_pooling");
  flatten(net, "flatten");
  dense(net, "fc", c, classes);
  return net;
}

}  // namespace xbarsim::zoo

// GoogLeNet (Inception v1): Szegedy et al., "Going deeper with convolutions", CVPR 2015,
// laid out as torchvision.models.googlenet(aux_logits=False) (names follow its modules):
// every convolution is torchvision's BasicConv2d (conv without bias, BatchNorm eps 1e-3,
// ReLU), max pools use ceil_mode, dropout 0.2 before the fc. Like torchvision, the
// "5x5" branch of each inception module uses a 3 x 3 convolution (a known torchvision
// deviation from the paper kept for weight compatibility; 5 x 5 would add 380,928
// parameters). Parameters 6,624,904 (torchvision docs, without the auxiliary
// classifiers); MACs 1.50 G at 224 x 224 (torchvision "GFLOPS" 1.50).
#include "builder.hpp"

namespace xbarsim::zoo {

namespace {

// torchvision BasicConv2d; returns the ReLU node.
std::string basic_conv(Network& net, const std::string& p, std::size_t in, std::size_t out, std::size_t k,
                       std::size_t stride, std::size_t pad, Inputs from = {}) {
  conv(net, p + ".conv", conv_spec(in, out, k, stride, pad, 1, false), std::move(from));
  bn(net, p + ".bn", out, 1e-3);
  return relu(net, p + ".relu");
}

struct InceptionSpec {
  const char* name;
  std::size_t in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj;
};

std::string inception(Network& net, const InceptionSpec& s, const std::string& x) {
  const std::string p = s.name;
  const std::string b1 = basic_conv(net, p + ".branch1", s.in, s.ch1x1, 1, 1, 0, {x});
  basic_conv(net, p + ".branch2.0", s.in, s.ch3x3red, 1, 1, 0, {x});
  const std::string b2 = basic_conv(net, p + ".branch2.1", s.ch3x3red, s.ch3x3, 3, 1, 1);
  basic_conv(net, p + ".branch3.0", s.in, s.ch5x5red, 1, 1, 0, {x});
  const std::string b3 = basic_conv(net, p + ".branch3.1", s.ch5x5red, s.ch5x5, 3, 1, 1);
  maxpool(net, p + ".branch4.0", pool_spec(3, 1, 1, true), {x});
  const std::string b4 = basic_conv(net, p + ".branch4.1", s.in, s.pool_proj, 1, 1, 0);
  return concat(net, p + ".concat", {b1, b2, b3, b4});
}

}  // namespace

Network make_googlenet(std::size_t classes, Shape in) {
  Network net(in);
  basic_conv(net, "conv1", in.c, 64, 7, 2, 3);
  maxpool(net, "maxpool1", pool_spec(3, 2, 0, true));
  basic_conv(net, "conv2", 64, 64, 1, 1, 0);
  basic_conv(net, "conv3", 64, 192, 3, 1, 1);
  std::string x = maxpool(net, "maxpool2", pool_spec(3, 2, 0, true));
  // Table 1 of the paper: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
  x = inception(net, {"inception3a", 192, 64, 96, 128, 16, 32, 32}, x);
  x = inception(net, {"inception3b", 256, 128, 128, 192, 32, 96, 64}, x);
  x = maxpool(net, "maxpool3", pool_spec(3, 2, 0, true), {x});
  x = inception(net, {"inception4a", 480, 192, 96, 208, 16, 48, 64}, x);
  x = inception(net, {"inception4b", 512, 160, 112, 224, 24, 64, 64}, x);
  x = inception(net, {"inception4c", 512, 128, 128, 256, 24, 64, 64}, x);
  x = inception(net, {"inception4d", 512, 112, 144, 288, 32, 64, 64}, x);
  x = inception(net, {"inception4e", 528, 256, 160, 320, 32, 128, 128}, x);
  x = maxpool(net, "maxpool4", pool_spec(2, 2, 0, true), {x});
  x = inception(net, {"inception5a", 832, 256, 160, 320, 32, 128, 128}, x);
  x = inception(net, {"inception5b", 832, 384, 192, 384, 48, 128, 128}, x);
  gap(net, "avgpool", {x});
  flatten(net, "flatten");
  dropout(net, "dropout", 0.2);
  dense(net, "fc", 1024, classes);
  return net;
}

}  // namespace xbarsim::zoo

// Network in Network for CIFAR-10: Lin, Chen, Yan, "Network in network", ICLR 2014,
// as released by the authors (Caffe model zoo "cifar10_nin" prototxt): three mlpconv
// blocks (a k x k convolution followed by two 1 x 1 "cccp" convolutions, ReLU after
// each), 3 x 3 stride-2 max then average pooling with Caffe's ceil rounding (32 -> 16
// -> 8) and dropout 0.5 after the first two blocks, global average pooling of the
// 10-channel cccp6 maps instead of fully connected layers.
// Parameters: 966,986; MACs 222,486,528 per 32 x 32 image.
#include "builder.hpp"

namespace xbarsim::zoo {

Network make_nin(std::size_t classes, Shape in) {
  Network net(in);
  auto cr = [&](const std::string& name, std::size_t ci, std::size_t co, std::size_t k, std::size_t pad) {
    conv(net, name, conv_spec(ci, co, k, 1, pad));
    relu(net, name + ".relu");
  };
  cr("conv1", in.c, 192, 5, 2);
  cr("cccp1", 192, 160, 1, 0);
  cr("cccp2", 160, 96, 1, 0);
  maxpool(net, "pool1", pool_spec(3, 2, 0, true));
  dropout(net, "drop1", 0.5);
  cr("conv2", 96, 192, 5, 2);
  cr("cccp3", 192, 192, 1, 0);
  cr("cccp4", 192, 192, 1, 0);
  avgpool(net, "pool2", pool_spec(3, 2, 0, true));
  dropout(net, "drop2", 0.5);
  cr("conv3", 192, 192, 3, 1);
  cr("cccp5", 192, 192, 1, 0);
  cr("cccp6", 192, classes, 1, 0);
  gap(net, "pool3");
  return net;
}

}  // namespace xbarsim::zoo

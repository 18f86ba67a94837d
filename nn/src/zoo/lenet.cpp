// LeNet-5 for 28 x 28 inputs (Fashion-MNIST / MNIST).
//
// Layout of LeCun, Bottou, Bengio, Haffner, "Gradient-based learning applied to document
// recognition", Proc. IEEE 86(11), 1998: C1 (6@5x5) - S2 - C3 (16@5x5) - S4 -
// C5 (120@5x5) - F6 (84) - output. The paper feeds 32 x 32 images; padding C1 by 2
// gives the same 28 x 28 C1 maps from 28 x 28 Fashion-MNIST images. Modern choices,
// documented because they differ from 1998: ReLU instead of the scaled tanh, max pooling
// instead of the trainable subsampling, C3 fully connected to S2 (not the partial table)
// and a linear output layer instead of the RBF units. Parameters: 156 + 2,416 + 48,120
// + 10,164 + 850 = 61,706; MACs 416,520 per image.
#include "builder.hpp"

namespace xbarsim::zoo {

Network make_lenet5(std::size_t classes, Shape in) {
  Network net(in);
  conv(net, "conv1", conv_spec(in.c, 6, 5, 1, 2));  // C1
  relu(net, "relu1");
  maxpool(net, "pool1", pool_spec(2, 2));   // S2
  conv(net, "conv2", conv_spec(6, 16, 5));  // C3
  relu(net, "relu2");
  maxpool(net, "pool2", pool_spec(2, 2));     // S4
  conv(net, "conv3", conv_spec(16, 120, 5));  // C5
  relu(net, "relu3");
  flatten(net, "flatten");
  // C5 is 1 x 1 for 28 x 28 inputs; larger inputs leave a map that F6 takes whole.
  const std::size_t h = out_len(out_len(out_len(out_len(in.h, 5, 1, 4), 2, 2, 0), 5, 1, 0) / 2, 5, 1, 0);
  const std::size_t w = out_len(out_len(out_len(out_len(in.w, 5, 1, 4), 2, 2, 0), 5, 1, 0) / 2, 5, 1, 0);
  dense(net, "fc1", 120 * std::max<std::size_t>(h * w, 1), 84);  // F6
  relu(net, "relu4");
  dense(net, "fc2", 84, classes);  // output
  return net;
}

}  // namespace xbarsim::zoo

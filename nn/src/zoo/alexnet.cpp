// AlexNet as published: Krizhevsky, Sutskever, Hinton, "ImageNet classification with
// deep convolutional neural networks", NIPS 2012, with its two-GPU grouping (conv2,
// conv4, conv5 have groups = 2) and local response normalisation after relu1 and relu2.
//
// Input 3 x 227 x 227: the paper states 224, but its 55 x 55 conv1 maps need 227
// ((227 - 11) / 4 + 1 = 55; Caffe's bvlc_alexnet uses 227 for this reason). LRN with the
// paper's constants k = 2, n = 5, alpha = 1e-4, beta = 0.75; the paper's alpha multiplies
// the plain sum of squares, ONNX/PyTorch divide alpha by n, so the layer gets
// alpha = 5 x 1e-4. Dropout 0.5 in the first two fully connected layers.
// Parameters (grouped): 60,965,224 (conv 2,334,080 + fc 58,631,144); MACs 724,406,816
// (conv 665,784,864, the "~666 M" usually quoted, + fc 58,621,952).
#include "builder.hpp"

namespace xbarsim::zoo {

Network make_alexnet(std::size_t classes, Shape in) {
  Network net(in);
  auto lrn = [&](const std::string& name) { net.add(std::make_unique<LRN>(name, 5, 5 * 1e-4, 0.75, 2.0)); };
  conv(net, "conv1", conv_spec(in.c, 96, 11, 4));
  relu(net, "relu1");
  lrn("norm1");
  maxpool(net, "pool1", pool_spec(3, 2));
  conv(net, "conv2", conv_spec(96, 256, 5, 1, 2, 2));
  relu(net, "relu2");
  lrn("norm2");
  maxpool(net, "pool2", pool_spec(3, 2));
  conv(net, "conv3", conv_spec(256, 384, 3, 1, 1));
  relu(net, "relu3");
  conv(net, "conv4", conv_spec(384, 384, 3, 1, 1, 2));
  relu(net, "relu4");
  conv(net, "conv5", conv_spec(384, 256, 3, 1, 1, 2));
  relu(net, "relu5");
  maxpool(net, "pool5", pool_spec(3, 2));
  flatten(net, "flatten");
  auto side = [](std::size_t x) {  // conv1, pool1, pool2, pool5 (the others keep the size)
    return out_len(out_len(out_len(out_len(x, 11, 4, 0), 3, 2, 0), 3, 2, 0), 3, 2, 0);
  };
  dense(net, "fc6", 256 * std::max<std::size_t>(side(in.h) * side(in.w), 1), 4096);
  relu(net, "relu6");
  dropout(net, "drop6", 0.5);
  dense(net, "fc7", 4096, 4096);
  relu(net, "relu7");
  dropout(net, "drop7", 0.5);
  dense(net, "fc8", 4096, classes);
  return net;
}

}  // namespace xbarsim::zoo

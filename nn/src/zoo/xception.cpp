// Xception: Chollet, "Xception: deep learning with depthwise separable convolutions",
// CVPR 2017, laid out as keras.applications.Xception (the author's reference
// implementation; layer names are Keras's): 299 x 299 input, entry flow (blocks 1-4),
// middle flow (blocks 5-12, eight residual blocks of three separable convolutions),
// exit flow (blocks 13-14), global average pooling, fc. A Keras SeparableConv2D is a
// depthwise 3 x 3 convolution ("<name>.depthwise", groups = channels) followed by a
// pointwise 1 x 1 convolution ("<name>.pointwise"), both without bias. Keras's
// BatchNormalization defaults (eps 1e-3, momentum 0.99 = PyTorch momentum 0.01); TF
// "same" padding (the odd extra pixel at the bottom/right) for the pools and shortcuts.
// Parameters 22,855,952: the trainable count Keras reports for Xception (its 22,910,480
// total adds the 54,528 BN moving statistics, which are not parameters here either).
#include <utility>

#include "builder.hpp"

namespace xbarsim::zoo {

namespace {

constexpr double kEps = 1e-3, kMomentum = 0.01;

// TF "same" padding (before, after) of a window k with stride s over n inputs.
std::pair<std::size_t, std::size_t> same_pad(std::size_t n, std::size_t k, std::size_t s) {
  const std::size_t out = (n + s - 1) / s;
  const std::size_t need = (out - 1) * s + k;
  const std::size_t total = need > n ? need - n : 0;
  return {total / 2, total - total / 2};
}

struct Builder {
  Network& net;
  std::size_t h, w;  // current map size (the builders change it only at stride 2)

  std::string bn_(const std::string& name, std::size_t c, Inputs from = {}) {
    return bn(net, name, c, kEps, kMomentum, std::move(from));
  }
  std::string sepconv(const std::string& name, std::size_t in, std::size_t out, Inputs from = {}) {
    conv(net, name + ".depthwise", conv_spec(in, in, 3, 1, 1, in, false), std::move(from));
    conv(net, name + ".pointwise", conv_spec(in, out, 1, 1, 0, 1, false));
    return name + ".pointwise";
  }
  // 3 x 3 stride-2 "same" max pool and the 1 x 1 stride-2 "same" projection shortcut of
  // `x` it is added to; updates the map size.
  std::string pool_add(const std::string& p, const std::string& y, const std::string& x, std::size_t in,
                       std::size_t out) {
    const auto [pt, pb] = same_pad(h, 3, 2);
    const auto [pl, pr] = same_pad(w, 3, 2);
    Pool2DSpec ps = pool_spec(3, 2);
    ps.pad_top = pt, ps.pad_bottom = pb, ps.pad_left = pl, ps.pad_right = pr;
    maxpool(net, p + "_pool", ps, {y});
    const auto [ct, cb] = same_pad(h, 1, 2);
    const auto [cl, cr] = same_pad(w, 1, 2);
    Conv2DSpec cs = conv_spec(in, out, 1, 2, 0, 1, false);
    cs.pad_top = ct, cs.pad_bottom = cb, cs.pad_left = cl, cs.pad_right = cr;
    conv(net, p + "_residual", cs, {x});
    bn_(p + "_residual_bn", out);
    h = (h + 1) / 2;
    w = (w + 1) / 2;
    return add(net, p + "_add", p + "_pool", p + "_residual_bn");
  }
};

}  // namespace

Network make_xception(std::size_t classes, Shape in) {
  Network net(in);
  Builder b{net, 0, 0};
  // Entry flow. Block 1: two valid 3 x 3 convolutions (the first with stride 2).
  conv(net, "block1_conv1", conv_spec(in.c, 32, 3, 2, 0, 1, false));
  b.bn_("block1_conv1_bn", 32);
  relu(net, "block1_conv1_act");
  conv(net, "block1_conv2", conv_spec(32, 64, 3, 1, 0, 1, false));
  b.bn_("block1_conv2_bn", 64);
  std::string x = relu(net, "block1_conv2_act");
  b.h = out_len(out_len(in.h, 3, 2, 0), 3, 1, 0);
  b.w = out_len(out_len(in.w, 3, 2, 0), 3, 1, 0);
  // Block 2 starts without a ReLU (its input just had one); blocks 3, 4 and 13 with one.
  b.sepconv("block2_sepconv1", 64, 128, {x});
  b.bn_("block2_sepconv1_bn", 128);
  relu(net, "block2_sepconv2_act");
  b.sepconv("block2_sepconv2", 128, 128);
  x = b.pool_add("block2", b.bn_("block2_sepconv2_bn", 128), x, 64, 128);
  std::size_t c = 128;
  for (auto [blk, out] : {std::pair<int, std::size_t>{3, 256}, {4, 728}}) {
    const std::string p = "block" + std::to_string(blk);
    relu(net, p + "_sepconv1_act", {x});
    b.sepconv(p + "_sepconv1", c, out);
    b.bn_(p + "_sepconv1_bn", out);
    relu(net, p + "_sepconv2_act");
    b.sepconv(p + "_sepconv2", out, out);
    x = b.pool_add(p, b.bn_(p + "_sepconv2_bn", out), x, c, out);
    c = out;
  }
  // Middle flow: eight identity-shortcut blocks of three ReLU-sepconv-BN units.
  for (int blk = 5; blk <= 12; ++blk) {
    const std::string p = "block" + std::to_string(blk);
    std::string y = x;
    for (int k = 1; k <= 3; ++k) {
      const std::string q = p + "_sepconv" + std::to_string(k);
      relu(net, q + "_act", {y});
      b.sepconv(q, 728, 728);
      y = b.bn_(q + "_bn", 728);
    }
    x = add(net, p + "_add", y, x);
  }
  // Exit flow.
  relu(net, "block13_sepconv1_act", {x});
  b.sepconv("block13_sepconv1", 728, 728);
  b.bn_("block13_sepconv1_bn", 728);
  relu(net, "block13_sepconv2_act");
  b.sepconv("block13_sepconv2", 728, 1024);
  x = b.pool_add("block13", b.bn_("block13_sepconv2_bn", 1024), x, 728, 1024);
  b.sepconv("block14_sepconv1", 1024, 1536, {x});
  b.bn_("block14_sepconv1_bn", 1536);
  relu(net, "block14_sepconv1_act");
  b.sepconv("block14_sepconv2", 1536, 2048);
  b.bn_("block14_sepconv2_bn", 2048);
  relu(net, "block14_sepconv2_act");
  gap(net, "avg_pool");
  dense(net, "predictions", 2048, classes);
  return net;
}

}  // namespace xbarsim::zoo

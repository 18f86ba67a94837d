// Weight quantisation transforms: symmetric uniform, binary (BinaryConnect / BWN) and
// ternary (TWN). Schemes documented in compress.hpp.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <xbarsim/core/error.hpp>

#include "common.hpp"

namespace xbarsim {

using namespace compress_detail;

namespace {

template <class P>
void validate(const P& p, const char* prefix) {
  ProblemList problems;
  P::table().validate_struct(p, prefix, problems);
  problems.throw_if_any();
}

// Applies `rule(begin, end)` to each group of a weight tensor (whole tensor or each
// output channel), records the max error and finishes the layer entry.
template <class Rule>
CompressionReport transform_weights(Network& net, const std::vector<std::string>& names, const char* transform,
                                    bool per_channel, Rule rule) {
  CompressionReport r;
  r.transform = transform;
  const auto nodes = select_layers(net, names, false, transform);
  count_into(net, r, false);
  for (std::size_t k : nodes) {
    LayerCompression e = layer_entry(net, k);
    Tensor& w = weight_of(net.layer(k))->value;
    const Tensor old = w;
    const std::size_t groups = per_channel ? rows_of(w) : 1;
    const std::size_t len = w.size() / groups;
    for (std::size_t g = 0; g < groups; ++g) rule(w.data() + g * len, w.data() + (g + 1) * len, e);
    for (std::size_t i = 0; i < w.size(); ++i)
      e.max_abs_error = std::max(e.max_abs_error, std::abs(static_cast<double>(w[i]) - old[i]));
    e.new_layers = {e.name};
    e.params_after = e.params_before;
    e.weights_after = w.size();
    e.nonzero_after = count_nonzero(w);
    r.layers.push_back(std::move(e));
  }
  count_into(net, r, true);
  return r;
}

double mean_abs(const float* b, const float* e) {
  double s = 0.0;
  for (const float* p = b; p != e; ++p) s += std::abs(static_cast<double>(*p));
  return e > b ? s / static_cast<double>(e - b) : 0.0;
}

std::string fmt(const char* f, double a, double b = 0.0) {
  char buf[128];
  std::snprintf(buf, sizeof buf, f, a, b);
  return buf;
}

}  // namespace

CompressionReport quantize(Network& net, const QuantizeParams& p, const std::vector<std::string>& layers) {
  validate(p, "quantize");
  const double L = std::ldexp(1.0, p.bits - 1) - 1.0;  // positive levels
  auto rule = [&](float* b, float* e, LayerCompression& lc) {
    double m = 0.0;
    for (float* q = b; q != e; ++q) m = std::max(m, std::abs(static_cast<double>(*q)));
    const double step = m / L;
    lc.scales.push_back(step);
    if (step == 0.0) return;  // an all-zero group stays zero
    for (float* q = b; q != e; ++q) {
      const double level = std::clamp(std::round(static_cast<double>(*q) / step), -L, L);
      *q = static_cast<float>(level * step);
    }
  };
  CompressionReport r = transform_weights(net, layers, "quantize", p.granularity == "per_channel", rule);
  for (auto& lc : r.layers) {
    lc.bits = p.bits;
    lc.levels = static_cast<std::size_t>(2.0 * L + 1.0);
    lc.detail = std::to_string(p.bits) + " bits, " + std::to_string(lc.levels) + " levels, " + p.granularity +
                fmt(", max error %.4g", lc.max_abs_error);
  }
  return r;
}

CompressionReport binarize(Network& net, const BinarizeParams& p, const std::vector<std::string>& layers) {
  validate(p, "binarize");
  auto rule = [&](float* b, float* e, LayerCompression& lc) {
    const double alpha = p.scale == "none" ? 1.0 : mean_abs(b, e);
    lc.scales.push_back(alpha);
    for (float* q = b; q != e; ++q) *q = static_cast<float>(*q >= 0.0f ? alpha : -alpha);  // sign(0) = +1
  };
  CompressionReport r = transform_weights(net, layers, "binarize", p.scale == "channel_mean_abs", rule);
  for (auto& lc : r.layers) {
    lc.bits = 1;
    lc.levels = 2;
    lc.detail = "binary, scale " + p.scale + fmt(", alpha %.4g", lc.scales.empty() ? 0.0 : lc.scales[0]);
  }
  return r;
}

CompressionReport ternarize(Network& net, const TernarizeParams& p, const std::vector<std::string>& layers) {
  validate(p, "ternarize");
  auto rule = [&](float* b, float* e, LayerCompression& lc) {
    const double delta = p.threshold_factor * mean_abs(b, e);
    double sum = 0.0;
    std::size_t n = 0;
    for (float* q = b; q != e; ++q)
      if (std::abs(static_cast<double>(*q)) > delta) {
        sum += std::abs(static_cast<double>(*q));
        ++n;
      }
    const double alpha = n > 0 ? sum / static_cast<double>(n) : 0.0;
    lc.threshold = delta;
    lc.scales.push_back(alpha);
    for (float* q = b; q != e; ++q) {
      const double v = *q;
      *q = static_cast<float>(v > delta ? alpha : (v < -delta ? -alpha : 0.0));
    }
  };
  CompressionReport r = transform_weights(net, layers, "ternarize", false, rule);
  for (auto& lc : r.layers) {
    lc.levels = 3;
    lc.detail = fmt("ternary, delta %.4g, alpha %.4g", lc.threshold, lc.scales.empty() ? 0.0 : lc.scales[0]);
  }
  return r;
}

}  // namespace xbarsim

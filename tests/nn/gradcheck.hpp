#pragma once
// Numerical gradient check of one layer: loss L = sum(r . y) with fixed random r, so
// dL/dy = r; the analytic input and parameter gradients from backward() are compared
// with central differences (L(x + h) - L(x - h)) / 2h evaluated in float. Reference:
// the definition of the derivative; tolerance from float rounding of the forward pass.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>
#include <xbarsim/core/random.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim::test {

inline Tensor random_tensor(Shape s, std::uint32_t stream, float scale = 1.0f) {
  Tensor t(s);
  std::vector<float> z(t.size());
  normal_block(z.data(), z.size(), RngKey(11, rng_purpose("test.nn")), StreamId{stream, 0, 0});
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = scale * z[i];
  return t;
}

struct GradCheckOptions {
  float h = 1e-2f;        // finite-difference step
  double rel_tol = 2e-2;  // |num - ana| <= rel_tol * max(|num|, |ana|) + abs_tol
  double abs_tol = 2e-3;
  std::size_t max_checks = 60;  // entries checked per tensor (spread over the tensor)
  bool training = true;
};

inline double probe_loss(Layer& layer, const std::vector<Tensor>& inputs, const Tensor& r, const LayerContext& ctx) {
  std::vector<const Tensor*> in;
  for (const auto& t : inputs) in.push_back(&t);
  std::vector<Shape> shapes;
  for (const auto& t : inputs) shapes.push_back(t.shape());
  Tensor y(layer.output_shape(shapes));
  layer.forward(in, y, ctx);
  double l = 0.0;
  for (std::size_t e = 0; e < y.size(); ++e) l += static_cast<double>(r[e]) * y[e];
  return l;
}

/// Checks d/dx of every input and every parameter of `layer` at `inputs`.
inline void check_gradients(Layer& layer, std::vector<Tensor> inputs, GradCheckOptions o = {}) {
  DigitalBackend backend;
  LayerContext ctx;
  ctx.training = o.training;
  ctx.backend = &backend;
  ctx.seed = 5;
  std::vector<Shape> shapes;
  for (const auto& t : inputs) shapes.push_back(t.shape());
  const Shape out_shape = layer.output_shape(shapes);
  const Tensor r = random_tensor(out_shape, 99);
  // Analytic gradients.
  std::vector<const Tensor*> in;
  for (const auto& t : inputs) in.push_back(&t);
  Tensor y(out_shape);
  layer.forward(in, y, ctx);
  for (Param* p : layer.params()) p->grad.fill(0.0f);
  std::vector<Tensor> din(inputs.size());
  std::vector<Tensor*> dinp;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    din[k].resize(inputs[k].shape());
    dinp.push_back(&din[k]);
  }
  layer.backward(in, y, r, dinp, ctx);
  auto compare = [&](float& x, double analytic, const std::string& what) {
    const float saved = x;
    x = saved + o.h;
    const double lp = probe_loss(layer, inputs, r, ctx);
    x = saved - o.h;
    const double lm = probe_loss(layer, inputs, r, ctx);
    x = saved;
    const double numeric = (lp - lm) / (2.0 * o.h);
    INFO(layer.name() << " " << what << ": numeric " << numeric << ", analytic " << analytic);
    CHECK(std::abs(numeric - analytic) <= o.rel_tol * std::max(std::abs(numeric), std::abs(analytic)) + o.abs_tol);
  };
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const std::size_t n = inputs[k].size(), stride = std::max<std::size_t>(1, n / o.max_checks);
    for (std::size_t e = 0; e < n; e += stride)
      compare(inputs[k][e], din[k][e], "input " + std::to_string(k) + "[" + std::to_string(e) + "]");
  }
  for (Param* p : layer.params()) {
    const std::size_t n = p->value.size(), stride = std::max<std::size_t>(1, n / o.max_checks);
    const Tensor g = p->grad;
    for (std::size_t e = 0; e < n; e += stride) compare(p->value[e], g[e], p->name + "[" + std::to_string(e) + "]");
  }
}

}  // namespace xbarsim::test

// Hardware-aware training backend: modifier statistics by their definitions.
#include <catch2/catch.hpp>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/hwa_backend.hpp>

using namespace xbarsim;

TEST_CASE("HWA weight modifiers follow aihwkit's definitions", "[mapping][hwa]") {
  arma::arma_rng::set_seed(3);
  const arma::fmat W = arma::randu<arma::fmat>(200, 300) - 0.5f;  // w_max ~ 0.5
  const arma::fmat X = arma::eye<arma::fmat>(300, 300);
  const float w_max = arma::abs(W).max();
  arma::fmat Y;
  HwaParams p;
  p.modifier = "add-normal";
  p.std_dev = 0.05;
  HwaBackend add(p);
  add.forward(MatVecId{1, 0, "fc"}, W, X, Y);  // Y = W' I = W'
  // W' - W ~ N(0, (0.05 w_max)^2): 60,000 samples, std within 2% (4 standard errors).
  const arma::fmat d = Y - W;
  CHECK(arma::stddev(arma::vectorise(d)) == Approx(0.05 * w_max).epsilon(0.02));
  CHECK(std::abs(arma::mean(arma::vectorise(d))) < 4 * 0.05 * w_max / std::sqrt(60000.0));
  // The backward pass uses the same perturbed weights: dX = W'^T dY.
  arma::fmat dX;
  add.backward(MatVecId{1, 0, "fc"}, W, arma::eye<arma::fmat>(200, 200), dX);
  CHECK(arma::approx_equal(dX, Y.t(), "absdiff", 0.0f));
  // A new forward draws new noise.
  arma::fmat Y2;
  add.forward(MatVecId{1, 0, "fc"}, W, X, Y2);
  CHECK_FALSE(arma::approx_equal(Y, Y2, "absdiff", 0.0f));

  p.modifier = "mult-normal";
  HwaBackend mult(p);
  mult.forward(MatVecId{1, 0, "fc"}, W, X, Y);
  // W' / W - 1 ~ N(0, 0.05^2) wherever W is not tiny.
  const arma::uvec big = arma::find(arma::abs(W) > 0.1f);
  const arma::fvec rel = Y.elem(big) / W.elem(big) - 1.0f;
  CHECK(arma::stddev(rel) == Approx(0.05).epsilon(0.03));

  p.modifier = "discretize";
  p.res = 0.1;
  HwaBackend disc(p);
  disc.forward(MatVecId{1, 0, "fc"}, W, X, Y);
  // Every weight on the grid k (0.1 w_max), within half a step of W.
  const arma::fmat k = Y / (0.1f * w_max);
  CHECK(arma::abs(k - arma::round(k)).max() < 1e-3f);
  CHECK(arma::abs(Y - W).max() <= 0.05f * w_max * 1.0001f);

  p.modifier = "sometimes";
  CHECK_THROWS_AS(HwaBackend(p), ConfigError);
}

TEST_CASE("HWA noise is keyed by the pass: set_pass repeats a later pass", "[mapping][hwa]") {
  const arma::fmat W = arma::linspace<arma::frowvec>(-1, 1, 60);  // 1 output x 60 inputs
  const arma::fmat X = arma::ones<arma::fmat>(60, 1);
  HwaParams p;
  p.std_dev = 0.1;
  HwaBackend a(p), b(p);
  arma::fmat y0, y1, y2, z;
  const MatVecId id{2, 0, "fc"};
  a.forward(id, W, X, y0);
  a.forward(id, W, X, y1);
  a.forward(id, W, X, y2);
  CHECK_FALSE(arma::approx_equal(y1, y2, "absdiff", 0.0f));
  b.set_pass(1);  // a resumed run at step 1 draws pass 1, then pass 2
  b.forward(id, W, X, z);
  CHECK(arma::approx_equal(z, y1, "absdiff", 0.0f));
  b.forward(id, W, X, z);
  CHECK(arma::approx_equal(z, y2, "absdiff", 0.0f));
}

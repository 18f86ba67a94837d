// Optimisers and learning-rate schedules against PyTorch's torch.optim formulas.
//
// Every case: a 2-element parameter p = [1, -2] and the gradients g1 = [0.5, -0.3],
// g2 = [0.1, 0.4], g3 = [-0.2, 0.25] for three steps. Expected values are the
// documented torch.optim (1.13) update rules evaluated by hand in double precision (the
// recurrences are written next to each case); they also agree with torch 1.13 itself
// run on the same numbers to float precision.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/optimizer.hpp>

using namespace xbarsim;

namespace {

const float kGrads[3][2] = {{0.5f, -0.3f}, {0.1f, 0.4f}, {-0.2f, 0.25f}};

Param make_p(bool decay = true) {
  Param p{std::string("w"), Tensor(Shape{2, 1, 1, 1}), Tensor(Shape{2, 1, 1, 1}), decay};
  p.value[0] = 1.0f;
  p.value[1] = -2.0f;
  return p;
}

// Runs three steps and checks the parameter after each against expected[step][i].
void check_steps(Optimizer& opt, double lr, const double (&expected)[3][2], bool decay = true) {
  Param p = make_p(decay);
  std::vector<Param*> ps{&p};
  for (int s = 0; s < 3; ++s) {
    p.grad[0] = kGrads[s][0];
    p.grad[1] = kGrads[s][1];
    opt.step(ps, lr);
    INFO("step " << s + 1);
    CHECK(p.value[0] == Approx(expected[s][0]).epsilon(2e-6));
    CHECK(p.value[1] == Approx(expected[s][1]).epsilon(2e-6));
  }
}

}  // namespace

TEST_CASE("SGD with Nesterov momentum and weight decay follows torch.optim.SGD", "[nn][optim]") {
  // d = g + 0.01 p; buf1 = d; buf = 0.9 buf + d; u = d + 0.9 buf; p -= 0.1 u.
  // Step 1: d = [0.51, -0.32], buf = d, u = 1.9 d = [0.969, -0.608] -> p = [0.9031, -1.9392].
  const double want[3][2] = {{0.9031, -1.9392}, {0.84107411, -1.98559552}, {0.831465558191, -2.036824136512}};
  Sgd opt(0.9, 0.0, true, 0.01);
  check_steps(opt, 0.1, want);
}

TEST_CASE("SGD with dampened momentum: the first step ignores dampening", "[nn][optim]") {
  // buf1 = d (no dampening, PyTorch's clone), then buf = 0.9 buf + 0.5 d; p -= 0.1 buf.
  // Step 1: p = [1 - 0.051, -2 + 0.032] = [0.949, -1.968].
  const double want[3][2] = {{0.949, -1.968}, {0.8976255, -1.958216}, {0.86093963725, -1.960931292}};
  Sgd opt(0.9, 0.5, false, 0.01);
  check_steps(opt, 0.1, want);
}

TEST_CASE("weight decay skips parameters with decay = false", "[nn][optim]") {
  // Same as Nesterov without decay: step 1 u = 1.9 g = [0.95, -0.57] -> [0.905, -1.943].
  const double want[3][2] = {{0.905, -1.943}, {0.8455, -1.9947}, {0.83895, -2.0527298}};
  Sgd opt(0.9, 0.0, true, 0.01);
  check_steps(opt, 0.1, want, /*decay=*/false);
}

TEST_CASE("plain SGD is p -= lr (g + wd p)", "[nn][optim]") {
  // Step 1: [1 - 0.1 (0.5 + 0.1), -2 - 0.1 (-0.3 - 0.2)] = [0.94, -1.95]; then
  // [0.94 - 0.1 (0.1 + 0.094), -1.95 - 0.1 (0.4 - 0.195)] = [0.9206, -1.9705];
  // [0.9206 - 0.1 (-0.2 + 0.09206), -1.9705 - 0.1 (0.25 - 0.19705)] = [0.931394, -1.975795].
  const double want[3][2] = {{0.94, -1.95}, {0.9206, -1.9705}, {0.931394, -1.975795}};
  Sgd opt(0.0, 0.0, false, 0.1);
  check_steps(opt, 0.1, want);
}

TEST_CASE("Adagrad follows torch.optim.Adagrad (eps 1e-10)", "[nn][optim]") {
  // d = g + 0.01 p; sum += d^2; p -= 0.1 d / (sqrt(sum) + 1e-10).
  // Step 1: d / |d| = sign -> p = [0.9, -1.9] (up to eps).
  const double want[3][2] = {{0.9000000000196078, -1.90000000003125},
                             {0.8790994740831358, -1.9765744456731134},
                             {0.913522677144131, -2.01856948411}};
  Adagrad opt(0.0, 0.01);
  check_steps(opt, 0.1, want);
}

TEST_CASE("RMSprop follows torch.optim.RMSprop (alpha 0.99, eps 1e-8)", "[nn][optim]") {
  // d = g + 0.01 p; v = 0.99 v + 0.01 d^2; p -= 0.01 d / (sqrt(v) + 1e-8).
  // Step 1: d / sqrt(0.01 d^2) = 10 sign(d) -> p = [0.9, -1.9].
  const double want[3][2] = {{0.9000000196078394, -1.9000000312499903},
                             {0.8789988375062937, -1.976733323949027},
                             {0.9137214150870586, -2.0189740232194224}};
  RmsProp opt(0.99, 1e-8, 0.01);
  check_steps(opt, 0.01, want);
}

TEST_CASE("RMSprop centered with momentum", "[nn][optim]") {
  // v = 0.99 v + 0.01 g^2; a = 0.99 a + 0.01 g; avg = sqrt(v - a^2) + 1e-8;
  // buf = 0.9 buf + g / avg; p -= 0.01 buf. Step 1: v - a^2 = 0.0099 g^2, so
  // p = p - 0.01 sign(g) / sqrt(0.0099) = [0.89949626, -1.89949626].
  // Later steps: torch 1.13 output for the same inputs.
  const double want[3][2] = {{0.8994962573051453, -1.8994961977005005},
                             {0.7891994118690491, -1.8892042636871338},
                             {0.7268548011779785, -1.9249979257583618}};
  RmsProp opt(0.99, 1e-8, 0.0, 0.9, true);
  check_steps(opt, 0.01, want);
}

TEST_CASE("Adam follows torch.optim.Adam with bias correction", "[nn][optim]") {
  // d = g + 0.01 p; m = 0.9 m + 0.1 d; v = 0.999 v + 0.001 d^2;
  // p -= (0.1 / (1 - 0.9^t)) m / (sqrt(v) / sqrt(1 - 0.999^t) + 1e-8).
  // Step 1: m_hat / sqrt(v_hat) = sign(d) -> p = [0.9, -1.9].
  const double want[3][2] = {{0.9000000019607843, -1.900000003125},
                             {0.8189151743261174, -1.9139118393515373},
                             {0.7821658470448363, -1.9505683324947898}};
  Adam opt(0.9, 0.999, 1e-8, 0.01);
  check_steps(opt, 0.1, want);
}

TEST_CASE("optimiser state is per parameter and reset forgets it", "[nn][optim]") {
  // Two parameters stepped together must each follow the single-parameter sequence.
  Adam opt;
  Param a = make_p(), b = make_p();
  std::vector<Param*> ps{&a, &b};
  a.grad[0] = b.grad[0] = 0.5f;
  a.grad[1] = b.grad[1] = -0.3f;
  opt.step(ps, 0.1);
  CHECK(a.value[0] == b.value[0]);
  // After reset the next step is again a first step: Adam's first step moves by lr.
  opt.reset();
  const float before = a.value[0];
  a.grad[0] = 7.0f;
  std::vector<Param*> one{&a};
  opt.step(one, 0.1);
  CHECK(a.value[0] == Approx(before - 0.1).epsilon(1e-6));
}

TEST_CASE("optimiser configuration errors", "[nn][optim]") {
  CHECK_THROWS_AS(Sgd(0.0, 0.0, true), ConfigError);  // Nesterov needs momentum
  CHECK_THROWS_AS(Sgd(0.9, 0.1, true), ConfigError);  // and zero dampening
  CHECK_THROWS_AS(Sgd(-0.1), ConfigError);
  CHECK_THROWS_AS(Adam(1.0), ConfigError);
  OptimizerConfig c;
  c.kind = "lbfgs";
  CHECK_THROWS_AS(make_optimizer(c), ConfigError);
  c.kind = "adagrad";
  CHECK(make_optimizer(c)->name() == "adagrad");
  c.kind = "rmsprop";
  CHECK(make_optimizer(c)->name() == "rmsprop");
}

TEST_CASE("learning-rate schedules use PyTorch's closed forms", "[nn][schedule]") {
  LrSchedule s;
  s.base_lr = 0.1;
  CHECK(s.lr(0) == 0.1);
  CHECK(s.lr(17) == 0.1);
  // StepLR(step_size 3, gamma 0.5): epochs 0-2 -> 0.1, 3-5 -> 0.05, 6 -> 0.025.
  s.kind = ScheduleKind::Step;
  s.step_size = 3;
  s.gamma = 0.5;
  CHECK(s.lr(2) == Approx(0.1));
  CHECK(s.lr(3) == Approx(0.05));
  CHECK(s.lr(5) == Approx(0.05));
  CHECK(s.lr(6) == Approx(0.025));
  // ExponentialLR(gamma 0.9): 0.1 * 0.9^2 = 0.081.
  s.kind = ScheduleKind::Exponential;
  s.gamma = 0.9;
  CHECK(s.lr(2) == Approx(0.081));
  // CosineAnnealingLR(T_max 10, eta_min 0.001): epoch 0 -> 0.1, 5 -> (0.1 + 0.001) / 2,
  // 10 -> 0.001, 2 -> 0.001 + 0.099 (1 + cos(pi / 5)) / 2 = 0.09554...
  s.kind = ScheduleKind::Cosine;
  s.t_max = 10;
  s.eta_min = 0.001;
  CHECK(s.lr(0) == Approx(0.1));
  CHECK(s.lr(5) == Approx(0.0505));
  CHECK(s.lr(10) == Approx(0.001));
  CHECK(s.lr(2) == Approx(0.001 + 0.099 * (1 + 0.8090169943749475) / 2));
  s.t_max = 0;
  CHECK_THROWS_AS(s.validate(), ConfigError);
}

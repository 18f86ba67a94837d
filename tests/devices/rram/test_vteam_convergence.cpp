// Convergence order of the VTEAM block integration (Odeint through odeint_adapter.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>
#include <xbarsim/devices/rram_vteam.hpp>

using namespace xbarsim;

namespace {
// SET transient with the Biolek window at p = 1: toward ON f(u) = 1 - (1 - u)^2 = u (2 - u),
// so du/dt = r u (2 - u) is logistic with the closed form u(t) = 2/(1 + exp(-2 r t)) from
// u(0) = 1 (r < 0). Duration chosen so r T = -2, u(T) = 2/(1 + e^4) = 0.036.
VteamParams transient_params() {
  VteamParams p;
  p.window = "biolek";
  p.window_p = 1;
  return p;
}

double exact(double r, double t) { return 2.0 / (1.0 + std::exp(-2.0 * r * t)); }

double run(VteamParams p, const std::string& integrator, int steps, double rate, double t_end) {
  p.integrator = integrator;
  p.fixed_steps = steps;
  std::vector<double> u{1.0};
  vteam_integrate(p, u, {rate}, t_end);
  return u[0];
}

// Least-squares slope of log(error) against log(steps).
double order(const std::vector<int>& n, const std::vector<double>& err) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double m = static_cast<double>(n.size());
  for (std::size_t k = 0; k < n.size(); ++k) {
    const double x = std::log(static_cast<double>(n[k])), y = std::log(err[k]);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  return -(m * sxy - sx * sy) / (m * sxx - sx * sx);
}
}  // namespace

TEST_CASE("VTEAM transient converges with order 4 (RK4) and 1 (Euler)", "[devices][rram]") {
  // References: the logistic closed form above, and a very fine adaptive Dormand-Prince
  // solution (tolerance 1e-13) that must agree with it; the theoretical orders of the
  // classical Runge-Kutta (4) and forward Euler (1) methods.
  const VteamParams p = transient_params();
  const double r = vteam_drive_rate(p, p.set_voltage_V);
  REQUIRE(r < 0.0);
  const double t_end = -2.0 / r;
  const double ref = exact(r, t_end);

  VteamParams fine = p;
  fine.ode_abs_tol = 1e-14;
  fine.ode_rel_tol = 1e-13;
  const double adaptive = run(fine, "dopri5", 0, r, t_end);
  CHECK(adaptive == Approx(ref).epsilon(1e-10));

  const std::vector<int> n_rk4{8, 16, 32, 64, 128};
  std::vector<double> e_rk4;
  for (int n : n_rk4) e_rk4.push_back(std::abs(run(p, "rk4", n, r, t_end) - adaptive));
  const double q_rk4 = order(n_rk4, e_rk4);
  INFO("RK4 errors " << e_rk4[0] << " ... " << e_rk4.back());
  CHECK(q_rk4 == Approx(4.0).margin(0.25));

  const std::vector<int> n_euler{100, 200, 400, 800, 1600};
  std::vector<double> e_euler;
  for (int n : n_euler) e_euler.push_back(std::abs(run(p, "euler", n, r, t_end) - adaptive));
  const double q_euler = order(n_euler, e_euler);
  INFO("Euler errors " << e_euler[0] << " ... " << e_euler.back());
  CHECK(q_euler == Approx(1.0).margin(0.1));
}

TEST_CASE("A SET pulse through the model matches the closed-form transient", "[devices][rram]") {
  // Reference: the logistic closed form above; the model stores u as float (6e-8).
  VteamParams p = transient_params();
  const double r = vteam_drive_rate(p, p.set_voltage_V);
  ParamValues v{{"window_p", std::int64_t{1}}, {"set_width_s", -2.0 / r}};
  const VteamModel m(VteamParams::table().make(v));
  DeviceState s = m.create_state(3, 2, 5, 0);
  apply_pulses_all(m, s, PulseCounts(3, 2, arma::fill::value(1)));
  for (arma::uword k = 0; k < 6; ++k) CHECK(s.field(VteamModel::kState)(k) == Approx(exact(r, -2.0 / r)).epsilon(1e-5));
  // Two pulses of half the width give the same state (no dynamics between pulses).
  const VteamModel half(VteamParams::table().make({{"window_p", std::int64_t{1}}, {"set_width_s", -1.0 / r}}));
  DeviceState s2 = half.create_state(1, 1, 5, 0);
  apply_pulses_all(half, s2, PulseCounts(1, 1, arma::fill::value(2)));
  CHECK(s2.field(VteamModel::kState)(0, 0) == Approx(exact(r, -2.0 / r)).epsilon(1e-5));
}

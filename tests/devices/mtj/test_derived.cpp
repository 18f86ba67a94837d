// Derived magnetic quantities, Julliere TMR and its bias dependence for the mtj family,
// checked against the values worked out in device_physics.md §4 (an independent hand
// calculation from the ARM-MRAM and UT-MTJ parameters) and the closed forms of §4.1.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>
#include <xbarsim/devices/mtj.hpp>

using namespace xbarsim;

TEST_CASE("ARM-MRAM defaults reproduce the sheet's derived Delta, H_k, I_c0 and tau_D", "[devices][mtj]") {
  // Reference: device_physics.md §4.2 "Derived values [D]" for the ARM defaults:
  // K_eff = 1.75e5 J/m^3, V = 1.96e-24 m^3, Delta(300 K) ~ 83, mu0 H_k ~ 0.29 T,
  // tau_D ~ 1.95 ns, I_c0 ~ 42 uA at eta = 0.5 and ~70 uA at eta = 0.3. The sheet rounds
  // to 2-3 digits, so the tolerance is 2%.
  const MtjParams p;
  const MtjDerived d = mtj_derived(p);
  CHECK(d.k_eff_J_per_m3 == Approx(1.75e5).epsilon(0.02));
  CHECK(d.volume_m3 == Approx(1.96e-24).epsilon(0.02));
  CHECK(d.delta == Approx(83).epsilon(0.02));
  CHECK(1.25663706212e-6 * d.h_k_A_per_m == Approx(0.29).epsilon(0.02));
  CHECK(d.tau_d_s == Approx(1.95e-9).epsilon(0.02));
  CHECK(d.i_c0_A == Approx(42e-6).epsilon(0.02));
  MtjParams p3;
  p3.eta = 0.3;
  CHECK(mtj_derived(p3).i_c0_A == Approx(70e-6).epsilon(0.02));
  // The sheet's precession period 2 pi/(gamma0 mu0 H_k) ~ 0.12 ns (§1 table).
  CHECK(2 * std::numbers::pi / (1.76085963023e11 * 1.25663706212e-6 * d.h_k_A_per_m) == Approx(0.12e-9).epsilon(0.03));
}

TEST_CASE("UT Austin UTA parameters give the sheet's low barrier", "[devices][mtj]") {
  // Reference: device_physics.md §4.2: UTA device K_eff = 3.8e4 J/m^3, Delta(300 K) ~ 20
  // (parameters from UT-MTJ mtj_parameters.json SWRITE.UTA and the sheet's demag factors).
  MtjParams p;
  p.k_i_J_per_m2 = 1.0056364e-3;
  p.t_fl_m = 1.1e-9;
  p.alpha = 0.03;
  p.demag_nx = 0.0106;
  p.demag_nz = 0.9788;
  const MtjDerived d = mtj_derived(p);
  CHECK(d.k_eff_J_per_m3 == Approx(3.8e4).epsilon(0.02));
  CHECK(d.delta == Approx(20).epsilon(0.03));
}

TEST_CASE("Delta scales as 1/T and I_c0 = 4 e alpha kT Delta/(hbar eta) is temperature independent", "[devices][mtj]") {
  // Reference: Delta = K_eff V/(kB T) (§4.2), so Delta(T) T is constant, and I_c0 contains
  // kB T Delta = K_eff V, independent of T.
  MtjParams a, b;
  b.temperature_K = 400.0;
  const auto da = mtj_derived(a), db = mtj_derived(b);
  CHECK(db.delta == Approx(da.delta * 300.0 / 400.0).epsilon(1e-12));
  CHECK(db.i_c0_A == Approx(da.i_c0_A).epsilon(1e-12));
}

TEST_CASE("Julliere TMR and its bias dependence set the read conductance", "[devices][mtj]") {
  // References: Julliere TMR = 2 P^2/(1 - P^2) = 2.57 for P = 0.75 (ARM
  // conductance_parameters.va, device_physics.md §4.1 [C]); TMR(V) = TMR0/(1 + V^2/V_h^2)
  // (§4.1), so R_AP/R_P - 1 is TMR0 at V -> 0, TMR0/2 at V = V_h, TMR0/5 at V = 2 V_h.
  const MtjParams p;
  const MtjModel m(p);
  CHECK(m.derived().tmr0 == Approx(2.57).epsilon(0.002));
  const double tmr0 = 2 * 0.75 * 0.75 / (1 - 0.75 * 0.75);
  for (double v : {1e-6, 0.1, 0.5, 1.0}) {
    const double g_p = m.nominal_conductance_S(1u, v), g_ap = m.nominal_conductance_S(0u, v);
    CHECK(g_p == Approx(1.0 / 6e3).epsilon(1e-12));  // R_P = 6 kOhm (ARM p_r_p), bias independent
    CHECK(g_p / g_ap - 1.0 == Approx(tmr0 / (1.0 + v * v / 0.25)).epsilon(1e-9));
  }
  // The fresh (reset) cell is the AP state: g_min at the default read voltage 0.1 V.
  CHECK(m.g_min_S() == Approx(1.0 / (6e3 * (1.0 + tmr0 / (1.0 + 0.01 / 0.25)))).epsilon(1e-9));
  CHECK(m.g_max_S() == Approx(1.0 / 6e3).epsilon(1e-9));
}

TEST_CASE("multi-level cells have 2^n distinct, evenly spaced levels for binary areas", "[devices][mtj]") {
  // Reference (closed form): MTJ k has area 2^k, so G_P,k = 2^k G_P and R_k = R/2^k.
  // Parallel: G = sum_k 2^k (x_k G_P + (1 - x_k) G_AP) = const + (G_P - G_AP) * value(mask),
  // evenly spaced in the binary value of the mask at any common bias. Series (at vanishing
  // bias): R = sum_k (R_P/2^k)(1 + TMR (1 - x_k)), evenly spaced in R by R_P TMR / 2^(n-1).
  for (const char* topo : {"parallel", "series"}) {
    MtjParams p;
    p.mtjs_per_cell = 3;
    p.cell_topology = topo;
    const MtjModel m(p);
    const double v = std::string(topo) == "series" ? 1e-6 : 0.1;
    std::vector<double> levels;
    for (unsigned mask = 0; mask < 8; ++mask) levels.push_back(m.nominal_conductance_S(mask, v));
    std::vector<double> sorted = levels;
    std::sort(sorted.begin(), sorted.end());
    INFO(topo);
    for (std::size_t k = 1; k < sorted.size(); ++k) CHECK(sorted[k] > sorted[k - 1] * (1 + 1e-6));
    // All-AP and all-P are the extreme levels, and g_min/g_max are them at the read voltage.
    CHECK(sorted.front() == levels[0]);
    CHECK(sorted.back() == levels[7]);
    CHECK(m.g_min_S() == Approx(m.nominal_conductance_S(0u, 0.1)).epsilon(1e-12));
    CHECK(m.g_max_S() == Approx(m.nominal_conductance_S(7u, 0.1)).epsilon(1e-12));
    const double g_p = 1.0 / 6e3, tmr = m.derived().tmr0 / (1.0 + v * v / 0.25);
    if (std::string(topo) == "parallel") {
      const double step = g_p - g_p / (1 + tmr);
      for (unsigned mask = 0; mask < 8; ++mask) CHECK(levels[mask] == Approx(levels[0] + step * mask).epsilon(1e-9));
    } else {
      // Bit k set lowers R by R_P TMR / 2^k: the level order is by the reversed bits.
      for (unsigned mask = 0; mask < 8; ++mask) {
        double r = 0;
        for (int k = 0; k < 3; ++k) r += 6e3 / (1 << k) * (1 + tmr * (((mask >> k) & 1u) ? 0 : 1));
        CHECK(1.0 / levels[mask] == Approx(r).epsilon(1e-6));
      }
      for (std::size_t k = 1; k < sorted.size(); ++k)
        CHECK(1.0 / sorted[k - 1] - 1.0 / sorted[k] == Approx(6e3 * tmr / 4).epsilon(1e-5));
    }
  }
}

TEST_CASE("series cell solver matches a bisection reference at high bias", "[devices][mtj]") {
  // Reference: independent bisection on the series current I with each AP MTJ's voltage
  // from bisection on G_AP(V) V = I (§4.1 bias law), 2 MTJs of area 1 and 2, both AP.
  MtjParams p;
  p.mtjs_per_cell = 2;
  p.cell_topology = "series";
  const MtjModel m(p);
  const double gp0 = 1.0 / 6e3, tmr0 = m.derived().tmr0, vh = 0.5, v_cell = 0.9;
  auto g_ap = [&](double gp, double v) { return gp / (1 + tmr0 / (1 + v * v / (vh * vh))); };
  auto v_of_i = [&](double gp, double i) {
    double lo = 0, hi = 10;
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      (g_ap(gp, mid) * mid < i ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  };
  double lo = 0, hi = 1e-3;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (v_of_i(gp0, mid) + v_of_i(2 * gp0, mid) < v_cell ? lo : hi) = mid;
  }
  CHECK(m.nominal_conductance_S(0u, v_cell) * v_cell == Approx(0.5 * (lo + hi)).epsilon(1e-9));
}

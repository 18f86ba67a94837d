// Weight -> conductance mapping (crossbar/weight_mapping.hpp) against closed forms:
// aihwkit SinglePairConductanceConverter (G+ = g_min + (g_max - g_min) |W| / max|W| on the
// weight's sign, g_min on the other; device_physics.md 3.1), CrossSim offset (reference
// column) and bit-sliced cores with shift-add recombination (crosssim_memtorch.md 1.3),
// and rounding-error bounds of uniform quantisers (half a step).
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/weight_mapping.hpp>

using namespace xbarsim;

namespace {

// Deterministic, irregular weights in (-amp, amp): no random generator needed for a
// mapping, and irrational frequencies avoid accidental grid alignment.
arma::mat weights(arma::uword rows, arma::uword cols, double amp = 1.0) {
  arma::mat W(rows, cols);
  for (arma::uword j = 0; j < cols; ++j)
    for (arma::uword i = 0; i < rows; ++i) W(i, j) = amp * std::sin(1.7 * i + 0.37 * j * j + 0.11 * i * j + 0.3);
  return W;
}

arma::mat inputs(arma::uword batch, arma::uword rows) {
  arma::mat x(batch, rows);
  for (arma::uword i = 0; i < rows; ++i)
    for (arma::uword b = 0; b < batch; ++b) x(b, i) = std::cos(0.9 * b + 2.3 * i + 0.1);
  return x;
}

WeightMappingParams params(const std::string& scheme, const std::string& scale = "per-tile") {
  WeightMappingParams p;
  p.scheme = scheme;
  p.scale = scale;
  p.g_min_S = 2e-6;  // non-zero g_min so every subtraction matters
  p.g_max_S = 25e-6;
  return p;
}

// Where the first problem of a ConfigError points.
std::string where_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.problems().empty() ? std::string("<none>") : e.problems().front().where;
  }
  return "<no throw>";
}

}  // namespace

TEST_CASE("weight mapping table: every field has a source, defaults are valid", "[crossbar][weight_mapping]") {
  const auto& t = WeightMappingParams::table();
  REQUIRE(t.entries().size() == 9);
  for (const auto& e : t.entries()) CHECK_FALSE(e.source.empty());
  ProblemList problems;
  t.validate_struct(WeightMappingParams{}, "weight_mapping", problems);
  CHECK(problems.empty());
  // aihwkit SinglePairConductanceConverter defaults: g_max = 25 uS, g_min = 0 (aihwkit.md).
  CHECK(WeightMappingParams{}.g_max_S == 25e-6);
  CHECK(WeightMappingParams{}.g_min_S == 0.0);
}

TEST_CASE("differential: aihwkit single-pair conductances and exact round trip", "[crossbar][weight_mapping]") {
  const arma::mat W = weights(13, 5);
  const auto p = params("differential");
  const MappedWeights m = map_weights(W, p);
  REQUIRE(m.physical_columns() == 10);  // G+ / G- pair per output column
  const double s = arma::abs(W).max();
  const double dG = p.g_max_S - p.g_min_S;
  for (arma::uword j = 0; j < W.n_cols; ++j)
    for (arma::uword i = 0; i < W.n_rows; ++i) {
      // Closed form of SinglePairConductanceConverter: the sign's device carries |W|.
      const double g = p.g_min_S + dG * std::abs(W(i, j)) / s;
      CHECK(m.G_S(i, 2 * j) == Approx(W(i, j) > 0 ? g : p.g_min_S).epsilon(1e-14));
      CHECK(m.G_S(i, 2 * j + 1) == Approx(W(i, j) < 0 ? g : p.g_min_S).epsilon(1e-14));
    }
  // Continuous conductances: W = (G+ - G-) s / dG exactly up to rounding.
  CHECK(arma::abs(unmap_weights(m) - W).max() <= 1e-12 * s);
}

TEST_CASE("ideal MVM through every mapping equals x W", "[crossbar][weight_mapping]") {
  // Ideal devices and infinite-resolution periphery: I = (x v_read) G (Ohm + Kirchhoff),
  // so the digital back end must return x W. Bit-sliced uses weights on its grid
  // (integers with max |W| = 2^bits - 1) so quantisation is exact.
  const double v_read = 0.2;
  const arma::mat x = inputs(7, 11);
  const int bits = 6;
  const double q_max = 63.0;
  arma::mat W_int = arma::round(weights(11, 4) * q_max);
  W_int(3, 0) = q_max;  // the grid scale s = 2^bits - 1 in every column
  W_int(5, 1) = -q_max;
  W_int(0, 2) = q_max;
  W_int(9, 3) = -q_max;
  for (const std::string scheme : {"differential", "reference-column", "bit-sliced"}) {
    for (const std::string scale : {"per-tile", "per-column"}) {
      auto p = params(scheme, scale);
      p.weight_bits = bits;
      p.bits_per_slice = 2;
      p.slices = 3;
      const arma::mat W = scheme == "bit-sliced" ? W_int : weights(11, 4, 0.7);
      const MappedWeights m = map_weights(W, p);
      const arma::mat I = (x * v_read) * m.G_S;
      const arma::mat y = unmap_outputs(I, m, v_read);
      const arma::mat ref = x * W;
      INFO(scheme << " " << scale);
      REQUIRE(y.n_rows == 7);
      REQUIRE(y.n_cols == 4);
      CHECK(arma::abs(y - ref).max() <= 1e-12 * arma::abs(ref).max());
    }
  }
}

TEST_CASE("bit slicing: integer weights exact, digits shift-add to W", "[crossbar][weight_mapping]") {
  // weight_bits 7 in 3 slices of 3 bits (9 >= 7; the top slice holds only one bit).
  auto p = params("bit-sliced");
  p.weight_bits = 7;
  p.bits_per_slice = 3;
  p.slices = 3;
  const double q_max = 127.0;
  arma::mat W = arma::round(weights(9, 3) * q_max);
  W(0, 0) = 93;  // 93 = 5 + 3*8 + 1*64 -> digits (5, 3, 1), worked by hand
  W(1, 1) = -q_max;
  W(2, 2) = 0;
  const MappedWeights m = map_weights(W, p);
  REQUIRE(m.physical_columns() == 2 * 3 * 3);
  REQUIRE(m.slice_weights.n_elem == 3);
  CHECK(m.slice_weights(0) == 1);
  CHECK(m.slice_weights(1) == 8);  // 2^(k * bits_per_slice)
  CHECK(m.slice_weights(2) == 64);
  const double dG_slice = (p.g_max_S - p.g_min_S) / 7.0;  // 2^3 - 1 steps per cell
  for (arma::uword j = 0; j < W.n_cols; ++j)
    for (arma::uword i = 0; i < W.n_rows; ++i) {
      long long sum = 0;
      for (arma::uword k = 0; k < 3; ++k) {
        const arma::uword c = 2 * (k * 3 + j);
        const double d_signed = (m.G_S(i, c) - m.G_S(i, c + 1)) / dG_slice;
        const double d = std::round(d_signed);
        CHECK(std::abs(d_signed - d) < 1e-9);  // every cell on its 2^b-level grid
        CHECK(std::abs(d) <= 7);
        CHECK((m.G_S(i, c) == p.g_min_S || m.G_S(i, c + 1) == p.g_min_S));  // one side idle
        sum += static_cast<long long>(d) << (3 * k);
      }
      CHECK(sum == static_cast<long long>(W(i, j)));  // shift-add reproduces the integer exactly
    }
  // Hand-worked element: digits 5, 3, 1 on the positive side.
  CHECK(m.G_S(0, 0) == Approx(p.g_min_S + 5 * dG_slice).epsilon(1e-14));
  CHECK(m.G_S(0, 6) == Approx(p.g_min_S + 3 * dG_slice).epsilon(1e-14));
  CHECK(m.G_S(0, 12) == Approx(p.g_min_S + 1 * dG_slice).epsilon(1e-14));
  CHECK(arma::abs(unmap_weights(m) - W).max() <= 1e-12 * q_max);
}

TEST_CASE("bit slicing: arbitrary weights within half an LSB", "[crossbar][weight_mapping]") {
  // W_hat = s round(W Q / s) / Q with Q = 2^bits - 1, so |W - W_hat| = (s / Q) |u - round(u)|
  // <= s / (2 Q): half an LSB of weight_bits. Truncation would reach a full LSB.
  const arma::mat W = weights(40, 6, 1.3);
  for (int bits : {3, 5, 8, 12}) {
    for (const std::string scale : {"per-tile", "per-column"}) {
      auto p = params("bit-sliced", scale);
      p.weight_bits = bits;
      p.bits_per_slice = 2;
      p.slices = (bits + 1) / 2;
      const MappedWeights m = map_weights(W, p);
      const arma::mat err = arma::abs(unmap_weights(m) - W);
      const double q = std::ldexp(1.0, bits) - 1;
      double worst_ratio = 0;
      for (arma::uword j = 0; j < W.n_cols; ++j) {
        const double half_lsb = m.column_scale(j) / (2 * q);
        CHECK(err.col(j).max() <= half_lsb * (1 + 1e-9));
        worst_ratio = std::max(worst_ratio, err.col(j).max() / half_lsb);
      }
      INFO("bits " << bits << " " << scale);
      CHECK(worst_ratio > 0.5);  // the bound is nearly attained: the test can fail
    }
  }
}

TEST_CASE("per-column scaling maps each column's max |W| to g_max - g_min", "[crossbar][weight_mapping]") {
  arma::mat W = weights(10, 4);
  W.col(1) *= 0.01;  // columns of very different magnitude
  W.col(2) *= 30.0;
  const double dG = 23e-6;
  {
    const MappedWeights m = map_weights(W, params("differential", "per-column"));
    for (arma::uword j = 0; j < W.n_cols; ++j) {
      const arma::uword i = arma::index_max(arma::abs(W.col(j)));
      CHECK(m.column_scale(j) == std::abs(W(i, j)));
      const double diff = std::abs(m.G_S(i, 2 * j) - m.G_S(i, 2 * j + 1));
      CHECK(diff == Approx(dG).epsilon(1e-15));  // full range, up to the last ulp
      const arma::mat pair = m.G_S.cols(2 * j, 2 * j + 1);
      CHECK(pair.max() <= 25e-6 * (1 + 1e-15));
      CHECK(pair.min() >= 2e-6);
    }
  }
  {
    // Per-tile: only the tile maximum reaches the full range; column 1 uses 1 % of it.
    const MappedWeights m = map_weights(W, params("differential", "per-tile"));
    const double s = arma::abs(W).max();
    const arma::uword i1 = arma::index_max(arma::abs(W.col(1)));
    // Margin: G+ - G- cancels g_min = 2 uS, leaving a few ulp(2 uS) ~ 1e-21 S of rounding.
    CHECK(std::abs(m.G_S(i1, 2) - m.G_S(i1, 3)) == Approx(dG * std::abs(W(i1, 1)) / s).margin(1e-20));
    CHECK(arma::all(m.column_scale == s));
  }
  {
    // Reference-column: the column max sits at g_max (or g_min if negative).
    const MappedWeights m = map_weights(W, params("reference-column", "per-column"));
    for (arma::uword j = 0; j < W.n_cols; ++j) {
      const arma::uword i = arma::index_max(arma::abs(W.col(j)));
      // g_mid -+ dG/2 in double: exact up to a few ulp(25 uS) ~ 3.4e-21 S.
      CHECK(m.G_S(i, j) == Approx(W(i, j) > 0 ? 25e-6 : 2e-6).margin(1e-20));
    }
  }
}

TEST_CASE("reference column: shared mid-conductance column subtracted exactly", "[crossbar][weight_mapping]") {
  const arma::mat W = weights(8, 3);
  const auto p = params("reference-column");
  const MappedWeights m = map_weights(W, p);
  REQUIRE(m.physical_columns() == 4);
  REQUIRE(m.column_role[3] == ColumnRole::Reference);
  const double g_mid = 13.5e-6;  // (2 + 25) / 2 uS
  for (arma::uword i = 0; i < 8; ++i) CHECK(m.G_S(i, 3) == Approx(g_mid).epsilon(1e-15));
  // A zero weight sits exactly on the reference: its output is exactly zero.
  arma::mat Z(4, 2, arma::fill::zeros);
  Z(1, 1) = 1.0;
  const MappedWeights mz = map_weights(Z, p);
  const arma::mat y0 = unmap_outputs(arma::ones(1, 4) * 0.3 * mz.G_S, mz, 0.3);
  CHECK(y0(0, 0) == 0.0);
  CHECK(y0(0, 1) == Approx(1.0).epsilon(1e-14));
  // Hand computed currents: y_j = (I_j - I_ref) * 2 s / (dG v). I_j = 5 uA, I_ref = 3 uA,
  // s = max|W|, dG = 23 uS, v = 0.1 V -> y = 2e-6 * 2 s / 2.3e-6.
  const arma::mat I = {{5e-6, 3e-6, 4e-6, 3e-6}};
  const arma::mat y = unmap_outputs(I, m, 0.1);
  const double s = arma::abs(W).max();
  CHECK(y(0, 0) == Approx(2e-6 * 2 * s / 2.3e-6).epsilon(1e-13));
  CHECK(y(0, 1) == 0.0);
  CHECK(y(0, 2) == Approx(1e-6 * 2 * s / 2.3e-6).epsilon(1e-13));
}

TEST_CASE("common-mode column current cancels in every scheme", "[crossbar][weight_mapping]") {
  // A current added equally to every physical column (e.g. uniform leakage) must cancel
  // in the differential, reference and shift-add combination: sum of coefficients is 0
  // per logical column (1 - 1, or sum_k 2^(kb) (1 - 1)).
  const arma::mat W = weights(6, 3);
  const arma::mat x = inputs(5, 6);
  for (const std::string scheme : {"differential", "reference-column", "bit-sliced"}) {
    auto p = params(scheme);
    p.weight_bits = 8;
    p.bits_per_slice = 4;
    p.slices = 2;
    const MappedWeights m = map_weights(W, p);
    const arma::mat I = x * m.G_S;
    const arma::mat shifted = I + 7e-6;
    INFO(scheme);
    CHECK(arma::abs(unmap_outputs(shifted, m, 1.0) - unmap_outputs(I, m, 1.0)).max() <=
          1e-9 * arma::abs(unmap_outputs(I, m, 1.0)).max());
  }
}

TEST_CASE("finite conductance levels: error at most half a level step per device", "[crossbar][weight_mapping]") {
  // Each programmed device is rounded to g_min + m dG / (L - 1): |dG_dev| <= dG / (2 (L - 1)).
  // Differential: W = s dG_pair / dG -> |W - W_hat| <= s / (2 (L - 1)).
  // Reference-column: W = 2 s (G - g_mid) / dG -> |W - W_hat| <= s / (L - 1) (weight span
  // 2 s over the same L - 1 steps; the reference cell is exact).
  const arma::mat W = weights(50, 5, 2.0);
  for (int L : {2, 3, 16, 17, 256}) {
    for (const std::string scheme : {"differential", "reference-column"}) {
      auto p = params(scheme, "per-column");
      p.conductance_levels = L;
      const MappedWeights m = map_weights(W, p);
      const arma::mat err = arma::abs(unmap_weights(m) - W);
      const double span = scheme == "differential" ? 1.0 : 2.0;
      double worst_ratio = 0;
      for (arma::uword j = 0; j < W.n_cols; ++j) {
        const double bound = span * m.column_scale(j) / (L - 1) / 2;
        CHECK(err.col(j).max() <= bound * (1 + 1e-9));
        worst_ratio = std::max(worst_ratio, err.col(j).max() / bound);
      }
      // Weight devices are on the level grid.
      const double step = (p.g_max_S - p.g_min_S) / (L - 1);
      const arma::uword n_weight_cols = scheme == "differential" ? m.physical_columns() : W.n_cols;
      for (arma::uword c = 0; c < n_weight_cols; ++c)
        for (arma::uword i = 0; i < W.n_rows; ++i) {
          const double lv = (m.G_S(i, c) - p.g_min_S) / step;
          CHECK(std::abs(lv - std::round(lv)) < 1e-9);
        }
      INFO(scheme << " L=" << L);
      if (L >= 16) CHECK(worst_ratio > 0.5);  // bound nearly attained for dense weights
    }
  }
}

TEST_CASE("bad weight-mapping input throws ConfigError with the key path", "[crossbar][weight_mapping]") {
  const arma::mat W = weights(3, 2);
  auto p = params("bit-sliced");
  p.weight_bits = 8;
  p.bits_per_slice = 2;
  p.slices = 3;  // 6 < 8
  CHECK(where_of([&] { map_weights(W, p); }) == "weight_mapping.bits_per_slice");
  p.slices = 4;
  CHECK_NOTHROW(map_weights(W, p));

  auto q = params("differential");
  q.g_min_S = 25e-6;  // g_min == g_max
  CHECK(where_of([&] { map_weights(W, q); }) == "weight_mapping.g_min_S");
  q.g_min_S = 30e-6;
  CHECK(where_of([&] { map_weights(W, q, "layer1.mapping"); }) == "layer1.mapping.g_min_S");
  CHECK(where_of([&] { WeightMappingParams::table().make({{"g_min_S", 30e-6}}, "m"); }) == "m.g_min_S");

  arma::mat bad = W;
  bad(2, 1) = std::nan("");
  CHECK(where_of([&] { map_weights(bad, params("differential")); }) == "weight_mapping.weights(2,1)");
  bad(2, 1) = HUGE_VAL;
  CHECK(where_of([&] { map_weights(bad, params("reference-column")); }) == "weight_mapping.weights(2,1)");
  CHECK(where_of([&] { map_weights(arma::mat(), params("differential")); }) == "weight_mapping.weights");

  auto r = params("differential");
  r.conductance_levels = 1;
  CHECK(where_of([&] { map_weights(W, r); }) == "weight_mapping.conductance_levels");

  const MappedWeights m = map_weights(W, params("differential"));
  CHECK(where_of([&] { unmap_outputs(arma::mat(2, 3), m, 0.2); }) == "column_currents");
  CHECK(where_of([&] { unmap_outputs(arma::mat(2, 4), m, 0.0); }) == "v_read_V");
}

TEST_CASE("fixed scale maps |W| = fixed_scale to the device range and clips beyond", "[crossbar]") {
  // By hand: fixed_scale 1, differential: W = 0.5 -> G+ = g_min + 0.5 dG; W = -2 clips to
  // -1 -> G- = g_max; the read-back weights are 0.5 and -1.
  WeightMappingParams p;
  p.scale = "fixed";
  p.fixed_scale = 1.0;
  const arma::mat W{{0.5, -2.0}};
  const MappedWeights m = map_weights(W, p);
  CHECK(m.G_S(0, 0) == Approx(p.g_min_S + 0.5 * (p.g_max_S - p.g_min_S)));
  CHECK(m.G_S(0, 3) == Approx(p.g_max_S));
  const arma::mat back = unmap_weights(m);
  CHECK(back(0, 0) == Approx(0.5));
  CHECK(back(0, 1) == Approx(-1.0));
  p.scheme = "reference-column";
  const arma::mat back_ref = unmap_weights(map_weights(W, p));
  CHECK(back_ref(0, 0) == Approx(0.5));
  CHECK(back_ref(0, 1) == Approx(-1.0));
}

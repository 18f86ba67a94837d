// Pulsed outer-product update (crossbar/pulsed_update.hpp) against its references:
// aihwkit's performUpdateManagement evaluated by hand, the closed-form expectation
// dw_min E[n_ij] = -lr sum_b x_bi d_bj with tolerances from the binomial variance,
// exact deterministic cases (probability 1), and self-consistency of the fast paths
// (AVX-512 vs scalar kernel, 1 vs 2 threads, batch-net vs per-sample, int16 chunks).
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/pulsed_update.hpp>

using namespace xbarsim;

namespace {
// Sum of all reported count matrices (int32, so no overflow) plus the reports themselves.
struct Collected {
  arma::Mat<std::int32_t> net;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::int32_t max_abs = 0;
  PulsedUpdateStats stats;
};

Collected run(const PulsedUpdater& up, const arma::fmat& x, const arma::fmat& d, double lr, double dw_min,
              UpdateRngCoords rng) {
  Collected c;
  c.net.zeros(x.n_cols, d.n_cols);
  c.stats = up.update(x, d, lr, dw_min, rng, [&](std::size_t b0, std::size_t n, const PulseCounts& k) {
    c.spans.emplace_back(b0, n);
    for (std::size_t e = 0; e < k.n_elem; ++e) {
      c.net(e) += k(e);
      c.max_abs = std::max(c.max_abs, std::abs(std::int32_t{k(e)}));
    }
  });
  return c;
}

// Test matrices from the project RNG: uniform in [-scale, scale], some exact zeros.
arma::fmat random_matrix(std::size_t r, std::size_t c, double scale, std::uint32_t stream) {
  std::vector<float> u(r * c);
  uniform_block(u.data(), u.size(), RngKey(5, rng_purpose("test.update.data")), {stream, 0, 0});
  arma::fmat m(r, c);
  for (std::size_t k = 0; k < u.size(); ++k) m(k) = static_cast<float>(scale * (2.0 * u[k] - 1.0));
  for (std::size_t k = 0; k < u.size(); k += 17) m(k) = 0.0f;
  return m;
}

PulsedUpdateParams with(std::string accumulation, std::string pulse_type = "stochastic-compressed") {
  PulsedUpdateParams p;
  p.accumulation = std::move(accumulation);
  p.pulse_type = std::move(pulse_type);
  return p;
}
}  // namespace

TEST_CASE("invalid update parameters give ConfigError naming the key", "[crossbar][update]") {
  auto key_of = [](PulsedUpdateParams p) {
    try {
      PulsedUpdater u(p);
    } catch (const ConfigError& e) {
      return e.problems().front().where;
    }
    return std::string("no error");
  };
  PulsedUpdateParams p;
  p.desired_bl = 0;
  CHECK(key_of(p) == "update.desired_bl");
  p = {};
  p.pulse_type = "stochastic";
  CHECK(key_of(p) == "update.pulse_type");
  p = {};
  p.accumulation = "per-batch";
  CHECK(key_of(p) == "update.accumulation");
  p = {};
  p.um_grad_scale = 0.0;
  CHECK(key_of(p) == "update.um_grad_scale");

  const PulsedUpdater up(PulsedUpdateParams{});
  const arma::fmat x(2, 3, arma::fill::ones), d(2, 4, arma::fill::ones), d_bad(3, 4, arma::fill::ones);
  auto call_key = [&](const arma::fmat& dd, double lr, double dw) {
    try {
      up.update(x, dd, lr, dw, {}, [](std::size_t, std::size_t, const PulseCounts&) {});
    } catch (const ConfigError& e) {
      return e.problems().front().where;
    }
    return std::string("no error");
  };
  CHECK(call_key(d, -0.1, 0.001) == "update.learning_rate");
  CHECK(call_key(d, 0.1, 0.0) == "update.dw_min");
  CHECK(call_key(d_bad, 0.1, 0.001) == "update.batch");
  arma::fmat x_nan = x;
  x_nan(0, 0) = std::nanf("");
  CHECK_THROWS_AS(up.update(x_nan, d, 0.1, 0.001, {}, [](std::size_t, std::size_t, const PulseCounts&) {}),
                  NumericalError);
}

TEST_CASE("update-BL and update management follow aihwkit performUpdateManagement", "[crossbar][update]") {
  // Hand evaluation of aihwkit rpu_pulsed_meta_parameter.cpp (performUpdateManagement).
  const PulsedUpdater up(PulsedUpdateParams{});
  // lr 0.01, dw_min 0.001, x_max 0.8, d_max 0.3: k = 0.01 * 0.8 * 0.3 / 0.001 = 2.4 -> BL = 3;
  // A = B = sqrt(0.01 / 0.003) = 1.8257419; A *= sqrt(0.8 / 0.3), B *= sqrt(0.3 / 0.8).
  PulseScales s = up.scales(0.01, 0.001, 0.8, 0.3);
  CHECK(s.bl == 3);
  CHECK(s.a_d == Approx(2.9814240).epsilon(1e-7));
  CHECK(s.b_x == Approx(1.1180340).epsilon(1e-7));
  CHECK(s.b_x * 0.8 == Approx(std::sqrt(2.4 / 3.0)).epsilon(1e-12));  // p_x at x_max = sqrt(k / BL)

  // lr 0.1, x_max 1, d_max 0.5: k = 50 > 31 -> BL = 31, d_val = 0.5 * 31 / 50 = 0.31,
  // A = sqrt(0.1 / 0.031) sqrt(1 / 0.31) = 100 / 31, B = sqrt(0.1 / 0.031) sqrt(0.31) = 1.
  s = up.scales(0.1, 0.001, 1.0, 0.5);
  CHECK(s.bl == 31);
  CHECK(s.a_d == Approx(100.0 / 31.0).epsilon(1e-12));
  CHECK(s.b_x == Approx(1.0).epsilon(1e-12));

  // um_grad_scale 0.5: d_val = 0.15, k = 0.01 * 0.8 * 0.15 / 0.001 = 1.2 -> BL = 2,
  // A = sqrt(0.01 / 0.002) sqrt(0.8 / 0.15) = 5.1639778, B = sqrt(5) sqrt(0.15 / 0.8) = 0.9682458.
  PulsedUpdateParams p;
  p.um_grad_scale = 0.5;
  s = PulsedUpdater(p).scales(0.01, 0.001, 0.8, 0.3);
  CHECK(s.bl == 2);
  CHECK(s.a_d == Approx(5.1639778).epsilon(1e-7));
  CHECK(s.b_x == Approx(0.9682458).epsilon(1e-7));

  // No management: BL = desired_bl = 31, A = B = sqrt(0.01 / (0.001 * 31)) = 0.5679618.
  p = {};
  p.update_bl_management = false;
  p.update_management = false;
  s = PulsedUpdater(p).scales(0.01, 0.001, 0.8, 0.3);
  CHECK(s.bl == 31);
  CHECK(s.a_d == Approx(0.5679618).epsilon(1e-7));
  CHECK(s.b_x == Approx(0.5679618).epsilon(1e-7));
  // Update management only: BL stays 31, A *= sqrt(0.8 / 0.3) = 1.6329932, B /= the same.
  p.update_management = true;
  s = PulsedUpdater(p).scales(0.01, 0.001, 0.8, 0.3);
  CHECK(s.bl == 31);
  CHECK(s.a_d == Approx(0.5679618 * 1.6329932).epsilon(1e-7));
  CHECK(s.b_x == Approx(0.5679618 / 1.6329932).epsilon(1e-7));

  // A zero input or error vector, or lr 0, gives no update (aihwkit BL = 0).
  CHECK(up.scales(0.01, 0.001, 0.0, 0.3).bl == 0);
  CHECK(up.scales(0.01, 0.001, 0.8, 0.0).bl == 0);
  CHECK(up.scales(0.0, 0.001, 0.8, 0.3).bl == 0);
}

TEST_CASE("sign convention: probability-1 trains give -BL sign(x) sign(d) exactly", "[crossbar][update]") {
  // lr 0.031, dw_min 0.001, x_max = d_max = 1: k = 31 = BL, A = B = 1, so |x| = |d| = 1
  // fires in every slot: n_ij = -31 sign(x_i) sign(d_j) (W -= lr x d: x d > 0 depresses).
  // |x| = 0 fires never. Mean-count gives the same (round(31 * 1) = 31 per line).
  arma::fmat x = {{1.0f, -1.0f, 0.0f}};
  arma::fmat d = {{1.0f, -1.0f}};
  for (const char* type : {"stochastic-compressed", "mean-count"}) {
    const PulsedUpdater up(with("batch-net", type));
    const Collected c = run(up, x, d, 0.031, 0.001, {3, 1, 0});
    const arma::Mat<std::int32_t> expected = {{-31, 31}, {31, -31}, {0, 0}};
    CHECK(arma::all(arma::vectorise(c.net == expected)));
    CHECK(c.stats.bl_max == 31);
    CHECK(c.stats.row_pulses == 62u);
    CHECK(c.stats.col_pulses == 62u);
    CHECK(c.stats.coincidences == 124u);
    CHECK(c.stats.net_abs_count == 124u);
    CHECK(c.stats.reports == 1u);
  }
}

TEST_CASE("mean coincidence count equals -lr x d / dw_min within binomial error", "[crossbar][update]") {
  // Reference: for each sample and slot a coincidence is Bernoulli(p_x p_d), so
  // E[n_ij] = -sum_b sign BL_b p_x p_d = -lr sum_b x_bi d_bj / dw_min (no probability
  // clipped: k <= desired_bl here) and Var[n_ij] = sum_b BL_b q (1 - q), q = p_x p_d.
  // Over S independent steps the mean has standard error sqrt(Var / S); bound: 5 sigma
  // plus the 16-bit quantisation bound sum_b BL_b 2^-16.
  const arma::fmat x = {{0.9f, -0.4f, 0.0f, 0.25f}, {-0.3f, 0.8f, 0.5f, -0.1f}, {0.6f, 0.6f, -0.6f, 0.05f}};
  const arma::fmat d = {{0.02f, -0.05f, 0.01f}, {-0.04f, 0.03f, 0.0f}, {0.01f, 0.01f, -0.02f}};
  const double lr = 0.4, dw_min = 0.001;
  for (const char* acc : {"batch-net", "per-sample"}) {
    const PulsedUpdater up(with(acc));
    const int S = 3000;
    arma::mat sum(x.n_cols, d.n_cols, arma::fill::zeros);
    double row_pulses = 0, coincidences = 0;
    for (int s = 0; s < S; ++s) {
      const Collected c = run(up, x, d, lr, dw_min, {11, 2, static_cast<std::uint64_t>(s) + (1ull << 33)});
      sum += arma::conv_to<arma::mat>::from(c.net);
      row_pulses += c.stats.row_pulses;
      coincidences += c.stats.coincidences;
    }
    double e_rows = 0, e_coinc = 0;
    for (std::size_t i = 0; i < x.n_cols; ++i)
      for (std::size_t j = 0; j < d.n_cols; ++j) {
        double mean_ref = 0, var = 0, bl_sum = 0;
        for (std::size_t b = 0; b < x.n_rows; ++b) {
          const PulseScales sc = up.scales(lr, dw_min, arma::abs(x.row(b)).max(), arma::abs(d.row(b)).max());
          const double px = sc.b_x * std::abs(x(b, i)), pd = sc.a_d * std::abs(d(b, j));
          REQUIRE(px <= 1.0);
          REQUIRE(pd <= 1.0);
          mean_ref += -lr * double(x(b, i)) * double(d(b, j)) / dw_min;
          var += sc.bl * px * pd * (1 - px * pd);
          bl_sum += sc.bl;
          e_coinc += sc.bl * px * pd;
          if (j == 0) e_rows += sc.bl * px;
        }
        const double tol = 5.0 * std::sqrt(var / S) + bl_sum / 65536.0 + 1e-9;
        INFO(acc << " cell " << i << "," << j);
        CHECK(std::abs(sum(i, j) / S - mean_ref) <= tol);
      }
    // Row pulses and gross coincidences: sums of Bernoullis (variance <= mean), 5 sigma.
    CHECK(std::abs(row_pulses / S - e_rows) <= 5.0 * std::sqrt(e_rows / S));
    CHECK(std::abs(coincidences / S - e_coinc) <= 5.0 * std::sqrt(e_coinc / S));
  }
}

TEST_CASE("pulse frequency matches the probability and p = 1 always fires", "[crossbar][update]") {
  // One row, one column, 4096 samples: x = 0.5 everywhere, d = 1. No management:
  // BL = 31, A = B = sqrt(lr / (dw_min 31)); lr = 0.124, dw_min = 0.001 gives A = B = 2,
  // so p_x = 1 (exact: every slot fires, 31 * 4096 row pulses) and p_d = 1 as well.
  // With x = 0.15 instead, p_x = 0.3: row pulses ~ Binomial(126976, 0.3), 5 sigma bound.
  PulsedUpdateParams p;
  p.update_bl_management = false;
  p.update_management = false;
  const PulsedUpdater up(p);
  arma::fmat x(4096, 1, arma::fill::value(0.5f)), d(4096, 1, arma::fill::value(1.0f));
  Collected c = run(up, x, d, 0.124, 0.001, {1, 1, 1});
  CHECK(c.stats.row_pulses == 31u * 4096u);
  CHECK(c.stats.col_pulses == 31u * 4096u);
  CHECK(c.net(0, 0) == -31 * 4096);
  x.fill(0.15f);
  c = run(up, x, d, 0.124, 0.001, {1, 1, 2});
  const double n = 31.0 * 4096.0, mean = 0.3 * n, sd = std::sqrt(n * 0.3 * 0.7);
  CHECK(std::abs(c.stats.row_pulses - mean) <= 5 * sd);
  CHECK(c.net(0, 0) == -static_cast<std::int32_t>(c.stats.row_pulses));  // p_d = 1: coincidence = x pulse
}

TEST_CASE("batch-net counts equal the sum of per-sample counts", "[crossbar][update]") {
  // Random numbers depend on (line, slot, sample) only, so the two accumulations see the
  // same pulses: the per-sample matrices must add up to the batch-net matrix exactly.
  const arma::fmat x = random_matrix(150, 37, 1.0, 1), d = random_matrix(150, 29, 0.02, 2);
  for (const char* type : {"stochastic-compressed", "mean-count"}) {
    const Collected net = run(PulsedUpdater(with("batch-net", type)), x, d, 0.3, 0.001, {7, 3, 42});
    const Collected per = run(PulsedUpdater(with("per-sample", type)), x, d, 0.3, 0.001, {7, 3, 42});
    INFO(type);
    CHECK(net.stats.reports == 1u);
    CHECK(per.stats.reports == per.stats.samples_pulsed);
    CHECK(per.spans.front().second == 1u);
    CHECK(arma::any(arma::vectorise(net.net != 0)));
    CHECK(arma::all(arma::vectorise(net.net == per.net)));
    CHECK(net.stats.row_pulses == per.stats.row_pulses);
    CHECK(net.stats.col_pulses == per.stats.col_pulses);
    CHECK(net.stats.bl_sum == per.stats.bl_sum);
    if (std::string(type) == "stochastic-compressed") CHECK(net.stats.coincidences == per.stats.coincidences);
  }
}

TEST_CASE("SIMD and scalar kernels give identical counts", "[crossbar][update]") {
  if (!PulsedUpdater::simd_available()) {
    WARN("no AVX-512 VPOPCNTDQ on this CPU: only the scalar kernel runs");
    return;
  }
  // Whole update: sizes that are not multiples of the register blocks or of 32/64 samples.
  const arma::fmat x = random_matrix(333, 70, 1.0, 3), d = random_matrix(333, 51, 0.05, 4);
  PulsedUpdater fast(PulsedUpdateParams{}), slow(PulsedUpdateParams{});
  slow.set_kernel(CoincidenceKernel::Scalar);
  const Collected a = run(fast, x, d, 0.5, 0.001, {9, 1, 5}), b = run(slow, x, d, 0.5, 0.001, {9, 1, 5});
  CHECK(a.stats.bl_max > 8);
  CHECK(arma::any(arma::vectorise(a.net != 0)));
  CHECK(arma::all(arma::vectorise(a.net == b.net)));
  CHECK(a.stats.coincidences == b.stats.coincidences);
  CHECK(a.stats.row_pulses == b.stats.row_pulses);

  // Kernels directly on random words, against a plain popcount loop.
  const std::size_t nx = 8, nd = 6, kw = 24;
  std::vector<std::uint32_t> w(4 * (nx + nd) * kw);
  bits_block(w.data(), w.size(), RngKey(1, rng_purpose("test.update.kernel")), {});
  std::vector<std::uint64_t> xp(nx * kw), xs(nx * kw), dp(nd * kw), ds(nd * kw);
  for (std::size_t k = 0; k < nx * kw; ++k) {
    xp[k] = (std::uint64_t{w[4 * k]} << 32) | w[4 * k + 1];
    xs[k] = (std::uint64_t{w[4 * k + 2]} << 32) | w[4 * k + 3];
  }
  for (std::size_t k = 0; k < nd * kw; ++k) {
    const std::size_t o = 4 * nx * kw + 4 * k;
    dp[k] = (std::uint64_t{w[o]} << 32) | w[o + 1];
    ds[k] = (std::uint64_t{w[o + 2]} << 32) | w[o + 3];
  }
  std::vector<std::int32_t> o1(nx * nd, 0), o2(nx * nd, 0);
  const auto g1 = detail::coincidence_scalar(xp.data(), xs.data(), nx, dp.data(), ds.data(), 0, nd, kw, o1.data());
  const auto g2 = detail::coincidence_avx512(xp.data(), xs.data(), nx, dp.data(), ds.data(), 0, nd, kw, o2.data());
  CHECK(g1 == g2);
  CHECK(o1 == o2);
  std::uint64_t g_ref = 0;
  for (std::size_t c = 0; c < nd; ++c)
    for (std::size_t r = 0; r < nx; ++r) {
      std::int64_t same = 0, opp = 0;
      for (std::size_t k = 0; k < kw; ++k)
        for (int bit = 0; bit < 64; ++bit) {
          const auto m = std::uint64_t{1} << bit;
          if ((xp[r * kw + k] & m) && (dp[c * kw + k] & m)) {
            const bool neg = ((xs[r * kw + k] & m) != 0) != ((ds[c * kw + k] & m) != 0);
            (neg ? opp : same) += 1;
          }
        }
      CHECK(o1[c * nx + r] == same - opp);
      g_ref += static_cast<std::uint64_t>(same + opp);
    }
  CHECK(g1 == g_ref);

  // Narrow kernel (strings under 8 words): the first 3 words of each string, rows
  // transposed (nx = 8 is already a multiple of 8).
  const std::size_t kn = 3;
  std::vector<std::uint64_t> xpn(nx * kn), xsn(nx * kn), dpn(nd * kn), dsn(nd * kn), xpt(kn * nx), xst(kn * nx);
  for (std::size_t r = 0; r < nx; ++r)
    for (std::size_t k = 0; k < kn; ++k) {
      xpn[r * kn + k] = xpt[k * nx + r] = xp[r * kw + k];
      xsn[r * kn + k] = xst[k * nx + r] = xs[r * kw + k];
    }
  for (std::size_t c = 0; c < nd; ++c)
    for (std::size_t k = 0; k < kn; ++k) {
      dpn[c * kn + k] = dp[c * kw + k];
      dsn[c * kn + k] = ds[c * kw + k];
    }
  std::vector<std::int32_t> o3(nx * nd, 0), o4(nx * nd, 0);
  const auto g3 = detail::coincidence_scalar(xpn.data(), xsn.data(), nx, dpn.data(), dsn.data(), 0, nd, kn, o3.data());
  const auto g4 =
      detail::coincidence_avx512_narrow(xpt.data(), xst.data(), nx, dpn.data(), dsn.data(), 0, nd, kn, o4.data());
  CHECK(g3 == g4);
  CHECK(o3 == o4);
  CHECK(std::any_of(o3.begin(), o3.end(), [](std::int32_t v) { return v != 0; }));

  // Per-sample mode runs the narrow kernel (one sample: BL bits per string).
  const arma::fmat xs_small = x.rows(0, 39), ds_small = d.rows(0, 39);
  PulsedUpdater fast_ps(with("per-sample")), slow_ps(with("per-sample"));
  slow_ps.set_kernel(CoincidenceKernel::Scalar);
  const Collected e = run(fast_ps, xs_small, ds_small, 0.5, 0.001, {9, 1, 6});
  const Collected f = run(slow_ps, xs_small, ds_small, 0.5, 0.001, {9, 1, 6});
  CHECK(arma::any(arma::vectorise(e.net != 0)));
  CHECK(arma::all(arma::vectorise(e.net == f.net)));
  CHECK(e.stats.coincidences == f.stats.coincidences);

  std::vector<std::uint16_t> u(64), q(64);
  for (std::size_t k = 0; k < 64; ++k) {
    u[k] = static_cast<std::uint16_t>(w[k]);
    q[k] = static_cast<std::uint16_t>(w[k + 64]);
  }
  const std::uint32_t certain[2] = {0x80000001u, 0u}, active[2] = {0xffffffffu, 0x0000ffffu};
  std::uint32_t m1[2], m2[2];
  const auto n1 = detail::pulse_masks_scalar(u.data(), q.data(), certain, active, 2, m1);
  const auto n2 = detail::pulse_masks_avx512(u.data(), q.data(), certain, active, 2, m2);
  CHECK(m1[0] == m2[0]);
  CHECK(m1[1] == m2[1]);
  CHECK(n1 == n2);
  CHECK(n1 == static_cast<std::uint64_t>(std::popcount(m1[0]) + std::popcount(m1[1])));
  CHECK((m1[0] & 0x80000001u) == 0x80000001u);
  CHECK((m1[1] & 0xffff0000u) == 0u);
  for (unsigned l = 1; l < 31; ++l) CHECK(((m1[0] >> l) & 1u) == static_cast<std::uint32_t>(u[l] < q[l]));

  // Thresholds: 45 samples (a partial group), both versions against the hand formula.
  std::vector<float> v(45), sc(45);
  for (std::size_t k = 0; k < v.size(); ++k) {
    v[k] = static_cast<float>(2.0 * (w[200 + k] / 4294967296.0) - 1.0);
    sc[k] = 1.5f;
  }
  v[3] = -1.0f;  // p = min(1, 1.5) = 1: certain
  v[4] = 0.0f;
  std::vector<std::uint16_t> q1(64), q2(64);
  std::uint32_t c1[2], c2[2], s1[2], s2[2];
  detail::line_thresholds_scalar(v.data(), sc.data(), v.size(), q1.data(), c1, s1);
  detail::line_thresholds_avx512(v.data(), sc.data(), v.size(), q2.data(), c2, s2);
  CHECK(q1 == q2);
  CHECK(c1[0] == c2[0]);
  CHECK(c1[1] == c2[1]);
  CHECK(s1[0] == s2[0]);
  CHECK(s1[1] == s2[1]);
  CHECK(((c1[0] >> 3) & 1u) == 1u);
  CHECK(q1[4] == 0);
  for (std::size_t k = 0; k < v.size(); ++k) {
    const double p = std::min(1.0, 1.5 * std::abs(double(v[k])));
    if (p * 65536.0 < 65535.0) CHECK(std::abs(q1[k] - p * 65536.0) <= 0.5 + 1e-3);  // |q/2^16 - p| <= 2^-17
    CHECK(((s1[k / 32] >> (k % 32)) & 1u) == static_cast<std::uint32_t>(v[k] < 0.0f));
  }
}

TEST_CASE("update counts do not depend on the thread count", "[crossbar][update]") {
  const arma::fmat x = random_matrix(200, 96, 1.0, 5), d = random_matrix(200, 80, 0.05, 6);
  const PulsedUpdater up(PulsedUpdateParams{});
  Collected one, two;
  {
    ThreadLimit lim(1);
    one = run(up, x, d, 0.5, 0.001, {2, 7, 3});
  }
  {
    ThreadLimit lim(2);
    two = run(up, x, d, 0.5, 0.001, {2, 7, 3});
  }
  CHECK(arma::any(arma::vectorise(one.net != 0)));
  CHECK(arma::all(arma::vectorise(one.net == two.net)));
  CHECK(one.stats.coincidences == two.stats.coincidences);
  // A different step draws different pulses.
  const Collected other = run(up, x, d, 0.5, 0.001, {2, 7, 4});
  CHECK(arma::any(arma::vectorise(other.net != one.net)));
}

TEST_CASE("big batches are chunked so int16 counts never overflow", "[crossbar][update]") {
  // 2000 samples, every one fires all 31 slots on both lines (as in the sign test):
  // the net count -31 * 2000 = -62000 exceeds int16. Chunks hold sum BL <= 32767
  // (<= 1057 samples, cut to 1024 for alignment), so two reports covering [0, 2000).
  arma::fmat x(2000, 2, arma::fill::ones), d(2000, 3, arma::fill::ones);
  for (const char* type : {"stochastic-compressed", "mean-count"}) {
    const Collected c = run(PulsedUpdater(with("batch-net", type)), x, d, 0.031, 0.001, {1, 0, 0});
    INFO(type);
    CHECK(c.stats.reports == 2u);
    CHECK(c.spans[0].first == 0u);
    CHECK(c.spans[0].second == 1024u);
    CHECK(c.spans[1].first == 1024u);
    CHECK(c.spans[1].second == 976u);
    CHECK(c.max_abs == 31 * 1024);
    CHECK(arma::all(arma::vectorise(c.net == -62000)));
  }
}

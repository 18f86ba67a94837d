// Column ADCs: thresholds with DNL/INL, noise, range calibration and cost (see adc.hpp).
#include <algorithm>
#include <array>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/adc.hpp>

namespace xbarsim {

namespace {

// ISAAC / Saberi-scaled SAR ADC at 32 nm (device_physics.md 7.1, HWC-LIB library/isaac.py).
constexpr std::array<double, 7> kIsaacBits{4, 5, 6, 7, 8, 9, 10};
constexpr std::array<double, 7> kIsaacEnergy_pJ{0.79, 0.99, 1.20, 1.42, 1.67, 1.97, 2.38};
constexpr std::array<double, 7> kIsaacArea_um2{361, 477, 627, 845, 1200, 1828, 3002};

// Log-linear interpolation in bits; the end segments extend outside 4..10 bits.
double loglin(const std::array<double, 7>& y, double bits) {
  std::size_t i = 0;
  while (i + 2 < kIsaacBits.size() && bits > kIsaacBits[i + 1]) ++i;
  const double f = (bits - kIsaacBits[i]) / (kIsaacBits[i + 1] - kIsaacBits[i]);
  return std::exp(std::log(y[i]) + f * (std::log(y[i + 1]) - std::log(y[i])));
}

// Murmann survey medians in the 5.5-7.5 ENOB bin (device_physics.md 7.1): flash 0.05
// mm^2 versus SAR 0.015 mm^2.
constexpr double kFlashOverSarArea = 0.05 / 0.015;

/// One column of an ADC whose thresholds are the ideal t_k = -1 + (k + 1/2) LSB (no DNL,
/// no INL): the code is guessed from v and corrected by one step each way against t_k
/// computed inline (the same double expression as the constructor's table, so the same
/// codes as the table search), without branches or lookups so the loop vectorises.
struct IdealColumn {
  double inv_r, noise_norm, lsb_norm, inv_lsb;
  double top;  // the last code, N - 1
  double lo, lsb_j;
};
// noinline: inlined, GCC sees `top` is an int converted to double and stops vectorising.
// Compiled for AVX-512 and AVX2 too, picked at run time; fp-contract=off keeps FMA out
// (it would move t_k and the guess by a rounding), so every path gives the same codes.
template <bool kNoisy, class T>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off")))
#endif
__attribute__((noinline)) bool
convert_ideal(const IdealColumn& c, const T* in, const float* z, T* o, std::size_t nb) {
  int nan = 0;
  const double top = c.top, inv_r = c.inv_r, noise_norm = c.noise_norm, lsb_norm = c.lsb_norm, inv_lsb = c.inv_lsb;
  const double lo = c.lo, lsb_j = c.lsb_j;
  // Selects as `x += cond ? 1 : 0` and flags as `a = cond ? a : 1`: the forms GCC
  // vectorises (a `k = cond ? k + 1 : k` or `nan |= ...` keeps the loop scalar).
  for (std::size_t b = 0; b < nb; ++b) {
    double v = static_cast<double>(in[b]) * inv_r;
    if constexpr (kNoisy) v += noise_norm * z[b];
    nan = (v == v) ? nan : 1;
    // Within one code of the count of thresholds <= v (a NaN v gives code 0).
    double g = (v + 1.0) * inv_lsb + 0.5;
    g = g > 0.0 ? g : 0.0;
    g = g < top ? g : top;
    double k = static_cast<double>(static_cast<int>(g));
    k += (-1.0 + (k + 0.5) * lsb_norm <= v) ? 1.0 : 0.0;  // t_k <= v: one up
    k = k < top ? k : top;
    k -= (-1.0 + ((k - 1.0) + 0.5) * lsb_norm > v) ? 1.0 : 0.0;  // t_(k-1) > v: one down
    k = k > 0.0 ? k : 0.0;
    o[b] = static_cast<T>(lo + k * lsb_j);
  }
  return nan != 0;
}

}  // namespace

double isaac_sar_energy_J(double bits) { return loglin(kIsaacEnergy_pJ, bits) * 1e-12; }
double isaac_sar_area_m2(double bits) { return loglin(kIsaacArea_um2, bits) * 1e-12; }

const ParamTable<AdcParams>& AdcParams::table() {
  static const ParamTable<AdcParams> t = [] {
    ParamTable<AdcParams> tab;
    tab.integer("bits", &AdcParams::bits, "1", Range::closed(1, 16), "ADC resolution; 2^bits codes",
                "ISAAC 8-bit SAR ADC (Kull et al. ISSCC 2013; device_physics.md 7.1)");
    tab.choice("type", &AdcParams::type, {"sar", "flash", "ramp"},
               "architecture: sets latency (SAR bits+1, flash 1, ramp 2^bits cycles), energy and area",
               "ISAAC uses a SAR ADC (device_physics.md 7.1); NeuroSim default SAR (SarADC.cpp)");
    tab.choice("range_mode", &AdcParams::range_mode, {"fixed", "per-column", "percentile"},
               "fixed: +-range; per-column: max |y| per column of a calibration matrix; percentile: one range "
               "from a percentile of |y|",
               "aihwkit fixed out_bound (aihwkit.md 1.6); CrossSim CALIBRATED limits from percentiles "
               "(crosssim_memtorch.md 1.2)");
    tab.real("range", &AdcParams::range, "1", Range::positive(), "+-range in fixed mode, tile output units",
             "aihwkit IOParameters out_bound = 12 (aihwkit.md 1.6)");
    tab.real("range_percentile", &AdcParams::range_percentile, "1", Range::closed(0.0, 100.0),
             "percentile (percent) of |y| setting the range in percentile mode",
             "assumption 99.9 (task brief); CrossSim prog_adc profile uses the 0.01/99.99 percentiles "
             "(crosssim_memtorch.md)");
    tab.real("dnl_sigma_lsb", &AdcParams::dnl_sigma_lsb, "LSB", Range::closed(0.0, 1.0),
             "std of static per-code width errors, sampled per ADC instance", "assumption: ideal ADC by default");
    tab.real("inl_lsb", &AdcParams::inl_lsb, "LSB", Range::closed(0.0, 64.0),
             "peak of the quadratic INL bow (zero at the ends)", "assumption: ideal ADC by default");
    tab.real("noise_lsb", &AdcParams::noise_lsb, "LSB", Range::non_negative(), "input-referred Gaussian noise sigma",
             "assumption: 0 (aihwkit models noise as out_noise before the ADC)");
    tab.integer("columns_per_adc", &AdcParams::columns_per_adc, "1", Range::closed(1, 4096),
                "columns multiplexed onto one ADC (sets read latency, ADC count and DNL sharing)",
                "assumption 1; NeuroSim numColMuxed = 8 (device_physics.md 7.1), ISAAC 128 columns per ADC");
    tab.real("clock_Hz", &AdcParams::clock_Hz, "Hz", Range::positive(), "conversion clock",
             "NeuroSim SarADC.cpp: 1 ns per SAR cycle (device_physics.md 7.1)");
    tab.choice("energy_model", &AdcParams::energy_model, {"walden", "isaac-table"},
               "walden: FOM_W * 2^ENOB; isaac-table: ISAAC/Saberi 32 nm SAR table by bits (SAR only)",
               "Walden FOM definition and Murmann survey (device_physics.md 7.1)");
    tab.real("fom_sar_J", &AdcParams::fom_sar_J, "J", Range::positive(), "Walden FOM of a SAR ADC per step",
             "Murmann survey median, SAR 5.5-7.5 ENOB bin: 34 fJ/step (device_physics.md 7.1)");
    tab.real("fom_flash_J", &AdcParams::fom_flash_J, "J", Range::positive(), "Walden FOM of a flash ADC per step",
             "Murmann survey median, flash 5.5-7.5 ENOB bin: 119 fJ/step (device_physics.md 7.1)");
    tab.real("fom_ramp_J", &AdcParams::fom_ramp_J, "J", Range::positive(),
             "Walden FOM of a ramp (single-slope) ADC per step",
             "assumption [U]: no ramp row in the survey table (device_physics.md 7.1); the SAR 5.5-7.5 median "
             "34 fJ/step is used");
    tab.relation([](const AdcParams& p, std::string_view prefix, ProblemList& problems) {
      require(p.energy_model != "isaac-table" || p.type == "sar", problems, prefix, "energy_model",
              "isaac-table is a SAR table; use walden for flash or ramp");
    });
    return tab;
  }();
  return t;
}

Adc::Adc(AdcParams params, std::size_t columns, std::uint64_t seed, std::uint32_t tile) : p_(std::move(params)) {
  ProblemList problems;
  AdcParams::table().validate_struct(p_, "adc", problems);
  if (columns == 0) problems.add("adc", "no columns");
  problems.throw_if_any();
  ranges_.set_size(columns);
  ranges_.fill(p_.range);
  const std::size_t n_adc = (columns + p_.columns_per_adc - 1) / p_.columns_per_adc;
  const int n = num_codes();
  const double lsb = 2.0 / (n - 1);  // normalised range R = 1
  const RngKey key(seed, rng_purpose("adc.dnl"));
  std::vector<float> z(n > 2 ? n - 2 : 0);
  thresholds_.resize(n_adc);
  for (std::size_t a = 0; a < n_adc; ++a) {
    std::vector<double>& t = thresholds_[a];
    t.resize(n - 1);
    for (int k = 0; k < n - 1; ++k) t[k] = -1.0 + (k + 0.5) * lsb;
    if (p_.dnl_sigma_lsb > 0.0 && n > 2) {
      normal_block(z.data(), z.size(), key, StreamId{tile, static_cast<std::uint32_t>(a), 0}, 0);
      std::vector<double> w(n - 2);
      double sum = 0.0;
      for (int k = 0; k < n - 2; ++k) sum += (w[k] = std::max(0.0, 1.0 + p_.dnl_sigma_lsb * z[k]));
      // Endpoint fit: keep t_0 and t_{N-2} ideal, so the widths add to N - 2 LSB.
      const double scale = sum > 0.0 ? (n - 2) / sum : 1.0;
      for (int k = 1; k < n - 1; ++k) t[k] = t[k - 1] + w[k - 1] * scale * lsb;
      t[n - 2] = 1.0 - 0.5 * lsb;
    }
    if (p_.inl_lsb > 0.0) {
      for (int k = 0; k < n - 1; ++k) {
        const double u = -1.0 + (k + 0.5) * lsb;  // ideal position in [-1, 1]
        t[k] += p_.inl_lsb * (1.0 - u * u) * lsb;
      }
      for (int k = 1; k < n - 1; ++k) t[k] = std::max(t[k], t[k - 1]);
    }
  }
}

std::vector<double> Adc::thresholds(std::size_t col) const {
  std::vector<double> t = thresholds_.at(col / p_.columns_per_adc);
  for (double& v : t) v *= ranges_(col);
  return t;
}

void Adc::set_ranges(const arma::vec& ranges) {
  if (ranges.n_elem != ranges_.n_elem)
    throw ConfigError("adc.ranges",
                      "expected " + std::to_string(ranges_.n_elem) + " columns, got " + std::to_string(ranges.n_elem));
  for (std::size_t j = 0; j < ranges.n_elem; ++j)
    if (!(ranges(j) > 0.0) || !std::isfinite(ranges(j)))
      throw ConfigError("adc.ranges[" + std::to_string(j) + "]", "must be finite and > 0");
  ranges_ = ranges;
}

template <class T>
void Adc::calibrate_impl(const arma::Mat<T>& y) {
  if (p_.range_mode == "fixed") return;
  if (y.n_cols != ranges_.n_elem || y.n_rows == 0)
    throw ConfigError("adc.calibration",
                      "calibration matrix must be batch x " + std::to_string(ranges_.n_elem) + " with batch > 0");
  arma::vec r(ranges_.n_elem);
  if (p_.range_mode == "per-column") {
    for (std::size_t j = 0; j < y.n_cols; ++j) {
      double m = 0.0;
      for (std::size_t b = 0; b < y.n_rows; ++b) m = std::max(m, std::abs(static_cast<double>(y(b, j))));
      // An all-zero column keeps the fixed range so its LSB stays finite.
      r(j) = m > 0.0 ? m : p_.range;
    }
  } else {  // percentile of |y| over the whole matrix, numpy "linear" interpolation
    std::vector<double> a(y.n_elem);
    for (std::size_t e = 0; e < y.n_elem; ++e) a[e] = std::abs(static_cast<double>(y[e]));
    std::sort(a.begin(), a.end());
    const double pos = p_.range_percentile / 100.0 * static_cast<double>(a.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, a.size() - 1);
    const double v = a[lo] + (pos - static_cast<double>(lo)) * (a[hi] - a[lo]);
    r.fill(v > 0.0 ? v : p_.range);
  }
  set_ranges(r);
}

void Adc::calibrate(const arma::fmat& y) { calibrate_impl(y); }
void Adc::calibrate(const arma::mat& y) { calibrate_impl(y); }

template <class T>
void Adc::convert_impl(const arma::Mat<T>& y, arma::Mat<T>& out, std::uint64_t seed, StreamId id,
                       arma::imat* codes) const {
  if (y.n_cols != ranges_.n_elem)
    throw ConfigError("adc.input",
                      "expected " + std::to_string(ranges_.n_elem) + " columns, got " + std::to_string(y.n_cols));
  out.set_size(y.n_rows, y.n_cols);
  if (codes) codes->set_size(y.n_rows, y.n_cols);
  const std::size_t nb = y.n_rows;
  const int n = num_codes();
  const double lsb_norm = 2.0 / (n - 1);
  std::vector<float> z(p_.noise_lsb > 0.0 ? nb : 0);
  const RngKey key(seed, rng_purpose("adc.noise"));
  // Without DNL and INL the thresholds are ideal: convert_ideal, no table search.
  const bool ideal = p_.dnl_sigma_lsb == 0.0 && p_.inl_lsb == 0.0;
  const double inv_lsb = 1.0 / lsb_norm;
  for (std::size_t j = 0; j < y.n_cols; ++j) {
    const std::vector<double>& t = thresholds_[j / p_.columns_per_adc];
    const double inv_r = 1.0 / ranges_(j);
    if (!z.empty() && nb > 0) normal_block(z.data(), nb, key, id, static_cast<std::uint64_t>(j) * nb);
    const T* in = y.colptr(j);
    T* o = out.colptr(j);
    const double lsb_j = lsb(j), lo = -ranges_(j);
    bool nan = false;
    if (ideal && !codes) {
      const IdealColumn c{inv_r, p_.noise_lsb * lsb_norm, lsb_norm, inv_lsb, static_cast<double>(n - 1), lo, lsb_j};
      if (z.empty() ? convert_ideal<false>(c, in, z.data(), o, nb) : convert_ideal<true>(c, in, z.data(), o, nb))
        throw NumericalError("adc: NaN input in column " + std::to_string(j));
      continue;
    }
    for (std::size_t b = 0; b < nb; ++b) {
      double v = static_cast<double>(in[b]) * inv_r;  // normalised input
      nan |= std::isnan(v);
      if (!z.empty()) v += p_.noise_lsb * lsb_norm * z[b];
      // The code is the number of thresholds <= v. Guess it from the ideal thresholds
      // -1 + (k + 1/2) LSB, then correct against the actual ones (one step suffices for
      // an ideal ADC; DNL/INL patterns can be several LSB off, hence the loops).
      const double guess = std::clamp((v + 1.0) / lsb_norm + 0.5, 0.0, static_cast<double>(n - 1));
      int k = static_cast<int>(guess);
      while (k < n - 1 && t[k] <= v) ++k;
      while (k > 0 && t[k - 1] > v) --k;
      o[b] = static_cast<T>(lo + k * lsb_j);
      if (codes) (*codes)(b, j) = k;
    }
    if (nan) throw NumericalError("adc: NaN input in column " + std::to_string(j));
  }
}

void Adc::convert(const arma::fmat& y, arma::fmat& out, std::uint64_t seed, StreamId id, arma::imat* codes) const {
  convert_impl(y, out, seed, id, codes);
}
void Adc::convert(const arma::mat& y, arma::mat& out, std::uint64_t seed, StreamId id, arma::imat* codes) const {
  convert_impl(y, out, seed, id, codes);
}

AdcCost Adc::cost() const {
  AdcCost c;
  const double bits = p_.bits;
  // Input-referred noise adds noise_lsb^2 LSB^2 to the LSB^2/12 quantisation noise.
  c.enob = bits - 0.5 * std::log2(1.0 + 12.0 * p_.noise_lsb * p_.noise_lsb);
  double fom = p_.fom_sar_J;
  double area = isaac_sar_area_m2(bits);
  if (p_.type == "sar") {
    c.cycles_per_conversion = bits + 1.0;  // NeuroSim SarADC.cpp: (log2(levels) + 1) cycles
  } else if (p_.type == "flash") {
    fom = p_.fom_flash_J;
    c.cycles_per_conversion = 1.0;
    // 2^bits comparators: anchored at 6 bits to the ISAAC SAR area times the survey
    // flash/SAR area ratio, doubling per bit.
    area = isaac_sar_area_m2(6.0) * kFlashOverSarArea * std::exp2(bits - 6.0);
  } else {  // ramp: one comparator and a counter stepping through all 2^bits codes
    fom = p_.fom_ramp_J;
    c.cycles_per_conversion = std::exp2(bits);
    // Assumption [U]: area as a SAR of equal resolution (comparator + ramp capacitor).
  }
  c.energy_per_conversion_J = p_.energy_model == "isaac-table" ? isaac_sar_energy_J(bits) : fom * std::exp2(c.enob);
  c.latency_per_conversion_s = c.cycles_per_conversion / p_.clock_Hz;
  c.area_per_adc_m2 = area;
  c.num_adcs = thresholds_.size();
  c.read_latency_s = p_.columns_per_adc * c.latency_per_conversion_s;
  c.area_total_m2 = area * static_cast<double>(c.num_adcs);
  return c;
}

}  // namespace xbarsim

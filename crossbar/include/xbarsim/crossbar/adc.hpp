#pragma once
// Column ADCs of a crossbar tile (issue 3 periphery). Analog outputs y are laid out
// batch x cols (one output vector per matrix row), in the tile's output units; column j
// is converted over the symmetric range +-R_j.
//
// Code definition (CrossSim QuantizerADC convention, crosssim_memtorch.md 1.2): N =
// 2^bits codes k = 0..N-1 whose reconstruction levels span the range including both
// ends,
//   LSB_j = 2 R_j / (N - 1),  value(k) = -R_j + k * LSB_j,
// ideal thresholds t_k = -R_j + (k + 0.5) LSB_j, k = 0..N-2 (N - 1 thresholds); code =
// number of thresholds <= input. Relative to 0 this is mid-rise (0 is the threshold
// t_{N/2-1}); inside [-R, R] the error is at most LSB/2, outside the output saturates
// at +-R (clipping).
//
// Non-idealities, all in LSB and applied to the thresholds (normalised to the range so
// one pattern serves any R_j):
//  * DNL: static code-width errors of the N-2 inner codes, w_k = LSB (1 + d_k), d_k ~
//    N(0, dnl_sigma_lsb), sampled once per ADC instance from (seed, "adc.dnl",
//    StreamId{tile, instance, 0}); widths are clamped at 0 (a missing code) and then
//    rescaled so the first and last thresholds stay at their ideal places (endpoint
//    fit), so the thresholds are non-decreasing (monotone).
//  * INL: quadratic bow INL(u) = inl_lsb (1 - u^2) at threshold position u in [-1, 1];
//    zero at the end points, peak inl_lsb at mid-scale. A running max keeps the
//    combined thresholds monotone.
//  * noise: input-referred Gaussian, sigma = noise_lsb * LSB_j, from (seed, "adc.noise")
//    and the caller's StreamId, element e of the column-major batch using index e.
// Columns share ADCs through a mux: column j uses instance j / columns_per_adc (so mux
// groups share one DNL pattern), and a full read takes columns_per_adc conversions.
//
// Range modes: "fixed" (R_j = range), "per-column" (calibrate(): R_j = max_b |y(b, j)|
// over a calibration matrix), "percentile" (calibrate(): one R = the range_percentile-th
// percentile of |y| over the whole matrix, linear interpolation between order
// statistics as numpy's default; CrossSim calibrates ADC limits from percentiles).
#include <armadillo>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/core/random.hpp>

namespace xbarsim {

struct AdcParams {
  int bits = 8;                         // resolution, 2^bits codes
  std::string type = "sar";             // "sar" | "flash" | "ramp": latency, energy, area
  std::string range_mode = "fixed";     // "fixed" | "per-column" | "percentile"
  double range = 12.0;                  // +-range in fixed mode (output units)
  double range_percentile = 99.9;       // percentile of |y| for "percentile" mode, percent
  double dnl_sigma_lsb = 0.0;           // std of static code-width errors, LSB
  double inl_lsb = 0.0;                 // peak of the quadratic INL bow, LSB
  double noise_lsb = 0.0;               // input-referred Gaussian noise sigma, LSB
  int columns_per_adc = 1;              // columns multiplexed onto one ADC
  double clock_Hz = 1e9;                // conversion clock
  std::string energy_model = "walden";  // "walden" | "isaac-table" (SAR only)
  double fom_sar_J = 34e-15;            // Walden FOM of a SAR, J per conversion step
  double fom_flash_J = 119e-15;         // Walden FOM of a flash ADC
  double fom_ramp_J = 34e-15;           // Walden FOM of a ramp (single-slope) ADC
  static const ParamTable<AdcParams>& table();
};

/// Cost of one conversion and of one ADC instance.
struct AdcCost {
  double enob = 0.0;  // effective bits used by the Walden model
  double energy_per_conversion_J = 0.0;
  double latency_per_conversion_s = 0.0;
  double cycles_per_conversion = 0.0;
  double area_per_adc_m2 = 0.0;
  std::size_t num_adcs = 0;     // ceil(columns / columns_per_adc)
  double read_latency_s = 0.0;  // all columns once: columns_per_adc conversions
  double area_total_m2 = 0.0;
};

/// Energy and area of a SAR ADC at 32 nm from the ISAAC / Saberi table
/// (device_physics.md 7.1, bits 4..10), log-linear in bits between table points and
/// along the end segments outside.
double isaac_sar_energy_J(double bits);
double isaac_sar_area_m2(double bits);

class Adc {
 public:
  /// ADCs for `columns` columns; `seed` and `tile` key the static DNL patterns.
  Adc(AdcParams params, std::size_t columns, std::uint64_t seed, std::uint32_t tile = 0);
  const AdcParams& params() const noexcept { return p_; }
  std::size_t columns() const noexcept { return ranges_.n_elem; }
  std::size_t num_adcs() const noexcept { return thresholds_.size(); }
  int num_codes() const noexcept { return 1 << p_.bits; }

  /// Sets the ranges from a calibration matrix (batch x cols) per range_mode; fixed
  /// mode leaves them at `range`. Throws ConfigError on a column-count mismatch.
  void calibrate(const arma::fmat& y);
  void calibrate(const arma::mat& y);
  /// Sets R_j directly (all > 0).
  void set_ranges(const arma::vec& ranges);
  const arma::vec& ranges() const noexcept { return ranges_; }
  double lsb(std::size_t col) const { return 2.0 * ranges_(col) / (num_codes() - 1); }

  /// Thresholds of column j in output units (N - 1 values, non-decreasing).
  std::vector<double> thresholds(std::size_t col) const;
  /// Reconstructed value of `code` in column j (ideal digital back end).
  double value(int code, std::size_t col) const { return -ranges_(col) + code * lsb(col); }

  /// y (batch x cols) -> codes and reconstructed values (either may be skipped by
  /// passing nullptr for codes).
  void convert(const arma::fmat& y, arma::fmat& out, std::uint64_t seed, StreamId id,
               arma::imat* codes = nullptr) const;
  void convert(const arma::mat& y, arma::mat& out, std::uint64_t seed, StreamId id, arma::imat* codes = nullptr) const;

  AdcCost cost() const;

 private:
  template <class T>
  void convert_impl(const arma::Mat<T>& y, arma::Mat<T>& out, std::uint64_t seed, StreamId id, arma::imat* codes) const;
  template <class T>
  void calibrate_impl(const arma::Mat<T>& y);

  AdcParams p_;
  arma::vec ranges_;
  // Per ADC instance: thresholds normalised to R = 1 (N - 1 values in [-1, 1]).
  std::vector<std::vector<double>> thresholds_;
};

}  // namespace xbarsim

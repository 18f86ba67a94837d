#pragma once
// Input DAC of a crossbar tile (issue 3 periphery). Inputs are in normalised units
// (aihwkit convention: the DAC range is +-inp_bound, the tile scales by the read
// voltage), laid out batch x rows (one input vector per matrix row).
//
// Level definition (aihwkit IOParameters, shared/reference/aihwkit.md 1.6): the step is
// res * 2 * inp_bound with res = 1/(2^bits - 2), i.e.
//   LSB = 2 * inp_bound / (2^bits - 2),  code k in [-(2^(bits-1) - 1), 2^(bits-1) - 1],
//   level(k) = k * LSB,  so 2^bits - 1 signed levels and level(+-kmax) = +-inp_bound.
// Mid-tread: 0 is a level. Inputs are clipped to +-inp_bound, then rounded to the
// nearest level (ties away from zero).
//
// Modes:
//  * "multi-level": one analog level per input: level(k) + INL(k) + noise.
//  * "bit-serial": 1-bit DAC (ISAAC, device_physics.md 7.2). The signed code is split
//    sign-magnitude into bits-1 planes p_b in {-1, 0, +1} (the sign is the drive
//    polarity) with weights w_b = 2^b * LSB, so sum_b w_b * p_b = k * LSB exactly; the
//    tile runs one MVM per plane and shift-adds. A 1-bit DAC has two levels and hence
//    no INL; noise_lsb is then relative to the plane amplitude 1.
//
// INL: odd cubic bow over the code range, u = k / kmax in [-1, 1]:
//   INL(u) = inl_lsb * (3 sqrt(3) / 2) * u * (1 - u^2)   [LSB]
// zero at 0 and at both end points (endpoint-fit definition), peak |INL| = inl_lsb at
// u = +-1/sqrt(3). Odd so a differential signed driver keeps 0 -> 0.
// Noise: additive Gaussian, sigma = noise_lsb * LSB, drawn from core/random.hpp keyed
// by (seed, rng_purpose("dac.noise")) and the caller's StreamId; element e of the
// column-major batch matrix uses stream index e (bit-serial: plane b uses index
// b * n_elem + e), so results do not depend on threads or call splitting.
#include <armadillo>
#include <cstdint>
#include <string>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/core/random.hpp>

namespace xbarsim {

struct DacParams {
  int bits = 7;                      // resolution; 2^bits - 1 signed levels
  double inp_bound = 1.0;            // clip range +-inp_bound, normalised input units
  std::string mode = "multi-level";  // "multi-level" | "bit-serial"
  double inl_lsb = 0.0;              // peak |INL| of the cubic bow, LSB
  double noise_lsb = 0.0;            // additive Gaussian output noise sigma, LSB
  static const ParamTable<DacParams>& table();
};

/// One bit-serial decomposition: planes[b] (same shape as the input) holds values in
/// {-1, 0, +1} (plus noise if configured) with weight weights[b] = 2^b * LSB.
struct DacBitPlanes {
  std::vector<arma::fmat> planes;
  std::vector<double> weights;
};

class Dac {
 public:
  /// Validates `params` (ConfigError with key paths under "dac").
  explicit Dac(DacParams params);
  const DacParams& params() const noexcept { return p_; }

  double lsb() const noexcept { return lsb_; }
  /// Largest code magnitude, 2^(bits-1) - 1.
  int max_code() const noexcept { return kmax_; }
  /// Number of distinct levels, 2^bits - 1.
  int num_levels() const noexcept { return 2 * kmax_ + 1; }
  /// Code of one input after clipping: round(clip(x) / LSB).
  int code(double x) const;
  /// Static output level of `code` (ideal level plus INL), normalised units.
  double level(int code) const;
  /// INL of `code` in LSB (the cubic bow above).
  double inl_lsb_at(int code) const;

  /// Multi-level conversion: out(b, i) = level(code(x(b, i))) + noise. In bit-serial
  /// mode it returns the noiseless shift-add value code * LSB (noise lives in the planes).
  void convert(const arma::fmat& x, arma::fmat& out, std::uint64_t seed, StreamId id) const;
  void convert(const arma::mat& x, arma::mat& out, std::uint64_t seed, StreamId id) const;
  /// Integer codes of a batch (no noise).
  arma::imat codes(const arma::fmat& x) const;
  /// Bit-serial decomposition (bits - 1 planes, LSB plane first).
  DacBitPlanes bit_planes(const arma::fmat& x, std::uint64_t seed, StreamId id) const;

 private:
  template <class T>
  void convert_impl(const arma::Mat<T>& x, arma::Mat<T>& out, std::uint64_t seed, StreamId id) const;

  DacParams p_;
  double lsb_ = 0.0;
  int kmax_ = 0;
  bool bit_serial_ = false;
};

}  // namespace xbarsim

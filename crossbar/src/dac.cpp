// Input DAC: quantisation, INL bow, noise and bit-serial planes (see dac.hpp).
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/dac.hpp>

namespace xbarsim {

const ParamTable<DacParams>& DacParams::table() {
  static const ParamTable<DacParams> t = [] {
    ParamTable<DacParams> tab;
    tab.integer("bits", &DacParams::bits, "1", Range::closed(2, 16),
                "DAC resolution; 2^bits - 1 signed levels k * LSB, LSB = 2 inp_bound / (2^bits - 2)",
                "aihwkit IOParameters inp_res = 1/(2^7 - 2): 7-bit signed input DAC (aihwkit.md 1.6)");
    tab.real("inp_bound", &DacParams::inp_bound, "1", Range::positive(),
             "input clip range +-inp_bound in normalised input units (the tile scales by the read voltage)",
             "aihwkit IOParameters inp_bound = 1.0 (aihwkit.md 1.6)");
    tab.choice("mode", &DacParams::mode, {"multi-level", "bit-serial"},
               "multi-level: one analog level per input; bit-serial: 1-bit DAC, bits-1 sign-magnitude planes",
               "aihwkit multi-level DAC by default (aihwkit.md 1.6); ISAAC/NeuroSim bit-serial (device_physics.md "
               "7.2) as the alternative");
    tab.real("inl_lsb", &DacParams::inl_lsb, "LSB", Range::closed(0.0, 64.0),
             "peak |INL| of an odd cubic bow (zero at 0 and at full scale), multi-level mode only",
             "assumption: ideal DAC by default (aihwkit models no DAC INL)");
    tab.real("noise_lsb", &DacParams::noise_lsb, "LSB", Range::non_negative(),
             "additive Gaussian noise sigma after the DAC, in LSB (bit-serial: in units of the plane amplitude)",
             "aihwkit IOParameters inp_noise = 0.0 (aihwkit.md 1.6)");
    return tab;
  }();
  return t;
}

Dac::Dac(DacParams params) : p_(std::move(params)) {
  ProblemList problems;
  DacParams::table().validate_struct(p_, "dac", problems);
  problems.throw_if_any();
  kmax_ = (1 << (p_.bits - 1)) - 1;
  lsb_ = 2.0 * p_.inp_bound / static_cast<double>((1 << p_.bits) - 2);
  bit_serial_ = p_.mode == "bit-serial";
}

int Dac::code(double x) const {
  if (std::isnan(x)) throw NumericalError("dac: NaN input");
  const double c = std::clamp(x, -p_.inp_bound, p_.inp_bound);
  return std::clamp(static_cast<int>(std::lround(c / lsb_)), -kmax_, kmax_);
}

double Dac::inl_lsb_at(int code) const {
  if (bit_serial_ || p_.inl_lsb == 0.0) return 0.0;
  const double u = static_cast<double>(code) / kmax_;
  return p_.inl_lsb * (1.5 * std::sqrt(3.0)) * u * (1.0 - u * u);
}

double Dac::level(int code) const { return (static_cast<double>(code) + inl_lsb_at(code)) * lsb_; }

template <class T>
void Dac::convert_impl(const arma::Mat<T>& x, arma::Mat<T>& out, std::uint64_t seed, StreamId id) const {
  out.set_size(x.n_rows, x.n_cols);
  const T* in = x.memptr();
  T* o = out.memptr();
  const std::size_t n = x.n_elem;
  if (bit_serial_) {
    for (std::size_t e = 0; e < n; ++e) o[e] = static_cast<T>(code(in[e]) * lsb_);
    return;
  }
  if (p_.inl_lsb == 0.0) {
    // Fast path of level(code(x)) without INL: clip, round half away from zero, scale.
    const T bound = static_cast<T>(p_.inp_bound), inv = static_cast<T>(1.0 / lsb_), lsb = static_cast<T>(lsb_);
    bool nan = false;
    for (std::size_t e = 0; e < n; ++e) {
      nan |= std::isnan(in[e]);
      const T c = std::clamp(in[e], -bound, bound) * inv;
      const int k = std::clamp(static_cast<int>(c + std::copysign(T(0.5), c)), -kmax_, kmax_);
      o[e] = static_cast<T>(k) * lsb;
    }
    if (nan) throw NumericalError("dac: NaN input");
  } else {
    for (std::size_t e = 0; e < n; ++e) o[e] = static_cast<T>(level(code(in[e])));
  }
  if (p_.noise_lsb > 0.0 && n > 0) {
    std::vector<float> z(n);
    normal_block(z.data(), n, RngKey(seed, rng_purpose("dac.noise")), id, 0);
    const double sigma = p_.noise_lsb * lsb_;
    for (std::size_t e = 0; e < n; ++e) o[e] = static_cast<T>(o[e] + sigma * z[e]);
  }
}

void Dac::convert(const arma::fmat& x, arma::fmat& out, std::uint64_t seed, StreamId id) const {
  convert_impl(x, out, seed, id);
}
void Dac::convert(const arma::mat& x, arma::mat& out, std::uint64_t seed, StreamId id) const {
  convert_impl(x, out, seed, id);
}

arma::imat Dac::codes(const arma::fmat& x) const {
  arma::imat k(x.n_rows, x.n_cols);
  for (std::size_t e = 0; e < x.n_elem; ++e) k[e] = code(x[e]);
  return k;
}

DacBitPlanes Dac::bit_planes(const arma::fmat& x, std::uint64_t seed, StreamId id) const {
  const int nplanes = p_.bits - 1;
  const arma::imat k = codes(x);
  const std::size_t n = x.n_elem;
  DacBitPlanes bp;
  bp.planes.reserve(nplanes);
  std::vector<float> z(p_.noise_lsb > 0.0 ? n : 0);
  const RngKey key(seed, rng_purpose("dac.noise"));
  for (int b = 0; b < nplanes; ++b) {
    arma::fmat plane(x.n_rows, x.n_cols);
    float* pl = plane.memptr();
    for (std::size_t e = 0; e < n; ++e) {
      const long long c = k[e];
      const long long mag = c < 0 ? -c : c;
      const float bit = static_cast<float>((mag >> b) & 1);
      pl[e] = c < 0 ? -bit : bit;
    }
    if (!z.empty()) {
      normal_block(z.data(), n, key, id, static_cast<std::uint64_t>(b) * n);
      const float sigma = static_cast<float>(p_.noise_lsb);
      for (std::size_t e = 0; e < n; ++e) pl[e] += sigma * z[e];
    }
    bp.planes.push_back(std::move(plane));
    bp.weights.push_back(std::ldexp(lsb_, b));
  }
  return bp;
}

}  // namespace xbarsim

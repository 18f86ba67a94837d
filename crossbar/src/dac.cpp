// Input DAC: quantisation, INL bow, noise and bit-serial planes (see dac.hpp).
#include <algorithm>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/dac.hpp>

#include "dac_levels.hpp"

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

namespace {
/// level(code(x)) without INL (the fast path of convert and of the tile's fused
/// scaling): clip, round half away from zero, scale. Written on values without branches
/// so loops over it vectorise; a NaN becomes 0 here and the caller reports it.
template <class T>
struct PlainLevels {
  T bound, inv, lsb;
  int kmax;
  explicit PlainLevels(const Dac& dac)
      : bound(static_cast<T>(dac.params().inp_bound)),
        inv(static_cast<T>(1.0 / dac.lsb())),
        lsb(static_cast<T>(dac.lsb())),
        kmax(dac.max_code()) {}
  T operator()(T v) const {
    v = v == v ? v : T(0);
    const T c = std::min(std::max(v, -bound), bound) * inv;
    const int k = std::clamp(static_cast<int>(c + std::copysign(T(0.5), c)), -kmax, kmax);
    return static_cast<T>(k) * lsb;
  }
};
}  // namespace

// The hottest loop of an analog inference: compiled for AVX-512 and AVX2 too, picked at
// run time; fp-contract=off keeps FMA out, so every path rounds alike (same numbers).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default"), optimize("fp-contract=off")))
#endif
bool detail::dac_scaled_levels(const Dac& dac, const float* x, const float* scale, float* out, std::size_t n) {
  const PlainLevels<float> level_of(dac);
  int nan = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const float v = x[k] / scale[k];
    nan = v == v ? nan : 1;  // (not |=: that form keeps the loop scalar)
    out[k] = level_of(v);
  }
  return nan == 0;
}

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
    const PlainLevels<T> level_of(*this);
    int nan = 0;
    if (o == in) {  // in place (the tile's pipeline): one pointer, so no aliasing check blocks vectorisation
      for (std::size_t e = 0; e < n; ++e) {
        nan = o[e] == o[e] ? nan : 1;
        o[e] = level_of(o[e]);
      }
    } else {
      for (std::size_t e = 0; e < n; ++e) {
        nan = in[e] == in[e] ? nan : 1;
        o[e] = level_of(in[e]);
      }
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

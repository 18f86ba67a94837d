#pragma once
// The DAC conversion fused with the tile pipeline's input scaling (managed_mvm.cpp):
// one loop instead of a scaling pass and a conversion pass over every input block.
#include <cstddef>
#include <xbarsim/crossbar/dac.hpp>

namespace xbarsim::detail {

/// out[k] = level(code(x[k] / scale[k])) of `dac` in multi-level mode without INL and
/// noise (Dac::convert's fast path, the same level function); false if a value is NaN.
bool dac_scaled_levels(const Dac& dac, const float* x, const float* scale, float* out, std::size_t n);

/// Whether dac_scaled_levels converts exactly as `dac` does (multi-level, no INL, no noise).
inline bool has_plain_levels(const Dac& dac) {
  return dac.params().mode == "multi-level" && dac.params().inl_lsb == 0.0 && dac.params().noise_lsb == 0.0;
}

}  // namespace xbarsim::detail

#pragma once
// Periphery management of one MVM direction of a tile (forward or backward), with the
// meanings of aihwkit's IOParameters (shared/reference/aihwkit.md 1.6). The DAC and ADC
// themselves are DacParams / AdcParams; this struct holds what happens around them.
//
// Order of operations (aihwkit rpu_forward_backward_pass.cpp, aihwkit.md 1.6):
//  1. noise management: each input vector x_b is divided by alpha_b
//     ("abs-max": alpha_b = max_i |x_bi|; "constant": alpha_b = nm_thres; "none": 1);
//     an all-zero vector under abs-max gives an all-zero output without an MVM.
//  2. DAC quantisation and clipping at +-inp_bound (DacParams).
//  3. analog product in normalised units (weights in [-1, 1]).
//  4. weight noise, redrawn for every MVM:
//     "additive-constant": sigma_bj = w_noise * ||x_b||_2,
//     "pcm-read": sigma_bj = w_noise * sqrt(sum_i |w_ij| x_bi^2)
//     which is exactly the output distribution of independent Gaussian per-cell noise of
//     std w_noise (resp. w_noise sqrt|w_ij|) on every cell for every MVM: the output is
//     a sum of independent Gaussians, so one draw per output with the summed variance
//     has the same law as drawing every cell (and costs one GEMM instead of rows x cols
//     draws per vector).
//  5. output noise: additive Gaussian out_noise at every output before the ADC.
//  6. integrator saturation: the analog value is clipped at +-integrator_saturation
//     (0 = an integrator that never saturates).
//  7. ADC quantisation and clipping at its range (AdcParams).
//  8. bound management "iterative": a vector whose output hit the ADC range or the
//     integrator saturation is re-run with its input halved (the digital side doubles
//     it back) until no output is clipped, the reduction exceeds max_bm_factor, or the
//     reduced input's resolution dac LSB * factor exceeds max_bm_res. Fresh noise is
//     drawn for every re-run.
// is_perfect bypasses all of it: y = x W exactly.
#include <string>
#include <xbarsim/core/params.hpp>

namespace xbarsim {

struct MvmIoParams {
  bool is_perfect = false;
  std::string noise_management = "abs-max";    // "none" | "abs-max" | "constant"
  double nm_thres = 1.0;                       // alpha of "constant" noise management
  std::string bound_management = "iterative";  // "none" | "iterative"
  double max_bm_factor = 1000.0;
  double max_bm_res = 0.25;
  double out_noise = 0.06;             // output noise sigma, normalised output units
  std::string w_noise_type = "none";   // "none" | "additive-constant" | "pcm-read"
  double w_noise = 0.0;                // weight noise strength (see above)
  double integrator_saturation = 0.0;  // +-clip of the analog value, 0 = none
  static const ParamTable<MvmIoParams>& table();
};

}  // namespace xbarsim

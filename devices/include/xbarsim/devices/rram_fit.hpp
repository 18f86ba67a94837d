#pragma once
// Least-squares fit of rram-pulse (NeuroSim behavioural model) parameters to a measured or
// simulated pulse response: the output of the generic "pulse-response" protocol of any
// device model (datasets "conductance_S", devices x P, and "polarity", P).
#include <cstddef>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/family.hpp>

namespace xbarsim {

struct RramPulseFit {
  /// g_min_S, g_max_S (real), pulses_ltp, pulses_ltd (integer), nl_ltp, nl_ltd (real):
  /// rram-pulse parameter names, ready to merge into a preset.
  ParamValues params;
  /// RMS of (model - mean measured curve) divided by the measured range max - min.
  double rms_rel = 0.0;
  std::size_t devices = 0;  // curves averaged
  std::size_t points = 0;   // reads per curve
};

/// Fits G_min, G_max, pulses and NL labels (LTP and LTD) to the device-averaged pulse
/// response by Levenberg-Marquardt (pulse counts rounded to integers, then the rest
/// refitted). ConfigError if the curve lacks the datasets, has mismatched shapes, or has
/// no potentiation or no depression pulses.
RramPulseFit fit_rram_pulse(const Curve& pulse_response);

}  // namespace xbarsim

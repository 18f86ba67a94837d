#pragma once
// Helpers shared by the rpu-step tests.
#include <armadillo>
#include <cmath>
#include <string>
#include <vector>
#include <xbarsim/devices/rpu_step.hpp>

namespace xbarsim::rpu_test {

/// aihwkit defaults for `step` with every device-to-device and cycle-to-cycle spread
/// switched off, so single steps follow the update-once formulas exactly.
inline RpuStepParams quiet(const std::string& step) {
  RpuStepParams p;
  p.step = step;
  p.dw_min_dtod = 0.0;
  p.dw_min_std = 0.0;
  p.up_down_dtod = 0.0;
  p.w_max_dtod = 0.0;
  p.w_min_dtod = 0.0;
  p.gamma_up_dtod = 0.0;
  p.gamma_down_dtod = 0.0;
  p.pow_gamma_dtod = 0.0;
  return p;
}

inline arma::fmat& field(const RpuStepModel& m, DeviceState& s, const std::string& name) {
  return s.field(static_cast<std::size_t>(m.field_index(name)));
}

/// One call applying `count` coincidences to every cell.
inline void pulse_all(const RpuStepModel& m, DeviceState& s, int count) {
  apply_pulses_all(m, s, PulseCounts(s.rows(), s.cols(), arma::fill::value(static_cast<std::int16_t>(count))));
}

struct Moments {
  double mean = 0.0, std = 0.0;
};

/// Sample mean and standard deviation (n - 1) of a matrix's entries, in double.
inline Moments moments(const arma::fmat& x) {
  const arma::vec v = arma::conv_to<arma::vec>::from(arma::vectorise(x));
  return {arma::mean(v), arma::stddev(v)};
}

}  // namespace xbarsim::rpu_test

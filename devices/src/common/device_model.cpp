#include <atomic>
#include <cmath>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/parallel.hpp>
#include <xbarsim/devices/device_model.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {
namespace {
void check_shape(const DeviceState& state, arma::uword rows, arma::uword cols, const char* what) {
  if (rows != state.rows() || cols != state.cols())
    throw InternalError(std::string(what) + " is " + std::to_string(rows) + "x" + std::to_string(cols) +
                        " but the tile is " + std::to_string(state.rows()) + "x" + std::to_string(state.cols()));
}

ProgramReport& operator+=(ProgramReport& a, const ProgramReport& b) {
  a.pulses += b.pulses;
  a.verify_reads += b.verify_reads;
  a.unconverged += b.unconverged;
  a.energy_J += b.energy_J;
  return a;
}
}  // namespace

ProgramReport program_all(const DeviceModel& model, DeviceState& state, const arma::fmat& target_S,
                          const ProgramOptions& options) {
  check_shape(state, target_S.n_rows, target_S.n_cols, "target conductance matrix");
  const ProgramReport report = parallel_reduce_blocks(
      state.rows(), kDefaultRowBlock, ProgramReport{},
      [&](std::size_t b, std::size_t e) {
        return model.program(state, target_S, options, RowRange{b, e});
      },
      [](ProgramReport acc, const ProgramReport& part) { return acc += part; });
  state.time_s = 0.0;
  return report;
}

void apply_pulses_all(const DeviceModel& model, DeviceState& state, const PulseCounts& counts) {
  check_shape(state, counts.n_rows, counts.n_cols, "pulse count matrix");
  const std::uint64_t step = state.pulse_step;
  parallel_blocks(state.rows(), kDefaultRowBlock, [&](std::size_t b, std::size_t e) {
    model.apply_pulses(state, counts, step, RowRange{b, e});
  });
  ++state.pulse_step;
}

void read_all(const DeviceModel& model, const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index,
              arma::fmat& out_S) {
  out_S.set_size(state.rows(), state.cols());
  parallel_blocks(state.rows(), kDefaultRowBlock, [&](std::size_t b, std::size_t e) {
    model.read(state, v_read_V, noisy, read_index, out_S, RowRange{b, e});
  });
}

void relax_all(const DeviceModel& model, DeviceState& state, double t1_s) {
  const double t0 = state.time_s;
  parallel_blocks(state.rows(), kDefaultRowBlock, [&](std::size_t b, std::size_t e) {
    model.relax(state, t0, t1_s, RowRange{b, e});
  });
  state.time_s = t1_s;
}

ProgramReport write_verify(const DeviceModel& model, DeviceState& state, const arma::fmat& target_S,
                           const ProgramOptions& options, RowRange rows, int levels) {
  ProgramReport report;
  const double g_lo = model.g_min_S(), g_hi = model.g_max_S();
  const double tol = options.tolerance_rel * (g_hi - g_lo);
  auto target = [&](std::size_t i, std::size_t j) {
    return quantize_to_levels(static_cast<double>(target_S(i, j)), g_lo, g_hi, levels);
  };
  const double v_read = 0.0;  // 0 = the model's own default read voltage
  arma::fmat g(state.rows(), state.cols());
  PulseCounts counts(state.rows(), state.cols(), arma::fill::zeros);
  // Streams for the programming pulses are keyed by iteration, offset far from the
  // update steps so they never reuse an update's random numbers.
  const std::uint64_t base_step = (std::uint64_t{1} << 40) + state.pulse_step * 4096;
  for (int it = 0; it < options.max_iterations; ++it) {
    model.read(state, v_read, false, 0, g, rows);
    std::uint64_t pending = 0;
    for (std::size_t j = 0; j < state.cols(); ++j)
      for (std::size_t i = rows.begin; i < rows.end; ++i) {
        const double err = target(i, j) - g(i, j);
        const std::int16_t c = std::abs(err) <= tol ? 0 : (err > 0 ? 1 : -1);
        counts(i, j) = c;
        pending += c != 0;
      }
    report.verify_reads += rows.size() * state.cols();
    if (pending == 0) return report;
    model.apply_pulses(state, counts, base_step + static_cast<std::uint64_t>(it), rows);
    report.pulses += pending;
  }
  model.read(state, v_read, false, 0, g, rows);
  for (std::size_t j = 0; j < state.cols(); ++j)
    for (std::size_t i = rows.begin; i < rows.end; ++i) report.unconverged += std::abs(target(i, j) - g(i, j)) > tol;
  return report;
}

}  // namespace xbarsim

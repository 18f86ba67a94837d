// Pulsed in-situ update of an analog tile (see tile.hpp "Update" and pulsed_update.hpp).
#include <cmath>
#include <cstdlib>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>

#include "tile_impl.hpp"

namespace xbarsim {

double AnalogTile::Impl::measure_dw_min() const {
  constexpr std::size_t kProbeCells = 256;
  const Impl& t = *this;
  const DeviceModel& m = *t.model;
  DeviceState probe = m.create_state(1, kProbeCells, derive_seed(t.seed, 0xd3u), t.tile_id);
  const double g_mid = 0.5 * (m.g_min_S() + m.g_max_S());
  program_all(m, probe, arma::fmat(1, kProbeCells, arma::fill::value(static_cast<float>(g_mid))));
  arma::fmat before, after;
  read_all(m, probe, t.cfg.tile.v_read_V, false, 0, before);
  apply_pulses_all(m, probe, PulseCounts(1, kProbeCells, arma::fill::ones));
  read_all(m, probe, t.cfg.tile.v_read_V, false, 0, after);
  t.to_cell(before);
  t.to_cell(after);
  const double dw = arma::mean(arma::conv_to<arma::vec>::from(after - before)) / t.dG;
  if (!(dw > 0.0) || !std::isfinite(dw))
    throw ConfigError("tile.dw_min", "the device model's mean SET step at mid-range is not positive (" +
                                         std::to_string(dw) + "); set tile.dw_min explicitly");
  return dw;
}

double AnalogTile::dw_min() {
  Impl& t = *impl_;
  if (t.dw_min == 0.0) t.dw_min = t.measure_dw_min();
  return t.dw_min;
}

TileUpdateReport AnalogTile::update(const arma::fmat& x, const arma::fmat& d, double lr) {
  Impl& t = *impl_;
  if (x.n_cols != t.inputs || d.n_cols != t.outputs || x.n_rows != d.n_rows)
    throw ConfigError("update", "x must be batch x " + std::to_string(t.inputs) + " and d batch x " +
                                    std::to_string(t.outputs) + " with the same batch; got " +
                                    std::to_string(x.n_rows) + " x " + std::to_string(x.n_cols) + " and " +
                                    std::to_string(d.n_rows) + " x " + std::to_string(d.n_cols));
  if (t.n_adc != t.outputs)
    throw ConfigError(
        "mapping.scheme",
        "in-situ pulsed update needs the differential or reference-column mapping, not " + t.mapped.scheme);
  TileUpdateReport report;
  report.dw_min = dw_min();
  // Normalised weights change by -lr x^T d / factor_j per column (tile.hpp).
  const arma::fmat dn = d.each_row() / t.adc_factor.t();
  const bool differential = t.mapped.scheme == "differential";
  PulseCounts physical(t.inputs, t.mapped.physical_columns());
  const CountsSink sink = [&](std::size_t, std::size_t, const PulseCounts& counts) {
    physical.zeros();
    for (arma::uword j = 0; j < t.outputs; ++j) {
      const std::int16_t* n = counts.colptr(j);
      if (differential) {
        std::int16_t* plus = physical.colptr(2 * j);
        std::int16_t* minus = physical.colptr(2 * j + 1);
        for (arma::uword i = 0; i < t.inputs; ++i) {
          plus[i] = n[i] > 0 ? n[i] : 0;
          minus[i] = n[i] < 0 ? static_cast<std::int16_t>(-n[i]) : 0;
        }
      } else {
        std::copy(n, n + t.inputs, physical.colptr(j));
      }
    }
    for (arma::uword e = 0; e < counts.n_elem; ++e) report.device_pulses += std::abs(counts(e));
    apply_pulses_all(*t.model, t.state, physical);
  };
  report.pulses = t.updater.update(x, dn, lr, report.dw_min, UpdateRngCoords{t.seed, t.tile_id, t.updates++}, sink);
  t.fresh = false;
  return report;
}

}  // namespace xbarsim

#pragma once
// Private state of AnalogTile (tile.hpp), shared by tile.cpp (composition, reads) and
// tile_update.cpp (pulsed update).
#include <cmath>
#include <limits>
#include <memory>
#include <xbarsim/core/error.hpp>
#include <xbarsim/crossbar/ir_drop_model.hpp>
#include <xbarsim/crossbar/line_solver.hpp>
#include <xbarsim/crossbar/tile.hpp>
#include <xbarsim/crossbar/transfer_matrix.hpp>

#include "managed_mvm.hpp"

namespace xbarsim {

struct AnalogTile::Impl {
  std::unique_ptr<DeviceModel> model;
  TileConfig cfg;
  std::size_t inputs = 0, outputs = 0;
  std::uint64_t seed = 0;
  std::uint32_t tile_id = 0;
  Dac fdac, bdac;
  Adc fadc, badc;
  MappedWeights mapped;
  DeviceState state;
  double dG = 0.0;        // cell conductance range of the mapping
  double r_access = 0.0;  // series access resistance of a cell, 0 for 0T1R
  // ADC columns: per physical column its ADC column and sign (reference: all columns).
  arma::uword n_adc = 0;
  arma::uvec adc_of_physical;
  arma::fvec sign_of_physical;
  arma::uvec logical_of_adc;
  arma::fvec adc_factor;  // digital factor of each ADC column
  // Cached reads of the current state.
  bool fresh = false;
  arma::fmat G;       // rows x physical, siemens
  arma::fmat Wideal;  // rows x n_adc, normalised, ideal wires
  arma::fmat Wfwd;    // rows x n_adc, with the wire model
  arma::fmat Wabs;    // |Wfwd| for pcm-read weight noise
  bool forward_adc_calibrated = false, backward_adc_calibrated = false;
  std::uint64_t calls = 0, updates = 0;
  PulsedUpdater updater;
  double dw_min = 0.0;
  MvmStats stats;
  detail::MvmWorkspace work;  // buffers of the periphery pipeline, reused by every read

  /// AnalogTile::forward / forward_columns (tile.cpp), vectors of x and y laid out as `layout`.
  void forward_read(const arma::fmat& x, detail::VectorLayout layout, arma::fmat& y);

  Impl(std::unique_ptr<DeviceModel> m, const TileConfig& c, std::size_t in, std::size_t out, std::uint64_t s,
       std::uint32_t id)
      : model(std::move(m)),
        cfg(c),
        inputs(in),
        outputs(out),
        seed(s),
        tile_id(id),
        fdac(c.forward_dac),
        bdac(c.backward_dac),
        fadc(c.forward_adc, 1, s, 2 * id),
        badc(c.backward_adc, in, s, 2 * id + 1),
        updater(c.update),
        dw_min(c.tile.dw_min) {}

  /// ADC columns of the mapping layout (see tile.hpp).
  void build_adc_layout() {
    const arma::uword P = mapped.physical_columns();
    const bool sliced = mapped.scheme == "bit-sliced";
    n_adc = sliced ? mapped.slice_weights.n_elem * outputs : outputs;
    adc_of_physical.set_size(P);
    sign_of_physical.set_size(P);
    logical_of_adc.set_size(n_adc);
    for (arma::uword a = 0; a < n_adc; ++a) logical_of_adc(a) = a % outputs;
    for (arma::uword c = 0; c < P; ++c) {
      const ColumnRole role = mapped.column_role[c];
      adc_of_physical(c) = role == ColumnRole::Reference
                               ? n_adc
                               : (sliced ? mapped.column_slice(c) * outputs : 0) + mapped.column_logical(c);
      sign_of_physical(c) = (role == ColumnRole::Negative || role == ColumnRole::Reference) ? -1.0f : 1.0f;
    }
  }

  void update_factors() {
    adc_factor.set_size(n_adc);
    for (arma::uword a = 0; a < n_adc; ++a) {
      const arma::uword slice = a / outputs;
      adc_factor(a) = static_cast<float>(mapped.slice_weights(slice) * mapped.weight_per_S(a % outputs) * dG);
    }
  }

  /// Normalised ADC-column matrix (rows x n_adc) of physical-column currents M (rows x P).
  arma::fmat combine(const arma::fmat& M) const {
    arma::fmat W(M.n_rows, n_adc, arma::fill::zeros);
    const float inv = static_cast<float>(1.0 / dG);
    for (arma::uword c = 0; c < M.n_cols; ++c) {
      const float s = sign_of_physical(c) * inv;
      if (adc_of_physical(c) == n_adc)
        W.each_col() += s * M.col(c);  // shared reference column
      else
        W.col(adc_of_physical(c)) += s * M.col(c);
    }
    return W;
  }

  /// The wire model applied to conductances G_S (rows x P): G itself, the exact T, or
  /// the fast per-cell model (ir_drop_model.hpp), optionally calibrated per column by one
  /// exact line-solver solve with all rows driven (on these conductances, so a noisy
  /// read gets its own calibration).
  arma::fmat through_wires(const arma::fmat& G_S) const {
    if (cfg.tile.wire_model == "ideal") return G_S;
    if (cfg.tile.wire_model == "fast") return fast_transfer_matrix(G_S, cfg.wires);
    if (cfg.tile.wire_model == "fast-calibrated") {
      const arma::mat G = arma::conv_to<arma::mat>::from(G_S);
      arma::mat T = fast_transfer_matrix(G, cfg.wires);
      T.each_row() %= fast_column_calibration(G, cfg.wires, T);
      return arma::conv_to<arma::fmat>::from(T);
    }
    return arma::conv_to<arma::fmat>::from(crossbar_transfer_matrix(arma::conv_to<arma::mat>::from(G_S), cfg.wires));
  }

  /// Device conductances -> cell conductances (in place), and the write-verify inverse.
  void to_cell(arma::fmat& g) const {
    if (r_access > 0.0) g /= 1.0f + static_cast<float>(r_access) * g;
  }
  arma::fmat device_targets(const arma::mat& g_cell) const {
    return arma::conv_to<arma::fmat>::from(g_cell / (1.0 - r_access * g_cell));
  }
  void read_cells(bool noisy, std::uint64_t read_index, arma::fmat& g) const {
    read_all(*model, state, cfg.tile.v_read_V, noisy, read_index, g);
    to_cell(g);
  }

  /// Mean normalised change of one SET pulse at mid-range, measured on a 256-cell probe
  /// of the tile's device model (own seed: the tile's devices are untouched).
  double measure_dw_min() const;

  void refresh() {
    if (fresh) return;
    read_cells(false, 0, G);
    Wideal = combine(G);
    Wfwd = cfg.tile.wire_model == "ideal" ? Wideal : combine(through_wires(G));
    if (cfg.forward_io.w_noise_type == "pcm-read") Wabs = arma::abs(Wfwd);
    fresh = true;
  }

  /// Output variance of the weight noise of one pass (mvm_io.hpp, step 4); empty if none.
  static void weight_noise_variance(const arma::fmat& xq, const arma::fmat& Wabs_, const MvmIoParams& io,
                                    arma::uword n_out, arma::fmat& variance) {
    variance.reset();
    if (io.w_noise_type == "none" || io.w_noise == 0.0) return;
    const float w2 = static_cast<float>(io.w_noise * io.w_noise);
    if (io.w_noise_type == "additive-constant")
      variance = arma::repmat(w2 * arma::sum(arma::square(xq), 1), 1, n_out);
    else
      variance = w2 * (arma::square(xq) * Wabs_);
  }

  /// Forward analog product including device read noise (tile.hpp). With exact wires
  /// and per-vector noise, each vector is one line-preconditioned conjugate-gradient
  /// solve at its own conductances (line_solver.hpp) instead of a new transfer matrix.
  void forward_product(const arma::fmat& xq, const arma::uvec& samples, std::uint32_t pass, std::uint64_t call,
                       const arma::fmat& Wbatch, const LineCrossbarSolver* solver, arma::fmat& z,
                       arma::fmat& variance) {
    if (cfg.tile.device_read_noise != "per-mvm") {
      z = xq * Wbatch;
    } else {
      z.set_size(xq.n_rows, n_adc);
      arma::fmat Gn;
      for (arma::uword r = 0; r < xq.n_rows; ++r) {
        const std::uint64_t read_index = (call << 32) + static_cast<std::uint64_t>(pass) * 65536u + samples(r) + 1;
        read_cells(true, read_index, Gn);
        if (solver) {
          // Unit read voltage: currents / dG are already normalised units.
          const arma::rowvec v = arma::conv_to<arma::rowvec>::from(xq.row(r));
          const arma::rowvec I = solver->solve(arma::conv_to<arma::mat>::from(Gn), v).currents_A;
          z.row(r) = combine(arma::conv_to<arma::fmat>::from(I));
        } else {
          // Ideal or fast wires: the (per-cell) matrix of this read's conductances.
          z.row(r) = xq.row(r) * combine(cfg.tile.wire_model == "ideal" ? Gn : through_wires(Gn));
        }
      }
    }
    weight_noise_variance(xq, Wabs, cfg.forward_io, n_adc, variance);
  }

  /// Sets ADC ranges that come from data ("per-column", "percentile") on the first batch:
  /// the ideal analog outputs of x after noise management.
  static void calibrate_once(Adc& adc, bool& calibrated, const MvmIoParams& io, const arma::fmat& x,
                             const arma::fmat& W, const char* where) {
    if (calibrated || adc.params().range_mode == "fixed") return;
    if (!x.is_finite()) throw ConfigError(where, "contains NaN or infinite values");
    // The ideal analog outputs the ADC will see: inputs scaled as noise management scales them.
    arma::fmat xs = x;
    xs.each_col() /= arma::clamp(detail::noise_management_scales(x, io), 1e-30f, std::numeric_limits<float>::max());
    adc.calibrate(arma::fmat(xs * W));
    calibrated = true;
  }
};

}  // namespace xbarsim

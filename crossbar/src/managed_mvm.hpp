#pragma once
// The periphery pipeline shared by the forward and the backward read of a tile:
// noise management, DAC (multi-level or bit-serial), analog product, output noise,
// integrator saturation, ADC and iterative bound management (mvm_io.hpp).
#include <armadillo>
#include <cstdint>
#include <functional>
#include <xbarsim/core/random.hpp>
#include <xbarsim/crossbar/adc.hpp>
#include <xbarsim/crossbar/dac.hpp>
#include <xbarsim/crossbar/mvm_io.hpp>
#include <xbarsim/crossbar/tile.hpp>

namespace xbarsim::detail {

/// Analog product of DAC outputs xq (m x n_in, rows are the vectors `samples` of the
/// batch) into z (m x n_out), normalised units. If the product has weight noise, it
/// sets `variance` (m x n_out) to its output variance and leaves it empty otherwise;
/// the pipeline draws weight and output noise as one Gaussian of the summed variance.
/// `pass` numbers the analog passes of one call (re-runs and bit planes).
using AnalogProduct = std::function<void(const arma::fmat& xq, const arma::uvec& samples, std::uint32_t pass,
                                         arma::fmat& z, arma::fmat& variance)>;

struct Periphery {
  const MvmIoParams& io;
  const Dac& dac;
  const Adc& adc;
};

/// Input scale alpha_b of every vector x_b (row of x) under the noise management of `io`.
arma::fvec noise_management_scales(const arma::fmat& x, const MvmIoParams& io);

/// Runs x (batch x n_in) through the periphery; z (batch x n_out) receives the digital
/// value of every ADC column, already multiplied back by the noise and bound management
/// scales. Noise is keyed by (seed, purpose), StreamId{tile, call, pass} and the sample
/// index, so it does not depend on threads or on which vectors are re-run together.
void managed_mvm(const arma::fmat& x, std::size_t n_out, const Periphery& periphery, const AnalogProduct& analog,
                 std::uint64_t seed, std::uint32_t tile_id, std::uint64_t call, arma::fmat& z, MvmStats& stats);

/// Limits of the noise stream layout below (a tile has at most 65536 columns).
inline constexpr std::uint32_t kMaxColumns = 65536, kMaxPasses = 65536;

/// z(r, j) += sqrt(sigma0^2 + variance(r, j)) N(0, 1) (variance may be empty): element
/// samples(r) of stream (tile_id, call, pass * 65536 + j). InternalError beyond
/// kMaxColumns columns or kMaxPasses passes.
void add_sample_noise(arma::fmat& z, const arma::uvec& samples, const RngKey& key, std::uint32_t tile_id,
                      std::uint32_t call, std::uint32_t pass, float sigma0, const arma::fmat& variance);

}  // namespace xbarsim::detail

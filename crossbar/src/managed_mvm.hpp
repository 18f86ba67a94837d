#pragma once
// The periphery pipeline shared by the forward and the backward read of a tile:
// noise management, DAC (multi-level or bit-serial), analog product, output noise,
// integrator saturation, ADC and iterative bound management (mvm_io.hpp).
//
// Blocks. The batch is processed in blocks of consecutive vectors (rows) small enough
// that a block's inputs, DAC levels and outputs stay in cache: x is read from memory
// once and every step after it works on cached data. Each vector's result depends only
// on its own data, its sample index and its pass numbers (a vector re-run k times by
// bound management uses passes 0..k, times the bit planes), so the block split changes
// no random number. The one exception is DAC and ADC noise, whose draws are numbered by
// the position in the converted matrix (dac.hpp, adc.hpp): with either on, the whole
// batch is one block, as when those streams were defined. What the split can change is
// the rounding of the analog product (BLAS sums a block's GEMM in its own order), by a
// float ulp that very rarely moves an ADC code by one; the block size is fixed, never
// derived from threads, so results stay identical for any thread count.
#include <armadillo>
#include <cstdint>
#include <functional>
#include <vector>
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
  const arma::fvec* out_factor = nullptr;  // digital factor of every output column, nullptr = 1
  const char* input_key = "x";             // key path of the ConfigError for a non-finite input
  bool batched_product = true;             // the analog product costs one GEMM per pass, not work per vector
};

/// Buffers of managed_mvm, kept by the caller across calls and sized lazily, so a read
/// allocates nothing once its shapes have been seen.
struct MvmWorkspace {
  arma::fvec alpha, probe;               // per vector of the block: noise-management scale, finiteness probe
  arma::fmat xraw;                       // the block's vectors as rows (block x n_in), loaded once from x
  arma::fmat xs, za, zq, acc, variance;  // scaled inputs / DAC levels, analog out, ADC out, plane sum
  std::vector<arma::uword> rows;         // batch rows (sample indices) of the block's vectors still running
  std::vector<arma::uword> runs;         // starts of the runs of consecutive samples in rows, then rows.size()
  std::vector<arma::uword> zeros;        // batch rows of the block's all-zero vectors
  std::vector<float> scale, bm, noise;
  std::vector<char> clipped;
};

/// Where the vectors of x and z are: one per row (a tile's batch x inputs) or one per
/// column (the network's inputs x batch, matvec_backend.hpp); the pipeline is the same.
enum class VectorLayout { rows, columns };

/// Input scale alpha_b of every vector x_b (row of x) under the noise management of `io`.
arma::fvec noise_management_scales(const arma::fmat& x, const MvmIoParams& io);

/// Runs x (batch x n_in, or n_in x batch for VectorLayout::columns) through the
/// periphery; z (batch x n_out, or n_out x batch) receives the digital
/// value of every ADC column, multiplied back by the noise and bound management scales
/// and by periphery.out_factor. Noise is keyed by (seed, purpose), StreamId{tile, call,
/// pass} and the sample index, so it does not depend on threads or on which vectors are
/// re-run together: the output noise of z(b, j) in pass p is element b of stream (tile,
/// call, p * 65536 + j) (InternalError beyond kMaxColumns columns or kMaxPasses passes).
/// ConfigError (periphery.input_key) if x has a NaN or infinite value.
void managed_mvm(const arma::fmat& x, VectorLayout layout, std::size_t n_out, const Periphery& periphery,
                 const AnalogProduct& analog, std::uint64_t seed, std::uint32_t tile_id, std::uint64_t call,
                 MvmWorkspace& ws, arma::fmat& z, MvmStats& stats);

/// Limits of the noise stream layout below (a tile has at most 65536 columns).
inline constexpr std::uint32_t kMaxColumns = 65536, kMaxPasses = 65536;

}  // namespace xbarsim::detail

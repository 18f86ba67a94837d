#pragma once
// Pulsed outer-product update of an analog crossbar tile (aihwkit semantics,
// shared/reference/aihwkit.md 1.7; aihwkit rpu_pulsed_meta_parameter.cpp,
// dense_bit_line_maker.cpp). Turns the SGD step W <- W - lr x^T d into signed pulse
// coincidence counts per cell; the tile applies them with DeviceModel::apply_pulses.
//
// Inputs: x is batch x rows (tile inputs), d is batch x cols (backward errors). For each
// sample b, aihwkit's performUpdateManagement gives BL_b, A_b, B_b from lr, dw_min (mean
// weight change of one coincidence, units of W) and x_max = max_i |x_bi|,
// d_max = max_j |d_bj|:
//   x_max == 0 or d_max == 0: no pulses (BL_b = 0);
//   base: BL = desired_bl, A = B = sqrt(lr / (dw_min BL));
//   update-BL management: d_val = um_grad_scale d_max, k = lr x_max d_val / dw_min,
//     BL = min(ceil(k), desired_bl), A = B = sqrt(lr / (dw_min BL));
//   update management (always on with update-BL management, as aihwkit's initialize()):
//     if k > desired_bl: d_val *= desired_bl / k;  A *= sqrt(x_max / d_val), B *= sqrt(d_val / x_max).
// Pulse probabilities per slot t < BL_b: p_x = min(1, B_b |x_bi|) on row i, p_d = min(1, A_b |d_bj|)
// on column j. Cell (i, j) receives the signed coincidence count
//   n_ij = -sum_b sum_t sign(x_bi) sign(d_bj) [x pulse (b,t,i)] [d pulse (b,t,j)],
// so +1 is potentiation (DeviceModel convention) and dw_min E[n_ij] = -lr sum_b x_bi d_bj
// while no probability is clipped at 1.
//
// BL, A and B are computed in double (aihwkit: float); the per-slot probabilities in float.
//
// pulse_type "stochastic-compressed": Bernoulli pulse trains. The probability is
// quantised to 16 bits: a pulse fires when a 16-bit uniform u < q, q = round(65536 p)
// (q = 65536, i.e. p >= 1 - 2^-17, always fires), so |P(pulse) - p| <= 2^-17: a
// known bias bound of the 16-bit resolution (the thresholds are tested against it; a
// probability below 2^-17 never fires). pulse_type "mean-count": aihwkit's
// deterministic MEAN_COUNT (dense_bit_line_maker.cpp), kx = round(BL p_x),
// kd = round(BL p_d), coincidences roundf(kd / BL * kx), no random numbers. Note: this
// follows aihwkit, i.e. the rounding is deterministic, not stochastic.
//
// Random numbers: key (seed, rng_purpose("crossbar.update.x")) for rows and
// ("crossbar.update.d") for columns, stream StreamId{tile, step lo 32 bits, step hi 32
// bits}; the 16-bit uniform of row i, slot t, sample b is half (b % 2) (low half for even b)
// of word (i desired_bl + t) ceil(batch / 2) + b / 2 of that stream (columns alike with j).
// Every number depends on (cell line, slot, sample) only, so results are identical for
// any thread count, any internal chunking, either kernel, and batch-net counts equal the
// sum of per-sample counts bit for bit.
//
// Accumulation (how counts are reported, through the CountsSink callback):
//  * "batch-net": the batch is cut into consecutive chunks with sum_b BL_b <= 32767 (so
//    no int16 count can overflow) and at most 2^16 pulse slots per line (chunks that
//    end early are cut to a multiple of 64 samples); the sink is called once per chunk,
//    in order, with the chunk's net counts (also when they are all zero). Usually one
//    chunk: batch 1024 with BL <= 31 always is.
//  * "per-sample": the sink is called once per sample with BL_b > 0, in sample order,
//    with that sample's counts (aihwkit's CPU semantics: the tile applies each before
//    the next); samples with a zero x or d vector get no pulses and no call.
// The sink's first_sample / n_samples say which samples a matrix covers.
//
// Implementation: the pulse trains of a chunk are packed as bit strings per line, slot
// index t * chunk + b (t-major, so one 16-bit compare instruction makes 32 samples'
// pulses), one string for "pulse present" and one for "negative sign", and
// n_ij = -(popcount(px & pd) - 2 popcount(px & pd & (sx ^ sd))): a binary GEMM over
// 64-bit words, AVX-512 VPOPCNTDQ with 4 x 2 register blocking when the CPU has it (for
// strings under 8 words, as in per-sample mode, vectorised across 8 rows instead),
// a portable std::popcount kernel otherwise (identical integers). Lines with no nonzero
// input in a chunk are skipped.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <xbarsim/core/params.hpp>
#include <xbarsim/devices/device_model.hpp>

#include <armadillo>

namespace xbarsim {

struct PulsedUpdateParams {
  int desired_bl = 31;                               // max pulse-train length (slots)
  std::string pulse_type = "stochastic-compressed";  // | "mean-count"
  bool update_bl_management = true;
  bool update_management = true;
  double um_grad_scale = 1.0;
  std::string accumulation = "batch-net";  // | "per-sample"
  static const ParamTable<PulsedUpdateParams>& table();
};

/// Pulse-train length and probability scales of one sample (aihwkit performUpdateManagement).
struct PulseScales {
  int bl = 0;        // pulse slots (0: no update for this sample)
  double a_d = 0.0;  // A: column (d) pulse probability per unit |d|
  double b_x = 0.0;  // B: row (x) pulse probability per unit |x|
};

/// Logical coordinates of one update's random numbers.
struct UpdateRngCoords {
  std::uint64_t seed = 0;
  std::uint32_t tile = 0;
  std::uint64_t step = 0;  // update counter of the tile
};

/// Statistics of one update call, for cost models.
struct PulsedUpdateStats {
  std::uint64_t row_pulses = 0;     // pulses driven on rows (x side), all samples and slots
  std::uint64_t col_pulses = 0;     // pulses driven on columns (d side)
  std::uint64_t coincidences = 0;   // gross coincidences (row and column pulse in one slot)
  std::uint64_t net_abs_count = 0;  // sum over reported count matrices of sum_ij |n_ij|
  int bl_max = 0;                   // largest per-sample pulse-train length
  std::uint64_t bl_sum = 0;         // sum of per-sample pulse-train lengths (slots driven)
  std::size_t samples_pulsed = 0;   // samples with BL > 0
  std::size_t reports = 0;          // sink calls (chunks or samples)
};

/// Receives counts for samples [first_sample, first_sample + n_samples). The matrix is
/// rows x cols and only valid during the call.
using CountsSink = std::function<void(std::size_t first_sample, std::size_t n_samples, const PulseCounts& counts)>;

/// Which coincidence kernel runs (the results are identical; Scalar is for tests).
enum class CoincidenceKernel { Auto, Scalar };

class PulsedUpdater {
 public:
  /// Validates `p` (ConfigError with key paths under "update").
  explicit PulsedUpdater(PulsedUpdateParams p);
  const PulsedUpdateParams& params() const noexcept { return p_; }

  /// aihwkit's performUpdateManagement for one sample (see the file comment).
  PulseScales scales(double lr, double dw_min, double x_abs_max, double d_abs_max) const;

  /// Computes the pulse counts of W <- W - lr x^T d and hands them to `sink` (see
  /// "Accumulation" above). lr >= 0, dw_min > 0; x: batch x rows, d: batch x cols.
  /// Throws ConfigError on bad lr / dw_min / shapes, NumericalError on non-finite input.
  PulsedUpdateStats update(const arma::fmat& x, const arma::fmat& d, double lr, double dw_min,
                           const UpdateRngCoords& rng, const CountsSink& sink) const;

  /// Selects the coincidence and pulse-compare kernels (testing hook).
  void set_kernel(CoincidenceKernel k) noexcept { kernel_ = k; }
  /// True if this CPU runs the AVX-512 VPOPCNTDQ kernels under CoincidenceKernel::Auto.
  static bool simd_available();

 private:
  PulsedUpdateParams p_;
  bool mean_count_ = false, per_sample_ = false;
  CoincidenceKernel kernel_ = CoincidenceKernel::Auto;
};

namespace detail {
/// Binary GEMM of packed pulse strings (kw 64-bit words each, string r at base + r kw):
/// out[c nx + r] += popcount(xp_r & dp_c) - 2 popcount(xp_r & dp_c & (xs_r ^ ds_c)) for
/// columns c in [c0, c1); returns the sum of popcount(xp_r & dp_c) (gross coincidences).
/// nx must be a multiple of 4 and c1 - c0 of 2; the SIMD kernel needs kw % 8 == 0.
std::uint64_t coincidence_scalar(const std::uint64_t* xp, const std::uint64_t* xs, std::size_t nx,
                                 const std::uint64_t* dp, const std::uint64_t* ds, std::size_t c0, std::size_t c1,
                                 std::size_t kw, std::int32_t* out);
std::uint64_t coincidence_avx512(const std::uint64_t* xp, const std::uint64_t* xs, std::size_t nx,
                                 const std::uint64_t* dp, const std::uint64_t* ds, std::size_t c0, std::size_t c1,
                                 std::size_t kw, std::int32_t* out);
/// The same for short strings (kw < 8, e.g. one sample): vectorised across 8 rows. Row
/// strings are transposed, word k of row r at xpt[k nxp + r], with nxp a multiple of 8
/// (zero strings pad); out as above with leading dimension nxp.
std::uint64_t coincidence_avx512_narrow(const std::uint64_t* xpt, const std::uint64_t* xst, std::size_t nxp,
                                        const std::uint64_t* dp, const std::uint64_t* ds, std::size_t c0,
                                        std::size_t c1, std::size_t kw, std::int32_t* out);
/// Pulse bits of `groups` groups of 32 slots: out[g] bit l = ((u16[32 g + l] < q[32 g + l])
/// | certain[g] bit l) & active[g] bit l; returns the number of set bits (AVX-512BW and
/// scalar versions, identical).
std::uint64_t pulse_masks_scalar(const std::uint16_t* u16, const std::uint16_t* q, const std::uint32_t* certain,
                                 const std::uint32_t* active, std::size_t groups, std::uint32_t* out);
std::uint64_t pulse_masks_avx512(const std::uint16_t* u16, const std::uint16_t* q, const std::uint32_t* certain,
                                 const std::uint32_t* active, std::size_t groups, std::uint32_t* out);
/// 16-bit thresholds of n samples of one line (float arithmetic, no contraction):
/// p = min(1, scale[l] |v[l]|), q32 = int(p 65536 + 0.5); q[l] = q32 mod 2^16, bit l of
/// certain set where q32 = 65536 (p rounds to 1), bit l of sign set where v[l] < 0.
/// q, certain and sign are written for ceil(n / 32) whole groups (lanes >= n get 0).
void line_thresholds_scalar(const float* v, const float* scale, std::size_t n, std::uint16_t* q, std::uint32_t* certain,
                            std::uint32_t* sign);
void line_thresholds_avx512(const float* v, const float* scale, std::size_t n, std::uint16_t* q, std::uint32_t* certain,
                            std::uint32_t* sign);
bool avx512_popcnt_supported();
}  // namespace detail

}  // namespace xbarsim

#pragma once
// Structure-level compression of a network before mapping (issue 5): magnitude pruning,
// filter pruning by L1 norm, low-rank SVD decomposition, uniform quantisation, binary and
// ternary weights. Each transform changes `net` in place (the structural ones rebuild it
// with smaller or extra layers and move the result into `net`) and returns a report of
// its effect: parameters before and after, weights and nonzero weights, per-layer details.
//
// Common conventions
//  * "Weighted layers" are Conv2D and Dense. Only their weight tensors are pruned or
//    quantised; biases, BatchNorm and PReLU parameters stay in float (they are applied
//    digitally after the crossbar). `layers` selects weighted layers by name (empty: all of
//    them); a name that is absent or not a weighted layer is a ConfigError naming it.
//  * Parameter counts are Network::num_params() (every Param of every layer); "weights"
//    are the elements of the Conv2D/Dense weight tensors and "nonzero" those != 0.
//  * Structural rebuilds copy every untouched layer (with its weights, running statistics
//    and settings) and keep the names, so the rebuilt network runs like the original.
//
// Schemes
//  * Magnitude pruning: k = round(fraction N) weights of smallest |w| are set to 0, over
//    all selected layers together (scope "global", N = all their weights) or per layer
//    (scope "layer", k_l = round(fraction N_l)). Ties in |w| are broken by position: the
//    earlier layer, then the lower flat index, is pruned first, so exactly k weights are
//    zeroed (sparsity is k / N exactly, more only if more than k weights were already 0).
//  * Filter pruning (Li et al., "Pruning filters for efficient ConvNets", ICLR 2017):
//    each selected Conv2D loses the round(fraction Cout) filters of smallest L1 norm (sum
//    of |w| over Cin kh kw; ties: the lower index is removed first; at least one filter is
//    kept), and the next layer loses the matching input channels. The output of the conv
//    may pass through channel-wise layers (BatchNorm2D and PReLU are sliced; activations,
//    pooling, padding, dropout, Scale are unchanged) and must end in exactly one Conv2D
//    (groups 1, its input channels sliced) or Dense (directly or after Flatten: the
//    columns c H W .. c H W + H W - 1 of each removed channel c are removed). Anything
//    else on the way (Add, Concat, LRN, Reshape, several consumers, the network output,
//    a grouped conv) is a ConfigError naming that layer. Layers are pruned one after the
//    other in network order, each ranked after the previous ones removed its input
//    channels (Li et al.'s "greedy" variant).
//  * Low-rank SVD: a Dense weight W (out x in) = U S V^T is truncated to rank r and
//    replaced by two Dense layers "<name>.lowrank" (in -> r, weight S_r^1/2 V_r^T, no
//    bias) and "<name>" (r -> out, weight U_r S_r^1/2, the original bias). A Conv2D is
//    decomposed the same way on its unrolled weight M (Cout x Cin kh kw): a Conv2D
//    "<name>.lowrank" with r filters of Cin x kh x kw (rows of S_r^1/2 V_r^T, the
//    original stride, padding and dilation, no bias) followed by a 1x1 Conv2D "<name>"
//    r -> Cout (U_r S_r^1/2, the original bias): the channel decomposition of Zhang et al.
//    (TPAMI 2016) with the weight SVD instead of their data-driven solution. By
//    Eckart-Young the product of the two weights is the best rank-r approximation, with
//    Frobenius error sqrt(sum of the dropped s_i^2). Grouped convolutions: ConfigError.
//  * Uniform quantisation, symmetric, narrow range: with L = 2^(bits-1) - 1 the step is
//    delta = max|w| / L (per tensor, or per output channel = filter / weight row) and
//    w <- delta clamp(round(w / delta), -L, L), round half away from zero. 2^bits - 1
//    levels (255, 15, 3 for 8, 4, 2 bits); nothing is clipped, so |error| <= delta / 2.
//  * Binary (BinaryConnect, Courbariaux et al. 2015, deterministic): w <- alpha sign(w)
//    with sign(0) = +1. scale "none": alpha = 1 (plain BinaryConnect); "layer_mean_abs"
//    (default): alpha = mean|w| over the layer; "channel_mean_abs": alpha = mean|w| per
//    output filter, the binary-weight-network scaling of XNOR-Net (Rastegari et al. 2016).
//  * Ternary (TWN, Li & Liu 2016, eq. 10): per layer delta = t mean|w| with t = 0.7,
//    alpha = mean of |w| over {|w| > delta}, w <- +alpha (w > delta), -alpha (w < -delta),
//    0 otherwise.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/nn/network.hpp>

namespace xbarsim {

/// Effect of a transform on one layer of the input network.
struct LayerCompression {
  std::string name;                                     // layer name in the input network
  std::string type;                                     // ONNX type: "Conv", "Gemm", "BatchNormalization", ...
  std::vector<std::string> new_layers;                  // the layer(s) that replace it (SVD: two)
  std::uint64_t params_before = 0, params_after = 0;    // every Param of the layer(s)
  std::uint64_t weights_before = 0, weights_after = 0;  // weight-tensor elements (0 for BN, PReLU)
  std::uint64_t nonzero_before = 0, nonzero_after = 0;  // nonzero weight elements
  // filter pruning: output channels of the pruned conv, or input channels / features of
  // the layer after it; `removed` lists the removed filter (or channel) indices.
  std::size_t channels_before = 0, channels_after = 0;
  std::vector<std::size_t> removed;
  // low-rank SVD
  std::size_t rank = 0, full_rank = 0;        // r and min(rows, cols)
  std::vector<double> singular_values;        // all of them, descending
  double frobenius_error = 0.0;               // ||W - W_r||_F measured on the new weights
  double frobenius_error_eckart_young = 0.0;  // sqrt(sum_{i > r} s_i^2)
  // quantisation, binary, ternary
  int bits = 0;                // uniform quantisation
  std::size_t levels = 0;      // distinct values allowed per tensor/channel
  std::vector<double> scales;  // step (uniform) or alpha (binary, ternary): one per tensor or channel
  double threshold = 0.0;      // TWN delta
  double max_abs_error = 0.0;  // max |w_new - w_old| over the weight tensor
  std::string detail;          // one-line summary for listings
};

/// Effect of a transform on a network.
struct CompressionReport {
  std::string transform;  // "magnitude_prune", "filter_prune", "low_rank", "quantize", "binarize", "ternarize"
  std::uint64_t params_before = 0, params_after = 0;    // Network::num_params()
  std::uint64_t weights_before = 0, weights_after = 0;  // Conv2D + Dense weight elements
  std::uint64_t nonzero_before = 0, nonzero_after = 0;  // nonzero of those
  std::vector<LayerCompression> layers;                 // changed layers, network order
  /// 1 - nonzero_after / weights_after (0 for an empty network).
  double sparsity() const;
};

struct MagnitudePruneParams {
  double fraction = 0.5;         // of the selected weights set to zero
  std::string scope = "global";  // "global" | "layer"
  static const ParamTable<MagnitudePruneParams>& table();
};

struct FilterPruneParams {
  double fraction = 0.5;  // of the filters of each selected Conv2D removed
  static const ParamTable<FilterPruneParams>& table();
};

struct LowRankParams {
  int rank = 0;                // r; 0: use rank_fraction
  double rank_fraction = 0.5;  // r = max(1, round(rank_fraction min(rows, cols))) when rank = 0
  static const ParamTable<LowRankParams>& table();
};

struct QuantizeParams {
  int bits = 8;
  std::string granularity = "per_tensor";  // "per_tensor" | "per_channel"
  static const ParamTable<QuantizeParams>& table();
};

struct BinarizeParams {
  std::string scale = "layer_mean_abs";  // "none" | "layer_mean_abs" | "channel_mean_abs"
  static const ParamTable<BinarizeParams>& table();
};

struct TernarizeParams {
  double threshold_factor = 0.7;  // delta = threshold_factor mean|w|
  static const ParamTable<TernarizeParams>& table();
};

/// Zeros the smallest-magnitude weights (see the header comment for ties).
CompressionReport prune_magnitude(Network& net, const MagnitudePruneParams& p,
                                  const std::vector<std::string>& layers = {});
/// Removes whole filters by L1 norm and the matching inputs of the next layer; `layers`
/// (empty: every Conv2D) are Conv2D names. ConfigError naming the layer where the
/// removal is not well-defined.
CompressionReport prune_filters(Network& net, const FilterPruneParams& p, const std::vector<std::string>& layers = {});
/// Replaces each selected Conv2D / Dense by its rank-r two-layer factorisation.
CompressionReport low_rank(Network& net, const LowRankParams& p, const std::vector<std::string>& layers = {});
/// Replaces weights by their symmetric uniform dequantised values.
CompressionReport quantize(Network& net, const QuantizeParams& p, const std::vector<std::string>& layers = {});
/// BinaryConnect / BWN weights.
CompressionReport binarize(Network& net, const BinarizeParams& p, const std::vector<std::string>& layers = {});
/// Ternary weight networks.
CompressionReport ternarize(Network& net, const TernarizeParams& p, const std::vector<std::string>& layers = {});

/// The transform named "NAME[:key=value,...]": NAME is magnitude_prune, filter_prune,
/// low_rank, quantize, binarize or ternarize, the keys are the fields of its parameter
/// struct plus `layers` (layer names separated by '|'; absent: every weighted layer),
/// e.g. "quantize:bits=4,granularity=per_channel" or "filter_prune:fraction=0.25,layers=conv1".
/// ConfigError "compress" for an unknown transform, "compress.NAME.key" for a bad setting.
CompressionReport apply_compression(Network& net, std::string_view spec);

/// Magnitude bits a weight needs after a transform that left at most `levels` values per
/// tensor or channel, symmetric about 0 (2 L + 1 levels, or 2 for binary): the smallest
/// b with 2^b - 1 >= L, at least 1. 0 if `levels` is 0 (the transform did not quantise).
int magnitude_bits_for_levels(std::size_t levels);

/// Conv2D and Dense weight elements and their nonzero count, summed over `net`.
struct WeightCount {
  std::uint64_t weights = 0, nonzero = 0;
};
WeightCount count_weights(Network& net);

}  // namespace xbarsim

// Low-rank SVD decomposition of Dense and Conv2D layers (scheme in compress.hpp).
#include <armadillo>
#include <cmath>
#include <xbarsim/core/error.hpp>

#include "common.hpp"

namespace xbarsim {

using namespace compress_detail;

CompressionReport low_rank(Network& net, const LowRankParams& p, const std::vector<std::string>& layers) {
  {
    ProblemList problems;
    LowRankParams::table().validate_struct(p, "low_rank", problems);
    problems.throw_if_any();
  }
  CompressionReport r;
  r.transform = "low_rank";
  const auto nodes = select_layers(net, layers, false, "low_rank");
  count_into(net, r, false);
  std::map<std::size_t, std::vector<std::unique_ptr<Layer>>> repl;
  for (std::size_t k : nodes) {
    Layer& l = net.layer(k);
    auto* conv = dynamic_cast<Conv2D*>(&l);
    if (conv && conv->spec().groups != 1)
      throw ConfigError(l.name(),
                        "low-rank decomposition needs groups = 1, got groups = " + std::to_string(conv->spec().groups));
    const Tensor& w = weight_of(l)->value;
    const std::size_t rows = rows_of(w), cols = row_size(w), full = std::min(rows, cols);
    std::size_t rank = 0;
    if (p.rank > 0) {
      rank = static_cast<std::size_t>(p.rank);
      if (rank > full)
        throw ConfigError(l.name(), "low-rank: rank " + std::to_string(rank) + " exceeds the full rank min(" +
                                        std::to_string(rows) + ", " + std::to_string(cols) +
                                        ") = " + std::to_string(full));
    } else {
      rank =
          std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(p.rank_fraction * static_cast<double>(full))));
    }
    // Unrolled weight M (rows x cols) in double, M(o, i) = w[o cols + i].
    arma::mat M(rows, cols);
    for (std::size_t o = 0; o < rows; ++o)
      for (std::size_t i = 0; i < cols; ++i) M(o, i) = w[o * cols + i];
    arma::mat U, V;
    arma::vec s;
    if (!arma::svd_econ(U, s, V, M)) throw NumericalError(l.name() + ": low-rank: the SVD did not converge");

    LayerCompression e = layer_entry(net, k);
    e.rank = rank;
    e.full_rank = full;
    e.singular_values.assign(s.begin(), s.end());
    double dropped = 0.0;
    for (std::size_t i = rank; i < s.n_elem; ++i) dropped += s(i) * s(i);
    e.frobenius_error_eckart_young = std::sqrt(dropped);

    const std::string first = l.name() + ".lowrank";
    std::unique_ptr<Layer> a, b;
    Tensor *wa = nullptr, *wb = nullptr;
    if (conv) {
      const Conv2DSpec spec = conv->spec();
      Conv2DSpec sa = spec;
      sa.out_channels = rank;
      sa.bias = false;
      Conv2DSpec sb;
      sb.in_channels = rank;
      sb.out_channels = spec.out_channels;
      sb.kernel_h = sb.kernel_w = 1;
      sb.bias = spec.bias;
      auto ca = std::make_unique<Conv2D>(first, sa);
      auto cb = std::make_unique<Conv2D>(l.name(), sb);
      wa = &ca->weight().value;
      wb = &cb->weight().value;
      if (spec.bias) cb->bias()->value = conv->bias()->value;
      a = std::move(ca);
      b = std::move(cb);
    } else {
      auto& d = dynamic_cast<Dense&>(l);
      auto da = std::make_unique<Dense>(first, cols, rank, false);
      auto db = std::make_unique<Dense>(l.name(), rank, rows, d.bias() != nullptr);
      wa = &da->weight().value;
      wb = &db->weight().value;
      if (d.bias()) db->bias()->value = d.bias()->value;
      a = std::move(da);
      b = std::move(db);
    }
    // A = S_r^1/2 V_r^T (rank x cols), B = U_r S_r^1/2 (rows x rank).
    for (std::size_t j = 0; j < rank; ++j) {
      const double sq = std::sqrt(s(j));
      for (std::size_t i = 0; i < cols; ++i) (*wa)[j * cols + i] = static_cast<float>(sq * V(i, j));
      for (std::size_t o = 0; o < rows; ++o) (*wb)[o * rank + j] = static_cast<float>(U(o, j) * sq);
    }
    // Measured error of the stored (float) factors.
    arma::mat A(rank, cols), B(rows, rank);
    for (std::size_t j = 0; j < rank; ++j) {
      for (std::size_t i = 0; i < cols; ++i) A(j, i) = (*wa)[j * cols + i];
      for (std::size_t o = 0; o < rows; ++o) B(o, j) = (*wb)[o * rank + j];
    }
    e.frobenius_error = arma::norm(M - B * A, "fro");
    e.new_layers = {first, l.name()};
    e.params_after = count_params(*a) + count_params(*b);
    e.weights_after = wa->size() + wb->size();
    e.nonzero_after = count_nonzero(*wa) + count_nonzero(*wb);
    e.detail = "rank " + std::to_string(rank) + " of " + std::to_string(full) + ", params " +
               std::to_string(e.params_before) + " -> " + std::to_string(e.params_after);
    r.layers.push_back(std::move(e));
    repl[k].push_back(std::move(a));
    repl[k].push_back(std::move(b));
  }
  net = rebuild(net, repl);
  count_into(net, r, true);
  return r;
}

}  // namespace xbarsim

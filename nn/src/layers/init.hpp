#pragma once
// Parameter construction and default initialisation shared by the layers. Defaults are
// PyTorch's (uniform in +-bound), drawn from the project RNG keyed by the parameter's
// name, so a freshly built network is reproducible without any global engine.
#include <string>
#include <xbarsim/nn/layer.hpp>

namespace xbarsim {

/// A parameter of shape s with a zero gradient of the same shape.
Param make_param(std::string name, Shape s, bool decay = true);
/// Fills t with U(-bound, bound) keyed by `key_name` (seed 0).
void fill_uniform(Tensor& t, double bound, const std::string& key_name);

}  // namespace xbarsim

// Parameter helpers (see init.hpp).
#include "init.hpp"

#include <functional>
#include <vector>
#include <xbarsim/core/random.hpp>

namespace xbarsim {

Param make_param(std::string name, Shape s, bool decay) {
  Param p;
  p.name = std::move(name);
  p.value = Tensor(s);
  p.grad = Tensor(s);
  p.decay = decay;
  return p;
}

void fill_uniform(Tensor& t, double bound, const std::string& key_name) {
  if (t.size() == 0) return;
  std::vector<float> u(t.size());
  const auto h = static_cast<std::uint32_t>(std::hash<std::string>{}(key_name));
  uniform_block(u.data(), u.size(), RngKey(0, rng_purpose("nn.init")), StreamId{h, 0, 0});
  for (std::size_t i = 0; i < u.size(); ++i) t[i] = static_cast<float>((2.0 * u[i] - 1.0) * bound);
}

}  // namespace xbarsim

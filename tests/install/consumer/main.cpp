// A research-code user of the installed package: builds a device model from the
// registry, applies pulses to a small tile, checks the conductances are sane.
#include <cstdio>
#include <xbarsim/core/version.hpp>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/io/device_preset.hpp>

int main() {
  const auto& families = xbarsim::device_families();
  if (families.empty()) return 1;
  const auto& family = *families.front();
  auto model = family.make(family.table().defaults());
  auto state = model->create_state(4, 3, 7, 0);
  xbarsim::apply_pulses_all(*model, state, xbarsim::PulseCounts(4, 3, arma::fill::ones));
  arma::fmat g;
  xbarsim::read_all(*model, state, 0.0, false, 0, g);
  if (!g.is_finite() || g.min() < 0) return 2;
  std::printf("consumer ok: xbarsim %s, %zu families, %s G[0,0] = %g S\n", std::string(xbarsim::version()).c_str(),
              families.size(), std::string(family.model()).c_str(), static_cast<double>(g(0, 0)));
  return 0;
}

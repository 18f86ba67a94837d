#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/device_state.hpp>

namespace xbarsim {

DeviceState::DeviceState(std::size_t rows, std::size_t cols, std::vector<StateField> layout, std::uint64_t seed,
                         std::uint32_t tile_id)
    : rows_(rows), cols_(cols), layout_(std::move(layout)), seed_(seed), tile_id_(tile_id) {
  fields_.reserve(layout_.size());
  for (std::size_t i = 0; i < layout_.size(); ++i) fields_.emplace_back(rows, cols, arma::fill::zeros);
}

arma::fmat& DeviceState::field(const std::string& name) {
  for (std::size_t i = 0; i < layout_.size(); ++i)
    if (layout_[i].name == name) return fields_[i];
  throw InternalError("device state has no field '" + name + "'");
}

const arma::fmat& DeviceState::field(const std::string& name) const {
  return const_cast<DeviceState*>(this)->field(name);
}

}  // namespace xbarsim

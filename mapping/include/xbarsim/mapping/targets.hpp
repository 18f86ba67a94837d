#pragma once
// Digital reference targets named "PRESET[:key=value,...]" (issue 5): GPU/TPU rooflines,
// SCALE-Sim systolic arrays and the Zhang FPGA'15 model, each preset citing its source.
// Keys are the fields of the preset's parameter struct (RooflineParams, SystolicParams
// plus EnergyTableParams, FpgaParams), e.g. "systolic-32x32:dataflow=ws,rows=64".
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <xbarsim/mapping/energy_table.hpp>
#include <xbarsim/mapping/fpga_zhang.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>
#include <xbarsim/mapping/roofline.hpp>
#include <xbarsim/mapping/systolic.hpp>

namespace xbarsim {

enum class TargetKind { Roofline, Systolic, Fpga };
std::string_view to_string(TargetKind kind);

struct TargetPresetInfo {
  std::string name;
  TargetKind kind;
  std::string description;
  std::string source;
};
/// Every preset in a fixed order (for `xbarsim targets list`).
const std::vector<TargetPresetInfo>& target_presets();

struct DigitalTarget {
  std::string name;  // as given
  std::string preset;
  TargetKind kind = TargetKind::Roofline;
  RooflineParams roofline;
  SystolicParams systolic;
  EnergyTableParams energy;
  FpgaParams fpga;
};
/// Preset plus overrides. ConfigError "target" for an unknown preset (listing the known
/// ones), "target.<preset>.<key>" for an unknown key (listing the valid ones), a value of
/// the wrong kind or out of range.
DigitalTarget make_target(std::string_view text);

constexpr double kNotModelled = std::numeric_limits<double>::quiet_NaN();

struct TargetLayerCost {
  std::string name;
  std::uint64_t macs = 0;
  double cycles = 0;
  double latency_s = 0;
  double energy_J = 0;
  double dram_bytes = kNotModelled;
  double sram_bytes = kNotModelled;
};
struct TargetCost {
  std::string target;
  std::vector<TargetLayerCost> layers;
  TargetLayerCost total;  // sums; name "total"
};

/// Layer-by-layer execution of `layers` (batch 1) on the target.
TargetCost evaluate_target(const DigitalTarget& target, const std::vector<LayerShape>& layers);
inline TargetCost evaluate_target(std::string_view name, const std::vector<LayerShape>& layers) {
  return evaluate_target(make_target(name), layers);
}

}  // namespace xbarsim

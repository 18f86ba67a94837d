#pragma once
// Device families: the registry that ties a preset's `model` key to a parameter table,
// a DeviceModel factory and characterisation protocols. The CLI, io and GUI only talk
// to families through this interface.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <xbarsim/core/params.hpp>
#include <xbarsim/core/progress.hpp>
#include <xbarsim/devices/device_model.hpp>

namespace xbarsim {

/// One named array of a characterisation result, written to HDF5 by io.
struct Dataset {
  std::string name;
  std::string units;
  std::string description;
  std::vector<std::size_t> shape;  // row-major, e.g. {devices, pulses}
  std::vector<double> values;      // row-major
};

/// Everything a protocol produced: datasets plus scalar attributes (e.g. fitted values).
struct Curve {
  std::string protocol;
  std::vector<Dataset> datasets;
  ParamValues attributes;
  const Dataset* find(std::string_view name) const;
};

/// Options of `xbarsim device curve`; unused fields are ignored by a protocol.
struct CurveRequest {
  std::string protocol;
  std::size_t devices = 16;
  std::uint64_t seed = 1;
  std::optional<double> target_S;  // drift, read-noise: programmed conductance
  std::size_t pulses = 0;          // pulse-response: pulses per phase (0 = model default)
  std::size_t reads = 1000;        // read-noise: repeated reads
  double read_time_s = 1.0;        // read-noise: time since programming of the reads
  double read_voltage_V = 0.0;     // 0 = model default read voltage
  RunControl control;
};

/// A protocol every family offers through the DeviceModel interface.
inline constexpr std::string_view kGenericProtocols[] = {"pulse-response", "drift", "read-noise"};

class DeviceFamily {
 public:
  virtual ~DeviceFamily() = default;
  /// Value of a preset's `model` key ("pcm-statistical").
  virtual std::string_view model() const = 0;
  /// Device family ("rram", "pcm", "mtj", "rpu", "fefet").
  virtual std::string_view family() const = 0;
  /// One line describing the model and its primary source.
  virtual std::string_view summary() const = 0;
  virtual const ParamTableBase& table() const = 0;
  /// Builds a model from validated parameter values (defaults fill missing keys).
  virtual std::unique_ptr<DeviceModel> make(const ParamValues& values) const = 0;
  /// Read voltage the generic protocols use unless the request sets one.
  virtual double default_read_voltage_V(const ParamValues& values) const = 0;
  /// Pulses per phase for pulse-response unless the request sets them.
  virtual std::size_t default_pulses(const ParamValues& values) const = 0;
  /// Protocols beyond kGenericProtocols ("iv", "switching", ...), possibly none.
  virtual std::vector<std::string> extra_protocols() const = 0;
  /// Runs one of extra_protocols(); InternalError for any other name.
  virtual Curve run_extra(const ParamValues& values, const CurveRequest& request) const = 0;
};

/// All registered families, in a stable order.
const std::vector<const DeviceFamily*>& device_families();
/// The family whose model() is `model`; ConfigError naming `where` otherwise.
const DeviceFamily& find_device_family(std::string_view model, std::string_view where = "model");
/// Every protocol a family supports (generic first).
std::vector<std::string> protocols_of(const DeviceFamily& family);
/// ConfigError at "--protocol" unless the family supports `protocol`.
void require_protocol(const DeviceFamily& family, std::string_view protocol);
/// Runs a protocol; ConfigError naming the protocol if the family does not support it.
Curve characterise(const DeviceFamily& family, const ParamValues& values, const CurveRequest& request);

/// Boilerplate for a family whose parameters are one struct P with P::table() and whose
/// model is M(P). Derive and implement the remaining virtuals.
template <class P, class M>
class FamilyOf : public DeviceFamily {
 public:
  const ParamTableBase& table() const override { return P::table(); }
  std::unique_ptr<DeviceModel> make(const ParamValues& values) const override {
    return std::make_unique<M>(P::table().make(values));
  }
  P params(const ParamValues& values) const { return P::table().make(values); }
};

}  // namespace xbarsim

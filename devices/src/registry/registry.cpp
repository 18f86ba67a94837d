#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/devices/registry.hpp>

namespace xbarsim {

const std::vector<const DeviceFamily*>& device_families() {
  static const std::vector<const DeviceFamily*> all = {
      // XBARSIM_FAMILIES: one line per family, in family order.
      &vteam_family(),          &stanford_pku_family(), &rram_pulse_family(), &pcm_statistical_family(),
      &pcm_pulse_family(),      &pcm_thermal_family(),  &mtj_family(),        &rpu_step_family(),
      &fefet_preisach_family(),
  };
  return all;
}

const DeviceFamily& find_device_family(std::string_view model, std::string_view where) {
  for (const DeviceFamily* f : device_families())
    if (f->model() == model) return *f;
  const std::string known = join(device_families(), ", ", [](const DeviceFamily* f) { return f->model(); });
  throw ConfigError(std::string(where), "expected one of {" + known + "}, got \"" + std::string(model) + "\"");
}

}  // namespace xbarsim

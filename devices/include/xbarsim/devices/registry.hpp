#pragma once
// Accessors of every device family. Each is defined in its family's source file;
// registry.cpp lists them in device_families().
#include <xbarsim/devices/family.hpp>

namespace xbarsim {
const DeviceFamily& vteam_family();            // rram-vteam         (devices/src/rram)
const DeviceFamily& stanford_pku_family();     // rram-stanford-pku  (devices/src/rram)
const DeviceFamily& rram_pulse_family();       // rram-pulse         (devices/src/rram)
const DeviceFamily& pcm_statistical_family();  // pcm-statistical    (devices/src/pcm)
const DeviceFamily& pcm_pulse_family();        // pcm-pulse          (devices/src/pcm)
const DeviceFamily& pcm_thermal_family();      // pcm-thermal        (devices/src/pcm)
const DeviceFamily& mtj_family();              // mtj                (devices/src/mtj)
const DeviceFamily& rpu_step_family();         // rpu-step           (devices/src/rpu)
const DeviceFamily& fefet_preisach_family();   // fefet-preisach     (devices/src/fefet)
}  // namespace xbarsim

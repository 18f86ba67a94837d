// Parameter table of the MVM periphery management (see mvm_io.hpp).
#include <xbarsim/crossbar/mvm_io.hpp>

namespace xbarsim {

const ParamTable<MvmIoParams>& MvmIoParams::table() {
  static const ParamTable<MvmIoParams> t = [] {
    ParamTable<MvmIoParams> tab;
    tab.boolean("is_perfect", &MvmIoParams::is_perfect, "bypass every periphery non-ideality: y = x W exactly",
                "aihwkit IOParameters is_perfect = False (aihwkit.md 1.6)");
    tab.choice("noise_management", &MvmIoParams::noise_management, {"none", "abs-max", "constant"},
               "input scaling before the DAC: by max |x| of each vector, by nm_thres, or none",
               "aihwkit IOParameters noise_management = ABS_MAX (aihwkit.md 1.6)");
    tab.real("nm_thres", &MvmIoParams::nm_thres, "1", Range::positive(),
             "input scale alpha of \"constant\" noise management",
             "aihwkit StandardHWATrainingPreset: NM CONSTANT with nm_thres = 1 (aihwkit.md 1.5)");
    tab.choice("bound_management", &MvmIoParams::bound_management, {"none", "iterative"},
               "re-run a vector with halved input while any of its outputs is clipped",
               "aihwkit IOParameters bound_management = ITERATIVE (aihwkit.md 1.6)");
    tab.real("max_bm_factor", &MvmIoParams::max_bm_factor, "1", Range::at_least(1.0),
             "largest input reduction of bound management",
             "aihwkit IOParameters max_bm_factor = 1000 (aihwkit.md 1.6)");
    tab.real("max_bm_res", &MvmIoParams::max_bm_res, "1", Range::positive(),
             "bound management stops when DAC LSB (fraction of the range) times the reduction exceeds this",
             "aihwkit IOParameters max_bm_res = 0.25 (aihwkit.md 1.6)");
    tab.real("out_noise", &MvmIoParams::out_noise, "1", Range::non_negative(),
             "additive Gaussian noise at every output before the ADC, normalised output units",
             "aihwkit IOParameters out_noise = 0.06 (aihwkit.md 1.6)");
    tab.choice("w_noise_type", &MvmIoParams::w_noise_type, {"none", "additive-constant", "pcm-read"},
               "weight (read) noise redrawn for every MVM, applied as its exact output distribution",
               "aihwkit IOParameters w_noise_type = NONE (aihwkit.md 1.6)");
    tab.real("w_noise", &MvmIoParams::w_noise, "1", Range::non_negative(),
             "weight noise strength: per-cell std (additive-constant) or std per sqrt|w| (pcm-read)",
             "aihwkit IOParameters w_noise = 0; StandardHWATrainingPreset uses 0.0175 PCM_READ (aihwkit.md 1.5)");
    tab.real("integrator_saturation", &MvmIoParams::integrator_saturation, "1", Range::non_negative(),
             "clip of the analog output before the ADC, normalised output units (0 = never saturates)",
             "assumption: ideal integrator by default (aihwkit has no separate integrator limit)");
    return tab;
  }();
  return t;
}

}  // namespace xbarsim

// Parameter table of rpu-step: every default with its aihwkit source.
#include <algorithm>
#include <cmath>
#include <limits>
#include <xbarsim/core/error.hpp>
#include <xbarsim/devices/rpu_step.hpp>

namespace xbarsim {

RpuStepType rpu_step_type(const std::string& name) {
  if (name == "constant") return RpuStepType::Constant;
  if (name == "linear") return RpuStepType::Linear;
  if (name == "soft-bounds") return RpuStepType::SoftBounds;
  if (name == "exp") return RpuStepType::Exp;
  if (name == "pow") return RpuStepType::Pow;
  if (name == "piecewise") return RpuStepType::Piecewise;
  throw ConfigError("step",
                    "expected one of {constant, linear, soft-bounds, exp, pow, piecewise}, got \"" + name + "\"");
}

std::vector<double> RpuStepParams::piecewise_up() const {
  const std::array<double, kRpuPiecewiseMaxNodes> all = {
      piecewise_up_0,  piecewise_up_1,  piecewise_up_2,  piecewise_up_3, piecewise_up_4,  piecewise_up_5,
      piecewise_up_6,  piecewise_up_7,  piecewise_up_8,  piecewise_up_9, piecewise_up_10, piecewise_up_11,
      piecewise_up_12, piecewise_up_13, piecewise_up_14, piecewise_up_15};
  return {all.begin(), all.begin() + std::clamp(piecewise_nodes, 1, kRpuPiecewiseMaxNodes)};
}

std::vector<double> RpuStepParams::piecewise_down() const {
  const std::array<double, kRpuPiecewiseMaxNodes> all = {
      piecewise_down_0,  piecewise_down_1,  piecewise_down_2,  piecewise_down_3, piecewise_down_4,  piecewise_down_5,
      piecewise_down_6,  piecewise_down_7,  piecewise_down_8,  piecewise_down_9, piecewise_down_10, piecewise_down_11,
      piecewise_down_12, piecewise_down_13, piecewise_down_14, piecewise_down_15};
  return {all.begin(), all.begin() + std::clamp(piecewise_nodes, 1, kRpuPiecewiseMaxNodes)};
}

const ParamTable<RpuStepParams>& RpuStepParams::table() {
  static const ParamTable<RpuStepParams> table = [] {
    using P = RpuStepParams;
    const std::string pulsed = "aihwkit simulator/configs/devices.py PulsedDevice: ";
    const std::string linear = "aihwkit simulator/configs/devices.py LinearStepDevice: ";
    const std::string expstep = "aihwkit simulator/configs/devices.py ExpStepDevice: ";
    const std::string powstep = "aihwkit simulator/configs/devices.py PowStepDevice: ";
    const std::string pw_src = "aihwkit simulator/configs/devices.py PiecewiseStepDevice: piecewise_up/down = [1]";
    ParamTable<P> t;
    t.choice("step", &P::step, {"constant", "linear", "soft-bounds", "exp", "pow", "piecewise"},
             "update-once rule: ConstantStep, LinearStep, SoftBounds, ExpStep, PowStep or PiecewiseStep device",
             "aihwkit SingleRPUConfig default device: ConstantStepDevice");
    t.real("dw_min", &P::dw_min, "1", Range::positive(), "mean step per pulse coincidence (weight units)",
           pulsed + "dw_min = 0.001")
        .real("dw_min_dtod", &P::dw_min_dtod, "1", Range::non_negative(),
              "device-to-device sigma of the step, relative to dw_min", pulsed + "dw_min_dtod = 0.3")
        .boolean("dw_min_dtod_log_normal", &P::dw_min_dtod_log_normal,
                 "device gain exp(dw_min_dtod xi) instead of 1 + dw_min_dtod xi",
                 pulsed + "dw_min_dtod_log_normal = False")
        .real("dw_min_std", &P::dw_min_std, "1", Range::non_negative(),
              "cycle-to-cycle sigma of each step, relative to the step", pulsed + "dw_min_std = 0.3")
        .real("up_down", &P::up_down, "1", Range::any(),
              "systematic up/down asymmetry (up_down > 0 shrinks down steps, < 0 up steps, by |up_down| dw_min)",
              pulsed + "up_down = 0")
        .real("up_down_dtod", &P::up_down_dtod, "1", Range::non_negative(),
              "device-to-device sigma of the asymmetry (relative to dw_min)", pulsed + "up_down_dtod = 0.01")
        .real("w_max", &P::w_max, "1", Range::non_negative(), "mean upper weight bound", pulsed + "w_max = 0.6")
        .real("w_max_dtod", &P::w_max_dtod, "1", Range::non_negative(),
              "device-to-device sigma of the upper bound, relative to w_max", pulsed + "w_max_dtod = 0.3")
        .real("w_min", &P::w_min, "1", Range{-std::numeric_limits<double>::infinity(), 0.0}, "mean lower weight bound",
              pulsed + "w_min = -0.6 (aihwkit requires w_min <= 0 <= w_max)")
        .real("w_min_dtod", &P::w_min_dtod, "1", Range::non_negative(),
              "device-to-device sigma of the lower bound, relative to w_min", pulsed + "w_min_dtod = 0.3")
        .boolean("enforce_consistency", &P::enforce_consistency,
                 "make sampled steps positive and bounds straddle 0 (else crossed bounds meet in the middle)",
                 pulsed + "enforce_consistency = True")
        .real("corrupt_devices_prob", &P::corrupt_devices_prob, "1", Range::unit(),
              "probability of a corrupt device (stuck at a random weight within +-corrupt_devices_range)",
              pulsed + "corrupt_devices_prob = 0")
        .real("corrupt_devices_range", &P::corrupt_devices_range, "1", Range::non_negative(),
              "range around 0 of the stuck weight of corrupt devices", pulsed + "corrupt_devices_range = 0.1")
        .real("lifetime", &P::lifetime, "1", Range::non_negative(),
              "decay lifetime in update cycles: w decays towards the reset bias by 1/lifetime per cycle (0 = none)",
              pulsed + "lifetime = 0")
        .real("lifetime_dtod", &P::lifetime_dtod, "1", Range::non_negative(),
              "device-to-device sigma of the lifetime, relative", pulsed + "lifetime_dtod = 0")
        .real("diffusion", &P::diffusion, "1", Range::non_negative(),
              "sigma of the random walk of w per update cycle (weight units)", pulsed + "diffusion = 0")
        .real("diffusion_dtod", &P::diffusion_dtod, "1", Range::non_negative(),
              "device-to-device sigma of the diffusion rate, relative", pulsed + "diffusion_dtod = 0")
        .real("reset", &P::reset, "1", Range::any(), "mean reset bias (the value decay relaxes to)",
              pulsed + "reset = 0 (aihwkit 1.x; 0.01 in 0.x)")
        .real("reset_dtod", &P::reset_dtod, "1", Range::non_negative(),
              "device-to-device sigma of the reset bias (weight units)", pulsed + "reset_dtod = 0")
        .real("write_noise_std", &P::write_noise_std, "1", Range::non_negative(),
              "sigma of the write noise on the read weight, in units of dw_min (0 = none)",
              linear + "write_noise_std = 0")
        .boolean("apply_write_noise_on_set", &P::apply_write_noise_on_set,
                 "programming (set weights) also draws write noise", linear + "apply_write_noise_on_set = True")
        .boolean("mult_noise", &P::mult_noise,
                 "linear / soft-bounds: multiplicative cycle-to-cycle noise (else additive on the constant part)",
                 linear + "mult_noise = True (SoftBoundsDevice too)")
        .real("gamma_up", &P::gamma_up, "1", Range::any(),
              "linear: relative decrease of the up step at the upper bound", linear + "gamma_up = 0")
        .real("gamma_down", &P::gamma_down, "1", Range::any(),
              "linear: relative decrease of the down step at the lower bound", linear + "gamma_down = 0")
        .real("gamma_up_dtod", &P::gamma_up_dtod, "1", Range::non_negative(),
              "linear: device-to-device sigma of gamma_up", linear + "gamma_up_dtod = 0.05")
        .real("gamma_down_dtod", &P::gamma_down_dtod, "1", Range::non_negative(),
              "linear: device-to-device sigma of gamma_down", linear + "gamma_down_dtod = 0.05")
        .boolean("allow_increasing", &P::allow_increasing,
                 "linear: keep the sign of sampled gammas (steps may grow towards a bound)",
                 linear + "allow_increasing = False")
        .boolean("mean_bound_reference", &P::mean_bound_reference,
                 "linear: slopes relative to the mean bounds w_max / w_min instead of each device's bounds",
                 linear + "mean_bound_reference = True")
        .real("exp_A_up", &P::exp_A_up, "1", Range::any(), "exp: factor A of the up direction",
              expstep + "A_up = 0.00081")
        .real("exp_A_down", &P::exp_A_down, "1", Range::any(), "exp: factor A of the down direction",
              expstep + "A_down = 0.36833")
        .real("exp_gamma_up", &P::exp_gamma_up, "1", Range::any(), "exp: exponent of the up direction",
              expstep + "gamma_up = 12.44625")
        .real("exp_gamma_down", &P::exp_gamma_down, "1", Range::any(), "exp: exponent of the down direction",
              expstep + "gamma_down = 12.78785")
        .real("exp_a", &P::exp_a, "1", Range::any(), "exp: global slope a of z = 2 a w/(b_max - b_min) + b",
              expstep + "a = 0.244")
        .real("exp_b", &P::exp_b, "1", Range::any(), "exp: global offset b", expstep + "b = 0.2425")
        .real("dw_min_std_add", &P::dw_min_std_add, "1", Range::non_negative(),
              "exp: additive step noise, in units of dw_min_std", expstep + "dw_min_std_add = 0")
        .real("dw_min_std_slope", &P::dw_min_std_slope, "1", Range::non_negative(),
              "exp: step noise proportional to |w|, in units of dw_min_std", expstep + "dw_min_std_slope = 0")
        .real("pow_gamma", &P::pow_gamma, "1", Range::non_negative(),
              "pow: exponent of the relative distance to the bound", powstep + "pow_gamma = 1")
        .real("pow_gamma_dtod", &P::pow_gamma_dtod, "1", Range::non_negative(),
              "pow: device-to-device sigma of the exponent, relative", powstep + "pow_gamma_dtod = 0.1")
        .real("pow_up_down", &P::pow_up_down, "1", Range::any(), "pow: up/down bias of the exponent",
              powstep + "pow_up_down = 0")
        .real("pow_up_down_dtod", &P::pow_up_down_dtod, "1", Range::non_negative(),
              "pow: device-to-device sigma of the exponent's up/down bias", powstep + "pow_up_down_dtod = 0")
        .integer("piecewise_nodes", &P::piecewise_nodes, "1", Range::closed(1, kRpuPiecewiseMaxNodes),
                 "piecewise: number of nodes used (aihwkit's list length)", pw_src);
    t.real("piecewise_up_0", &P::piecewise_up_0, "1", Range::non_negative(),
           "piecewise step: relative up step at node 0 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_1", &P::piecewise_up_1, "1", Range::non_negative(),
           "piecewise step: relative up step at node 1 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_2", &P::piecewise_up_2, "1", Range::non_negative(),
           "piecewise step: relative up step at node 2 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_3", &P::piecewise_up_3, "1", Range::non_negative(),
           "piecewise step: relative up step at node 3 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_4", &P::piecewise_up_4, "1", Range::non_negative(),
           "piecewise step: relative up step at node 4 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_5", &P::piecewise_up_5, "1", Range::non_negative(),
           "piecewise step: relative up step at node 5 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_6", &P::piecewise_up_6, "1", Range::non_negative(),
           "piecewise step: relative up step at node 6 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_7", &P::piecewise_up_7, "1", Range::non_negative(),
           "piecewise step: relative up step at node 7 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_8", &P::piecewise_up_8, "1", Range::non_negative(),
           "piecewise step: relative up step at node 8 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_9", &P::piecewise_up_9, "1", Range::non_negative(),
           "piecewise step: relative up step at node 9 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_10", &P::piecewise_up_10, "1", Range::non_negative(),
           "piecewise step: relative up step at node 10 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_11", &P::piecewise_up_11, "1", Range::non_negative(),
           "piecewise step: relative up step at node 11 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_12", &P::piecewise_up_12, "1", Range::non_negative(),
           "piecewise step: relative up step at node 12 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_13", &P::piecewise_up_13, "1", Range::non_negative(),
           "piecewise step: relative up step at node 13 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_14", &P::piecewise_up_14, "1", Range::non_negative(),
           "piecewise step: relative up step at node 14 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_up_15", &P::piecewise_up_15, "1", Range::non_negative(),
           "piecewise step: relative up step at node 15 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_0", &P::piecewise_down_0, "1", Range::non_negative(),
           "piecewise step: relative down step at node 0 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_1", &P::piecewise_down_1, "1", Range::non_negative(),
           "piecewise step: relative down step at node 1 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_2", &P::piecewise_down_2, "1", Range::non_negative(),
           "piecewise step: relative down step at node 2 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_3", &P::piecewise_down_3, "1", Range::non_negative(),
           "piecewise step: relative down step at node 3 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_4", &P::piecewise_down_4, "1", Range::non_negative(),
           "piecewise step: relative down step at node 4 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_5", &P::piecewise_down_5, "1", Range::non_negative(),
           "piecewise step: relative down step at node 5 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_6", &P::piecewise_down_6, "1", Range::non_negative(),
           "piecewise step: relative down step at node 6 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_7", &P::piecewise_down_7, "1", Range::non_negative(),
           "piecewise step: relative down step at node 7 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_8", &P::piecewise_down_8, "1", Range::non_negative(),
           "piecewise step: relative down step at node 8 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_9", &P::piecewise_down_9, "1", Range::non_negative(),
           "piecewise step: relative down step at node 9 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_10", &P::piecewise_down_10, "1", Range::non_negative(),
           "piecewise step: relative down step at node 10 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_11", &P::piecewise_down_11, "1", Range::non_negative(),
           "piecewise step: relative down step at node 11 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_12", &P::piecewise_down_12, "1", Range::non_negative(),
           "piecewise step: relative down step at node 12 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_13", &P::piecewise_down_13, "1", Range::non_negative(),
           "piecewise step: relative down step at node 13 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_14", &P::piecewise_down_14, "1", Range::non_negative(),
           "piecewise step: relative down step at node 14 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("piecewise_down_15", &P::piecewise_down_15, "1", Range::non_negative(),
           "piecewise step: relative down step at node 15 of piecewise_nodes over [b_min, b_max]", pw_src);
    t.real("g_min_S", &P::g_min_S, "S", Range::non_negative(), "conductance of the nominal lower bound w_min",
           "[U] Gokmen & Vlasov 2016 spec: ~24 MOhm average device resistance (device_physics.md 5.1, [U]) and "
           "Gmax/Gmin > 10 (Jerry et al. IEDM 2017 citing that spec, [C]): mean 1/(24 MOhm), ratio 10")
        .real("g_max_S", &P::g_max_S, "S", Range::positive(), "conductance of the nominal upper bound w_max",
              "[U] as g_min_S: 10 g_min, so that the mean (g_min + g_max)/2 is 1/(24 MOhm)")
        .real("v_read_V", &P::v_read_V, "V", Range::positive(),
              "default read voltage; the model is ohmic, so it only sets read currents",
              "[U] no read voltage in the RPU spec; 0.2 V as in PRIME (device_physics.md 2.7)")
        .real("update_cycle_s", &P::update_cycle_s, "s", Range::positive(),
              "duration of one update cycle (aihwkit mini-batch), the time unit of lifetime and diffusion",
              "[U] Gokmen & Vlasov 2016: ~80 ns per forward/backward/update cycle of a 1000 x 1000 tile "
              "(device_physics.md 5.1, [U]); mini-batch 1 as in that paper");
    add_nonideality_fields(t);
    t.relation([](const P& p, std::string_view prefix, ProblemList& problems) {
      require(p.w_min < p.w_max, problems, prefix, "w_min", "must be below w_max");
      require(p.g_min_S < p.g_max_S, problems, prefix, "g_min_S", "must be below g_max_S");
      require(p.endurance_cycles == 0.0, problems, prefix, "endurance_cycles",
              "the aihwkit step models have no endurance; keep 0");
      require(p.temperature_K == 300.0, problems, prefix, "temperature_K",
              "the aihwkit step models have no temperature dependence; keep 300 K");
    });
    return t;
  }();
  return table;
}

}  // namespace xbarsim

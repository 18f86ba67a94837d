#pragma once
// FeFET analog synapse as a multi-domain Preisach ensemble (Jerry et al., "Ferroelectric
// FET Analog Synapse for Acceleration of Deep Neural Network Training", IEDM 2017;
// device_physics.md 6.1-6.2).
//
// Each cell holds `domains` independent ferroelectric domains (hysterons). Domain k has
// two coercive gate voltages, Vc+_k > 0 (switches "up", polarisation towards the channel,
// lowering V_T and raising G) and Vc-_k < 0 (switches "down"), specified for pulses of
// width t_ref_s. They are drawn per cell and per domain from Gaussians (the Preisach
// weight) around per-cell means (device-to-device shift vc_d2d_sigma_V).
//
// Kinetics (Merz law, nucleation-limited switching): a domain with coercive voltage Vc at
// width t_ref switches under |V| after t_sw(V) = t_inf exp((Va/|V|)^alpha) with
// Va = Vc ln(t_ref/t_inf)^(1/alpha). Solving t_sw <= t gives Chow's voltage-dependent
// switching-time rescaling used by Jerry: the domain switches iff
//   V_eff = |V| h(t) >= |Vc|,  h(t) = [ (T/T_ref) ln(t/t_inf) / ln(t_ref/t_inf) ]^(1/alpha),
// so longer and stronger pulses switch more domains (partial switching). Temperature enters
// through thermally activated nucleation, ln(t_sw/t_inf) proportional to 1/T [U].
//
// Accumulation (NLS picture): consecutive pulses of one polarity add their nucleation time.
// Per cell the current same-polarity run is summarised by its reach R (the largest V_eff
// reached); a new pulse (V, t) acts as one pulse of width t_eq + t, where t_eq is the time
// at |V| that reaches R ("equivalent time"). This is exact for identical pulses (n pulses
// of width t == one pulse of n t) and lets identical pulses give gradual, saturating
// updates. Without accumulation (accumulate = false) the model is the static VDST Preisach
// model of Jerry/Chow. A polarity reversal starts a new run.
//
// History and minor loops (return-point memory, wipe-out) follow from the hysteron
// construction: every domain is deterministic and keeps its state until a run of the
// opposite polarity reaches its coercive voltage.
//
// State layout (structure of arrays, one float matrix per quantity):
//   up_domains, run_reach_V, run_pulses, cycles, flips_pending, fault, then for k = 0..domains-1
//   vc_next_V_k (the coercive voltage the domain's NEXT switch needs: > 0 if the domain is
//   down, < 0 if it is up) and vc_other_V_k (its other coercive voltage). Switching a
//   domain swaps the two, so the domain state is the sign of vc_next and costs no memory.
//   Memory: (2 domains + 6) floats per cell, about 1 KB per cell at 128 domains.
//
// Conductance: G from the switched fraction s = up_domains / domains, either
// "parallel" (each domain gates its own strip of channel: G = G_min + s (G_max - G_min),
// device_physics.md 6.2) or "exponential" (subthreshold read, V_T linear in polarisation:
// G = G_min (G_max/G_min)^s) [U]. The channel is read in the linear (triode) regime, so I/V
// does not depend on the (drain) read voltage, as in NeuroSim's Read() (I = V G).
//
// The Landau-Khalatnikov single-domain model (device_physics.md 6.3) switches abruptly and
// has no intermediate states; it is not used for synapses here.
#include <memory>
#include <string>
#include <xbarsim/devices/family.hpp>
#include <xbarsim/devices/nonideal.hpp>

namespace xbarsim {

struct FefetPreisachParams : CellNonIdealities {
  // Domain ensemble (Preisach weight).
  int domains = 128;
  std::string domain_sampling = "stratified";
  double vc_up_mean_V = 3.75;
  double vc_up_sigma_V = 0.5;
  double vc_down_mean_V = -2.9;
  double vc_down_sigma_V = 0.45;
  double vc_d2d_sigma_V = 0.0;
  // Switching kinetics.
  double t_ref_s = 75e-9;
  double merz_t_inf_s = 1e-12;
  double merz_alpha = 2.0;
  bool accumulate = true;
  // Pulse scheme used by apply_pulses().
  std::string pulse_scheme = "progressive-amplitude";
  double v_set_V = 3.65;
  double v_reset_V = -2.95;
  double t_set_s = 75e-9;
  double t_reset_s = 75e-9;
  double v_set_init_V = 2.85;
  double v_set_step_V = 0.05;
  double v_reset_init_V = -2.1;
  double v_reset_step_V = -0.05;
  double t_step_s = 0.0;
  int scheme_steps = 32;
  double c2c_sigma_rel = 0.0;
  // Channel read-out.
  double g_max_S = 1.788e-6;
  double g_min_S = 3.973e-8;
  std::string conductance_mapping = "parallel";
  double read_voltage_V = 0.5;
  double read_noise_rel = 0.0;
  // Polarisation and retention.
  double remanent_polarization_C_per_m2 = 0.2;
  double depolarization_V = 0.0;
  // polarization-loop protocol (triangular P-V sweep).
  double loop_v_max_V = 5.0;
  double loop_v_minor_V = 3.5;
  double loop_step_V = 0.05;
  double loop_step_time_s = 1e-6;

  static const ParamTable<FefetPreisachParams>& table();
};

class FefetPreisachModel final : public DeviceModel {
 public:
  // Per-cell fields before the per-domain pairs.
  static constexpr std::size_t kUpDomains = 0;     // domains polarised up (float, exact integer)
  static constexpr std::size_t kRunReach = 1;      // V_eff reached by the current run, V (>= 0)
  static constexpr std::size_t kRunPulses = 2;     // signed pulses in the current run (+ up, - down)
  static constexpr std::size_t kCycles = 3;        // equivalent full switching cycles
  static constexpr std::size_t kFlipsPending = 4;  // domain flips not yet representable in kCycles
  static constexpr std::size_t kFault = 5;         // CellFault code
  static constexpr std::size_t kFirstDomain = 6;
  /// Reference temperature of the coercive voltages (room temperature).
  static constexpr double kReferenceTemperature_K = 300.0;

  explicit FefetPreisachModel(FefetPreisachParams p);

  std::string_view name() const override { return "fefet-preisach"; }
  std::vector<StateField> layout() const override;
  double g_min_S() const override { return p_.g_min_S; }
  double g_max_S() const override { return p_.g_max_S; }

  /// Fresh cells start fully depolarised "down" (all domains down, G = G_min): the erased,
  /// high-V_T state from which Jerry's potentiation sequences start.
  DeviceState create_state(std::size_t rows, std::size_t cols, std::uint64_t seed,
                           std::uint32_t tile_id) const override;
  /// Generic pulse write-verify (targets rounded to `levels` when levels >= 2).
  ProgramReport program(DeviceState& state, const arma::fmat& target_S, const ProgramOptions& options,
                        RowRange rows) const override;
  /// +n potentiation / -n depression pulses of the configured pulse scheme. With
  /// "progressive-amplitude" (Jerry's scheme 3) pulse k of a same-polarity run has amplitude
  /// v_init + k v_step (k < scheme_steps, then the last amplitude); with "identical" every
  /// pulse is (v_set_V, t_set_s) or (v_reset_V, t_reset_s). The ladder restarts at every
  /// polarity reversal: in a Preisach ensemble the first reversal pulses must be weak to
  /// give small steps (NeuroSim instead indexes the ladder by the conductance level).
  void apply_pulses(DeviceState& state, const PulseCounts& counts, std::uint64_t step, RowRange rows) const override;
  void read(const DeviceState& state, double v_read_V, bool noisy, std::uint64_t read_index, arma::fmat& out_S,
            RowRange rows) const override;
  /// Retention: back-switching under a depolarising voltage depolarization_V that opposes
  /// each domain's polarisation, with the Merz kinetics over the time since programming.
  /// depolarization_V = 0 (default) keeps the state (no retention loss).
  void relax(DeviceState& state, double t0_s, double t1_s, RowRange rows) const override;
  std::unique_ptr<DeviceModel> clone() const override { return std::make_unique<FefetPreisachModel>(*this); }

  const FefetPreisachParams& params() const { return p_; }
  /// One gate pulse of amplitude v_V (its sign is the polarity) and width width_s on every
  /// non-faulty cell in `rows`, bypassing the pulse scheme (P-V sweeps, characterisation).
  /// It joins or starts a run like a scheme pulse; `step` keys the c2c noise.
  void apply_voltage_pulse(DeviceState& state, double v_V, double width_s, std::uint64_t step, RowRange rows) const;
  /// Fraction of domains polarised up, per cell (rows in range written to out).
  void switched_fraction(const DeviceState& state, arma::fmat& out, RowRange rows) const;
  /// Net remanent polarisation Pr (2 s - 1), C/m^2, per cell.
  void polarization(const DeviceState& state, arma::fmat& out_C_per_m2, RowRange rows) const;
  /// Reach of a run after one more pulse (|V|, t): the equivalent-time rule above.
  double reach_after(double reach_V, double v_abs_V, double width_s) const;

 private:
  struct Pulse {
    double v_abs_V;
    double width_s;
  };
  Pulse scheme_pulse(int direction, double run_index) const;
  template <class CountOf, class PulseOf>
  void pulse_cells(DeviceState& state, CountOf count_of, PulseOf pulse_of, std::uint64_t step, RowRange rows) const;

  FefetPreisachParams p_;
  bool stratified_ = true;
  bool progressive_ = true;
  bool exponential_map_ = false;
  double log_tref_over_tinf_ = 0.0;  // L = ln(t_ref / t_inf)
  double theta_ = 1.0;               // T / T_ref
  bool square_law_ = false;          // alpha == 2: sqrt and squares instead of pow (hot path)
};

}  // namespace xbarsim

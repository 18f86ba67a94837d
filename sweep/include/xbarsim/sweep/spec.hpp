#pragma once
// Sweep specifications (issue 6): a TOML file naming a job, a base configuration and
// axes over key paths of that configuration, expanded into the points of the plan.
//
// Format (schema_version = 1):
//
//   schema_version = 1     # required, must be 1
//   job = "run"            # required: "run" | "map" | "tile-report" | "device-curve" (jobs.hpp); which command's
//                          #   configuration every point is
//   seed = 1               # optional (default 1), integer >= 0: the sweep seed
//   repeats = 1            # optional (default 1), integer >= 1: runs of every point
//   base = "path.toml"     # optional base config file, relative to the spec file's directory
//   [config]               # optional inline config, deep-merged over `base`: tables merge
//   images = 500           #   key by key, any other value replaces the base's; nested
//   [config.adc]           #   tables allowed ([config.adc] is the job config's [adc])
//   bits = 8
//
//   [[axis]]               # list axis: explicit values (booleans, integers, reals, strings)
//   key = "adc.bits"       # dotted key path into the job's config; bare-key segments
//   values = [4, 6, 8]     #   [A-Za-z0-9_-]; missing tables are created
//   [[axis]]
//   key = "tile_rows"
//   values = [128, 256]
//   zip = "size"           # list axes with the same zip name advance together: one grid
//   [[axis]]               #   dimension, placed where the group's first axis is; all
//   key = "tile_cols"      #   lengths must be equal
//   values = [128, 256]
//   zip = "size"
//   [[axis]]               # sampled axis: a range, drawn `samples` times
//   key = "io.out_noise"
//   range = [0.0, 0.1]     # [lo, hi], lo < hi
//   scale = "linear"       # optional: "linear" (default) | "log" (needs lo > 0)
//   type = "real"          # optional: "real" (default) | "integer" (integer bounds, inclusive)
//   [sampling]             # required iff some axis has a range
//   method = "lhs"         # "lhs" (Latin hypercube) | "random"
//   samples = 8            # integer >= 1
//
// Points: (grid over the list axes and zip groups, first dimension slowest) x (samples of
// all sampled axes, drawn jointly) x repeats. The id of a point is its position in that
// order: id = (grid_index * samples + sample) * repeats + repeat. Without list axes the
// grid has one cell; without sampled axes there is one sample.
//
// Sampling maps a draw u in (0, 1) to a value: real linear lo + u (hi - lo); real log
// lo (hi / lo)^u; integer: the same map over [lo - 1/2, hi + 1/2] rounded to the nearest
// integer and clamped to [lo, hi] (so with linear scale every integer is equally likely).
// Draws are Philox streams (core/random.hpp) keyed by (seed, rng_purpose("sweep.lhs")) or
// (seed, rng_purpose("sweep.random")); sampled axis j (counted among sampled axes only, so
// adding list axes leaves the samples unchanged) uses stream (j, 0, 0) for its LHS
// permutation and (j, 1, i) for sample i. Random: u_ij is the first uniform of stream
// (j, i, 0). LHS (McKay, Beckman & Conover, Technometrics 21(2) 1979): axis j takes a
// uniformly random permutation pi_j of the n strata (Fisher-Yates) and u_ij =
// (pi_j(i) + v_ij) / n with v_ij uniform in (0, 1), so every stratum [k/n, (k+1)/n) of
// every axis holds exactly one sample.
//
// Point seed: derive_seed(seed, id) from core/random.hpp, i.e. the SplitMix64 finaliser
// (Steele, Lea & Flood, OOPSLA 2014) of seed ^ SplitMix64(id + 1); it depends on nothing
// but the spec seed and the point id (never on the axes, threads or ranks). Repeats have
// distinct ids, hence distinct seeds.
//
// Values inside the config are left as written: a relative path in `base` or [config]
// (e.g. network) is read by the job relative to its working directory, not to the spec.
//
// Errors: every problem of the spec is collected into one ConfigError whose locations are
// "FILE: key" or "FILE: axis[i].key" (i from 0, in file order): unknown keys, a missing or
// unknown job, an axis without key or with both/neither of values and range, empty values,
// unequal zip lengths, duplicate axis keys, an axis key crossing a non-table value or
// replacing a table, a bad range, a range axis without [sampling] or [sampling] without
// one, samples or repeats < 1, more than 10^8 points. An unreadable spec or base file is
// an IoError naming the file.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <toml.hpp>
#include <vector>
#include <xbarsim/sweep/point.hpp>

namespace xbarsim::sweep {

enum class AxisScale { Linear, Log };
enum class AxisType { Real, Integer };
enum class SamplingMethod { None, Lhs, Random };

/// One axis of a spec: a list of values, or a range to sample.
struct Axis {
  std::string key;                 // dotted key path into the job's config
  std::vector<ParamValue> values;  // list axis; empty for a sampled axis
  std::string zip;                 // zip group name ("" = its own grid dimension)
  bool sampled = false;            // true: `range`, `scale`, `type` apply
  double lo = 0.0, hi = 0.0;
  AxisScale scale = AxisScale::Linear;
  AxisType type = AxisType::Real;
};

struct Sampling {
  SamplingMethod method = SamplingMethod::None;  // None iff no axis is sampled
  std::size_t samples = 1;
};

struct SweepSpec {
  std::string file;  // the spec file as given
  std::string text;  // the spec file's text (stored with the results)
  std::string job;   // "run" | "map" | "tile-report" | "device-curve" (jobs.hpp)
  std::uint64_t seed = 1;
  std::size_t repeats = 1;
  toml::value base_config;  // `base` file merged with [config]; a table
  std::vector<Axis> axes;   // file order
  Sampling sampling;
};

/// The jobs a spec may name.
const std::vector<std::string>& sweep_jobs();

/// Reads and checks a spec: IoError if the spec or its base file cannot be read,
/// ConfigError listing every problem ("FILE: axis[2].values: ...") otherwise.
SweepSpec load_sweep_spec(const std::string& file);
/// The same from text already read; `file` names it in errors and anchors `base`.
SweepSpec parse_sweep_spec(const std::string& text, const std::string& file);

/// Sets `value` at the dotted `key` of the table `config`, creating missing tables. Returns
/// what is wrong instead (a segment of the path is not a table, or the key names a
/// table, which a value may not replace); `config` is then unchanged.
std::optional<std::string> set_config_value(toml::value& config, const std::string& key, const ParamValue& value);
/// The TOML value of a ParamValue (integers stay integers).
toml::value to_toml(const ParamValue& value);

/// Number of points: grid cells x samples x repeats.
std::size_t count_points(const SweepSpec& spec);
/// Axis key paths in axis order (the columns of a plan or summary).
std::vector<std::string> axis_keys(const SweepSpec& spec);
/// Every point of the plan, in id order. config_toml is the base config with the point's
/// axis values set, as TOML text: keys sorted (so equal specs give equal text), every
/// table a [section], reals in shortest round-trip form, arrays and strings as
/// toml::format writes them; it parses back to the same values. axis_values are in
/// axis order.
std::vector<SweepPoint> expand_points(const SweepSpec& spec);

/// Seed of point `id` of a sweep with seed `spec_seed` (see the header comment).
std::uint64_t point_seed(std::uint64_t spec_seed, std::size_t id);

/// The draws u in (0, 1) of the sampled axes: result[sample][j] for sampled axis j.
std::vector<std::vector<double>> sample_unit_draws(SamplingMethod method, std::size_t samples, std::size_t axes,
                                                   std::uint64_t seed);
/// Maps a draw u in (0, 1) to a value of a sampled axis (double or int64).
ParamValue sampled_value(const Axis& axis, double u);

/// "point 3 (adc.bits = 4, tile_rows = 128)": names a point in messages.
std::string point_label(const SweepPoint& point);

/// Checks every point before anything runs: calls validate(config, where) with the point's
/// config (the base config with its axis_values set, the value config_toml holds) and where = "FILE: point 3 (adc.bits
/// = 4, ...)". Every ConfigError's problems and every other Error's message are collected into one ConfigError; a
/// problem that recurs at the same key with the same text in later points is listed once, at its first point, with
/// "(also in points 3, 6)" (ids of up to 8 points, then "and N more"). Points whose config_toml equals one already
/// checked (repeats) are not checked again.
void validate_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                     const std::function<void(const toml::value&, const std::string&)>& validate);

}  // namespace xbarsim::sweep

// Expanding a sweep spec into its points; sampling; checking every point (see spec.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/io/toml_params.hpp>
#include <xbarsim/sweep/spec.hpp>

namespace xbarsim::sweep {
namespace {

// Uniform integer in [0, m) from a stream's 32-bit words, by rejection (no modulo bias).
std::uint32_t uniform_below(CounterRng& rng, std::uint32_t m) {
  const std::uint32_t limit = static_cast<std::uint32_t>((std::uint64_t{1} << 32) - (std::uint64_t{1} << 32) % m);
  while (true) {
    const std::uint64_t r = rng.next_u32();
    if (r < limit || limit == 0) return static_cast<std::uint32_t>(r % m);
  }
}

// TOML text of a config, keys sorted (std::map tables, so the text depends neither on
// hashing nor on insertion order), every table as a [section], reals in their shortest
// round-trip form (io::toml_literal); arrays and strings as toml::format writes them.
using SortedValue = toml::basic_value<toml::discard_comments, std::map, std::vector>;

bool is_array_of_tables(const SortedValue& v) {
  return v.is_array() && !v.as_array().empty() &&
         std::all_of(v.as_array().begin(), v.as_array().end(), [](const SortedValue& x) { return x.is_table(); });
}

void emit_table(const SortedValue& table, std::vector<std::string>& path, std::string& out) {
  for (const auto& [key, v] : table.as_table()) {
    if (v.is_table() || is_array_of_tables(v)) continue;
    out += toml::format_key(key) + " = ";
    out += v.is_floating() ? io::toml_literal(ParamValue(v.as_floating()))
                           : toml::format(v, std::numeric_limits<std::size_t>::max());
    out += '\n';
  }
  for (const auto& [key, v] : table.as_table()) {
    if (!v.is_table() && !is_array_of_tables(v)) continue;
    path.push_back(key);
    if (v.is_table()) {
      // A table holding only tables needs no header of its own ([chip.noc] implies [chip]).
      const bool only_tables =
          !v.as_table().empty() && std::all_of(v.as_table().begin(), v.as_table().end(), [](const auto& kv) {
            return kv.second.is_table() || is_array_of_tables(kv.second);
          });
      if (!only_tables) out += (out.empty() ? "[" : "\n[") + toml::format_keys(path) + "]\n";
      emit_table(v, path, out);
    } else {
      for (const auto& item : v.as_array()) {
        out += (out.empty() ? "[[" : "\n[[") + toml::format_keys(path) + "]]\n";
        emit_table(item, path, out);
      }
    }
    path.pop_back();
  }
}

std::string format_sorted(const toml::value& config) {
  std::string out;
  std::vector<std::string> path;
  emit_table(SortedValue(config), path, out);
  return out;
}

}  // namespace

std::uint64_t point_seed(std::uint64_t spec_seed, std::size_t id) { return derive_seed(spec_seed, id); }

std::vector<std::vector<double>> sample_unit_draws(SamplingMethod method, std::size_t samples, std::size_t axes,
                                                   std::uint64_t seed) {
  std::vector<std::vector<double>> u(samples, std::vector<double>(axes, 0.0));
  if (method == SamplingMethod::None || samples == 0 || axes == 0) return u;
  if (method == SamplingMethod::Random) {
    const RngKey key(seed, rng_purpose("sweep.random"));
    for (std::size_t j = 0; j < axes; ++j)
      for (std::size_t i = 0; i < samples; ++i)
        u[i][j] = CounterRng(key, static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(i), 0).uniform();
    return u;
  }
  // Latin hypercube (McKay, Beckman & Conover 1979): a random permutation of the strata
  // per axis (Fisher-Yates, Knuth TAOCP vol. 2, Algorithm P) and a uniform position
  // inside each stratum.
  const RngKey key(seed, rng_purpose("sweep.lhs"));
  const double n = static_cast<double>(samples);
  std::vector<std::uint32_t> perm(samples);
  for (std::size_t j = 0; j < axes; ++j) {
    for (std::size_t i = 0; i < samples; ++i) perm[i] = static_cast<std::uint32_t>(i);
    CounterRng shuffle(key, static_cast<std::uint32_t>(j), 0, 0);
    for (std::size_t k = samples - 1; k > 0; --k)
      std::swap(perm[k], perm[uniform_below(shuffle, static_cast<std::uint32_t>(k + 1))]);
    for (std::size_t i = 0; i < samples; ++i) {
      const double v = CounterRng(key, static_cast<std::uint32_t>(j), 1, static_cast<std::uint32_t>(i)).uniform();
      // v in (0, 1) keeps the draw strictly inside stratum perm[i]; the clamp only guards
      // against rounding at the stratum's upper edge.
      const double x = (static_cast<double>(perm[i]) + v) / n;
      u[i][j] = std::min(x, std::nextafter((static_cast<double>(perm[i]) + 1.0) / n, 0.0));
    }
  }
  return u;
}

ParamValue sampled_value(const Axis& axis, double u) {
  double lo = axis.lo, hi = axis.hi;
  if (axis.type == AxisType::Integer) {
    lo -= 0.5;
    hi += 0.5;
  }
  const double x = axis.scale == AxisScale::Log ? lo * std::pow(hi / lo, u) : lo + u * (hi - lo);
  if (axis.type == AxisType::Real) return std::clamp(x, axis.lo, axis.hi);
  return static_cast<std::int64_t>(std::clamp(std::round(x), axis.lo, axis.hi));
}

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
  // Grid dimensions: each list axis without zip, and each zip group (at its first axis).
  std::vector<std::vector<std::size_t>> dims;
  std::map<std::string, std::size_t> zip_dim;
  std::vector<std::size_t> sampled;
  for (std::size_t i = 0; i < spec.axes.size(); ++i) {
    const Axis& a = spec.axes[i];
    if (a.sampled) {
      sampled.push_back(i);
      continue;
    }
    if (!a.zip.empty()) {
      auto [it, fresh] = zip_dim.emplace(a.zip, dims.size());
      if (!fresh) {
        if (spec.axes[dims[it->second].front()].values.size() != a.values.size())
          throw InternalError("expand_points: zip group \"" + a.zip + "\" of unequal lengths");
        dims[it->second].push_back(i);
        continue;
      }
    }
    dims.push_back({i});
  }
  std::size_t cells = 1;
  for (const auto& d : dims) cells *= spec.axes[d.front()].values.size();
  const std::size_t samples = sampled.empty() ? 1 : spec.sampling.samples;

  // Sampled values, shared by every grid cell.
  const auto draws = sample_unit_draws(sampled.empty() ? SamplingMethod::None : spec.sampling.method, samples,
                                       sampled.size(), spec.seed);
  std::vector<std::vector<ParamValue>> sample_values(samples);
  for (std::size_t s = 0; s < samples; ++s)
    for (std::size_t j = 0; j < sampled.size(); ++j)
      sample_values[s].push_back(sampled_value(spec.axes[sampled[j]], draws[s][j]));

  std::vector<SweepPoint> points;
  points.reserve(cells * samples * spec.repeats);
  std::vector<std::size_t> index(dims.size());
  std::vector<ParamValue> values(spec.axes.size());
  for (std::size_t g = 0; g < cells; ++g) {
    // Row-major: the last dimension varies fastest.
    std::size_t rest = g;
    for (std::size_t d = dims.size(); d-- > 0;) {
      const std::size_t len = spec.axes[dims[d].front()].values.size();
      index[d] = rest % len;
      rest /= len;
    }
    for (std::size_t d = 0; d < dims.size(); ++d)
      for (std::size_t i : dims[d]) values[i] = spec.axes[i].values[index[d]];
    for (std::size_t s = 0; s < samples; ++s) {
      for (std::size_t j = 0; j < sampled.size(); ++j) values[sampled[j]] = sample_values[s][j];
      toml::value config = spec.base_config;
      std::vector<std::pair<std::string, ParamValue>> axis_values;
      for (std::size_t i = 0; i < spec.axes.size(); ++i) {
        if (auto what = set_config_value(config, spec.axes[i].key, values[i]))
          throw ConfigError(spec.file + ": axis[" + std::to_string(i) + "].key", *what);
        axis_values.emplace_back(spec.axes[i].key, values[i]);
      }
      const std::string text = format_sorted(config);
      for (std::size_t r = 0; r < spec.repeats; ++r) {
        SweepPoint p;
        p.id = points.size();
        p.repeat = r;
        p.seed = point_seed(spec.seed, p.id);
        p.axis_values = axis_values;
        p.config_toml = text;
        points.push_back(std::move(p));
      }
    }
  }
  return points;
}

std::string point_label(const SweepPoint& point) {
  std::string s = "point " + std::to_string(point.id);
  if (point.axis_values.empty()) return s;
  s += " (";
  for (std::size_t i = 0; i < point.axis_values.size(); ++i) {
    if (i) s += ", ";
    s += point.axis_values[i].first + " = " + format_value(point.axis_values[i].second);
  }
  return s + ")";
}

void validate_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                     const std::function<void(const toml::value&, const std::string&)>& validate) {
  struct Seen {
    std::size_t index;                // into `out`
    std::vector<std::size_t> others;  // ids of later points with the same problem
  };
  std::vector<Problem> out;
  std::map<std::pair<std::string, std::string>, Seen> seen;  // (where after the point, what)
  std::set<std::string> checked;                             // configs already validated
  for (const SweepPoint& p : points) {
    if (!checked.insert(p.config_toml).second) continue;  // repeats share their config
    const std::string where = spec.file + ": " + point_label(p);
    std::vector<Problem> found;
    try {
      // The point's config rebuilt as expand_points builds it (config_toml parses back to
      // exactly this value, see the tests), which is much cheaper than parsing the text.
      toml::value config = spec.base_config;
      for (const auto& [key, value] : p.axis_values)
        if (auto what = set_config_value(config, key, value)) throw ConfigError(where + ": " + key, *what);
      validate(config, where);
    } catch (const ConfigError& e) {
      found = e.problems();
    } catch (const Error& e) {
      found.push_back({where, e.what()});
    }
    for (Problem& q : found) {
      const std::string rest = q.where.rfind(where, 0) == 0 ? q.where.substr(where.size()) : q.where;
      auto [it, fresh] = seen.emplace(std::make_pair(rest, q.what), Seen{out.size(), {}});
      if (fresh) {
        if (q.where.rfind(where, 0) != 0) q.where = where + ": " + q.where;
        out.push_back(std::move(q));
      } else {
        it->second.others.push_back(p.id);
      }
    }
  }
  constexpr std::size_t kListed = 8;  // point ids named per recurring problem
  for (const auto& [key, s] : seen) {
    (void)key;
    if (s.others.empty()) continue;
    std::string ids;
    for (std::size_t k = 0; k < std::min(kListed, s.others.size()); ++k)
      ids += (k ? ", " : "") + std::to_string(s.others[k]);
    if (s.others.size() > kListed) ids += " and " + std::to_string(s.others.size() - kListed) + " more";
    out[s.index].what += " (also in point" + std::string(s.others.size() == 1 ? " " : "s ") + ids + ")";
  }
  if (!out.empty()) throw ConfigError(std::move(out));
}

}  // namespace xbarsim::sweep

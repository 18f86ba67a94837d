// Reading and checking sweep specs (see spec.hpp for the format).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/io/toml_params.hpp>
#include <xbarsim/sweep/jobs.hpp>
#include <xbarsim/sweep/spec.hpp>

namespace xbarsim::sweep {
namespace {

// Beyond this many points a plan is a mistake (and sizes would overflow).
constexpr std::size_t kMaxPoints = 100'000'000;

const std::vector<std::string> kTopKeys = {"schema_version", "job",    "seed", "repeats",
                                           "base",           "config", "axis", "sampling"};
const std::vector<std::string> kAxisKeys = {"key", "values", "range", "scale", "type", "zip"};
const std::vector<std::string> kSamplingKeys = {"method", "samples"};

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// Problems at "FILE: key".
struct Where {
  const std::string& file;
  ProblemList& problems;
  void add(const std::string& key, std::string what) const { problems.add(file + ": " + key, std::move(what)); }
};

void check_keys(const toml::value& table, const std::vector<std::string>& known, const std::string& prefix,
                const Where& w) {
  for (const auto& [key, v] : table.as_table()) {
    (void)v;
    if (!contains(known, key)) w.add(key_path(prefix, key), "unknown key; expected one of " + join(known));
  }
}

// Tables merge key by key; any other value of `over` replaces the one in `into`.
void deep_merge(toml::value& into, const toml::value& over) {
  for (const auto& [key, v] : over.as_table()) {
    auto& t = into.as_table();
    auto it = t.find(key);
    if (it != t.end() && it->second.is_table() && v.is_table())
      deep_merge(it->second, v);
    else
      t[key] = v;
  }
}

bool valid_key_path(const std::string& key) {
  if (key.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    const std::string seg = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (seg.empty()) return false;
    for (char c : seg)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// A number of a range bound: integer or real.
std::optional<double> number(const toml::value& v) {
  if (v.is_integer()) return static_cast<double>(v.as_integer());
  if (v.is_floating()) return v.as_floating();
  return std::nullopt;
}

// Saturating product, capped just above kMaxPoints.
std::size_t times(std::size_t a, std::size_t b) {
  if (a == 0 || b == 0) return 0;
  if (a > (kMaxPoints + 1) / b + 1) return kMaxPoints + 1;
  return std::min(a * b, kMaxPoints + 1);
}

void parse_axis(const toml::value& t, std::size_t i, const Where& w, Axis& axis) {
  const std::string at = "axis[" + std::to_string(i) + "]";
  if (!t.is_table()) {
    w.add(at, "expected a table ([[axis]]), found " + io::toml_kind_name(t));
    return;
  }
  check_keys(t, kAxisKeys, at, w);
  const auto& tab = t.as_table();
  auto has = [&](const char* k) { return tab.count(k) != 0; };

  if (!has("key"))
    w.add(at + ".key", "missing; expected the dotted key path of a config value, e.g. \"adc.bits\"");
  else if (!t.at("key").is_string())
    w.add(at + ".key", "expected a string, found " + io::toml_kind_name(t.at("key")));
  else {
    axis.key = t.at("key").as_string().str;
    if (!valid_key_path(axis.key))
      w.add(at + ".key",
            "\"" + axis.key + "\" is not a dotted key path (segments of A-Z a-z 0-9 _ -, e.g. \"adc.bits\")");
  }

  if (has("values") && has("range")) {
    w.add(at, "both values and range given; an axis is either a list of values or a range to sample");
    return;
  }
  if (!has("values") && !has("range")) {
    w.add(at, "needs values (a list) or range (sampled)");
    return;
  }

  if (has("values")) {
    const auto& v = t.at("values");
    if (!v.is_array()) {
      w.add(at + ".values", "expected an array, found " + io::toml_kind_name(v));
    } else if (v.as_array().empty()) {
      w.add(at + ".values", "empty; expected at least one value");
    } else {
      const auto& arr = v.as_array();
      for (std::size_t k = 0; k < arr.size(); ++k) {
        const auto& x = arr[k];
        const std::string loc = at + ".values[" + std::to_string(k) + "]";
        if (x.is_boolean())
          axis.values.emplace_back(x.as_boolean());
        else if (x.is_integer())
          axis.values.emplace_back(static_cast<std::int64_t>(x.as_integer()));
        else if (x.is_floating())
          axis.values.emplace_back(x.as_floating());
        else if (x.is_string())
          axis.values.emplace_back(std::string(x.as_string().str));
        else
          w.add(loc, "expected a boolean, integer, real number or string, found " + io::toml_kind_name(x));
      }
    }
    if (has("zip")) {
      const auto& z = t.at("zip");
      if (!z.is_string() || z.as_string().str.empty())
        w.add(at + ".zip", "expected a non-empty string (the zip group's name)");
      else
        axis.zip = z.as_string().str;
    }
    for (const char* k : {"scale", "type"})
      if (has(k)) w.add(at + "." + k, "applies to range axes only");
    return;
  }

  axis.sampled = true;
  if (has("zip")) w.add(at + ".zip", "applies to list axes only; sampled axes are drawn jointly");
  if (has("scale")) {
    const auto& s = t.at("scale");
    if (s.is_string() && s.as_string().str == "linear")
      axis.scale = AxisScale::Linear;
    else if (s.is_string() && s.as_string().str == "log")
      axis.scale = AxisScale::Log;
    else
      w.add(at + ".scale", "expected \"linear\" or \"log\"");
  }
  if (has("type")) {
    const auto& s = t.at("type");
    if (s.is_string() && s.as_string().str == "real")
      axis.type = AxisType::Real;
    else if (s.is_string() && s.as_string().str == "integer")
      axis.type = AxisType::Integer;
    else
      w.add(at + ".type", "expected \"real\" or \"integer\"");
  }
  const auto& r = t.at("range");
  const std::string rloc = at + ".range";
  std::optional<double> lo, hi;
  if (r.is_array() && r.as_array().size() == 2) {
    lo = number(r.as_array()[0]);
    hi = number(r.as_array()[1]);
  }
  if (!lo || !hi) {
    w.add(rloc, "expected [lo, hi], two numbers");
    return;
  }
  axis.lo = *lo;
  axis.hi = *hi;
  if (!std::isfinite(axis.lo) || !std::isfinite(axis.hi))
    w.add(rloc, "bounds must be finite");
  else if (!(axis.lo < axis.hi))
    w.add(rloc, "lo must be less than hi, got [" + format_value(axis.lo) + ", " + format_value(axis.hi) + "]");
  else if (axis.scale == AxisScale::Log && axis.lo <= 0.0)
    w.add(rloc, "a log-scale range needs lo > 0, got lo = " + format_value(axis.lo));
  if (axis.type == AxisType::Integer && (axis.lo != std::floor(axis.lo) || axis.hi != std::floor(axis.hi) ||
                                         std::abs(axis.lo) > 9.0e15 || std::abs(axis.hi) > 9.0e15))
    w.add(rloc, "an integer axis needs integer bounds");
}

}  // namespace

const std::vector<std::string>& sweep_jobs() {
  static const std::vector<std::string> jobs = job_names();
  return jobs;
}

toml::value to_toml(const ParamValue& value) {
  return std::visit(
      [](const auto& v) -> toml::value {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::int64_t>)
          return toml::value(static_cast<toml::integer>(v));
        else
          return toml::value(v);
      },
      value);
}

std::optional<std::string> set_config_value(toml::value& config, const std::string& key, const ParamValue& value) {
  std::vector<std::string> segs;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    segs.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (!config.is_table()) return "the config is not a table";
  // Check first, so that a failure leaves `config` unchanged.
  const toml::value* node = &config;
  std::string path;
  for (std::size_t s = 0; s < segs.size(); ++s) {
    path = key_path(path, segs[s]);
    const auto& t = node->as_table();
    auto it = t.find(segs[s]);
    if (it == t.end()) break;
    if (s + 1 < segs.size() && !it->second.is_table())
      return path + " is " + io::toml_kind_name(it->second) + ", not a table, so " + key + " cannot be set";
    if (s + 1 == segs.size() && it->second.is_table()) return key + " is a table; an axis value cannot replace it";
    node = &it->second;
  }
  toml::value* cur = &config;
  for (std::size_t s = 0; s + 1 < segs.size(); ++s) {
    auto& t = cur->as_table();
    auto it = t.find(segs[s]);
    if (it == t.end()) it = t.emplace(segs[s], toml::table{}).first;
    cur = &it->second;
  }
  cur->as_table()[segs.back()] = to_toml(value);
  return std::nullopt;
}

SweepSpec load_sweep_spec(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw IoError(file, "cannot open the sweep spec for reading");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw IoError(file, "cannot read the sweep spec");
  return parse_sweep_spec(buf.str(), file);
}

SweepSpec parse_sweep_spec(const std::string& text, const std::string& file) {
  SweepSpec spec;
  spec.file = file;
  spec.text = text;
  const toml::value doc = io::parse_toml(text, file);
  ProblemList problems;
  const Where w{file, problems};
  check_keys(doc, kTopKeys, "", w);
  const auto& top = doc.as_table();
  auto has = [&](const char* k) { return top.count(k) != 0; };

  if (!has("schema_version") || !doc.at("schema_version").is_integer() || doc.at("schema_version").as_integer() != 1)
    w.add("schema_version", "expected schema_version = 1");

  if (!has("job"))
    w.add("job", "missing; expected one of " + join(sweep_jobs()));
  else if (!doc.at("job").is_string())
    w.add("job", "expected a string, found " + io::toml_kind_name(doc.at("job")));
  else if (spec.job = doc.at("job").as_string().str; !contains(sweep_jobs(), spec.job))
    w.add("job", "unknown job \"" + spec.job + "\"; expected one of " + join(sweep_jobs()));

  if (has("seed")) {
    const auto& v = doc.at("seed");
    if (!v.is_integer() || v.as_integer() < 0)
      w.add("seed", "expected an integer >= 0");
    else
      spec.seed = static_cast<std::uint64_t>(v.as_integer());
  }
  if (has("repeats")) {
    const auto& v = doc.at("repeats");
    if (!v.is_integer() || v.as_integer() < 1 || static_cast<std::uint64_t>(v.as_integer()) > kMaxPoints)
      w.add("repeats", "expected an integer >= 1");
    else
      spec.repeats = static_cast<std::size_t>(v.as_integer());
  }

  // Base config: `base` file, then [config] merged over it.
  spec.base_config = toml::value(toml::table{});
  if (has("base")) {
    const auto& v = doc.at("base");
    if (!v.is_string() || v.as_string().str.empty()) {
      w.add("base", "expected a file name (a string)");
    } else {
      std::filesystem::path p(v.as_string().str);
      if (p.is_relative()) p = std::filesystem::path(file).parent_path() / p;
      try {
        spec.base_config = io::read_toml_file(p.string());
      } catch (const ConfigError& e) {
        problems.append(e.problems());
      }
    }
  }
  if (has("config")) {
    const auto& v = doc.at("config");
    if (!v.is_table())
      w.add("config", "expected a table ([config]), found " + io::toml_kind_name(v));
    else
      deep_merge(spec.base_config, v);
  }

  // Axes.
  if (has("axis")) {
    const auto& v = doc.at("axis");
    if (!v.is_array()) {
      w.add("axis", "expected an array of tables ([[axis]]), found " + io::toml_kind_name(v));
    } else {
      const auto& arr = v.as_array();
      for (std::size_t i = 0; i < arr.size(); ++i) {
        Axis axis;
        parse_axis(arr[i], i, w, axis);
        spec.axes.push_back(std::move(axis));
      }
    }
  }
  std::map<std::string, std::size_t> first_with_key;
  std::map<std::string, std::vector<std::size_t>> zips;
  bool any_sampled = false;
  std::size_t first_sampled = 0;
  for (std::size_t i = 0; i < spec.axes.size(); ++i) {
    const Axis& a = spec.axes[i];
    const std::string at = "axis[" + std::to_string(i) + "]";
    if (!a.key.empty()) {
      auto [it, fresh] = first_with_key.emplace(a.key, i);
      if (!fresh)
        w.add(at + ".key", "\"" + a.key + "\" is already the key of axis[" + std::to_string(it->second) + "]");
    }
    if (!a.zip.empty()) zips[a.zip].push_back(i);
    if (a.sampled && !any_sampled) {
      any_sampled = true;
      first_sampled = i;
    }
  }
  for (const auto& [name, members] : zips) {
    const Axis& first = spec.axes[members.front()];
    for (std::size_t m = 1; m < members.size(); ++m) {
      const Axis& a = spec.axes[members[m]];
      if (a.values.size() != first.values.size())
        w.add("axis[" + std::to_string(members[m]) + "].values",
              "zip group \"" + name + "\" needs equal lengths: " + std::to_string(a.values.size()) + " values here, " +
                  std::to_string(first.values.size()) + " in axis[" + std::to_string(members.front()) + "]");
    }
  }

  // Sampling.
  if (has("sampling")) {
    const auto& s = doc.at("sampling");
    if (!s.is_table()) {
      w.add("sampling", "expected a table ([sampling]), found " + io::toml_kind_name(s));
    } else {
      check_keys(s, kSamplingKeys, "sampling", w);
      const auto& t = s.as_table();
      if (!t.count("method"))
        w.add("sampling.method", "missing; expected \"lhs\" or \"random\"");
      else if (s.at("method").is_string() && s.at("method").as_string().str == "lhs")
        spec.sampling.method = SamplingMethod::Lhs;
      else if (s.at("method").is_string() && s.at("method").as_string().str == "random")
        spec.sampling.method = SamplingMethod::Random;
      else
        w.add("sampling.method", "expected \"lhs\" or \"random\"");
      if (!t.count("samples"))
        w.add("sampling.samples", "missing; expected an integer >= 1");
      else if (!s.at("samples").is_integer() || s.at("samples").as_integer() < 1 ||
               static_cast<std::uint64_t>(s.at("samples").as_integer()) > kMaxPoints)
        w.add("sampling.samples", "expected an integer >= 1");
      else
        spec.sampling.samples = static_cast<std::size_t>(s.at("samples").as_integer());
      if (!any_sampled) w.add("sampling", "no axis has a range to sample; remove [sampling] or give an axis a range");
    }
  } else if (any_sampled) {
    w.add("sampling", "missing; axis[" + std::to_string(first_sampled) + "] (" + spec.axes[first_sampled].key +
                          ") has a range, so [sampling] with method and samples is required");
  }
  if (!any_sampled) spec.sampling = Sampling{};

  // Every point sets the same key paths, so one trial point finds every collision of an
  // axis key with the base config or with another axis.
  if (problems.empty()) {
    toml::value trial = spec.base_config;
    for (std::size_t i = 0; i < spec.axes.size(); ++i) {
      const Axis& a = spec.axes[i];
      const ParamValue v = a.sampled ? sampled_value(a, 0.5) : a.values.front();
      if (auto what = set_config_value(trial, a.key, v)) w.add("axis[" + std::to_string(i) + "].key", *what);
    }
    if (problems.empty() && count_points(spec) > kMaxPoints)
      w.add("axis", "the plan has more than " + std::to_string(kMaxPoints) + " points");
  }
  problems.throw_if_any();
  return spec;
}

std::size_t count_points(const SweepSpec& spec) {
  std::size_t n = 1;
  std::map<std::string, bool> zip_seen;
  for (const Axis& a : spec.axes) {
    if (a.sampled) continue;
    if (!a.zip.empty()) {
      if (zip_seen[a.zip]) continue;
      zip_seen[a.zip] = true;
    }
    n = times(n, a.values.size());
  }
  const bool sampled = std::any_of(spec.axes.begin(), spec.axes.end(), [](const Axis& a) { return a.sampled; });
  if (sampled) n = times(n, spec.sampling.samples);
  return times(n, spec.repeats);
}

std::vector<std::string> axis_keys(const SweepSpec& spec) {
  std::vector<std::string> keys;
  for (const Axis& a : spec.axes) keys.push_back(a.key);
  return keys;
}

}  // namespace xbarsim::sweep

// Compression transforms by name (see compress.hpp: apply_compression).
#include <algorithm>
#include <functional>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/text.hpp>
#include <xbarsim/mapping/compress.hpp>

namespace xbarsim {
namespace {

// Settings of `spec` (except `layers`) applied to the defaults of P's table.
template <class P>
P params_from(const NamedSettings& spec, const std::string& prefix) {
  const ParamTable<P>& table = P::table();
  ParamValues values = table.values(P{});
  ProblemList problems;
  for (const auto& [key, text] : spec.settings) {
    if (key == "layers") continue;
    const ParamInfo* info = table.find(key);
    if (!info) {
      problems.add(key_path(prefix, key),
                   "unknown setting; valid: layers, " + join(table.entries(), ", ", &ParamInfo::name));
      continue;
    }
    try {
      values[key] = table.parse_text(*info, text, key_path(prefix, key));
    } catch (const ConfigError& e) {
      problems.append(e.problems());
    }
  }
  problems.throw_if_any();
  return table.make(values, prefix);
}

std::vector<std::string> layers_of(const NamedSettings& spec, const std::string& prefix) {
  std::vector<std::string> names;
  for (const auto& [key, text] : spec.settings) {
    if (key != "layers") continue;
    std::string_view rest = text;
    while (true) {
      const auto bar = rest.find('|');
      std::string name = trim(rest.substr(0, bar));
      if (name.empty()) throw ConfigError(key_path(prefix, "layers"), "empty layer name in \"" + text + "\"");
      names.push_back(std::move(name));
      if (bar == std::string_view::npos) break;
      rest = rest.substr(bar + 1);
    }
  }
  return names;
}

struct Transform {
  const char* name;
  std::function<CompressionReport(Network&, const NamedSettings&, const std::string&, const std::vector<std::string>&)>
      run;
};

template <class P, CompressionReport (*F)(Network&, const P&, const std::vector<std::string>&)>
Transform transform(const char* name) {
  return {name, [](Network& net, const NamedSettings& spec, const std::string& prefix,
                   const std::vector<std::string>& layers) { return F(net, params_from<P>(spec, prefix), layers); }};
}

const std::vector<Transform>& transforms() {
  static const std::vector<Transform> list = {
      transform<MagnitudePruneParams, prune_magnitude>("magnitude_prune"),
      transform<FilterPruneParams, prune_filters>("filter_prune"),
      transform<LowRankParams, low_rank>("low_rank"),
      transform<QuantizeParams, quantize>("quantize"),
      transform<BinarizeParams, binarize>("binarize"),
      transform<TernarizeParams, ternarize>("ternarize"),
  };
  return list;
}

}  // namespace

CompressionReport apply_compression(Network& net, std::string_view text) {
  const NamedSettings spec = parse_named_settings(text, "compress");
  const auto& list = transforms();
  const auto it = std::find_if(list.begin(), list.end(), [&](const Transform& t) { return spec.name == t.name; });
  if (it == list.end())
    throw ConfigError("compress",
                      "unknown transform \"" + spec.name + "\"; known: " + join(list, ", ", &Transform::name));
  const std::string prefix = "compress." + spec.name;
  return it->run(net, spec, prefix, layers_of(spec, prefix));
}

int magnitude_bits_for_levels(std::size_t levels) {
  if (levels == 0) return 0;
  const std::size_t positive = levels / 2;  // L of 2 L + 1 levels; binary (2 levels) has 1
  int bits = 1;
  while ((std::size_t{1} << bits) - 1 < positive) ++bits;
  return bits;
}

}  // namespace xbarsim

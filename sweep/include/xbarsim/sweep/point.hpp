#pragma once
// One point of a sweep (issue 6): its place in the plan, its resolved configuration and
// what running it produced. Shared by the spec expansion (spec.hpp), the jobs (jobs.hpp),
// the executor (execute.hpp) and the HDF5 store (store.hpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>
#include <xbarsim/core/params.hpp>

namespace xbarsim::sweep {

/// A point of the plan. Its id is its position in the plan (grid order, then samples,
/// then repeats), and its seed depends only on the spec's seed and the id, never on
/// which worker or rank runs it.
struct SweepPoint {
  std::size_t id = 0;
  std::size_t repeat = 0;
  std::uint64_t seed = 0;
  std::vector<std::pair<std::string, ParamValue>> axis_values;  // axis key path -> value, axis order
  std::string config_toml;  // the job's configuration with the axis values set (TOML text)
};

/// A scalar result with its unit, e.g. {"digital_accuracy", "1", "...", 0.9}.
struct Metric {
  std::string name, unit, description;
  double value = 0.0;
};

/// An array result (row-major), e.g. accuracy over drift time.
struct Curve {
  std::string name, unit, description;
  std::vector<std::size_t> shape;
  std::vector<double> values;
};

struct PointResult {
  std::vector<Metric> metrics;
  std::vector<Curve> curves;
};

/// What happened to a point: a result, or the error that stopped it.
struct PointOutcome {
  bool ok = false;
  std::string error;  // what() of the exception, when !ok
  PointResult result;
  double seconds = 0.0;  // wall time of the point
};

}  // namespace xbarsim::sweep

#pragma once
// What a sweep runs at every point (issue 6): a job takes the point's configuration (the
// same keys as the command's configuration file) and its seed, and returns scalar
// metrics and curves with units.
//   "run"          the main job of `xbarsim run` (main_job.hpp)
//   "map"          the chip placement and cost of `xbarsim map` (the run configuration)
//   "tile-report"  the tile cost of `xbarsim tile report` (io/tile_config.hpp)
//   "device-curve" a device characterisation protocol of `xbarsim device curve`
#include <memory>
#include <string>
#include <toml.hpp>
#include <vector>
#include <xbarsim/core/progress.hpp>
#include <xbarsim/sweep/point.hpp>

namespace xbarsim::sweep {

class Job {
 public:
  virtual ~Job() = default;
  /// Everything that can be checked without running: ConfigError naming `where` and the key.
  virtual void validate(const toml::value& config, const std::string& where) const = 0;
  /// Runs one point. The result depends only on the configuration and the seed.
  virtual PointResult run(const toml::value& config, const std::string& where, std::uint64_t seed,
                          const RunControl& control) const = 0;
};

/// The job's names, for messages and listings.
std::vector<std::string> job_names();
/// ConfigError ("job") listing the known jobs for an unknown name.
std::unique_ptr<Job> make_job(const std::string& name);

}  // namespace xbarsim::sweep

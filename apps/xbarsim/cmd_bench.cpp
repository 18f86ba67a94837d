// `xbarsim bench ...`: performance probes (filled in as benchmarks land).
#include "commands.hpp"

namespace xbarsim::cli {
void register_bench_commands(CLI::App&, const Globals&, Action&) {}
}  // namespace xbarsim::cli

#pragma once
// Training configuration of `xbarsim train`: one parameter table drives the TOML file,
// the command-line flags (--batch-size for batch_size, ...) and the resolved config
// recorded in the weights file, so a shipped model is reproducible by one command.
#include <string>
#include <xbarsim/core/params.hpp>
#include <xbarsim/nn/optimizer.hpp>

namespace xbarsim::cli {

struct TrainConfig {
  std::string model = "lenet5";
  std::string dataset = "fashion-mnist";
  int epochs = 15;
  int batch_size = 64;
  std::string optimizer = "adam";
  double lr = 1e-3;
  double momentum = 0.9;  // sgd, rmsprop
  bool nesterov = false;
  double weight_decay = 0.0;
  std::string schedule = "cosine";
  int step_size = 5;   // step schedule, epochs
  double gamma = 0.1;  // step / exponential schedules
  int seed = 1;        // shuffling and stochastic layers
  // Hardware-aware training (mapping/hwa_backend.hpp): weight modifier of the training passes.
  std::string hwa_modifier = "none";
  double hwa_std_dev = 0.02;
  double hwa_res = 1.0 / 127.0;
  static const ParamTable<TrainConfig>& table();
};

/// Defaults, then the file's keys (schema_version = 1 plus table keys), then the flags;
/// ConfigError naming "file: key" or "--flag" for every problem.
TrainConfig load_train_config(const std::string& file, const ParamValues& overrides);
/// The resolved configuration as TOML (recorded in outputs, compared on --resume).
std::string train_config_toml(const TrainConfig& c);
/// Converts a flag's text to the parameter's kind (ConfigError naming the flag).
ParamValue parse_train_flag(const std::string& name, const std::string& text);
OptimizerConfig optimizer_config(const TrainConfig& c);
LrSchedule lr_schedule(const TrainConfig& c);
/// Optimiser state stored in a checkpoint (checkpoint/optimizer, checkpoint/counters).
OptimizerState read_optimizer_state(const std::string& checkpoint);

}  // namespace xbarsim::cli

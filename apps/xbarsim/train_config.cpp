// Training configuration (see train_config.hpp).
#include "train_config.hpp"

#include <xbarsim/core/error.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/io/toml_params.hpp>
#include <xbarsim/nn/zoo.hpp>

namespace xbarsim::cli {

const ParamTable<TrainConfig>& TrainConfig::table() {
  static const ParamTable<TrainConfig> t = [] {
    ParamTable<TrainConfig> tab;
    tab.choice("model", &TrainConfig::model, zoo_models(), "zoo model to train", "LeNet-5 (LeCun 1998)");
    tab.choice("dataset", &TrainConfig::dataset, {"fashion-mnist"}, "training and test data",
               "Fashion-MNIST (Xiao et al. 2017), Debian dataset-fashion-mnist");
    tab.integer("epochs", &TrainConfig::epochs, "1", Range::closed(1, 100000), "passes over the training set",
                "15: LeNet-5 on Fashion-MNIST converges to ~91% (the dataset's benchmark table lists 87.6-91.6%)");
    tab.integer("batch_size", &TrainConfig::batch_size, "1", Range::closed(0, 1 << 20),
                "samples per step (1 = online, 0 = full batch)", "64, a common mini-batch size");
    tab.choice("optimizer", &TrainConfig::optimizer, {"sgd", "adagrad", "rmsprop", "adam"}, "optimiser",
               "Adam (Kingma & Ba 2015), torch.optim defaults");
    tab.real("lr", &TrainConfig::lr, "1", Range::positive(), "base learning rate", "torch.optim.Adam default 1e-3");
    tab.real("momentum", &TrainConfig::momentum, "1", Range::closed(0.0, 1.0), "momentum of sgd and rmsprop",
             "0.9, the usual SGD momentum");
    tab.boolean("nesterov", &TrainConfig::nesterov, "Nesterov momentum (sgd)", "torch.optim.SGD default False");
    tab.real("weight_decay", &TrainConfig::weight_decay, "1", Range::non_negative(), "L2 weight decay",
             "torch.optim default 0");
    tab.choice("schedule", &TrainConfig::schedule, {"constant", "step", "exponential", "cosine"},
               "learning-rate schedule over epochs",
               "cosine annealing to 0 over all epochs (Loshchilov & Hutter 2017)");
    tab.integer("step_size", &TrainConfig::step_size, "1", Range::closed(1, 100000), "epochs per step (step schedule)",
                "torch StepLR, chosen 5");
    tab.real("gamma", &TrainConfig::gamma, "1", Range::positive(), "decay factor (step, exponential schedules)",
             "torch StepLR gamma default 0.1");
    tab.integer("seed", &TrainConfig::seed, "1", Range::closed(0, 2147483647), "shuffling and stochastic layers", "1");
    tab.choice("hwa_modifier", &TrainConfig::hwa_modifier, {"none", "add-normal", "mult-normal", "discretize"},
               "hardware-aware training: weight modifier of every training forward/backward (hwa_backend.hpp)",
               "none: plain digital training");
    tab.real("hwa_std_dev", &TrainConfig::hwa_std_dev, "1", Range::non_negative(),
             "relative noise of add-normal / mult-normal",
             "aihwkit WeightModifierParameter std_dev default 0.0; 0.02 chosen");
    tab.real("hwa_res", &TrainConfig::hwa_res, "1", Range::closed(0.0, 1.0),
             "grid step of discretize, fraction of w_max",
             "aihwkit WeightModifierParameter res default 1/127 (8 bits)");
    return tab;
  }();
  return t;
}

TrainConfig load_train_config(const std::string& file, const ParamValues& overrides) {
  ProblemList problems;
  ParamValues values;
  if (!file.empty()) {
    toml::value doc = io::read_toml_file(file);
    if (doc.is_table() && doc.as_table().count("schema_version")) {
      const auto& v = doc.at("schema_version");
      if (!v.is_integer() || v.as_integer() != 1) problems.add(file + ": schema_version", "expected 1");
      doc.as_table().erase("schema_version");
    } else {
      problems.add(file + ": schema_version", "missing (expected schema_version = 1)");
    }
    values = io::params_from_toml(doc, TrainConfig::table(), file + ":", problems);
  }
  for (const auto& [k, v] : overrides) values[k] = v;
  problems.throw_if_any();
  return TrainConfig::table().make(values, "train");
}

std::string train_config_toml(const TrainConfig& c) {
  return "schema_version = 1\n" + io::params_to_toml(TrainConfig::table().values(c), TrainConfig::table());
}

ParamValue parse_train_flag(const std::string& name, const std::string& text) {
  std::string flag = "--" + name;
  for (char& ch : flag)
    if (ch == '_') ch = '-';
  const ParamInfo* info = TrainConfig::table().find(name);
  if (!info) throw InternalError("parse_train_flag: unknown parameter " + name);
  return TrainConfig::table().parse_text(*info, text, flag);
}

OptimizerConfig optimizer_config(const TrainConfig& c) {
  OptimizerConfig o;
  o.kind = c.optimizer;
  o.momentum = c.optimizer == "sgd" || c.optimizer == "rmsprop" ? c.momentum : 0.0;
  o.nesterov = c.nesterov;
  o.weight_decay = c.weight_decay;
  return o;
}

LrSchedule lr_schedule(const TrainConfig& c) {
  LrSchedule s;
  s.base_lr = c.lr;
  s.step_size = static_cast<std::size_t>(c.step_size);
  s.gamma = c.gamma;
  s.t_max = static_cast<std::size_t>(c.epochs);
  if (c.schedule == "constant") s.kind = ScheduleKind::Constant;
  if (c.schedule == "step") s.kind = ScheduleKind::Step;
  if (c.schedule == "exponential") s.kind = ScheduleKind::Exponential;
  if (c.schedule == "cosine") s.kind = ScheduleKind::Cosine;
  s.validate();
  return s;
}

OptimizerState read_optimizer_state(const std::string& checkpoint) {
  OptimizerState st;
  for (const std::string& k : io::list_datasets(checkpoint, "checkpoint/optimizer"))
    st.buffers[k] = io::read_float_dataset(checkpoint, "checkpoint/optimizer/" + k).values;
  for (const std::string& k : io::list_attributes(checkpoint, "checkpoint/counters"))
    st.counters[k] = static_cast<std::uint64_t>(*io::read_number_attribute(checkpoint, "checkpoint/counters/" + k));
  return st;
}

}  // namespace xbarsim::cli

// `xbarsim train [--config FILE.toml] [--model NAME] [--dataset fashion-mnist] [--epochs E]
// ... -o W.h5 [--resume]`: trains a zoo model, shows loss / accuracy / ETA, and on Ctrl-C
// writes a checkpoint (weights, optimiser state, position) that --resume continues from
// exactly, so an interrupted run ends with the same weights as an uninterrupted one.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/nn_weights.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/io/toml_params.hpp>
#include <xbarsim/mapping/hwa_backend.hpp>
#include <xbarsim/nn/trainer.hpp>
#include <xbarsim/nn/zoo.hpp>

#include "commands.hpp"
#include "nn_support.hpp"
#include "train_config.hpp"

namespace xbarsim::cli {
namespace {

struct TrainCliOptions {
  std::string config_file, output, data_dir;
  ParamValues overrides;  // from the flags
  bool resume = false, json = false;
};

std::string checkpoint_path(const std::string& output) { return output + ".checkpoint.h5"; }

void write_checkpoint(const std::string& path, const TrainConfig& cfg, Network& net, const Optimizer& opt,
                      std::size_t epoch, std::size_t batch, std::uint64_t seed) {
  write_result(path, io::RunInfo{train_config_toml(cfg), seed, "train checkpoint"}, [&](io::ResultFile& out) {
    io::write_weights(out, net, io::ModelInfo{cfg.model, net.output_shape(1).sample_size(), net.input_shape()});
    out.write_attribute("epoch", static_cast<std::int64_t>(epoch), "checkpoint");
    out.write_attribute("batch", static_cast<std::int64_t>(batch), "checkpoint");
    const OptimizerState st = opt.state(net.params());
    for (const auto& [key, values] : st.buffers)
      out.write_float32("checkpoint/optimizer", key, {values.size()}, values.data(), "1", "optimiser state");
    for (const auto& [key, count] : st.counters)
      out.write_attribute(key, static_cast<std::int64_t>(count), "checkpoint/counters");
  });
}

int run_train(const TrainCliOptions& o, const Globals& g) {
  TrainConfig cfg = load_train_config(o.config_file, o.overrides);
  Network net = make_model(cfg.model);
  const ImageDataset train = load_named_dataset(cfg.dataset, "train", o.data_dir);
  const ImageDataset test = load_named_dataset(cfg.dataset, "test", o.data_dir);
  std::unique_ptr<Optimizer> opt = make_optimizer(optimizer_config(cfg));
  TrainOptions topt;
  topt.batch_size = static_cast<std::size_t>(cfg.batch_size);
  topt.seed = static_cast<std::uint64_t>(cfg.seed);
  topt.optimizer = opt.get();
  topt.schedule = lr_schedule(cfg);
  std::size_t first_epoch = 0, first_batch = 0;
  const std::string ckpt = checkpoint_path(o.output);
  if (o.resume) {
    if (!std::filesystem::exists(ckpt)) throw IoError(ckpt, "no checkpoint to resume from");
    const std::string saved = io::read_string_attribute(ckpt, "config");
    if (saved != train_config_toml(cfg))
      throw ConfigError(ckpt, "the checkpoint was made with another configuration; resume with the same options");
    io::read_weights(ckpt, net);
    first_epoch = static_cast<std::size_t>(*io::read_number_attribute(ckpt, "checkpoint/epoch"));
    first_batch = static_cast<std::size_t>(*io::read_number_attribute(ckpt, "checkpoint/batch"));
    opt->set_state(net.params(), read_optimizer_state(ckpt));
  }
  // Evaluation reads the clean weights; hardware-aware training perturbs the training passes.
  DigitalBackend backend;
  HwaBackend hwa(HwaParams{cfg.hwa_modifier, cfg.hwa_std_dev, cfg.hwa_res, static_cast<std::uint64_t>(cfg.seed)});
  LayerContext ctx;
  ctx.backend = &backend;
  ctx.seed = static_cast<std::uint64_t>(cfg.seed);
  LayerContext train_ctx = ctx;
  if (cfg.hwa_modifier != "none") train_ctx.backend = &hwa;
  const std::size_t n = train.size(), b = topt.batch_size;
  const std::size_t steps_per_epoch = b == 0 ? 1 : (n + b - 1) / b;
  nlohmann::json history = nlohmann::json::array();
  // Ctrl-C anywhere writes a checkpoint at the last complete step: inside an epoch its
  // batch, during an evaluation the start of the next epoch.
  auto interrupted = [&](std::size_t epoch, std::size_t batch) {
    write_checkpoint(ckpt, cfg, net, *opt, epoch, batch, g.seed);
    std::fprintf(stderr, "\ninterrupted: checkpoint (epoch %zu, batch %zu) written to %s; continue with --resume\n",
                 epoch + 1, batch, ckpt.c_str());
  };
  double test_accuracy = 0.0;
  for (std::size_t epoch = first_epoch; epoch < static_cast<std::size_t>(cfg.epochs); ++epoch) {
    TerminalProgress progress("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(cfg.epochs));
    topt.first_batch = epoch == first_epoch ? first_batch : 0;
    std::size_t done = topt.first_batch;
    topt.batches_done = &done;
    EpochStats tr, te;
    try {
      // The modifier's noise is keyed by the step, so a resumed run draws what an
      // uninterrupted one would.
      hwa.set_pass(static_cast<std::uint32_t>(epoch * steps_per_epoch + topt.first_batch));
      tr = train_epoch(net, train, epoch, topt, train_ctx, RunControl{&progress, &interrupt_token()});
    } catch (const Cancelled&) {
      interrupted(epoch, done);
      throw;
    }
    try {
      te = evaluate(net, test, 1000, ctx, RunControl{nullptr, &interrupt_token()});
    } catch (const Cancelled&) {
      interrupted(epoch + 1, 0);
      throw;
    }
    test_accuracy = te.accuracy;
    history.push_back({{"epoch", epoch + 1},
                       {"lr", tr.lr},
                       {"train_loss", tr.loss},
                       {"train_accuracy", tr.accuracy},
                       {"test_loss", te.loss},
                       {"test_accuracy", te.accuracy}});
    if (!o.json)
      std::printf("epoch %zu/%d: lr %.4g, train loss %.4f, train accuracy %.2f %%, test accuracy %.2f %%\n", epoch + 1,
                  cfg.epochs, tr.lr, tr.loss, 100 * tr.accuracy, 100 * te.accuracy);
  }
  if (history.empty())  // resumed after the last epoch's training
    test_accuracy = evaluate(net, test, 1000, ctx, RunControl{nullptr, &interrupt_token()}).accuracy;
  write_result(o.output, io::RunInfo{train_config_toml(cfg), g.seed, "train"}, [&](io::ResultFile& out) {
    io::write_weights(out, net, io::ModelInfo{cfg.model, net.output_shape(1).sample_size(), net.input_shape()});
    out.write_attribute("test_accuracy", test_accuracy, "model");
  });
  std::filesystem::remove(ckpt);
  if (o.json)
    std::cout << nlohmann::json{{"model", cfg.model},
                                {"output", o.output},
                                {"test_accuracy", test_accuracy},
                                {"epochs", history}}
                     .dump(2)
              << '\n';
  else
    std::printf("test accuracy %.2f %%; weights written to %s\n", 100 * test_accuracy, o.output.c_str());
  return kOk;
}

}  // namespace

void register_train_command(CLI::App& app, const Globals& globals, Action& action) {
  auto o = std::make_shared<TrainCliOptions>();
  auto* train = app.add_subcommand("train", "train a zoo model on a dataset (progress, Ctrl-C checkpoint, --resume)");
  train->add_option("--config", o->config_file, "training configuration (.toml; flags override its keys)");
  for (const auto& info : TrainConfig::table().entries()) {
    std::string flag = "--" + info.name;
    for (char& c : flag)
      if (c == '_') c = '-';
    auto* opt = train->add_option_function<std::string>(
        flag, [o, name = info.name](const std::string& v) { o->overrides[name] = parse_train_flag(name, v); },
        info.description);
    (void)opt;
  }
  train->add_option("--data-dir", o->data_dir, "dataset directory (default: Debian's install location)");
  train->add_option("-o,--output", o->output, "weights file (.h5)")->required();
  train->add_flag("--resume", o->resume, "continue from OUTPUT.checkpoint.h5 written by an interrupted run");
  train->add_flag("--json", o->json, "print the per-epoch history and test accuracy as JSON");
  train->callback([&action, o, &globals] { action = [o, &globals] { return run_train(*o, globals); }; });
}

}  // namespace xbarsim::cli

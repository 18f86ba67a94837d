// `xbarsim model summary NAME|FILE [--json]` and `xbarsim eval --model M (--dataset D |
// --input X.h5) [-o Y.h5] [--json]`.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/model_loader.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/nn/dataset.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/trainer.hpp>

#include "commands.hpp"
#include "nn_support.hpp"

namespace xbarsim::cli {
namespace {

struct SummaryOptions {
  std::string model;
  bool json = false;
};

int run_summary(const SummaryOptions& o) {
  io::LoadedModel m = io::load_model(o.model);
  const NetworkSummary s = m.net.summary();
  if (o.json) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : s.layers)
      layers.push_back({{"name", l.name},
                        {"type", l.type},
                        {"output", {l.output.c, l.output.h, l.output.w}},
                        {"params", l.cost.params},
                        {"macs", l.cost.macs}});
    std::cout << nlohmann::json{{"model", m.info.model},
                                {"input", {m.info.input.c, m.info.input.h, m.info.input.w}},
                                {"classes", m.info.classes},
                                {"layers", layers},
                                {"total_params", s.total_params},
                                {"total_macs", s.total_macs}}
                     .dump(2)
              << '\n';
    return kOk;
  }
  std::printf("%s: input %zu x %zu x %zu, %zu classes\n\n", m.info.model.c_str(), m.info.input.c, m.info.input.h,
              m.info.input.w, m.info.classes);
  std::printf("%-28s %-20s %-18s %14s %16s\n", "layer", "type", "output (C x H x W)", "params", "MACs");
  for (const auto& l : s.layers) {
    const std::string shape =
        std::to_string(l.output.c) + " x " + std::to_string(l.output.h) + " x " + std::to_string(l.output.w);
    std::printf("%-28s %-20s %-18s %14llu %16llu\n", l.name.c_str(), l.type.c_str(), shape.c_str(),
                static_cast<unsigned long long>(l.cost.params), static_cast<unsigned long long>(l.cost.macs));
  }
  std::printf("\ntotal: %llu parameters, %llu MACs per image\n", static_cast<unsigned long long>(s.total_params),
              static_cast<unsigned long long>(s.total_macs));
  return kOk;
}

struct EvalOptions {
  std::string model, dataset, input, output, data_dir;
  std::size_t batch = 256;
  bool json = false;
};

int run_eval(const EvalOptions& o, const Globals& g) {
  if (o.dataset.empty() == o.input.empty()) throw ConfigError("eval", "give exactly one of --dataset and --input");
  io::LoadedModel m = io::load_model(o.model);
  DigitalBackend backend;
  LayerContext ctx;
  ctx.backend = &backend;
  ctx.seed = g.seed;
  nlohmann::json result{{"model", o.model}};
  Tensor logits;
  if (!o.dataset.empty()) {
    const ImageDataset data = load_named_dataset(o.dataset, "test", o.data_dir);
    result["dataset"] = o.dataset;
    result["samples"] = data.size();
    if (o.output.empty()) {
      TerminalProgress progress("eval");
      const EpochStats s = evaluate(m.net, data, o.batch, ctx, RunControl{&progress, &interrupt_token()});
      result["accuracy"] = s.accuracy;
      result["loss"] = s.loss;
    } else {  // one pass: accuracy and loss from the logits that are written anyway
      logits = network_logits(m.net, data.images, o.batch, ctx);
      const std::size_t k = logits.shape().sample_size();
      std::size_t correct = 0;
      for (std::size_t b = 0; b < data.size(); ++b) {
        const float* z = logits.data() + b * k;
        correct += static_cast<std::size_t>(std::max_element(z, z + k) - z) == data.labels[b];
      }
      result["accuracy"] = static_cast<double>(correct) / static_cast<double>(data.size());
      result["loss"] = softmax_cross_entropy(logits, data.labels).loss;
    }
  } else {
    const Tensor x = read_input_tensor(o.input, m.info.input);
    logits = network_logits(m.net, x, o.batch, ctx);
    result["samples"] = x.shape().n;
  }
  if (!o.output.empty()) {
    write_result(o.output, io::RunInfo{"# xbarsim eval --model " + o.model + "\n", g.seed, "eval"},
                 [&](io::ResultFile& out) {
                   const Shape s = logits.shape();
                   out.write_float32("", "logits", {s.n, s.sample_size()}, logits.data(), "1",
                                     "network outputs before softmax, samples x classes");
                   out.write_attribute("model", o.model);
                 });
    result["output"] = o.output;
  }
  if (o.json) {
    std::cout << result.dump(2) << '\n';
  } else if (result.contains("accuracy")) {
    std::printf("%s on %s test set: accuracy %.2f %% (%zu images), mean cross-entropy %.4f\n", o.model.c_str(),
                o.dataset.c_str(), 100.0 * result["accuracy"].get<double>(), result["samples"].get<std::size_t>(),
                result["loss"].get<double>());
  } else {
    std::printf("%s: logits of %zu inputs written to %s\n", o.model.c_str(), result["samples"].get<std::size_t>(),
                o.output.c_str());
  }
  return kOk;
}

}  // namespace

void register_model_commands(CLI::App& app, const Globals& globals, Action& action) {
  auto* model = app.add_subcommand("model", "neural-network models");
  model->require_subcommand(1);
  auto sopts = std::make_shared<SummaryOptions>();
  auto* summary = model->add_subcommand("summary", "layers, output shapes, parameters and MACs of a model");
  summary->add_option("model", sopts->model, "zoo name (see `xbarsim model list`), .onnx or weights .h5")->required();
  summary->add_flag("--json", sopts->json, "print JSON with layers[], total_params and total_macs");
  summary->callback([&action, sopts] { action = [sopts] { return run_summary(*sopts); }; });
  auto* list = model->add_subcommand("list", "the model zoo");
  list->callback([&action] {
    action = [] {
      for (const auto& n : zoo_model_names()) std::printf("%s\n", n.c_str());
      return kOk;
    };
  });

  auto eopts = std::make_shared<EvalOptions>();
  auto* eval = app.add_subcommand("eval", "run a model on a dataset (accuracy) or on inputs (logits)");
  eval->add_option("--model", eopts->model, "zoo name, .onnx or weights .h5")->required();
  eval->add_option("--dataset", eopts->dataset, "fashion-mnist (test split)");
  eval->add_option("--data-dir", eopts->data_dir, "dataset directory (default: Debian's install location)");
  eval->add_option("--input", eopts->input, "HDF5 file with dataset x (N x C x H x W, float32)");
  eval->add_option("-o,--output", eopts->output, "HDF5 output with logits (N x K)");
  eval->add_option("--batch", eopts->batch, "inference batch size (default 256)")->check(CLI::Range(1, 1 << 20));
  eval->add_flag("--json", eopts->json, "print JSON (accuracy, samples, loss)");
  eval->callback([&action, eopts, &globals] { action = [eopts, &globals] { return run_eval(*eopts, globals); }; });
}

}  // namespace xbarsim::cli

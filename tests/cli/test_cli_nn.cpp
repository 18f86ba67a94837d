// The NN commands end to end: model summary, eval (dataset and --input), train with a
// Ctrl-C checkpoint and --resume, on a small IDX dataset written by the test.
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>
#include <xbarsim/io/nn_weights.hpp>
#include <xbarsim/io/result_file.hpp>
#include <xbarsim/nn/zoo.hpp>

#include "../test_util.hpp"

using namespace xbarsim;

namespace {

void put_be32(std::ofstream& f, std::uint32_t v) {
  const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  f.write(b, 4);
}

/// A learnable 28 x 28 toy set in the IDX layout Fashion-MNIST uses (plain files): class
/// k has a bright horizontal bar at rows 2k + 3 .. 2k + 5 over deterministic noise.
void write_split(const test::ScratchDir& dir, const std::string& prefix, std::uint32_t n) {
  std::ofstream img(dir / (prefix + "-images-idx3-ubyte"), std::ios::binary);
  std::ofstream lab(dir / (prefix + "-labels-idx1-ubyte"), std::ios::binary);
  put_be32(img, 0x803);
  put_be32(img, n);
  put_be32(img, 28);
  put_be32(img, 28);
  put_be32(lab, 0x801);
  put_be32(lab, n);
  std::uint32_t h = 12345;
  for (std::uint32_t s = 0; s < n; ++s) {
    const std::uint8_t k = static_cast<std::uint8_t>(s % 10);
    lab.put(static_cast<char>(k));
    for (int r = 0; r < 28; ++r)
      for (int c = 0; c < 28; ++c) {
        h = h * 1103515245u + 12345u;
        const bool bar = r >= 2 * k + 3 && r <= 2 * k + 5;
        img.put(static_cast<char>(bar ? 200 + (h >> 28) : (h >> 26)));
      }
  }
}

std::vector<float> all_weights(const std::filesystem::path& file) {
  Network net = make_model("lenet5");
  io::read_weights(file, net);
  std::vector<float> out;
  for (Param* p : net.params()) out.insert(out.end(), p->value.data(), p->value.data() + p->value.size());
  return out;
}

}  // namespace

TEST_CASE("model summary --json has the totals of the zoo model", "[cli][nn]") {
  const auto r = test::run_xbarsim("model summary lenet5 --json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.output);
  // LeNet-5 totals by hand in nn/src/zoo/lenet.cpp: 61,706 parameters, 416,520 MACs.
  CHECK(j["total_params"] == 61706);
  CHECK(j["total_macs"] == 416520);
  CHECK(j["layers"].size() == 12);
  const auto bad = test::run_xbarsim("model summary lenet7");
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("lenet7") != std::string::npos);
}

TEST_CASE("train, Ctrl-C, --resume: the same weights as an uninterrupted run, eval reads them", "[cli][nn]") {
  test::ScratchDir dir("cli_nn");
  write_split(dir, "train", 640);
  write_split(dir, "t10k", 100);
  const std::string common =
      "train --data-dir " + dir.path().string() + " --epochs 12 --batch-size 32 --lr 0.002 --schedule constant ";
  const auto full = test::run_xbarsim("--threads 1 " + common + "-o " + (dir / "full.h5").string());
  REQUIRE(full.exit_code == 0);

  // Interrupt a second run mid-way (SIGINT as Ctrl-C), then resume it.
  const std::string cmd =
      std::string(XBARSIM_BIN_DIR) + "/xbarsim --threads 1 " + common + "-o " + (dir / "cut.h5").string();
  const auto cut = test::run_command("(" + cmd + " & pid=$!; sleep 1; kill -INT $pid; wait $pid; echo \"rc=$?\")");
  INFO(cut.output);
  if (cut.output.find("rc=130") != std::string::npos) {
    CHECK(std::filesystem::exists(dir / "cut.h5.checkpoint.h5"));
    CHECK(!std::filesystem::exists(dir / "cut.h5"));
    CHECK(cut.output.find("--resume") != std::string::npos);
    const auto resumed = test::run_xbarsim("--threads 1 " + common + "-o " + (dir / "cut.h5").string() + " --resume");
    REQUIRE(resumed.exit_code == 0);
    CHECK(!std::filesystem::exists(dir / "cut.h5.checkpoint.h5"));
  } else {
    WARN("the run finished before SIGINT arrived; only the uninterrupted comparison was made");
    REQUIRE(cut.output.find("rc=0") != std::string::npos);
  }
  // Reference: the uninterrupted run, bit for bit (checkpoint = weights, optimiser
  // state, epoch and batch; shuffling and steps depend only on the seed and position).
  CHECK(all_weights(dir / "cut.h5") == all_weights(dir / "full.h5"));

  // --resume with other options is refused, naming the checkpoint.
  const auto again = test::run_command("(" + cmd + " & pid=$!; sleep 1; kill -INT $pid; wait $pid)");
  if (std::filesystem::exists(dir / "cut.h5.checkpoint.h5")) {
    const auto mismatch =
        test::run_xbarsim("--threads 1 " + common + "--seed 7 -o " + (dir / "cut.h5").string() + " --resume");
    CHECK(mismatch.exit_code == 2);
    CHECK(mismatch.output.find("checkpoint") != std::string::npos);
  }

  // eval on the toy test split: the bars are learnable, so accuracy is high.
  const auto ev = test::run_xbarsim("eval --model " + (dir / "full.h5").string() +
                                    " --dataset fashion-mnist --data-dir " + dir.path().string() + " --json");
  REQUIRE(ev.exit_code == 0);
  // stdout (the JSON) and the progress lines on stderr arrive merged: parse from the '{'.
  const double acc = nlohmann::json::parse(ev.output.substr(ev.output.find('{')))["accuracy"].get<double>();
  CHECK(acc > 0.9);
  // With -o the accuracy comes from the written logits (one pass): the same number.
  const auto ev_o =
      test::run_xbarsim("eval --model " + (dir / "full.h5").string() + " --dataset fashion-mnist --data-dir " +
                        dir.path().string() + " --json -o " + (dir / "logits.h5").string());
  REQUIRE(ev_o.exit_code == 0);
  CHECK(nlohmann::json::parse(ev_o.output.substr(ev_o.output.find('{')))["accuracy"].get<double>() == acc);
  CHECK(io::read_float_dataset(dir / "logits.h5", "logits").shape == std::vector<std::size_t>{100, 10});

  // eval --input: logits of the same images equal those of the dataset path.
  {
    io::ResultFile x(dir / "x.h5", io::RunInfo{"", 1, "test"});
    std::vector<float> img(3 * 28 * 28, 0.5f);
    x.write_float32("", "x", {3, 1, 28, 28}, img.data(), "1", "inputs");
  }
  const auto lg = test::run_xbarsim("eval --model " + (dir / "full.h5").string() + " --input " +
                                    (dir / "x.h5").string() + " -o " + (dir / "y.h5").string());
  REQUIRE(lg.exit_code == 0);
  const io::FloatDataset y = io::read_float_dataset(dir / "y.h5", "logits");
  CHECK(y.shape == std::vector<std::size_t>{3, 10});
  CHECK(y.values[0] == y.values[10]);  // identical inputs, identical logits

  // Wrong input shape: exit 2 naming the file and the expected shape.
  {
    io::ResultFile x(dir / "bad.h5", io::RunInfo{"", 1, "test"});
    std::vector<float> img(2 * 3 * 28 * 28, 0.5f);
    x.write_float32("", "x", {2, 3, 28, 28}, img.data(), "1", "inputs");
  }
  const auto bad = test::run_xbarsim("eval --model lenet5 --input " + (dir / "bad.h5").string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("bad.h5: x") != std::string::npos);
  CHECK(bad.output.find("N x 1 x 28 x 28") != std::string::npos);
}

TEST_CASE("train --hwa-modifier: noisy training passes, clean weights saved, resumable bit for bit", "[cli][nn]") {
  test::ScratchDir dir("cli_nn_hwa");
  write_split(dir, "train", 640);
  write_split(dir, "t10k", 100);
  const std::string common = "--threads 1 train --data-dir " + dir.path().string() +
                             " --epochs 12 --batch-size 32 --lr 0.002 --schedule constant ";
  const std::string hwa = "--hwa-modifier add-normal --hwa-std-dev 0.1 ";
  REQUIRE(test::run_xbarsim(common + "-o " + (dir / "plain.h5").string()).exit_code == 0);
  REQUIRE(test::run_xbarsim(common + hwa + "-o " + (dir / "hwa.h5").string()).exit_code == 0);
  // The modifier changes the gradients, so the weights differ from plain training.
  CHECK(all_weights(dir / "hwa.h5") != all_weights(dir / "plain.h5"));
  // Interrupted and resumed: the noise is keyed by the step, so the same weights.
  const std::string cmd = std::string(XBARSIM_BIN_DIR) + "/xbarsim " + common + hwa + "-o " + (dir / "cut.h5").string();
  const auto cut = test::run_command("(" + cmd + " & pid=$!; sleep 1; kill -INT $pid; wait $pid; echo \"rc=$?\")");
  INFO(cut.output);
  if (cut.output.find("rc=130") != std::string::npos) {
    const auto resumed = test::run_xbarsim(common + hwa + "-o " + (dir / "cut.h5").string() + " --resume");
    REQUIRE(resumed.exit_code == 0);
  } else {
    WARN("the run finished before SIGINT arrived; only the uninterrupted comparison was made");
  }
  CHECK(all_weights(dir / "cut.h5") == all_weights(dir / "hwa.h5"));
  const auto bad = test::run_xbarsim(common + "--hwa-modifier gaussian -o " + (dir / "x.h5").string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("hwa_modifier") != std::string::npos);
}

TEST_CASE("the shipped LeNet-5 reaches >= 90% on the Fashion-MNIST test set", "[cli][nn]") {
  // Issue 4: trained by `xbarsim train --config data/models/lenet5-fashion-mnist.toml`
  // (the config is recorded in the file); the dataset's benchmark table lists 87.6-91.6%
  // for two-conv nets. Reference: the real test set from Debian's dataset-fashion-mnist.
  const std::string model = std::string(XBARSIM_SOURCE_DIR) + "/data/models/lenet5-fashion-mnist.h5";
  const auto r = test::run_xbarsim("eval --model " + model + " --dataset fashion-mnist --json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  CHECK(j["samples"] == 10000);
  CHECK(j["accuracy"].get<double>() >= 0.90);
}

// `xbarsim run` and `xbarsim map` end to end.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <xbarsim/io/result_file.hpp>

#include "../test_util.hpp"

using namespace xbarsim;

namespace {
nlohmann::json json_of(const std::string& out) { return nlohmann::json::parse(out.substr(out.find('{'))); }
}  // namespace

TEST_CASE("run on 500 images: the report's numbers, JSON and HDF5 agree", "[cli][run]") {
  test::ScratchDir dir("cli_run");
  const auto cfg = dir.write("small.toml", "schema_version = 1\nimages = 500\n");
  const auto r = test::run_xbarsim("run " + cfg.string() + " --json -o " + (dir / "r.h5").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = json_of(r.output);
  CHECK(j["images"] == 500);
  CHECK(j["digital_accuracy"].get<double>() > 0.85);
  REQUIRE(j["analog"].size() == 4);
  CHECK(j["analog"][3]["t_s"].get<double>() == Approx(3.15576e7));
  // LeNet-5 on 256 x 256 tiles: conv1, conv2, fc1, fc2 one tile each, conv3 (400 rows) two.
  CHECK(j["chip"]["tiles"] == 6);
  REQUIRE(j["references"].size() == 3);
  CHECK(j["references"][0]["target"] == "gpu-h100");
  // The HDF5 report holds the same accuracies.
  const io::DatasetData acc = io::read_dataset(dir / "r.h5", "accuracy_analog");
  REQUIRE(acc.values.size() == 4);
  CHECK(acc.values[0] == Approx(j["analog"][0]["accuracy"].get<double>()));
  CHECK(*io::read_number_attribute(dir / "r.h5", "digital_accuracy") == Approx(j["digital_accuracy"].get<double>()));
}

TEST_CASE("run rejects bad configurations naming file and key", "[cli][run]") {
  test::ScratchDir dir("cli_run_bad");
  const auto bad = dir.write("bad.toml", "schema_version = 1\nimagez = 5\n[adc]\nbits = 99\n");
  const auto r = test::run_xbarsim("run " + bad.string());
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("bad.toml: imagez") != std::string::npos);
  CHECK(r.output.find("adc.bits") != std::string::npos);
  const auto dev = dir.write("dev.toml", "schema_version = 1\ndevice = \"no-such-device\"\n");
  CHECK(test::run_xbarsim("run " + dev.string()).exit_code == 2);
}

TEST_CASE("map --json: per-layer name, macs and each target's cycles, latency, energy", "[cli][run]") {
  const auto r = test::run_xbarsim("map --network lenet5 --target eyeriss --target gpu-h100 --json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = json_of(r.output);
  REQUIRE(j["layers"].size() == 5);
  // MACs per layer from the zoo's hand count (nn/src/zoo/lenet.cpp): conv1 117,600.
  CHECK(j["layers"][0]["name"] == "conv1");
  CHECK(j["layers"][0]["macs"] == 117600);
  for (const char* t : {"eyeriss", "gpu-h100"}) {
    CHECK(j["layers"][0][t]["latency_s"].get<double>() > 0);
    CHECK(j["layers"][0][t]["energy_J"].get<double>() > 0);
    CHECK(j["totals"][t].contains("cycles"));
  }
  CHECK(j["totals"]["macs"] == 416520);
  const auto bad = test::run_xbarsim("map --network lenet5 --target eyeriss:rowz=4");
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("rowz") != std::string::npos);
}

TEST_CASE("compress: each transform's effect on parameters, tiles, PPA and accuracy", "[cli][run]") {
  test::ScratchDir dir("cli_compress");
  // Bit-sliced tiles (2 bits per slice, 8 slices for 16-bit weights) so quantisation can
  // save slices; 300 images keep it short.
  const auto cfg = dir.write("sliced.toml",
                             "schema_version = 1\nimages = 300\n[mapping]\nscheme = \"bit-sliced\"\n"
                             "[adc]\nbits = 8\n");
  const auto r = test::run_xbarsim("compress " + cfg.string() +
                                   " -t filter_prune:fraction=0.5 -t quantize:bits=4 -t magnitude_prune:fraction=0.5"
                                   " --drift-time 1 --json -o " +
                                   (dir / "c.h5").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = json_of(r.output);
  REQUIRE(j["variants"].size() == 4);
  const auto& none = j["variants"][0];
  const auto& filters = j["variants"][1];
  const auto& q4 = j["variants"][2];
  const auto& sparse = j["variants"][3];
  CHECK(none["transform"] == "none");
  CHECK(none["params"] == 61706);
  CHECK(none["tiles"] == 6);
  CHECK(none["slices"] == 8);
  // Half of every conv's filters (test_compress.cpp, by hand): 78 + 608 + 12060 + 5124 +
  // 850 = 18,720 parameters; conv3 is 200 x 60 now, so every layer fits one tile: 5.
  CHECK(filters["params"] == 18720);
  CHECK(filters["tiles"] == 5);
  CHECK(filters["area_m2"].get<double>() < none["area_m2"].get<double>());
  // 4-bit weights have 7 positive levels: 3 magnitude bits, 2 slices of 2 bits instead of 8,
  // so the same tiles with a quarter of the columns: less area and energy.
  CHECK(q4["slices"] == 2);
  CHECK(q4["tiles"] == 6);
  CHECK(q4["area_m2"].get<double>() < none["area_m2"].get<double>());
  CHECK(q4["energy_per_image_J"].get<double>() < none["energy_per_image_J"].get<double>());
  // Unstructured pruning: half the weights are zero (exactly, by the pruning rule), the
  // crossbar still holds and computes all of them.
  CHECK(sparse["nonzero_weights"] == 61470 / 2);
  CHECK(sparse["tiles"] == 6);
  CHECK(sparse["energy_per_image_J"].get<double>() == none["energy_per_image_J"].get<double>());
  for (const auto& v : j["variants"]) {
    CHECK(v["digital_accuracy"].get<double>() > 0.1);
    CHECK(v["analog_accuracy"].get<double>() > 0.1);
  }
  CHECK(none["digital_accuracy"].get<double>() > 0.85);
  CHECK(*io::read_number_attribute(dir / "c.h5", "variants/1/params") == 18720);
}

TEST_CASE("run applies the configuration's compress list before mapping", "[cli][run]") {
  test::ScratchDir dir("cli_run_compress");
  const auto cfg =
      dir.write("c.toml", "schema_version = 1\nimages = 200\ncompress = [\"filter_prune:fraction=0.5\"]\n");
  const auto r = test::run_xbarsim("run " + cfg.string() + " --json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = json_of(r.output);
  REQUIRE(j["compression"].size() == 1);
  CHECK(j["compression"][0]["params_after"] == 18720);
  CHECK(j["chip"]["tiles"] == 5);

  const auto bad = dir.write("bad.toml", "schema_version = 1\ncompress = [\"prune\", 3]\n");
  const auto rb = test::run_xbarsim("run " + bad.string());
  CHECK(rb.exit_code == 2);
  CHECK(rb.output.find("bad.toml: compress[1]") != std::string::npos);
  const auto unknown = dir.write("unknown.toml", "schema_version = 1\ncompress = [\"prune\"]\n");
  const auto ru = test::run_xbarsim("run " + unknown.string());
  CHECK(ru.exit_code == 2);
  CHECK(ru.output.find("unknown transform \"prune\"") != std::string::npos);
}

TEST_CASE("map: an infeasible placement is a report naming the layer, bad chip keys are named", "[cli][run]") {
  test::ScratchDir dir("cli_map_budget");
  // LeNet-5 needs 6 tiles of 256 x 256 (conv3's 400 rows take two); a budget of 4 cannot
  // hold one copy of every layer.
  const auto small = dir.write("small.toml", "schema_version = 1\n[chip]\ntile_budget = 4\n");
  const auto r = test::run_xbarsim("map --network lenet5 --chip " + small.string() + " --json");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = json_of(r.output);
  CHECK(j["totals"]["analog"]["feasible"] == false);
  CHECK(j["totals"]["analog"]["message"].get<std::string>().find("does not fit") != std::string::npos);
  const auto text = test::run_xbarsim("map --network lenet5 --chip " + small.string());
  CHECK(text.output.find("does not fit") != std::string::npos);

  const auto bad = dir.write("bad.toml", "schema_version = 1\n[chip]\ninterconnect = \"ring\"\nreplication = -1\n");
  const auto rb = test::run_xbarsim("map --network lenet5 --chip " + bad.string());
  CHECK(rb.exit_code == 2);
  CHECK(rb.output.find("chip.interconnect") != std::string::npos);
  CHECK(rb.output.find("chip.replication") != std::string::npos);
}

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

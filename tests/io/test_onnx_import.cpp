// ONNX import against PyTorch (issue 4). The references are produced by PyTorch itself:
// tests/nn/python/make_onnx_models.py builds models with random weights covering every
// supported operator, exports them with torch.onnx (or builds the graph with onnx.helper
// and evaluates it with torch.nn.functional, for attributes torch never exports), and
// writes the input batch and PyTorch's output; sgd_reference.py runs three SGD steps in
// torch.optim. One Python process writes everything (importing torch is slow).
//
// Policy: the team bar is real references. If /usr/bin/python3 lacks torch or onnx the
// tests FAIL (with a WARN saying to run scripts/install-deps.sh), they never skip. The
// generated references are cached in <build>/tests/onnx-refs-<hash of the scripts>.
#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>
#include <xbarsim/core/error.hpp>
#include <xbarsim/io/onnx_import.hpp>
#include <xbarsim/nn/layers.hpp>
#include <xbarsim/nn/network.hpp>
#include <xbarsim/nn/optimizer.hpp>

#include "../nn/gradcheck.hpp"

using namespace xbarsim;
namespace fs = std::filesystem;

namespace {

struct Case {
  std::string kind, name;
  Shape input;
  std::size_t classes = 0;
};

struct References {
  fs::path dir;
  std::vector<Case> cases;
  std::string error;  // non-empty if the references could not be produced
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Runs the Python generator into `dir`; returns an error message or "".
std::string generate(const fs::path& script, const fs::path& dir) {
  if (std::system("/usr/bin/python3 -c 'import torch, onnx' > /dev/null 2>&1") != 0)
    return "/usr/bin/python3 cannot import torch and onnx (Debian python3-torch, python3-onnx): run "
           "scripts/install-deps.sh. The PyTorch agreement tests need real references and do not skip.";
  const fs::path log = dir / "python.log";
  const std::string cmd =
      "/usr/bin/python3 '" + script.string() + "' '" + dir.string() + "' > '" + log.string() + "' 2>&1";
  if (std::system(cmd.c_str()) != 0) return "the reference generator failed: " + cmd + "\n" + slurp(log);
  return "";
}

/// The references, generated once and cached in the build tree under a name keyed by
/// the generator scripts' content (ctest runs every test case as its own process, and
/// importing torch takes seconds). A fresh directory is renamed into place, so parallel
/// test processes never see a half-written cache.
const References& references() {
  static References refs;
  static std::once_flag once;
  std::call_once(once, [] {
    const fs::path py = fs::path(XBARSIM_SOURCE_DIR) / "tests/nn/python";
    const std::size_t key =
        std::hash<std::string>{}(slurp(py / "make_onnx_models.py") + slurp(py / "sgd_reference.py"));
    std::ostringstream name;
    name << "onnx-refs-" << std::hex << key;
    refs.dir = fs::path(XBARSIM_BIN_DIR).parent_path() / "tests" / name.str();
    if (!fs::exists(refs.dir / "manifest.txt")) {
      const fs::path tmp = refs.dir.string() + ".tmp-" + std::to_string(::getpid());
      fs::remove_all(tmp);
      fs::create_directories(tmp);
      refs.error = generate(py / "make_onnx_models.py", tmp);
      std::error_code ec;
      if (refs.error.empty()) fs::rename(tmp, refs.dir, ec);  // fails harmlessly if another process won
      fs::remove_all(tmp, ec);
      // Drop the caches of earlier script versions.
      for (const auto& e : fs::directory_iterator(refs.dir.parent_path(), ec)) {
        const std::string n = e.path().filename().string();
        if (n.rfind("onnx-refs-", 0) == 0 && n.find(".tmp-") == std::string::npos && e.path() != refs.dir)
          fs::remove_all(e.path(), ec);
      }
      if (!refs.error.empty()) return;
    }
    std::ifstream manifest(refs.dir / "manifest.txt");
    Case c;
    while (manifest >> c.kind >> c.name >> c.input.n >> c.input.c >> c.input.h >> c.input.w >> c.classes)
      refs.cases.push_back(c);
    if (refs.cases.empty()) refs.error = "the reference generator wrote no manifest entries in " + refs.dir.string();
  });
  return refs;
}

/// A per-process scratch file for the error tests (removed at scope exit).
struct ScratchFile {
  fs::path path;
  explicit ScratchFile(const std::string& name)
      : path(fs::temp_directory_path() / ("xbarsim-" + std::to_string(::getpid()) + "-" + name)) {}
  ~ScratchFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

const References& require_references() {
  const References& r = references();
  if (!r.error.empty()) {
    WARN(r.error);
    FAIL(r.error);
  }
  return r;
}

template <typename T>
std::vector<T> read_raw(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in.good());
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() % sizeof(T) == 0);
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

Tensor read_tensor(const fs::path& p, Shape s) {
  const auto v = read_raw<float>(p);
  REQUIRE(v.size() == s.size());
  Tensor t(s);
  std::copy(v.begin(), v.end(), t.data());
  return t;
}

std::size_t argmax(const Tensor& t, std::size_t n) {
  const std::size_t k = t.shape().sample_size();
  std::size_t best = 0;
  for (std::size_t j = 1; j < k; ++j)
    if (t[n * k + j] > t[n * k + best]) best = j;
  return best;
}

/// Message of the exception `f` throws (as type E); fails if it throws nothing.
template <typename E, typename F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  FAIL("expected an exception");
  return {};
}

}  // namespace

TEST_CASE("ONNX models with random weights give PyTorch's outputs", "[io][onnx]") {
  const References& refs = require_references();
  std::size_t models = 0;
  for (const Case& c : refs.cases) {
    if (c.kind != "model") continue;
    ++models;
    SECTION("model " + c.name) {
      Network net = load_onnx(refs.dir / (c.name + ".onnx"));
      const Tensor x = read_tensor(refs.dir / (c.name + ".x.f32"), c.input);
      const Shape out{c.input.n, c.classes, 1, 1};
      const Tensor expect = read_tensor(refs.dir / (c.name + ".y.f32"), out);
      DigitalBackend backend;
      LayerContext ctx;
      ctx.backend = &backend;  // inference mode (training = false)
      const Tensor& y = net.forward(x, ctx);
      REQUIRE(y.shape() == out);
      double max_ref = 0.0, max_err = 0.0;
      for (std::size_t i = 0; i < y.size(); ++i) {
        max_ref = std::max(max_ref, std::abs(static_cast<double>(expect[i])));
        max_err = std::max(max_err, std::abs(static_cast<double>(y[i]) - expect[i]));
      }
      INFO("model " << c.name << ": max |ours - torch| = " << max_err << ", max |torch| = " << max_ref);
      CHECK(max_ref > 0.0);
      CHECK(max_err <= 1e-4 * max_ref);
      for (std::size_t n = 0; n < c.input.n; ++n) CHECK(argmax(y, n) == argmax(expect, n));
    }
  }
  CHECK(models == 6);
}

TEST_CASE("Imported models contain the expected layers", "[io][onnx]") {
  // Guards the coverage claim: every supported ONNX operator appears in the models
  // above (Add-with-constant folds into the MatMul's Dense bias, Identity and Constant
  // leave no layer, so they are checked through the others).
  const References& refs = require_references();
  std::vector<std::string> types;
  for (const char* name : {"a", "b", "c", "d"}) {
    Network net = load_onnx(refs.dir / (std::string(name) + ".onnx"));
    for (std::size_t k = 1; k < net.num_nodes(); ++k) types.emplace_back(net.layer(k).type());
  }
  for (const char* op : {"Conv",
                         "Gemm",
                         "Add",
                         "Mul",
                         "Relu",
                         "LeakyRelu",
                         "PRelu",
                         "Elu",
                         "Sigmoid",
                         "Tanh",
                         "Softmax",
                         "MaxPool",
                         "AveragePool",
                         "GlobalAveragePool",
                         "Flatten",
                         "Reshape",
                         "BatchNormalization",
                         "Concat",
                         "Pad",
                         "Dropout",
                         "LRN"}) {
    INFO(op);
    CHECK(std::find(types.begin(), types.end(), op) != types.end());
  }
  // Model b: MatMul followed by Add of a constant becomes one Dense with a bias.
  Network b = load_onnx(refs.dir / "b.onnx");
  bool dense_with_bias = false;
  for (std::size_t k = 1; k < b.num_nodes(); ++k)
    if (auto* d = dynamic_cast<Dense*>(&b.layer(k))) dense_with_bias = d->bias() != nullptr;
  CHECK(dense_with_bias);
}

TEST_CASE("Three SGD steps on an imported net match torch.optim.SGD", "[io][onnx]") {
  const References& refs = require_references();
  const Case* c = nullptr;
  for (const Case& k : refs.cases)
    if (k.kind == "sgd") c = &k;
  REQUIRE(c);
  Network net = load_onnx(refs.dir / "sgd.onnx");
  const Tensor x = read_tensor(refs.dir / "sgd.x.f32", c->input);
  const auto labels = read_raw<std::uint8_t>(refs.dir / "sgd.labels.u8");
  const auto expect = read_raw<float>(refs.dir / "sgd.w.f32");
  // Same hyper-parameters as sgd_reference.py: lr 0.1, momentum 0.9, weight decay 1e-4
  // on weights (biases have Param::decay = false, PyTorch's second parameter group).
  Sgd sgd(0.9, 0.0, false, 1e-4);
  DigitalBackend backend;
  LayerContext ctx;
  ctx.backend = &backend;
  ctx.training = true;
  for (std::uint64_t step = 0; step < 3; ++step) {
    ctx.step = step;
    net.zero_grad();
    const Tensor& logits = net.forward(x, ctx);
    const LossResult loss = softmax_cross_entropy(logits, labels);
    net.backward(loss.grad, ctx);
    sgd.step(net.params(), 0.1);
  }
  // Parameters in PyTorch's order: conv weight, conv bias, fc weight, fc bias.
  const auto params = net.params();
  REQUIRE(params.size() == 4);
  std::size_t offset = 0;
  for (Param* p : params) {
    double max_ref = 0.0, max_err = 0.0;
    REQUIRE(offset + p->value.size() <= expect.size());
    for (std::size_t i = 0; i < p->value.size(); ++i) {
      max_ref = std::max(max_ref, std::abs(static_cast<double>(expect[offset + i])));
      max_err = std::max(max_err, std::abs(static_cast<double>(p->value[i]) - expect[offset + i]));
    }
    INFO("param " << p->name << ": max |ours - torch| = " << max_err << ", max |torch| = " << max_ref);
    CHECK(max_err <= 1e-5 * max_ref);
    offset += p->value.size();
  }
  CHECK(offset == expect.size());
}

TEST_CASE("ONNX import errors name the node, op type or file", "[io][onnx]") {
  const References& refs = require_references();
  SECTION("unsupported operator") {
    const std::string m = message_of<ConfigError>([&] { load_onnx(refs.dir / "unsupported_op.onnx"); });
    CHECK_THAT(m, Catch::Contains("\"my_erf\"") && Catch::Contains("Erf") && Catch::Contains("not supported"));
  }
  SECTION("inconsistent Gemm weight, unnamed node named by index") {
    const std::string m = message_of<ConfigError>([&] { load_onnx(refs.dir / "bad_gemm.onnx"); });
    CHECK_THAT(m, Catch::Contains("node #1 (Gemm)") && Catch::Contains("inconsistent shapes") &&
                      Catch::Contains("expects 5 input features"));
  }
  SECTION("unsupported attribute value") {
    const std::string m = message_of<ConfigError>([&] { load_onnx(refs.dir / "pad_reflect.onnx"); });
    CHECK_THAT(m, Catch::Contains("node \"pad_reflect\" (Pad)") && Catch::Contains("mode \"reflect\""));
  }
  SECTION("constant added where no bias can take it") {
    const std::string m = message_of<ConfigError>([&] { load_onnx(refs.dir / "late_bias.onnx"); });
    CHECK_THAT(m, Catch::Contains("node \"late_bias\" (Add)") && Catch::Contains("bias"));
  }
  SECTION("opset outside 11-17") {
    const std::string m = message_of<ConfigError>([&] { load_onnx(refs.dir / "opset9.onnx"); });
    CHECK_THAT(m, Catch::Contains("opset9.onnx") && Catch::Contains("opset 9 is not supported"));
  }
  SECTION("truncated file") {
    std::ifstream in(refs.dir / "a.onnx", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const ScratchFile scratch("truncated.onnx");
    const fs::path& cut = scratch.path;
    std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    const std::string m = message_of<IoError>([&] { load_onnx(cut); });
    CHECK_THAT(m, Catch::Contains(cut.string()) && Catch::Contains("truncated or corrupt"));
  }
  SECTION("not an ONNX file") {
    const ScratchFile scratch("junk.onnx");
    const fs::path& junk = scratch.path;
    std::ofstream(junk) << "this is not a protobuf\n";
    const std::string m = message_of<IoError>([&] { load_onnx(junk); });
    CHECK_THAT(m, Catch::Contains(junk.string()));
  }
  SECTION("empty file") {
    const ScratchFile scratch("empty.onnx");
    const fs::path& empty = scratch.path;
    std::ofstream{empty};
    CHECK_THAT(message_of<IoError>([&] { load_onnx(empty); }), Catch::Contains("no graph"));
  }
  SECTION("missing file") {
    CHECK_THAT(message_of<IoError>([&] { load_onnx(refs.dir / "absent.onnx"); }), Catch::Contains("absent.onnx"));
  }
}

TEST_CASE("Scale multiplies forward and backward by its factor", "[io][onnx]") {
  // Reference: y = 1.5 x and dx = 1.5 dy by definition; plus the numerical gradient.
  Scale s("s", 1.5f);
  const Tensor x = test::random_tensor(Shape{2, 3, 2, 2}, 1);
  Tensor y(s.output_shape({x.shape()}));
  DigitalBackend backend;
  LayerContext ctx;
  ctx.backend = &backend;
  s.forward({&x}, y, ctx);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(y[i] == 1.5f * x[i]);
  test::check_gradients(s, {x});
  CHECK_THROWS_AS(Scale("bad", std::nanf("")), ConfigError);
}

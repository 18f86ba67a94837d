// ImageDataset readers and preprocessing: IDX (plain and gzip) and CIFAR-10 files written by
// the test byte by byte from the format descriptions (LeCun's IDX page, the CIFAR-10
// binary-version description), every corruption case, the installed Fashion-MNIST,
// normalisation against a naive computation and shuffling.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/dataset.hpp>

using namespace xbarsim;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<std::uint8_t>;

struct TempDir {
  fs::path dir;
  TempDir() {
    dir = fs::temp_directory_path() / ("xbarsim_test_dataset_" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

void put_be32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

// IDX file: magic 0x000008dd, big-endian dims, then the bytes.
Bytes idx_bytes(const std::vector<std::uint32_t>& dims, const Bytes& data) {
  Bytes b;
  put_be32(b, 0x00000800u | static_cast<std::uint32_t>(dims.size()));
  for (auto d : dims) put_be32(b, d);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

void write_plain(const std::string& path, const Bytes& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

void write_gzip(const std::string& path, const Bytes& b) {
  gzFile f = gzopen(path.c_str(), "wb9");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, b.data(), static_cast<unsigned>(b.size())) == static_cast<int>(b.size()));
  gzclose(f);
}

Bytes read_plain(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

// 3 images of 4 x 5 with pixel (n, h, w) = (37 n + 11 h + 3 w) mod 256, labels 7, 0, 9.
Bytes image_data() {
  Bytes d;
  for (int n = 0; n < 3; ++n)
    for (int h = 0; h < 4; ++h)
      for (int w = 0; w < 5; ++w)
        d.push_back(static_cast<std::uint8_t>((37 * n + 11 * h + 3 * w + 200 * (n == 2)) % 256));
  return d;
}
const Bytes kLabels = {7, 0, 9};

// Expects an IoError for `path` at `offset`, whose message names both.
template <class F>
void expect_io_error(F&& f, const std::string& path, std::uint64_t offset) {
  try {
    f();
    FAIL("no IoError for " << path);
  } catch (const IoError& e) {
    INFO(e.what());
    CHECK(e.path() == path);
    REQUIRE(e.offset().has_value());
    CHECK(*e.offset() == offset);
    const std::string msg = e.what();
    CHECK(msg.find(path) != std::string::npos);
    CHECK(msg.find("offset " + std::to_string(offset)) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("IDX images and labels round-trip, plain and gzip", "[nn][dataset][idx]") {
  TempDir t;
  const Bytes pixels = image_data();
  for (bool gz : {false, true}) {
    const std::string img = t.path(gz ? "i.gz" : "i"), lab = t.path(gz ? "l.gz" : "l");
    auto write = gz ? write_gzip : write_plain;
    write(img, idx_bytes({3, 4, 5}, pixels));
    write(lab, idx_bytes({3}, kLabels));
    const ImageDataset d = load_idx(img, lab, 10, "synthetic");
    CHECK(d.images.shape() == Shape{3, 1, 4, 5});
    CHECK(d.labels == kLabels);
    CHECK(d.name == "synthetic");
    // Each float is its byte / 255 (torchvision ToTensor), row-major per image.
    for (std::size_t i = 0; i < pixels.size(); ++i) REQUIRE(d.images[i] == static_cast<float>(pixels[i]) / 255.0f);
    CHECK(d.images.at(2, 0, 3, 4) == static_cast<float>((74 + 33 + 12 + 200) % 256) / 255.0f);
  }
}

TEST_CASE("IDX corruption: each case is an IoError naming the file and the offset", "[nn][dataset][idx]") {
  TempDir t;
  const Bytes good = idx_bytes({3, 4, 5}, image_data());  // 16-byte header + 60 bytes
  const std::string p = t.path("bad");
  auto images = [&] { read_idx_images(p); };

  SECTION("wrong magic (a label file's 0x00000801) at offset 0") {
    write_plain(p, idx_bytes({60}, image_data()));
    expect_io_error(images, p, 0);
  }
  SECTION("wrong element type byte at offset 0") {
    Bytes b = good;
    b[2] = 0x0D;  // float instead of unsigned byte
    write_plain(p, b);
    expect_io_error(images, p, 0);
  }
  SECTION("truncated magic: a 2-byte file") {
    write_plain(p, Bytes{0, 0});
    expect_io_error(images, p, 2);
  }
  SECTION("truncated header ends at offset 10") {
    write_plain(p, Bytes(good.begin(), good.begin() + 10));
    expect_io_error(images, p, 10);
  }
  SECTION("truncated pixel data: the file ends at offset 75 of 76") {
    write_plain(p, Bytes(good.begin(), good.end() - 1));
    expect_io_error(images, p, 75);
  }
  SECTION("dimensions claim fewer bytes than present: trailing data at offset 16 + 2*4*5") {
    write_plain(p, idx_bytes({2, 4, 5}, image_data()));
    expect_io_error(images, p, 56);
  }
  SECTION("truncated data inside a gzip file: offset in the decompressed data") {
    write_gzip(p, Bytes(good.begin(), good.end() - 5));
    expect_io_error(images, p, 71);
  }
  SECTION("corrupt gzip: a flipped CRC byte in the trailer") {
    write_gzip(p, good);
    Bytes z = read_plain(p);
    z[z.size() - 6] ^= 0xFF;  // CRC-32 occupies the 8-byte trailer's first 4 bytes
    write_plain(p, z);
    CHECK_THROWS_AS(images(), IoError);
    try {
      images();
    } catch (const IoError& e) {
      CHECK(e.path() == p);
      CHECK(e.offset().has_value());
      CHECK(std::string(e.what()).find("gzip") != std::string::npos);
    }
  }
  SECTION("corrupt gzip: a truncated compressed stream") {
    write_gzip(p, good);
    Bytes z = read_plain(p);
    z.resize(z.size() / 2);
    write_plain(p, z);
    try {
      images();
      FAIL("no IoError");
    } catch (const IoError& e) {
      CHECK(e.path() == p);
      CHECK(e.offset().has_value());
      CHECK(std::string(e.what()).find(p) != std::string::npos);
    }
  }
  SECTION("missing file") {
    try {
      images();
      FAIL("no IoError");
    } catch (const IoError& e) {
      CHECK(e.path() == p);
    }
  }
}

TEST_CASE("IDX labels: count mismatch and out-of-range label", "[nn][dataset][idx]") {
  TempDir t;
  const std::string img = t.path("img"), lab = t.path("lab");
  write_plain(img, idx_bytes({3, 4, 5}, image_data()));
  SECTION("two labels for three images: the labels file at its count field (offset 4)") {
    write_plain(lab, idx_bytes({2}, Bytes{1, 2}));
    expect_io_error([&] { load_idx(img, lab, 10, "x"); }, lab, 4);
  }
  SECTION("label 10 of sample 2 at offset 8 + 2") {
    write_plain(lab, idx_bytes({3}, Bytes{1, 2, 10}));
    expect_io_error([&] { load_idx(img, lab, 10, "x"); }, lab, 10);
  }
  SECTION("image file passed as labels: wrong magic") {
    expect_io_error([&] { load_idx(img, img, 10, "x"); }, img, 0);
  }
}

TEST_CASE("Fashion-MNIST as installed by Debian", "[nn][dataset][fashion]") {
  if (!fs::exists(std::string(kFashionMnistDir) + "/train-labels-idx1-ubyte.gz")) {
    WARN("dataset-fashion-mnist not installed; skipping");
    return;
  }
  const ImageDataset tr = load_fashion_mnist(kFashionMnistDir, "train");
  CHECK(tr.images.shape() == Shape{60000, 1, 28, 28});
  std::vector<std::size_t> hist(10, 0);
  for (auto l : tr.labels) ++hist[l];
  for (std::size_t k = 0; k < 10; ++k) CHECK(hist[k] == 6000);  // balanced, per the dataset's README
  // First sample, read independently with Python's gzip module: label 9 (ankle boot),
  // pixel bytes summing to 76247, maximum 255.
  CHECK(tr.labels[0] == 9);
  double sum = 0.0, mx = 0.0;
  for (std::size_t i = 0; i < 784; ++i) {
    sum += tr.images[i];
    mx = std::max(mx, double(tr.images[i]));
  }
  CHECK(sum == Approx(76247.0 / 255.0).epsilon(1e-6));
  CHECK(mx == 1.0);
  // The commonly published Fashion-MNIST training statistics: mean 0.2860, std 0.3530.
  const Normalization st = channel_stats(tr);
  CHECK(st.mean[0] == Approx(0.2860).margin(5e-5));
  CHECK(st.std[0] == Approx(0.3530).margin(5e-5));
  const ImageDataset te = load_fashion_mnist(kFashionMnistDir, "test");
  CHECK(te.images.shape() == Shape{10000, 1, 28, 28});
  CHECK(te.labels.size() == 10000);
  CHECK(te.labels[0] == 9);
  CHECK_THROWS_AS(load_fashion_mnist(kFashionMnistDir, "validation"), ConfigError);
  CHECK_THROWS_AS(load_fashion_mnist("/nonexistent", "train"), IoError);
}

TEST_CASE("CIFAR-10 binary batches", "[nn][dataset][cifar]") {
  TempDir t;
  // Record r: label (3 r + 1) % 10, pixel byte i = (r + 5 i) % 256.
  auto batch = [](std::size_t records, std::size_t first) {
    Bytes b;
    for (std::size_t r = first; r < first + records; ++r) {
      b.push_back(static_cast<std::uint8_t>((3 * r + 1) % 10));
      for (std::size_t i = 0; i < 3072; ++i) b.push_back(static_cast<std::uint8_t>((r + 5 * i) % 256));
    }
    return b;
  };
  const std::string p = t.path("data_batch_1.bin");
  write_plain(p, batch(3, 0));
  const ImageDataset d = read_cifar10_batch(p);
  CHECK(d.images.shape() == Shape{3, 3, 32, 32});
  CHECK(d.labels == Bytes{1, 4, 7});
  // Channel-major record: (c, h, w) is pixel byte c 1024 + h 32 + w.
  const std::size_t i = 2 * 1024 + 17 * 32 + 5;
  CHECK(d.images.at(1, 2, 17, 5) == static_cast<float>((1 + 5 * i) % 256) / 255.0f);

  SECTION("a truncated last record: offset of its start") {
    Bytes b = batch(3, 0);
    b.pop_back();
    write_plain(p, b);
    expect_io_error([&] { read_cifar10_batch(p); }, p, 2 * 3073);
  }
  SECTION("label 10 in record 1: offset of the record") {
    Bytes b = batch(3, 0);
    b[3073] = 10;
    write_plain(p, b);
    expect_io_error([&] { read_cifar10_batch(p); }, p, 3073);
  }
  SECTION("train split concatenates data_batch_1..5 in order") {
    for (int k = 1; k <= 5; ++k) write_plain(t.path("data_batch_" + std::to_string(k) + ".bin"), batch(2, 2 * (k - 1)));
    write_plain(t.path("test_batch.bin"), batch(1, 0));
    const ImageDataset all = load_cifar10(t.dir.string(), "train");
    REQUIRE(all.size() == 10);
    for (std::size_t r = 0; r < 10; ++r) CHECK(all.labels[r] == (3 * r + 1) % 10);
    CHECK(all.images.at(9, 0, 0, 1) == static_cast<float>((9 + 5) % 256) / 255.0f);
    CHECK(load_cifar10(t.dir.string(), "test").size() == 1);
  }
}

TEST_CASE("normalisation: computed statistics and applied transform", "[nn][dataset][normalize]") {
  // 2 samples x 2 channels x 1 x 2: channel 0 holds {1, 2, 3, 4}, channel 1 {10, 10, 10, 14}.
  ImageDataset d;
  d.images = Tensor(Shape{2, 2, 1, 2});
  const float v[] = {1, 2, 10, 10, 3, 4, 10, 14};
  std::copy(v, v + 8, d.images.data());
  d.labels = {0, 1};
  const Normalization s = channel_stats(d);
  // By hand: mean 2.5, population variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25;
  // channel 1 mean 11, variance (1 + 1 + 1 + 9) / 4 = 3.
  CHECK(s.mean[0] == Approx(2.5));
  CHECK(s.std[0] == Approx(std::sqrt(1.25)));
  CHECK(s.mean[1] == Approx(11.0));
  CHECK(s.std[1] == Approx(std::sqrt(3.0)));
  normalize(d, s);
  CHECK(d.images.at(1, 1, 0, 1) == Approx(3.0 / std::sqrt(3.0)));
  CHECK(d.images.at(0, 0, 0, 0) == Approx(-1.5 / std::sqrt(1.25)));
  const Normalization after = channel_stats(d);
  CHECK(after.mean[0] == Approx(0.0).margin(1e-6));
  CHECK(after.std[1] == Approx(1.0));
  CHECK_THROWS_AS(normalize(d, Normalization{{0.0}, {1.0}}), ConfigError);
  CHECK_THROWS_AS(normalize(d, Normalization{{0.0, 0.0}, {1.0, 0.0}}), ConfigError);
}

TEST_CASE("shuffling is a deterministic permutation keyed by seed and epoch", "[nn][dataset][shuffle]") {
  const auto a = shuffled_indices(1000, 42, 3);
  CHECK(a == shuffled_indices(1000, 42, 3));
  CHECK(a != shuffled_indices(1000, 42, 4));
  CHECK(a != shuffled_indices(1000, 43, 3));
  CHECK(std::set<std::size_t>(a.begin(), a.end()).size() == 1000);
  CHECK(*std::max_element(a.begin(), a.end()) == 999);
  CHECK(shuffled_indices(0, 1, 0).empty());
  CHECK(shuffled_indices(1, 1, 0) == std::vector<std::size_t>{0});
  // Uniformity: over 6000 epochs each of the 6 permutations of 3 items is expected 1000
  // times; a chi-square with 5 degrees of freedom above 25 has probability < 2e-4.
  std::map<std::vector<std::size_t>, int> counts;
  for (std::uint64_t e = 0; e < 6000; ++e) ++counts[shuffled_indices(3, 7, e)];
  CHECK(counts.size() == 6);
  double chi2 = 0.0;
  for (auto& [perm, c] : counts) chi2 += (c - 1000.0) * (c - 1000.0) / 1000.0;
  CHECK(chi2 < 25.0);
}

TEST_CASE("batches are contiguous copies in the given order, slices", "[nn][dataset][batch]") {
  ImageDataset d;
  d.images = Tensor(Shape{4, 1, 1, 2});
  for (std::size_t i = 0; i < 8; ++i) d.images[i] = static_cast<float>(i);
  d.labels = {0, 1, 2, 3};
  const std::vector<std::size_t> order{3, 1, 0, 2};
  Tensor x;
  std::vector<std::uint8_t> y;
  gather_batch(d, order, 1, 3, x, y);
  CHECK(x.shape() == Shape{2, 1, 1, 2});
  CHECK(y == std::vector<std::uint8_t>{1, 0});
  CHECK(x[0] == 2.0f);  // sample 1 = {2, 3}
  CHECK(x[1] == 3.0f);
  CHECK(x[2] == 0.0f);  // sample 0
  const ImageDataset s = slice(d, 2, 2);
  CHECK(s.labels == std::vector<std::uint8_t>{2, 3});
  CHECK(s.images[0] == 4.0f);
  CHECK_THROWS_AS(slice(d, 3, 2), ConfigError);
}

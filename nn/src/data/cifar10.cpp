// CIFAR-10 binary batches (see dataset.hpp): the "binary version" of the dataset, each
// record 1 label byte then 1024 red, 1024 green and 1024 blue bytes (row-major 32 x 32),
// which is already the CHW layout of one sample.
#include <filesystem>
#include <fstream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/dataset.hpp>

namespace xbarsim {
namespace {

constexpr std::size_t kPixels = 3 * 32 * 32;
constexpr std::size_t kRecord = 1 + kPixels;

std::vector<std::uint8_t> read_all(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw IoError(path, "no such file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw IoError(path, "cannot open for reading");
  std::vector<std::uint8_t> b(std::filesystem::file_size(path));
  f.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (static_cast<std::size_t>(f.gcount()) != b.size())
    throw IoError(path, "read failed", static_cast<std::uint64_t>(f.gcount()));
  return b;
}

}  // namespace

ImageDataset read_cifar10_batch(const std::string& path) {
  const std::vector<std::uint8_t> b = read_all(path);
  const std::size_t n = b.size() / kRecord;
  if (b.size() % kRecord != 0)
    throw IoError(path,
                  "truncated: record " + std::to_string(n) + " has " + std::to_string(b.size() - n * kRecord) +
                      " of its " + std::to_string(kRecord) + " bytes (1 label + 3072 pixels)",
                  n * kRecord);
  ImageDataset d;
  d.images = Tensor(Shape{n, 3, 32, 32});
  d.labels.resize(n);
  d.classes = 10;
  d.name = "cifar10";
  float lut[256];
  for (int v = 0; v < 256; ++v) lut[v] = static_cast<float>(v) / 255.0f;
  for (std::size_t r = 0; r < n; ++r) {
    const std::uint8_t* rec = b.data() + r * kRecord;
    if (rec[0] >= 10)
      throw IoError(path, "label " + std::to_string(rec[0]) + " of record " + std::to_string(r) + " is not below 10",
                    r * kRecord);
    d.labels[r] = rec[0];
    float* out = d.images.data() + r * kPixels;
    for (std::size_t i = 0; i < kPixels; ++i) out[i] = lut[rec[1 + i]];
  }
  return d;
}

ImageDataset load_cifar10(const std::string& dir, const std::string& split) {
  std::vector<std::string> files;
  if (split == "train") {
    for (int k = 1; k <= 5; ++k)
      files.push_back((std::filesystem::path(dir) / ("data_batch_" + std::to_string(k) + ".bin")).string());
  } else if (split == "test") {
    files.push_back((std::filesystem::path(dir) / "test_batch.bin").string());
  } else {
    throw ConfigError("dataset.split", "expected \"train\" or \"test\", got \"" + split + "\"");
  }
  std::vector<ImageDataset> parts;
  std::size_t total = 0;
  for (const auto& f : files) {
    parts.push_back(read_cifar10_batch(f));
    total += parts.back().size();
  }
  ImageDataset d;
  d.images = Tensor(Shape{total, 3, 32, 32});
  d.classes = 10;
  d.name = "cifar10-" + split;
  std::size_t at = 0;
  for (const auto& p : parts) {
    std::copy(p.images.data(), p.images.data() + p.images.size(), d.images.data() + at * kPixels);
    d.labels.insert(d.labels.end(), p.labels.begin(), p.labels.end());
    at += p.size();
  }
  return d;
}

}  // namespace xbarsim

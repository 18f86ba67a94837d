#pragma once
// Labelled image datasets for training and evaluation: readers for LeCun's IDX format
// (Fashion-MNIST as Debian's dataset-fashion-mnist installs it, gzip or plain) and the
// CIFAR-10 binary batches, per-channel normalisation, deterministic shuffling with the
// project RNG and contiguous batch extraction.
//
// Malformed files raise IoError naming the file and the byte offset (for gzip files,
// the offset in the decompressed IDX data) and what was expected.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include <xbarsim/nn/tensor.hpp>

namespace xbarsim {

struct ImageDataset {
  Tensor images;                     // N x C x H x W, float
  std::vector<std::uint8_t> labels;  // N entries in [0, classes)
  std::size_t classes = 10;
  std::string name;
  std::size_t size() const { return labels.size(); }
};

// ---------------------------------------------------------------- IDX (MNIST family)

/// Raw content of an IDX file whose element type is unsigned byte (magic 0x000008dd,
/// dd = number of dimensions): big-endian dimensions, then the bytes row-major.
struct IdxArray {
  std::vector<std::size_t> dims;
  std::vector<std::uint8_t> data;
};

/// Reads an IDX unsigned-byte file (gzip-compressed or plain; detected from content)
/// that must have `expected_dims` dimensions. IoError for a missing or unreadable file,
/// corrupt or truncated gzip data, a wrong magic number, a truncated header, or a data
/// size inconsistent with the dimensions (short or with trailing bytes).
IdxArray read_idx(const std::string& path, std::size_t expected_dims);

/// Images (magic 0x00000803: N x H x W) as N x 1 x H x W floats scaled by 1/255 to
/// [0, 1] (torchvision's ToTensor).
Tensor read_idx_images(const std::string& path);
/// Labels (magic 0x00000801: N), each below `classes` (IoError at the offending byte).
std::vector<std::uint8_t> read_idx_labels(const std::string& path, std::size_t classes = 10);
/// An image file and its label file; IoError naming the label file when the counts
/// differ.
ImageDataset load_idx(const std::string& images_path, const std::string& labels_path, std::size_t classes,
                      std::string name);

/// Where Debian's dataset-fashion-mnist installs the files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
/// Fashion-MNIST split "train" (60000) or "test" (10000) from `dir`, which holds the
/// files under their upstream names (train-images-idx3-ubyte[.gz], ...,
/// t10k-labels-idx1-ubyte[.gz]); the .gz name is preferred. ConfigError for another
/// split, IoError if the files are absent.
ImageDataset load_fashion_mnist(const std::string& dir, const std::string& split);

// ---------------------------------------------------------------- CIFAR-10

/// One CIFAR-10 binary batch: records of 1 label byte + 3072 pixel bytes (3 x 32 x 32,
/// channel-major), pixels scaled to [0, 1]. IoError for a size that is not a whole number
/// of records (the offset of the incomplete record) or a label >= 10.
ImageDataset read_cifar10_batch(const std::string& path);
/// "train" (data_batch_1..5.bin concatenated) or "test" (test_batch.bin) from `dir`.
ImageDataset load_cifar10(const std::string& dir, const std::string& split);

// ---------------------------------------------------------------- preprocessing

/// Per-channel statistics (one entry per channel).
struct Normalization {
  std::vector<double> mean, std;
};

/// Mean and population standard deviation (divisor N H W) of each channel over the
/// whole dataset, accumulated in double.
Normalization channel_stats(const ImageDataset& d);
/// x = (x - mean[c]) / std[c] in place. ConfigError if the entry counts differ from the
/// channel count or a std is not positive.
void normalize(ImageDataset& d, const Normalization& n);

/// Samples [begin, begin + count) as a new dataset (ConfigError past the end).
ImageDataset slice(const ImageDataset& d, std::size_t begin, std::size_t count);

/// A permutation of [0, n): Fisher-Yates driven by the counter RNG keyed by
/// (seed, rng_purpose("nn.shuffle")) at coordinates (epoch), so every epoch has its own
/// order and the order depends on nothing else.
std::vector<std::size_t> shuffled_indices(std::size_t n, std::uint64_t seed, std::uint64_t epoch);

/// Copies samples order[begin..end) into x (resized to (end - begin) x C x H x W) and
/// their labels into y: one contiguous batch.
void gather_batch(const ImageDataset& d, const std::vector<std::size_t>& order, std::size_t begin, std::size_t end,
                  Tensor& x, std::vector<std::uint8_t>& y);

}  // namespace xbarsim

// IDX reader (LeCun's MNIST format) and the Fashion-MNIST loader (see dataset.hpp).
// zlib's gz* API reads gzip and plain files alike (transparent mode), so one path
// serves Debian's .gz files and decompressed copies.
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <xbarsim/core/error.hpp>
#include <xbarsim/nn/dataset.hpp>

namespace xbarsim {
namespace {

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

struct FileBytes {
  std::vector<std::uint8_t> bytes;
  bool gzip = false;
};

// The whole (decompressed) content. Corrupt or truncated gzip streams are reported at
// the compressed byte position zlib had reached.
FileBytes read_maybe_gzip(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw IoError(path, "no such file");
  // Owned so that an exception (including bad_alloc) never leaks the handle.
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  gzFile f = file.get();
  if (!f) throw IoError(path, "cannot open for reading");
  gzbuffer(f, 1u << 17);
  FileBytes out;
  constexpr std::size_t chunk = 1u << 20;
  for (;;) {
    const std::size_t old = out.bytes.size();
    out.bytes.resize(old + chunk);
    const int got = gzread(f, out.bytes.data() + old, static_cast<unsigned>(chunk));
    int errnum = Z_OK;
    const char* msg = gzerror(f, &errnum);
    if (got < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
      const std::string text = msg ? msg : "unknown zlib error";
      const auto at = static_cast<std::uint64_t>(gzoffset(f));
      const std::size_t produced = old + static_cast<std::size_t>(got > 0 ? got : 0);
      throw IoError(path,
                    "corrupt or truncated gzip data (zlib: " + text + ") after " + std::to_string(produced) +
                        " decompressed bytes; the offset is in the compressed file",
                    at);
    }
    out.bytes.resize(old + static_cast<std::size_t>(got));
    if (got == 0) break;
  }
  out.gzip = gzdirect(f) == 0;
  return out;
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

IdxArray read_idx(const std::string& path, std::size_t expected_dims) {
  FileBytes fb = read_maybe_gzip(path);
  const std::vector<std::uint8_t>& b = fb.bytes;
  const std::string in = fb.gzip ? " (offsets are in the decompressed data)" : "";
  const std::size_t size = b.size();
  const std::uint32_t want = 0x00000800u | static_cast<std::uint32_t>(expected_dims);
  if (size < 4)
    throw IoError(
        path, "truncated: the 4-byte IDX magic number needs 4 bytes, the file has " + std::to_string(size) + in, size);
  const std::uint32_t magic = be32(b.data());
  if (magic != want)
    throw IoError(path,
                  "wrong magic number " + hex32(magic) + ", expected " + hex32(want) + " (IDX unsigned byte, " +
                      std::to_string(expected_dims) + " dimension(s))" + in,
                  0);
  const std::size_t header = 4 + 4 * expected_dims;
  if (size < header)
    throw IoError(path,
                  "truncated header: " + std::to_string(expected_dims) + " dimensions need " + std::to_string(header) +
                      " bytes, the file ends at offset " + std::to_string(size) + in,
                  size);
  IdxArray a;
  std::size_t total = 1;
  bool overflow = false;
  for (std::size_t k = 0; k < expected_dims; ++k) {
    const std::size_t d = be32(b.data() + 4 + 4 * k);
    a.dims.push_back(d);
    if (d != 0 && total > (std::size_t(-1) >> 1) / d) overflow = true;
    total *= d;
  }
  std::string dims_text;
  for (std::size_t k = 0; k < a.dims.size(); ++k) dims_text += (k ? " x " : "") + std::to_string(a.dims[k]);
  if (overflow || size - header < total)
    throw IoError(path,
                  "truncated or inconsistent: dimensions " + dims_text + " need " +
                      (overflow ? std::string("more than addressable") : std::to_string(total)) +
                      " data bytes from offset " + std::to_string(header) + ", the file ends at offset " +
                      std::to_string(size) + in,
                  size);
  if (size - header > total)
    throw IoError(path,
                  "inconsistent size: dimensions " + dims_text + " account for " + std::to_string(total) +
                      " data bytes, but " + std::to_string(size - header - total) + " more bytes follow" + in,
                  header + total);
  a.data.assign(b.begin() + static_cast<std::ptrdiff_t>(header), b.end());
  return a;
}

Tensor read_idx_images(const std::string& path) {
  IdxArray a = read_idx(path, 3);
  for (std::size_t k = 1; k < 3; ++k)
    if (a.dims[k] == 0) throw IoError(path, "image dimension " + std::to_string(k) + " is zero", 4 + 4 * k);
  Tensor t(Shape{a.dims[0], 1, a.dims[1], a.dims[2]});
  // torchvision's ToTensor: byte / 255 in float.
  float lut[256];
  for (int v = 0; v < 256; ++v) lut[v] = static_cast<float>(v) / 255.0f;
  float* out = t.data();
  for (std::size_t i = 0; i < a.data.size(); ++i) out[i] = lut[a.data[i]];
  return t;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path, std::size_t classes) {
  IdxArray a = read_idx(path, 1);
  for (std::size_t i = 0; i < a.data.size(); ++i)
    if (a.data[i] >= classes)
      throw IoError(path,
                    "label " + std::to_string(a.data[i]) + " of sample " + std::to_string(i) +
                        " is not below the class count " + std::to_string(classes),
                    8 + i);
  return std::move(a.data);
}

ImageDataset load_idx(const std::string& images_path, const std::string& labels_path, std::size_t classes,
                 std::string name) {
  ImageDataset d;
  d.images = read_idx_images(images_path);
  d.labels = read_idx_labels(labels_path, classes);
  if (d.labels.size() != d.images.shape().n)
    throw IoError(labels_path,
                  "has " + std::to_string(d.labels.size()) + " labels but " + images_path + " has " +
                      std::to_string(d.images.shape().n) + " images",
                  4);
  d.classes = classes;
  d.name = std::move(name);
  return d;
}

ImageDataset load_fashion_mnist(const std::string& dir, const std::string& split) {
  if (split != "train" && split != "test")
    throw ConfigError("dataset.split", "expected \"train\" or \"test\", got \"" + split + "\"");
  const std::string prefix = split == "train" ? "train" : "t10k";
  auto locate = [&](const std::string& stem) {
    const std::filesystem::path base = std::filesystem::path(dir) / stem;
    const std::string gz = base.string() + ".gz";
    if (std::filesystem::is_regular_file(gz)) return gz;
    if (std::filesystem::is_regular_file(base)) return base.string();
    throw IoError(gz, "not found (nor the uncompressed " + base.filename().string() +
                          "); Debian's dataset-fashion-mnist installs it in " + kFashionMnistDir);
  };
  return load_idx(locate(prefix + "-images-idx3-ubyte"), locate(prefix + "-labels-idx1-ubyte"), 10,
                  "fashion-mnist-" + split);
}

}  // namespace xbarsim

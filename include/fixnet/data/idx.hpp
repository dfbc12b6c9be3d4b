// fixnet — reading IDX files, the format of MNIST and its family
// (Fashion-MNIST, KMNIST, EMNIST), gzipped or plain.
//
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;
//   fixnet::data::Dataset<float, 784> test = fixnet::data::load_idx<Net>(
//       "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
//   // 10000 samples, pixels / 255 in [0, 1], labels 0..9
//
// The format (big-endian): a magic number 0x00 0x00 <type> <dimensions>
// (type 0x08: unsigned byte), one 32-bit size per dimension, then the
// elements in row-major order. Images: 0x00000803, sizes N, rows, columns;
// labels: 0x00000801, size N.
//
// A file that starts with the gzip magic bytes (1f 8b) is inflated with
// zlib, any other is read as it is, so "x.gz" and its gunzipped "x" both
// work. The gzip stream is inflated by fixnet's own loop
// (fixnet/data/idx_reader.hpp) rather than zlib's gzread, which accepts (and
// ignores) anything after the end of the stream: here what follows a
// stream's trailer must be another gzip member or nothing.
// Everything is checked: a file that is missing or not a regular file (a
// FIFO, a device), not IDX, of the wrong kind or shape, truncated (checked
// against the file's size before anything is allocated, so that a forged
// header fails by name, not with std::bad_alloc), longer than its header
// says, a corrupt gzip stream or one cut before its CRC-32 and length, bytes
// after the gzip stream that are not another gzip member,
// images and labels that disagree in number, a label out of range, or images
// of the wrong size for the network throw `fixnet::data::DataError` with the
// file name, what was expected and what was found. Nothing half-loaded is
// ever returned.
#ifndef FIXNET_DATA_IDX_HPP
#define FIXNET_DATA_IDX_HPP

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <zlib.h>

#include "fixnet/core/config.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/data/error.hpp"
#include "fixnet/data/idx_reader.hpp"

namespace fixnet::data {

/// Magic number of an IDX file of unsigned-byte images (N x rows x columns).
inline constexpr std::uint32_t idx_images_magic = 0x00000803;
/// Magic number of an IDX file of unsigned-byte labels (N).
inline constexpr std::uint32_t idx_labels_magic = 0x00000801;

/// How `load_idx` turns the files into a data set.
struct IdxOptions {
  /// Labels must be below this (10 for the MNIST family); it becomes the data
  /// set's class count. At most 256.
  std::size_t classes = 10;
  /// Each pixel byte b becomes b / pixel_divisor, computed in double and
  /// rounded once: 255 (the default) maps pixels to [0, 1] as the reference
  /// tutorial does; 1 keeps the raw 0..255. For mean/std standardisation,
  /// see `fit_standardization` (fixnet/data/standardization.hpp).
  double pixel_divisor = 255.0;
  /// Reads only the first `max_samples` images and labels (all by default):
  /// quicker when a test or a trial run needs few. The rest of the file is
  /// then neither read nor checked.
  std::size_t max_samples = std::numeric_limits<std::size_t>::max();
};

/// The contents of an IDX image file, as bytes.
struct IdxImages {
  std::size_t count = 0;
  std::size_t rows = 0;
  std::size_t columns = 0;
  /// count x rows x columns bytes, image after image, row-major.
  std::vector<std::uint8_t> pixels;
};

namespace detail {

inline std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(v));
  return buf;
}

inline std::string hex8(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", v & 0xFFu);
  return buf;
}

inline const char* idx_type_name(unsigned type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "16-bit integer";
    case 0x0C: return "32-bit integer";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "not an IDX type";
  }
}

/// Reads and checks an IDX header of unsigned bytes with `dimensions`
/// dimensions (whose names, for messages, are `meaning`: "count, rows,
/// columns"); returns the sizes.
inline std::vector<std::size_t> read_idx_header(IdxReader& in, unsigned dimensions,
                                                const char* meaning) {
  const std::uint32_t expected = 0x00000800u | dimensions;
  const std::string expected_text = hex32(expected) + " (" + in.kind() + " of unsigned bytes in " +
                                    std::to_string(dimensions) + " dimension" +
                                    (dimensions == 1 ? "" : "s") + ")";
  std::array<unsigned char, 4> m{};
  const std::size_t got = in.read(m.data(), 4);
  if (got == 0)
    throw in.error("empty file: expected " + std::string(in.kind()) +
                   ", which starts with the magic number " + hex32(expected));
  if (got < 4)
    throw in.error("truncated header: expected 4 bytes of magic number, got " + std::to_string(got));
  const std::uint32_t magic = (std::uint32_t{m[0]} << 24) | (std::uint32_t{m[1]} << 16) |
                              (std::uint32_t{m[2]} << 8) | std::uint32_t{m[3]};
  if (m[0] != 0 || m[1] != 0)
    throw in.error("wrong magic number: expected " + expected_text + ", found " + hex32(magic) +
                   ": not an IDX file");
  if (m[2] != 0x08)
    throw in.error("wrong magic number: expected " + expected_text + ", found " + hex32(magic) +
                   ": elements of type " + hex8(m[2]) + " (" + idx_type_name(m[2]) +
                   "), fixnet reads unsigned bytes (0x08)");
  if (m[3] != dimensions) {
    // The other kind of MNIST file: most likely images and labels swapped.
    if ((dimensions == 3 && m[3] == 1) || (dimensions == 1 && m[3] == 3))
      throw in.error("wrong magic number: expected " + expected_text + ", found " + hex32(magic) +
                     ", the magic number of " +
                     (m[3] == 1 ? "an IDX label file" : "an IDX image file") +
                     " (images and labels swapped?)");
    throw in.error("wrong number of dimensions: expected " + std::to_string(dimensions) + " (" +
                   meaning + "), found " + std::to_string(m[3]) + " (magic number " + hex32(magic) +
                   ")");
  }
  std::vector<unsigned char> raw(4 * std::size_t{dimensions});
  const std::size_t got_dims = in.read(raw.data(), raw.size());
  if (got_dims < raw.size())
    throw in.error("truncated header: expected " + std::to_string(raw.size()) +
                   " bytes of dimension sizes after the magic number, got " + std::to_string(got_dims));
  std::vector<std::size_t> sizes(dimensions);
  for (unsigned d = 0; d < dimensions; ++d)
    sizes[d] = (std::size_t{raw[4 * d]} << 24) | (std::size_t{raw[4 * d + 1]} << 16) |
               (std::size_t{raw[4 * d + 2]} << 8) | std::size_t{raw[4 * d + 3]};
  return sizes;
}

/// Size of the header of an IDX file with `dimensions` dimensions.
constexpr std::size_t idx_header_bytes(unsigned dimensions) noexcept { return 4 + 4 * std::size_t{dimensions}; }

/// After the payload: the data must end here (this also makes zlib check
/// the gzip stream's CRC and length, which it does only at the end).
inline void expect_end(IdxReader& in, std::size_t payload, const std::string& what) {
  unsigned char extra;
  if (in.read(&extra, 1) != 0)
    throw in.error("expected exactly " + std::to_string(payload) + " bytes of " + what + " after the " +
                   "header, found more: the file is longer than its header says");
  // A gzip stream cut in (or just before) its trailer has given all the data
  // but ends without the CRC-32 and length that check it: zlib reports that
  // only as the end of the input, not as an error.
  if (in.gzip_cut_short())
    throw in.error("truncated: the gzip stream ends early, after the " + std::to_string(payload) +
                   " bytes of " + what + " but before its CRC-32 and length: expected a whole gzip file");
}

inline DataError truncated(const IdxReader& in, std::size_t expected, std::size_t got,
                           std::size_t header, const std::string& what) {
  return in.error("truncated: expected " + std::to_string(expected) + " bytes of " + what +
                  " after the " + std::to_string(header) + "-byte header, got " + std::to_string(got) +
                  (in.gzip_cut_short() ? " (the gzip stream ends early)" : ""));
}

/// Reads the labels of an open label file (header read): n of them, each
/// checked against `classes`. `all` says whether n is the whole file (then
/// its end is checked too).
inline std::vector<std::uint8_t> read_idx_label_payload(IdxReader& in, std::size_t n, bool all,
                                                        std::size_t classes) {
  in.check_payload_fits(idx_header_bytes(1), n, "labels (" + std::to_string(n) + " labels)");
  std::vector<std::uint8_t> labels;
  labels.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n, in.reserve_bytes())));
  std::array<std::uint8_t, 1 << 16> chunk;
  while (labels.size() < n) {
    const std::size_t want = std::min(chunk.size(), n - labels.size());
    const std::size_t got = in.read(chunk.data(), want);
    labels.insert(labels.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
    if (got < want)
      throw truncated(in, n, labels.size(), idx_header_bytes(1), "labels (" + std::to_string(n) + " labels)");
  }
  if (all) expect_end(in, n, "labels");
  for (std::size_t i = 0; i < n; ++i)
    if (labels[i] >= classes)
      throw in.error("label " + std::to_string(labels[i]) + " of sample " + std::to_string(i) +
                     " is out of range: expected a class index from 0 to " + std::to_string(classes - 1) +
                     " (" + std::to_string(classes) + " classes)");
  return labels;
}

inline void check_classes(std::size_t classes) {
  if (classes == 0 || classes > 256)
    throw std::invalid_argument("fixnet::data::IdxOptions: expected 1 to 256 classes (labels are bytes), got " +
                                std::to_string(classes));
}

inline void check_divisor(double divisor) {
  if (!(divisor > 0.0) || divisor == std::numeric_limits<double>::infinity())
    throw std::invalid_argument("fixnet::data::IdxOptions: expected a finite pixel_divisor > 0, got " +
                                std::to_string(divisor));
}

/// Bytes of pixels an image header describes (count x rows x columns),
/// checked to fit a size_t.
inline std::size_t checked_image_bytes(const IdxReader& in, const std::vector<std::size_t>& dims) {
  const std::uint64_t pixels64 = std::uint64_t{dims[1]} * dims[2];  // each < 2^32: no overflow
  if (pixels64 > std::numeric_limits<std::size_t>::max())
    throw in.error("header claims images of " + std::to_string(dims[1]) + " x " +
                   std::to_string(dims[2]) + " pixels: more bytes than memory can address");
  const auto pixels = static_cast<std::size_t>(pixels64);
  if (pixels != 0 && dims[0] > std::numeric_limits<std::size_t>::max() / pixels)
    throw in.error("header claims " + std::to_string(dims[0]) + " images of " + std::to_string(dims[1]) +
                   " x " + std::to_string(dims[2]) + " pixels: more bytes than memory can address");
  return dims[0] * pixels;
}

template <Scalar T, std::size_t Width>
Dataset<T, Width> load_idx(const std::filesystem::path& images_path,
                           const std::filesystem::path& labels_path, const IdxOptions& options,
                           const char* width_origin) {
  check_classes(options.classes);
  check_divisor(options.pixel_divisor);

  IdxReader images(images_path, "an IDX image file");
  const std::vector<std::size_t> dims = read_idx_header(images, 3, "count, rows, columns");
  const std::size_t count = dims[0];
  checked_image_bytes(images, dims);
  if (std::uint64_t{dims[1]} * dims[2] != Width)
    throw images.error("images are " + std::to_string(dims[1]) + " x " + std::to_string(dims[2]) +
                       " = " + std::to_string(dims[1] * dims[2]) + " pixels, expected " +
                       std::to_string(Width) + " values per sample (" + width_origin + ")");

  IdxReader labels_in(labels_path, "an IDX label file");
  const std::size_t label_count = read_idx_header(labels_in, 1, "count")[0];
  if (label_count != count)
    throw DataError("fixnet: image/label count mismatch: " + images.name() + " holds " +
                    std::to_string(count) + " images, " + labels_in.name() + " holds " +
                    std::to_string(label_count) + " labels: expected one label per image");

  const std::size_t n = std::min(count, options.max_samples);
  const bool all = n == count;
  // Labels first: small, so that their errors come before the long read of
  // the pixels.
  std::vector<std::uint8_t> labels = read_idx_label_payload(labels_in, n, all, options.classes);

  // One division per possible byte, not per pixel.
  std::array<T, 256> value;
  for (std::size_t b = 0; b < 256; ++b) value[b] = static_cast<T>(double(b) / options.pixel_divisor);

  images.check_payload_fits(idx_header_bytes(3), std::uint64_t{n} * Width,
                            "pixels (" + std::to_string(n) + " images of " + std::to_string(dims[1]) + " x " +
                                std::to_string(dims[2]) + ")");
  typename Dataset<T, Width>::storage_type rows;
  rows.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n, images.reserve_bytes() / Width)));
  constexpr std::size_t chunk_images = std::max<std::size_t>(1, (std::size_t{1} << 18) / Width);
  std::vector<std::uint8_t> chunk(std::min(chunk_images, n) * Width);  // no more than n images
  const std::string what = "pixels (" + std::to_string(n) + " images of " + std::to_string(dims[1]) +
                           " x " + std::to_string(dims[2]) + ")";
  while (rows.size() < n) {
    const std::size_t want = std::min(chunk_images, n - rows.size());
    const std::size_t got = images.read(chunk.data(), want * Width);
    if (got < want * Width)
      throw truncated(images, n * Width, rows.size() * Width + got, idx_header_bytes(3), what);
    for (std::size_t k = 0; k < want; ++k) {
      auto& row = rows.emplace_back();
      const std::uint8_t* src = chunk.data() + k * Width;
      for (std::size_t i = 0; i < Width; ++i) row[i] = value[src[i]];
    }
  }
  if (all) expect_end(images, n * Width, what);
  return Dataset<T, Width>(std::move(rows), std::move(labels), options.classes);
}

}  // namespace detail

/// Reads an IDX file of unsigned-byte images (magic 0x00000803) as bytes, at
/// most `max_images` of them. Throws `DataError` as described at the top of
/// this header.
inline IdxImages read_idx_images(const std::filesystem::path& path,
                                 std::size_t max_images = std::numeric_limits<std::size_t>::max()) {
  detail::IdxReader in(path, "an IDX image file");
  const std::vector<std::size_t> dims = detail::read_idx_header(in, 3, "count, rows, columns");
  detail::checked_image_bytes(in, dims);
  IdxImages out;
  out.count = std::min(dims[0], max_images);
  out.rows = dims[1];
  out.columns = dims[2];
  const std::size_t bytes = out.count * dims[1] * dims[2];
  const std::string what = "pixels (" + std::to_string(out.count) + " images of " +
                           std::to_string(out.rows) + " x " + std::to_string(out.columns) + ")";
  in.check_payload_fits(detail::idx_header_bytes(3), bytes, what);
  out.pixels.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(bytes, in.reserve_bytes())));
  // No larger than the payload: a small file gets a small buffer.
  std::vector<std::uint8_t> chunk(std::min<std::size_t>(1 << 18, bytes));
  while (out.pixels.size() < bytes) {
    const std::size_t want = std::min(chunk.size(), bytes - out.pixels.size());
    const std::size_t got = in.read(chunk.data(), want);
    out.pixels.insert(out.pixels.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
    if (got < want)
      throw detail::truncated(in, bytes, out.pixels.size(), detail::idx_header_bytes(3), what);
  }
  if (out.count == dims[0]) detail::expect_end(in, bytes, what);
  return out;
}

/// Reads an IDX file of unsigned-byte labels (magic 0x00000801), at most
/// `max_labels` of them, each checked to be below `classes`. Throws
/// `DataError` as described at the top of this header.
inline std::vector<std::uint8_t> read_idx_labels(
    const std::filesystem::path& path, std::size_t classes = 10,
    std::size_t max_labels = std::numeric_limits<std::size_t>::max()) {
  detail::check_classes(classes);
  detail::IdxReader in(path, "an IDX label file");
  const std::size_t count = detail::read_idx_header(in, 1, "count")[0];
  const std::size_t n = std::min(count, max_labels);
  return detail::read_idx_label_payload(in, n, n == count, classes);
}

/// Loads an image file and its label file as a data set of rows of Width
/// values: image i is row i, its pixels row-major, each byte divided by
/// `options.pixel_divisor`. Throws `DataError` (naming the file, what was
/// expected and found) for a missing, malformed, truncated or corrupt file,
/// images that are not Width pixels, image and label counts that differ, or
/// a label not below `options.classes`; std::invalid_argument for bad
/// options.
template <Scalar T, std::size_t Width>
Dataset<T, Width> load_idx(const std::filesystem::path& images, const std::filesystem::path& labels,
                           const IdxOptions& options = {}) {
  return detail::load_idx<T, Width>(images, labels, options, "the requested width, Width");
}

/// As above, for the network `Net`: rows of `Net::inputs` values of its
/// scalar type, and images that do not have `Net::inputs` pixels are
/// reported as not fitting the network.
template <class Net>
  requires requires {
    Net::inputs;
    typename Net::scalar_type;
  }
Dataset<typename Net::scalar_type, Net::inputs> load_idx(const std::filesystem::path& images,
                                                         const std::filesystem::path& labels,
                                                         const IdxOptions& options = {}) {
  return detail::load_idx<typename Net::scalar_type, Net::inputs>(
      images, labels, options, "the network's input width, Net::inputs");
}

}  // namespace fixnet::data

#endif  // FIXNET_DATA_IDX_HPP

// fixnet — the safetensors container: named tensors and string metadata in
// one file, the format PyTorch and Hugging Face users already write
// (`safetensors.torch.save_file(model.state_dict(), path)`).
//
// Layout (https://github.com/huggingface/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON
//   {"0.weight": {"dtype": "F32", "shape": [4, 2], "data_offsets": [0, 32]},
//    "__metadata__": {"format": "pt", ...}}
// padded with spaces to a multiple of 8, then the tensors' raw little-endian
// bytes, each at its data_offsets relative to the end of the header.
//
// This header knows nothing of networks: model files (fixnet/io/model_file.hpp)
// and checkpoints are built on `Writer` and `Reader`. The reader accepts any
// bytes without undefined behaviour: every length, offset and shape is checked
// against the buffer before it is used, and each refusal is a
// `fixnet::ModelFileError` naming the source, the tensor and what was expected.
#ifndef FIXNET_IO_SAFETENSORS_HPP
#define FIXNET_IO_SAFETENSORS_HPP

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "fixnet/io/atomic_file.hpp"
#include "fixnet/io/safetensors_dtype.hpp"

namespace fixnet {

// Fix: on a big-endian machine the tensors would need byte-swapping; none is
// supported yet.
static_assert(std::endian::native == std::endian::little,
              "fixnet: model files are little-endian; this machine is not");

/// A model file, checkpoint or in-memory buffer that cannot be read or
/// written. The message names the file (or "<memory>"), the tensor, and what
/// was expected against what was found.
class ModelFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace safetensors {

/// CRC-32 (zlib's, as in gzip and PNG) of `bytes`.
inline std::uint32_t crc32(std::span<const std::byte> bytes) noexcept {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
  std::size_t left = bytes.size();
  while (left > 0) {  // zlib takes uInt lengths
    const auto n = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    crc = ::crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return static_cast<std::uint32_t>(crc);
}

/// The metadata key under which `Writer` records the CRC-32 of the data
/// section (8 lowercase hex digits), checked by `Reader` when present.
inline constexpr std::string_view crc_key = "fixnet.crc32";

/// One tensor's entry in the header.
struct TensorInfo {
  Dtype dtype;
  std::vector<std::size_t> shape;
  /// Byte offsets [begin, end) into the data section.
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t element_count() const noexcept {
    std::size_t n = 1;
    for (const std::size_t d : shape) n *= d;
    return n;
  }
};

/// "[4, 2]".
inline std::string shape_string(std::span<const std::size_t> shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

/// Builds a safetensors file in memory: tensors in the order added, then
/// `bytes()`. The data section's CRC-32 goes into the metadata.
class Writer {
 public:
  /// Adds tensor `name` of `shape` (row-major) from `values`; throws
  /// std::invalid_argument for a repeated name or a shape that does not hold
  /// `values.size()` elements.
  template <Element T>
  void add(std::string name, std::span<const T> values, std::vector<std::size_t> shape) {
    std::size_t n = 1;
    for (const std::size_t d : shape) n *= d;
    if (n != values.size())
      throw std::invalid_argument("fixnet: tensor '" + name + "' has shape " + shape_string(shape) + " (" +
                                  std::to_string(n) + " values) but " + std::to_string(values.size()) +
                                  " values were given");
    if (name == "__metadata__" || index_.contains(name))
      throw std::invalid_argument("fixnet: tensor name '" + name + "' is already used");
    TensorInfo info{*dtype_of<T>, std::move(shape), data_.size(), data_.size() + values.size_bytes()};
    const auto* raw = reinterpret_cast<const std::byte*>(values.data());
    data_.insert(data_.end(), raw, raw + values.size_bytes());
    index_.emplace(name, order_.size());
    order_.emplace_back(std::move(name), std::move(info));
  }
  /// A one-element tensor of shape [] (a scalar, as torch.tensor(3)).
  template <Element T>
  void add_scalar(std::string name, T value) {
    add(std::move(name), std::span<const T>(&value, 1), {});
  }

  /// Room for `bytes` more bytes of tensor data, so that adding them
  /// copies each once.
  void reserve(std::size_t bytes) { data_.reserve(data_.size() + bytes); }

  /// Sets a metadata entry (the format allows strings only).
  void set_metadata(std::string key, std::string value) { metadata_[std::move(key)] = std::move(value); }

  /// The whole file: header length, JSON header (padded with spaces to a
  /// multiple of 8, so that every tensor starts 8-byte aligned in a file
  /// mapped to memory), data.
  std::vector<std::byte> bytes() const {
    // ordered_json keeps the tensors in the order added, as PyTorch does.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [key, value] : metadata_) meta[key] = value;
    char crc[9];
    std::snprintf(crc, sizeof crc, "%08x", static_cast<unsigned>(crc32(data_)));
    meta[std::string(crc_key)] = crc;
    header["__metadata__"] = std::move(meta);
    for (const auto& [name, info] : order_)
      header[name] = {{"dtype", dtype_name(info.dtype)}, {"shape", info.shape}, {"data_offsets", {info.begin, info.end}}};
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::vector<std::byte> out(8 + text.size() + data_.size());
    const std::uint64_t length = text.size();
    std::memcpy(out.data(), &length, 8);
    std::memcpy(out.data() + 8, text.data(), text.size());
    if (!data_.empty()) std::memcpy(out.data() + 8 + text.size(), data_.data(), data_.size());
    return out;
  }

 private:
  std::vector<std::pair<std::string, TensorInfo>> order_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::map<std::string, std::string> metadata_;
  std::vector<std::byte> data_;
};

/// Reads a safetensors buffer (which must outlive the reader). The
/// constructor checks the whole header against the buffer; reads then only
/// check shapes and dtypes against what the caller expects.
class Reader {
 public:
  /// Largest header accepted (the reference implementation's limit).
  static constexpr std::size_t max_header_size = 100'000'000;

  /// Parses and checks `bytes`; `source` names them in messages (a path, or
  /// "<memory>"). Throws ModelFileError.
  explicit Reader(std::span<const std::byte> bytes, std::string source = "<memory>")
      : source_(std::move(source)) {
    if (bytes.size() < 8)
      fail("is " + std::to_string(bytes.size()) +
           " bytes long; a safetensors file starts with an 8-byte header length");
    std::uint64_t length;
    std::memcpy(&length, bytes.data(), 8);
    if (length > bytes.size() - 8)
      fail("has a header length of " + std::to_string(length) + " bytes but is only " +
           std::to_string(bytes.size()) + " bytes long (truncated, or not a safetensors file)");
    if (length > max_header_size)
      fail("has a header of " + std::to_string(length) + " bytes; at most " + std::to_string(max_header_size) +
           " are accepted");
    const auto* text = reinterpret_cast<const char*>(bytes.data() + 8);
    data_ = bytes.subspan(8 + length);
    nlohmann::json header;
    try {
      header = nlohmann::json::parse(text, text + length);
    } catch (const nlohmann::json::exception& e) {
      fail("has a malformed JSON header: " + std::string(e.what()));
    }
    if (!header.is_object()) fail("has a JSON header that is not an object");
    for (const auto& [name, entry] : header.items()) {
      if (name == "__metadata__") {
        read_metadata(entry);
      } else {
        tensors_.emplace(name, read_entry(name, entry));
      }
    }
    check_layout();
    if (const auto crc = metadata(crc_key)) {
      char actual[9];
      std::snprintf(actual, sizeof actual, "%08x", static_cast<unsigned>(crc32(data_)));
      if (*crc != actual)
        fail("is corrupt: the CRC-32 of its data is " + std::string(actual) + ", the header records " +
             std::string(*crc));
    }
  }

  const std::string& source() const noexcept { return source_; }
  /// Every tensor, by name.
  const std::map<std::string, TensorInfo, std::less<>>& tensors() const noexcept { return tensors_; }
  const std::map<std::string, std::string, std::less<>>& metadata() const noexcept { return metadata_; }
  /// The metadata entry `key`, if present.
  std::optional<std::string_view> metadata(std::string_view key) const {
    const auto it = metadata_.find(key);
    if (it == metadata_.end()) return std::nullopt;
    return std::string_view(it->second);
  }
  bool contains(std::string_view name) const { return tensors_.find(name) != tensors_.end(); }

  /// The entry of tensor `name`; throws ModelFileError naming it when absent.
  const TensorInfo& info(std::string_view name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) fail("has no tensor '" + std::string(name) + "'");
    return it->second;
  }

  /// Reads tensor `name` into `out`, which must hold exactly `shape`'s
  /// elements (the tensor's shape must be `shape`). Floating `T` (float,
  /// double) is read from any floating dtype and converted; integer `T` only
  /// from its own dtype.
  template <Element T>
  void read(std::string_view name, std::span<const std::size_t> shape, std::span<T> out) const {
    const TensorInfo& t = info(name);
    if (!std::equal(t.shape.begin(), t.shape.end(), shape.begin(), shape.end()))
      fail("has tensor '" + std::string(name) + "' of shape " + shape_string(t.shape) + ", expected " +
           shape_string(shape));
    constexpr Dtype want = *dtype_of<T>;
    const bool convertible = t.dtype == want || (std::is_floating_point_v<T> && is_floating(t.dtype));
    if (!convertible)
      fail("has tensor '" + std::string(name) + "' of dtype " + std::string(dtype_name(t.dtype)) + ", expected " +
           std::string(dtype_name(want)) +
           (std::is_floating_point_v<T> ? " (or F64, F32, F16, BF16, which are converted)" : ""));
    // The constructor checked that [begin, end) lies in the data section and
    // holds element_count() elements of the dtype.
    if (out.size() != t.element_count())
      throw std::invalid_argument("fixnet: Reader::read: the output holds " + std::to_string(out.size()) +
                                  " values, tensor '" + std::string(name) + "' " +
                                  std::to_string(t.element_count()));
    const std::byte* p = data_.data() + t.begin;
    const std::size_t size = dtype_size(t.dtype);
    for (std::size_t i = 0; i < out.size(); ++i, p += size) out[i] = element<T>(t.dtype, p);
  }
  /// The same for a tensor of shape [] or [1].
  template <Element T>
  T read_scalar(std::string_view name) const {
    const TensorInfo& t = info(name);
    if (t.element_count() != 1 || t.shape.size() > 1)
      fail("has tensor '" + std::string(name) + "' of shape " + shape_string(t.shape) + ", expected one value");
    T value{};
    read(name, t.shape, std::span<T>(&value, 1));
    return value;
  }

  /// Throws ModelFileError("<source> <what>").
  [[noreturn]] void fail(const std::string& what) const { throw ModelFileError("fixnet: " + source_ + " " + what); }

 private:
  template <class T>
  static T element(Dtype d, const std::byte* p) noexcept {
    // memcpy: the data section has no alignment guarantee in memory.
    auto load = [p]<class U>(U) {
      U u;
      std::memcpy(&u, p, sizeof u);
      return u;
    };
    switch (d) {
      case Dtype::F64: return static_cast<T>(load(double{}));
      case Dtype::F32: return static_cast<T>(load(float{}));
      case Dtype::F16: return static_cast<T>(half_to_float(load(std::uint16_t{})));
      case Dtype::BF16: return static_cast<T>(bfloat16_to_float(load(std::uint16_t{})));
      default: return load(T{});  // integer T: its own dtype only (checked by read)
    }
  }

  void read_metadata(const nlohmann::json& entry) {
    if (!entry.is_object()) fail("has a __metadata__ entry that is not an object of strings");
    for (const auto& [key, value] : entry.items()) {
      if (!value.is_string()) fail("has metadata '" + key + "' that is not a string");
      metadata_.emplace(key, value.get<std::string>());
    }
  }

  TensorInfo read_entry(const std::string& name, const nlohmann::json& entry) const {
    const std::string what = "has tensor '" + name + "' ";
    if (!entry.is_object()) fail(what + "whose entry is not an object");
    const auto dtype = entry.find("dtype");
    const auto shape = entry.find("shape");
    const auto offsets = entry.find("data_offsets");
    if (dtype == entry.end() || shape == entry.end() || offsets == entry.end())
      fail(what + "without dtype, shape and data_offsets");
    if (!dtype->is_string()) fail(what + "whose dtype is not a string");
    const auto parsed = parse_dtype(dtype->get_ref<const std::string&>());
    if (!parsed) fail(what + "of unknown dtype '" + dtype->get<std::string>() + "'");
    TensorInfo info{*parsed, {}, 0, 0};
    if (!shape->is_array()) fail(what + "whose shape is not an array");
    // Element count computed with overflow checks: the shape comes from the file.
    std::size_t count = 1;
    for (const auto& d : *shape) {
      if (!d.is_number_unsigned()) fail(what + "whose shape holds something other than non-negative integers");
      const auto extent = d.get<std::uint64_t>();
      if (extent != 0 && count > std::numeric_limits<std::size_t>::max() / extent)
        fail(what + "whose shape overflows the size of memory");
      count *= extent;
      info.shape.push_back(extent);
    }
    if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
        !(*offsets)[1].is_number_unsigned())
      fail(what + "whose data_offsets are not two non-negative integers");
    info.begin = (*offsets)[0].get<std::uint64_t>();
    info.end = (*offsets)[1].get<std::uint64_t>();
    if (info.begin > info.end) fail(what + "whose data_offsets end before they begin");
    if (info.end > data_.size())
      fail(what + "whose data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) +
           ") run past the end of the data (" + std::to_string(data_.size()) + " bytes; truncated file?)");
    const std::size_t size = dtype_size(info.dtype);
    if (count > std::numeric_limits<std::size_t>::max() / size || info.end - info.begin != count * size)
      fail(what + "of shape " + shape_string(info.shape) + " and dtype " + std::string(dtype_name(info.dtype)) +
           " whose data_offsets span " + std::to_string(info.end - info.begin) + " bytes");
    return info;
  }

  // No two tensors share bytes (the format's rule).
  void check_layout() const {
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const auto& [name, t] : tensors_)
      if (t.end > t.begin) spans.emplace_back(t.begin, t.end);
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i)
      if (spans[i].first < spans[i - 1].second) fail("has tensors whose data overlap");
  }

  std::string source_;
  std::span<const std::byte> data_;
  std::map<std::string, TensorInfo, std::less<>> tensors_;
  std::map<std::string, std::string, std::less<>> metadata_;
};

namespace detail {

inline std::string errno_text(int error) { return std::strerror(error); }

}  // namespace detail

/// The whole of a file; throws ModelFileError naming it and the reason
/// (missing, a directory, unreadable).
inline std::vector<std::byte> read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw ModelFileError("fixnet: cannot open " + path.string() + ": " + detail::errno_text(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw ModelFileError("fixnet: cannot read " + path.string() + ": " + detail::errno_text(errno));
  if (!S_ISREG(st.st_mode)) throw ModelFileError("fixnet: " + path.string() + " is not a regular file");
  std::vector<std::byte> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ModelFileError("fixnet: cannot read " + path.string() + ": " + detail::errno_text(errno));
    if (n == 0) break;  // shrank while reading: the reader sees a short file
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

/// Writes `bytes` to `path` so that a reader (or a crash, a kill, a full
/// disk) sees either the previous file or the whole new one, never a part
/// (fixnet::write_file_atomically, fixnet/io/atomic_file.hpp). Throws
/// ModelFileError naming the path and the system's reason; the temporary
/// file is removed on failure.
inline void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  try {
    fixnet::write_file_atomically(path, bytes);
  } catch (const FileWriteError& e) {
    throw ModelFileError(e.what());
  }
}

}  // namespace safetensors
}  // namespace fixnet

#endif  // FIXNET_IO_SAFETENSORS_HPP

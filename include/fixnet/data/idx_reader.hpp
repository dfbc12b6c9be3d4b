// fixnet — the byte source of the IDX loader (fixnet/data/idx.hpp): a file
// read plain or, when it starts with the gzip magic bytes, inflated by a
// checked zlib loop, whose every failure is a `DataError` naming the file.
#ifndef FIXNET_DATA_IDX_READER_HPP
#define FIXNET_DATA_IDX_READER_HPP

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include <zlib.h>

#include "fixnet/data/error.hpp"

namespace fixnet::data::detail {

/// A file read through zlib (gzip or plain), whose errors become
/// `DataError`s naming the file. `kind` ("IDX image file") says what the
/// file should be, in the messages.
class IdxReader {
 public:
  IdxReader(const std::filesystem::path& path, const char* kind)
      : name_(path.string()), kind_(kind) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
      throw error("cannot examine: " + ec.message() + ": expected " + std::string(kind_) + " here");
    if (!std::filesystem::exists(status))
      throw error("no such file: expected " + std::string(kind_) + " here");
    if (std::filesystem::is_directory(status))
      throw error("is a directory: expected " + std::string(kind_));
    // Opening a FIFO would wait for a writer; a device has no size to check
    // the header against.
    if (!std::filesystem::is_regular_file(status))
      throw error("is " + std::string(file_type_name(status.type())) + ", not a regular file: expected " +
                  std::string(kind_));
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    file_bytes_ = ec ? std::numeric_limits<std::uint64_t>::max() : std::uint64_t{size};
    // What the file can hold once decompressed, to check a header against
    // before anything is allocated: a plain file holds exactly its size; a
    // gzip file at most about 1032 times its size (the deflate format's
    // limit), and its trailer (ISIZE, the last 4 bytes) gives the size mod
    // 2^32, which bounds what is reserved up front (a wrong ISIZE is caught
    // by zlib at the end of the stream).
    constexpr std::uint64_t ratio = 1100;
    max_bytes_ = ec ? 0
                    : size > std::numeric_limits<std::uint64_t>::max() / ratio
                        ? std::numeric_limits<std::uint64_t>::max()
                        : std::uint64_t{size} * ratio;
    reserve_bytes_ = max_bytes_;
    if (!ec) {
      std::ifstream raw(path, std::ios::binary);
      unsigned char head[2] = {0, 0};
      raw.read(reinterpret_cast<char*>(head), 2);
      gzip_ = raw.gcount() == 2 && head[0] == 0x1F && head[1] == 0x8B;
      if (!gzip_) {
        max_bytes_ = reserve_bytes_ = size;
      } else if (size >= 18) {  // a 10-byte header, an 8-byte trailer
        unsigned char isize[4] = {0, 0, 0, 0};
        raw.seekg(-4, std::ios::end);
        raw.read(reinterpret_cast<char*>(isize), 4);
        if (raw.gcount() == 4)
          reserve_bytes_ = std::min<std::uint64_t>(
              max_bytes_, std::uint64_t{isize[0]} | (std::uint64_t{isize[1]} << 8) |
                              (std::uint64_t{isize[2]} << 16) | (std::uint64_t{isize[3]} << 24));
      }
    }
    errno = 0;
    file_ = std::fopen(name_.c_str(), "rb");
    if (file_ == nullptr)
      throw error(std::string("cannot open: ") +
                  (errno != 0 ? std::strerror(errno) : "out of memory"));
    // A larger input buffer for a large file: fewer read calls; none larger
    // than the file.
    const std::uintmax_t buffer =
        ec ? std::uintmax_t{1} << 17 : std::clamp<std::uintmax_t>(size, 8192, 1 << 17);
    if (gzip_) {
      input_.resize(static_cast<std::size_t>(buffer));
      stream_.zalloc = Z_NULL;
      stream_.zfree = Z_NULL;
      stream_.opaque = Z_NULL;
      stream_.next_in = Z_NULL;
      stream_.avail_in = 0;
      // 16 + MAX_WBITS: a gzip header and trailer around the deflate data.
      const int init = inflateInit2(&stream_, 16 + MAX_WBITS);
      if (init != Z_OK) {
        std::fclose(file_);
        file_ = nullptr;
        throw error(init == Z_MEM_ERROR ? "out of memory while decompressing"
                                        : "cannot start zlib's inflate");
      }
      inflating_ = true;
    }
  }
  ~IdxReader() {
    if (inflating_) inflateEnd(&stream_);
    if (file_ != nullptr) std::fclose(file_);
  }
  IdxReader(const IdxReader&) = delete;
  IdxReader& operator=(const IdxReader&) = delete;

  /// Reads up to n bytes into dst; returns how many were read (fewer only at
  /// the end of the data). Throws for a corrupt gzip stream, bytes after the
  /// gzip stream that are not another gzip member, or a read error.
  std::size_t read(void* dst, std::size_t n) {
    auto* out = static_cast<unsigned char*>(dst);
    if (!gzip_) {
      const std::size_t got = std::fread(out, 1, n, file_);
      offset_ += got;
      if (got < n && std::ferror(file_))
        throw error("read error after " + std::to_string(offset_) + " bytes: " +
                    std::strerror(errno));
      return got;
    }
    std::size_t done = 0;
    while (done < n && !ended_) {
      if (stream_.avail_in == 0 && fill() == 0) {
        // The file ended inside a gzip member, before its CRC-32 and length.
        cut_short_ = true;
        ended_ = true;
        break;
      }
      const auto chunk = static_cast<uInt>(std::min<std::size_t>(n - done, UINT_MAX));
      stream_.next_out = out + done;
      stream_.avail_out = chunk;
      const int r = inflate(&stream_, Z_NO_FLUSH);
      const std::size_t produced = chunk - stream_.avail_out;
      done += produced;
      offset_ += produced;
      if (r == Z_STREAM_END) {
        after_member();
      } else if (r == Z_MEM_ERROR) {
        throw error("out of memory while decompressing");
      } else if (r != Z_OK && !(r == Z_BUF_ERROR && stream_.avail_in == 0)) {
        // zlib reads ahead, so the position where it noticed says little.
        throw error(std::string("corrupt gzip stream (zlib: ") +
                    (stream_.msg != nullptr ? stream_.msg : "unknown error") +
                    "): expected a valid gzip file or a plain IDX file");
      }
    }
    return done;
  }

  /// Whether the data ended because a gzip stream was cut short (rather than
  /// a plain file, or a whole gzip stream, being too short).
  bool gzip_cut_short() const noexcept { return cut_short_; }

  /// Upper bound of the data the file can hold once decompressed (exact for
  /// a plain file).
  std::uint64_t max_bytes() const noexcept { return max_bytes_; }
  /// How many bytes of data to reserve for at most: the plain file's size,
  /// or what a gzip file's trailer says it inflates to (mod 2^32).
  std::uint64_t reserve_bytes() const noexcept { return reserve_bytes_; }

  /// Throws, before anything is allocated, when the file cannot hold the
  /// `payload` bytes of `what` that its `header`-byte header announces: a
  /// plain file shorter than that, or a gzip file too small to inflate to it.
  void check_payload_fits(std::uint64_t header, std::uint64_t payload, const std::string& what) const {
    if (file_bytes_ == std::numeric_limits<std::uint64_t>::max()) return;  // size unknown
    const std::uint64_t room = max_bytes_ > header ? max_bytes_ - header : 0;
    if (payload <= room) return;
    if (!gzip_)
      throw error("truncated: expected " + std::to_string(payload) + " bytes of " + what + " after the " +
                  std::to_string(header) + "-byte header, got " + std::to_string(room) + " (the file is " +
                  std::to_string(file_bytes_) + " bytes: a wrong header or a cut file)");
    throw error("truncated: expected " + std::to_string(payload) + " bytes of " + what + " after the " +
                std::to_string(header) + "-byte header, more than a gzip file of " + std::to_string(file_bytes_) +
                " bytes can inflate to (a wrong header or a cut file)");
  }

  /// An error about this file: "fixnet: <file>: <what>".
  DataError error(const std::string& what) const { return DataError("fixnet: " + name_ + ": " + what); }

  const std::string& name() const noexcept { return name_; }
  const char* kind() const noexcept { return kind_; }

 private:
  /// Reads more of the file into the inflate input after what is left of
  /// it; returns the bytes read (0 at the end of the file).
  std::size_t fill() {
    const std::size_t kept = stream_.avail_in;
    if (kept > 0 && stream_.next_in != input_.data())
      std::memmove(input_.data(), stream_.next_in, kept);
    const std::size_t got = std::fread(input_.data() + kept, 1, input_.size() - kept, file_);
    if (got == 0 && std::ferror(file_))
      throw error("read error after " + std::to_string(offset_) + " bytes: " + std::strerror(errno));
    stream_.next_in = input_.data();
    stream_.avail_in = static_cast<uInt>(kept + got);
    return got;
  }

  /// After a gzip member's trailer: the end of the file, or another member
  /// (gzip files may be concatenated), or else an error naming the junk.
  void after_member() {
    if (stream_.avail_in < 2) fill();
    if (stream_.avail_in == 0) {
      ended_ = true;
      return;
    }
    if (stream_.avail_in >= 2 && stream_.next_in[0] == 0x1F && stream_.next_in[1] == 0x8B) {
      inflateReset(&stream_);
      return;
    }
    std::uint64_t junk = stream_.avail_in;
    stream_.avail_in = 0;
    while (fill() > 0) {
      junk += stream_.avail_in;
      stream_.avail_in = 0;
    }
    throw error(std::to_string(junk) + " byte" + (junk == 1 ? "" : "s") +
                " of trailing data after the end of the gzip stream (after " +
                std::to_string(offset_) +
                " bytes of data): expected nothing, or another gzip member, after the gzip "
                "trailer");
  }

  std::string name_;
  const char* kind_;
  static const char* file_type_name(std::filesystem::file_type type) {
    switch (type) {
      case std::filesystem::file_type::fifo: return "a FIFO";
      case std::filesystem::file_type::socket: return "a socket";
      case std::filesystem::file_type::block: return "a block device";
      case std::filesystem::file_type::character: return "a character device";
      default: return "not a regular file";
    }
  }

  std::FILE* file_ = nullptr;
  z_stream stream_{};
  std::vector<unsigned char> input_;  // the inflate input (gzip files)
  bool inflating_ = false;            // stream_ initialised
  bool ended_ = false;                // the gzip data ended (whole or cut)
  bool cut_short_ = false;            // ... before a member's trailer
  std::uint64_t offset_ = 0;
  std::uint64_t file_bytes_ = 0;
  std::uint64_t max_bytes_ = 0;
  std::uint64_t reserve_bytes_ = 0;
  bool gzip_ = false;
};

}  // namespace fixnet::data::detail

#endif  // FIXNET_DATA_IDX_READER_HPP

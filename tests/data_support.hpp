// fixnet tests — helpers for the data tests: a temporary directory that
// removes itself, IDX files written byte by byte (plain or gzipped through
// zlib), and checks of an exception's message.
//
// Include after <boost/test/unit_test.hpp>.
#ifndef FIXNET_TESTS_DATA_SUPPORT_HPP
#define FIXNET_TESTS_DATA_SUPPORT_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <unistd.h>
#include <zlib.h>

#include <boost/test/unit_test.hpp>

namespace fixnet::tests {

using Bytes = std::vector<std::uint8_t>;

/// A fresh directory under the system's temporary directory, removed with
/// everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("fixnet-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Appends v as 4 big-endian bytes.
inline void put_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

/// An IDX image file: magic 0x00000803, count, rows, columns, then pixels.
inline Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t columns,
                        const Bytes& pixels, std::uint32_t magic = 0x00000803) {
  Bytes out;
  put_u32(out, magic);
  put_u32(out, count);
  put_u32(out, rows);
  put_u32(out, columns);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

/// An IDX label file: magic 0x00000801, count, then labels.
inline Bytes idx_labels(const Bytes& labels, std::uint32_t magic = 0x00000801) {
  Bytes out;
  put_u32(out, magic);
  put_u32(out, static_cast<std::uint32_t>(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

/// Pixels 0, 1, 2, ... (mod 256) for count images of `pixels` each.
inline Bytes counting_pixels(std::size_t count, std::size_t pixels) {
  Bytes out(count * pixels);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>((i * 7 + 3) % 256);
  return out;
}

inline void write_plain(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  BOOST_TEST_REQUIRE(out.good(), "could not write " << path);
}

/// The bytes gzipped, as a .gz file holds them.
inline Bytes gzip_bytes(const Bytes& bytes) {
  // deflateInit2 with windowBits 15 + 16 writes a gzip header and trailer.
  z_stream z{};
  BOOST_TEST_REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  Bytes out(deflateBound(&z, static_cast<uLong>(bytes.size())) + 64);
  z.next_in = const_cast<Bytes::value_type*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  BOOST_TEST_REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline void write_gz(const std::filesystem::path& path, const Bytes& bytes) {
  write_plain(path, gzip_bytes(bytes));
}

inline Bytes read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// The message of the exception E that f() throws; fails the test if f
/// throws nothing or something else.
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    BOOST_ERROR("threw another exception than expected: " << e.what());
    return {};
  }
  BOOST_ERROR("threw nothing, expected an exception");
  return {};
}

/// Checks that `message` contains every one of `parts`, naming the missing ones.
/// The message is logged (--log_level=message shows it).
inline void check_message(const std::string& message, std::initializer_list<std::string_view> parts) {
  BOOST_TEST_MESSAGE("message: " << message);
  for (const std::string_view part : parts)
    BOOST_CHECK_MESSAGE(message.find(part) != std::string::npos,
                        "message lacks \"" << part << "\": " << message);
}

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_DATA_SUPPORT_HPP

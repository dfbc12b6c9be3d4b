// Tests of fixnet/io/safetensors.hpp: the container round-trips tensors and
// metadata, reads the dtypes PyTorch writes (F64, F16, BF16 converted), and
// refuses every malformed buffer with a message that names what is wrong;
// files are written atomically.
#define BOOST_TEST_MODULE safetensors
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <fixnet/io/safetensors.hpp>

namespace fixnet::tests {
namespace {

namespace st = fixnet::safetensors;

/// A buffer with the given header text and data bytes.
std::vector<std::byte> raw_file(const std::string& header, std::size_t data_bytes) {
  std::vector<std::byte> out(8 + header.size() + data_bytes, std::byte{0});
  const std::uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  return out;
}

/// The message of the ModelFileError that reading `bytes` throws ("" if none).
std::string refusal(const std::vector<std::byte>& bytes) {
  try {
    st::Reader reader(bytes, "test.safetensors");
  } catch (const ModelFileError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

BOOST_AUTO_TEST_SUITE(safetensors)

BOOST_AUTO_TEST_CASE(tensors_and_metadata_round_trip) {
  st::Writer w;
  const std::array<float, 6> a{1, -2, 3.5f, 0, 1e-30f, -7};
  const std::array<double, 2> b{0.1, -1e300};
  const std::array<std::int64_t, 1> c{1234567890123};
  w.add("a", std::span<const float>(a), {2, 3});
  w.add("b", std::span<const double>(b), {2});
  w.add_scalar<std::int64_t>("c", c[0]);
  w.set_metadata("key", "value");
  const std::vector<std::byte> bytes = w.bytes();
  BOOST_TEST(bytes.size() % 8 == 0);  // header padded so tensors stay 8-byte aligned

  st::Reader r(bytes);
  BOOST_TEST(r.tensors().size() == 3u);
  BOOST_TEST(r.metadata("key").value() == "value");
  BOOST_TEST(r.metadata(st::crc_key).has_value());
  std::array<float, 6> a2{};
  const std::size_t shape_a[] = {2, 3};
  r.read("a", shape_a, std::span<float>(a2));
  BOOST_TEST(a2 == a);
  std::array<double, 2> b2{};
  const std::size_t shape_b[] = {2};
  r.read("b", shape_b, std::span<double>(b2));
  BOOST_TEST(b2 == b);
  BOOST_TEST(r.read_scalar<std::int64_t>("c") == c[0]);
  BOOST_TEST(r.info("c").shape.empty());
}

BOOST_AUTO_TEST_CASE(half_and_bfloat16_convert_exactly) {
  BOOST_TEST(st::half_to_float(0x3c00) == 1.0f);
  BOOST_TEST(st::half_to_float(0xc000) == -2.0f);
  BOOST_TEST(st::half_to_float(0x7bff) == 65504.0f);
  BOOST_TEST(st::half_to_float(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
  BOOST_TEST(st::half_to_float(0x03ff) == std::ldexp(1023.0f, -24));  // largest subnormal
  BOOST_TEST(std::signbit(st::half_to_float(0x8000)));
  BOOST_TEST(std::isinf(st::half_to_float(0x7c00)));
  BOOST_TEST(std::isnan(st::half_to_float(0x7e00)));
  BOOST_TEST(st::bfloat16_to_float(0x3f80) == 1.0f);
  BOOST_TEST(st::bfloat16_to_float(0xc040) == -3.0f);

  // A file with F16 and BF16 tensors reads into float.
  const std::string header =
      R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}})";
  std::vector<std::byte> bytes = raw_file(header, 8);
  const std::uint16_t values[] = {0x3c00, 0xb800, 0x3f80, 0x4040};  // 1, -0.5 | 1, 3
  std::memcpy(bytes.data() + 8 + header.size(), values, 8);
  st::Reader r(bytes);
  std::array<float, 2> h{}, b{};
  const std::size_t shape[] = {2};
  r.read("h", shape, std::span<float>(h));
  r.read("b", shape, std::span<float>(b));
  BOOST_TEST(h == (std::array<float, 2>{1.0f, -0.5f}));
  BOOST_TEST(b == (std::array<float, 2>{1.0f, 3.0f}));
}

BOOST_AUTO_TEST_CASE(short_and_truncated_buffers_are_refused) {
  BOOST_TEST(contains(refusal({}), "8-byte header length"));
  std::vector<std::byte> bytes = raw_file("{}", 0);
  const std::uint64_t huge = 1000;
  std::memcpy(bytes.data(), &huge, 8);
  BOOST_TEST(contains(refusal(bytes), "header length of 1000 bytes"));

  // A tensor whose data lie past the end of the buffer.
  const std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  BOOST_TEST(contains(refusal(raw_file(header, 8)), "run past the end of the data"));
}

BOOST_AUTO_TEST_CASE(malformed_headers_are_refused_by_name) {
  BOOST_TEST(contains(refusal(raw_file("{not json", 0)), "malformed JSON"));
  BOOST_TEST(contains(refusal(raw_file("[1, 2]", 0)), "not an object"));
  BOOST_TEST(contains(refusal(raw_file(R"({"w": 3})", 0)), "tensor 'w' whose entry is not an object"));
  BOOST_TEST(contains(refusal(raw_file(R"({"w":{"dtype":"F32","shape":[1]}})", 4)), "without dtype"));
  BOOST_TEST(contains(refusal(raw_file(R"({"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}})", 4)),
                      "unknown dtype 'Q7'"));
  BOOST_TEST(contains(refusal(raw_file(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4)),
                      "non-negative integers"));
  BOOST_TEST(contains(refusal(raw_file(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4)),
                      "span 4 bytes"));
  BOOST_TEST(contains(refusal(raw_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4)),
                      "end before they begin"));
  BOOST_TEST(contains(
      refusal(raw_file(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}})", 4)),
      "overflows"));
  BOOST_TEST(contains(refusal(raw_file(R"({"__metadata__":{"a":1}})", 0)), "metadata 'a' that is not a string"));
  const std::string overlap =
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  BOOST_TEST(contains(refusal(raw_file(overlap, 12)), "overlap"));
}

BOOST_AUTO_TEST_CASE(a_corrupted_data_byte_fails_the_crc) {
  st::Writer w;
  const std::array<float, 3> a{1, 2, 3};
  w.add("a", std::span<const float>(a), {3});
  std::vector<std::byte> bytes = w.bytes();
  bytes.back() ^= std::byte{1};
  BOOST_TEST(contains(refusal(bytes), "CRC-32"));
}

BOOST_AUTO_TEST_CASE(reads_check_shape_and_dtype) {
  st::Writer w;
  const std::array<float, 4> a{1, 2, 3, 4};
  w.add("a", std::span<const float>(a), {2, 2});
  const std::vector<std::byte> bytes = w.bytes();
  st::Reader r(bytes, "m.safetensors");
  std::array<float, 4> out{};
  const std::size_t wrong[] = {4};
  BOOST_CHECK_EXCEPTION(r.read("a", wrong, std::span<float>(out)), ModelFileError, [](const ModelFileError& e) {
    return contains(e.what(), "m.safetensors has tensor 'a' of shape [2, 2], expected [4]");
  });
  std::array<std::int32_t, 4> ints{};
  const std::size_t right[] = {2, 2};
  BOOST_CHECK_EXCEPTION(r.read("a", right, std::span<std::int32_t>(ints)), ModelFileError,
                        [](const ModelFileError& e) { return contains(e.what(), "dtype F32, expected I32"); });
  BOOST_CHECK_EXCEPTION(r.read("b", right, std::span<float>(out)), ModelFileError,
                        [](const ModelFileError& e) { return contains(e.what(), "has no tensor 'b'"); });
}

BOOST_AUTO_TEST_CASE(writer_refuses_repeated_names_and_wrong_shapes) {
  st::Writer w;
  const std::array<float, 2> a{1, 2};
  w.add("a", std::span<const float>(a), {2});
  BOOST_CHECK_THROW(w.add("a", std::span<const float>(a), {2}), std::invalid_argument);
  BOOST_CHECK_THROW(w.add("b", std::span<const float>(a), {3}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(atomic_write_replaces_the_file_and_leaves_no_temporary) {
  const auto dir = std::filesystem::temp_directory_path() / "fixnet_safetensors_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = dir / "f.bin";
  const std::vector<std::byte> first(100, std::byte{1}), second(3, std::byte{2});
  st::write_file_atomically(path, first);
  st::write_file_atomically(path, second);
  BOOST_TEST(st::read_file(path) == second);
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir), {}) == 1);
  // Failures name the path and the reason.
  BOOST_CHECK_EXCEPTION(st::write_file_atomically(dir / "missing" / "f.bin", first), ModelFileError,
                        [](const ModelFileError& e) { return contains(e.what(), "No such file or directory"); });
  BOOST_CHECK_EXCEPTION(st::read_file(dir / "nothing"), ModelFileError,
                        [](const ModelFileError& e) { return contains(e.what(), "cannot open"); });
  BOOST_CHECK_EXCEPTION(st::read_file(dir), ModelFileError,
                        [](const ModelFileError& e) { return contains(e.what(), "not a regular file"); });
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace fixnet::tests

// Tests of fixnet/data/idx.hpp and fixnet/data/mnist.hpp: small IDX files
// written here, gzipped and plain, read back exactly; each kind of bad file
// rejected with a message that names the file, what was expected and what
// was found.
#define BOOST_TEST_MODULE idx
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fixnet/data/idx.hpp>
#include <fixnet/data/mnist.hpp>
#include <fixnet/fixnet.hpp>

#include "data_support.hpp"

namespace fixnet::tests {
namespace {

using data::DataError;
using data::IdxOptions;

// Five images of 2 x 3 pixels and their labels: small enough to check by hand.
constexpr std::uint32_t kCount = 5, kRows = 2, kColumns = 3;
constexpr std::size_t kWidth = kRows * kColumns;
const Bytes kPixels = counting_pixels(kCount, kWidth);
const Bytes kLabels{3, 0, 9, 1, 7};

/// A directory with one images file and one labels file (plain or gzipped),
/// made from the given bytes.
struct Files {
  TempDir dir;
  std::filesystem::path images;
  std::filesystem::path labels;

  Files(const Bytes& image_bytes, const Bytes& label_bytes, bool gz)
      : images(dir / (gz ? "images.gz" : "images")), labels(dir / (gz ? "labels.gz" : "labels")) {
    (gz ? write_gz : write_plain)(images, image_bytes);
    (gz ? write_gz : write_plain)(labels, label_bytes);
  }
};

Files good_files(bool gz) { return Files(idx_images(kCount, kRows, kColumns, kPixels), idx_labels(kLabels), gz); }

template <class T = float>
data::Dataset<T, kWidth> load(const Files& f, const IdxOptions& options = {}) {
  return data::load_idx<T, kWidth>(f.images, f.labels, options);
}

/// load() must throw DataError; returns its message.
std::string load_error(const Files& f, const IdxOptions& options = {}) {
  return message_of<DataError>([&] { load(f, options); });
}

using Net6 = Mlp<Sigmoid, Softmax, kWidth, 4, 10>;

}  // namespace

BOOST_AUTO_TEST_SUITE(idx)

BOOST_AUTO_TEST_CASE(gzipped_and_plain_files_load_the_same_pixels_divided_by_255_and_labels) {
  for (const bool gz : {false, true}) {
    BOOST_TEST_CONTEXT((gz ? "gzipped" : "plain")) {
      const Files f = good_files(gz);
      const auto d = load(f);
      BOOST_TEST(d.size() == kCount);
      BOOST_TEST(d.classes() == 10u);
      for (std::size_t i = 0; i < kCount; ++i) {
        BOOST_TEST(d.label(i) == kLabels[i]);
        for (std::size_t p = 0; p < kWidth; ++p)
          BOOST_TEST(d.row(i)[p] == static_cast<float>(kPixels[i * kWidth + p] / 255.0));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(double_rows_and_a_pixel_divisor_of_one_keep_raw_bytes) {
  const Files f = good_files(true);
  const auto d = load<double>(f, {.pixel_divisor = 1.0});
  for (std::size_t i = 0; i < kCount; ++i)
    for (std::size_t p = 0; p < kWidth; ++p) BOOST_TEST(d.row(i)[p] == double(kPixels[i * kWidth + p]));
}

BOOST_AUTO_TEST_CASE(max_samples_reads_only_the_first_samples) {
  const Files f = good_files(true);
  const auto d = load(f, {.max_samples = 2});
  BOOST_TEST(d.size() == 2u);
  BOOST_TEST(d.label(1) == kLabels[1]);
  BOOST_TEST(d.row(1)[0] == static_cast<float>(kPixels[kWidth] / 255.0));
}

BOOST_AUTO_TEST_CASE(the_network_form_loads_rows_of_net_inputs) {
  const Files f = good_files(false);
  const data::Dataset<float, Net6::inputs> d = data::load_idx<Net6>(f.images, f.labels);
  BOOST_TEST(d.size() == kCount);
}

BOOST_AUTO_TEST_CASE(raw_readers_return_bytes_and_dimensions) {
  const Files f = good_files(true);
  const data::IdxImages images = data::read_idx_images(f.images);
  BOOST_TEST(images.count == kCount);
  BOOST_TEST(images.rows == kRows);
  BOOST_TEST(images.columns == kColumns);
  BOOST_TEST(images.pixels == kPixels, boost::test_tools::per_element());
  BOOST_TEST(data::read_idx_labels(f.labels) == kLabels, boost::test_tools::per_element());
  BOOST_TEST(data::read_idx_images(f.images, 2).pixels.size() == 2 * kWidth);
  BOOST_TEST(data::read_idx_labels(f.labels, 10, 3).size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_named) {
  const Files f = good_files(false);
  const std::string missing = (f.dir / "nope-idx3-ubyte.gz").string();
  const std::string m =
      message_of<DataError>([&] { data::load_idx<float, kWidth>(missing, f.labels); });
  check_message(m, {"fixnet: ", missing, "no such file", "expected an IDX image file"});
  const std::string m2 =
      message_of<DataError>([&] { data::load_idx<float, kWidth>(f.images, f.dir / "nolabels"); });
  check_message(m2, {"nolabels", "no such file", "expected an IDX label file"});
}

BOOST_AUTO_TEST_CASE(a_directory_is_not_a_file) {
  const Files f = good_files(false);
  check_message(message_of<DataError>([&] { data::load_idx<float, kWidth>(f.dir.path(), f.labels); }),
                {f.dir.path().string(), "is a directory"});
}

// Issue 15: a FIFO was reported as missing (and opening it waits for a
// writer); a device is not a data file either.
BOOST_AUTO_TEST_CASE(a_fifo_or_a_device_is_named_as_not_a_regular_file) {
  const Files f = good_files(false);
  const std::filesystem::path fifo = f.dir / "fifo";
  BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  check_message(message_of<DataError>([&] { data::load_idx<float, kWidth>(fifo, f.labels); }),
                {fifo.string(), "is a FIFO, not a regular file", "expected an IDX image file"});
  check_message(message_of<DataError>([&] { data::read_idx_labels(fifo); }),
                {fifo.string(), "is a FIFO, not a regular file", "expected an IDX label file"});
  check_message(message_of<DataError>([&] { data::read_idx_labels("/dev/null"); }),
                {"/dev/null", "is a character device, not a regular file"});
}

// Issue 15: a forged count on a real file reserved memory for the count
// (43 GB for MNIST's 9.8 MB training images) and failed with std::bad_alloc
// naming no file. Now the count is checked against the file's size first.
BOOST_AUTO_TEST_CASE(a_forged_count_fails_by_name_before_any_allocation) {
  for (const bool gz : {false, true}) {
    BOOST_TEST_CONTEXT((gz ? "gzipped" : "plain")) {
      // 4e9 images of 2 x 3 pixels on a file that holds five: 24 GB of
      // pixels, 96 GB of float rows.
      Bytes images = idx_images(4000000000u, kRows, kColumns, kPixels);
      const Files f(images, idx_labels(kLabels), gz);
      const std::string m = message_of<DataError>([&] { data::read_idx_images(f.images); });
      check_message(m, {f.images.string(), "truncated", "expected 24000000000 bytes of pixels",
                        "4000000000 images of 2 x 3", "16-byte header"});
      if (!gz) check_message(m, {"got 30 (the file is 46 bytes"});
      if (gz) check_message(m, {"more than a gzip file of"});
      Bytes labels = idx_labels(kLabels);
      labels[4] = 0xEE;  // count 0xEE000005
      const Files g(idx_images(kCount, kRows, kColumns, kPixels), labels, gz);
      check_message(message_of<DataError>([&] { data::read_idx_labels(g.labels); }),
                    {g.labels.string(), "truncated", "expected 3992977413 bytes of labels"});
      // The whole loader: the labels' count disagrees first; make both agree.
      Bytes forged_labels = idx_labels(kLabels);
      forged_labels[4] = 0xEE;
      Bytes forged_images = idx_images(0xEE000005u, kRows, kColumns, kPixels);
      const Files h(forged_images, forged_labels, gz);
      check_message(load_error(h), {"truncated", "bytes of labels"});
    }
  }
}

BOOST_AUTO_TEST_CASE(an_empty_file_says_what_it_should_start_with) {
  const Files f(Bytes{}, idx_labels(kLabels), true);
  check_message(load_error(f), {f.images.string(), "empty file", "0x00000803"});
}

BOOST_AUTO_TEST_CASE(a_wrong_magic_number_is_reported_with_both_values) {
  for (const bool gz : {false, true}) {
    BOOST_TEST_CONTEXT((gz ? "gzipped" : "plain")) {
      const Files f(idx_images(kCount, kRows, kColumns, kPixels, 0x12345678), idx_labels(kLabels), gz);
      check_message(load_error(f), {f.images.string(), "wrong magic number", "expected 0x00000803",
                                    "found 0x12345678", "not an IDX file"});
    }
  }
}

BOOST_AUTO_TEST_CASE(swapped_images_and_labels_are_recognised_by_their_magic) {
  const Files f = good_files(true);
  const std::string m =
      message_of<DataError>([&] { data::load_idx<float, kWidth>(f.labels, f.images); });
  check_message(m, {f.labels.string(), "wrong magic number", "expected 0x00000803", "found 0x00000801",
                    "swapped"});
  Files g(idx_images(kCount, kRows, kColumns, kPixels), idx_images(kCount, kRows, kColumns, kPixels), false);
  check_message(load_error(g), {g.labels.string(), "expected 0x00000801", "found 0x00000803"});
}

BOOST_AUTO_TEST_CASE(an_element_type_other_than_unsigned_byte_is_named) {
  const Files f(idx_images(kCount, kRows, kColumns, kPixels, 0x00000D03), idx_labels(kLabels), false);
  check_message(load_error(f), {"wrong magic number", "found 0x00000D03", "0x0D (float)", "unsigned bytes"});
}

BOOST_AUTO_TEST_CASE(a_wrong_dimension_count_is_reported) {
  // 0x00000802: two dimensions (a matrix), where images need three.
  Bytes two_dims;
  put_u32(two_dims, 0x00000802);
  put_u32(two_dims, kCount);
  put_u32(two_dims, kWidth);
  two_dims.insert(two_dims.end(), kPixels.begin(), kPixels.end());
  const Files f(two_dims, idx_labels(kLabels), true);
  check_message(load_error(f), {f.images.string(), "wrong number of dimensions", "expected 3",
                                "count, rows, columns", "found 2"});
}

BOOST_AUTO_TEST_CASE(a_truncated_header_is_reported) {
  Bytes header = idx_images(kCount, kRows, kColumns, {});
  header.resize(9);
  const Files f(header, idx_labels(kLabels), false);
  check_message(load_error(f), {"truncated header", "expected 12 bytes", "got 5"});
}

BOOST_AUTO_TEST_CASE(a_truncated_payload_gives_expected_and_found_sizes) {
  for (const bool gz : {false, true}) {
    BOOST_TEST_CONTEXT((gz ? "gzipped" : "plain")) {
      Bytes images = idx_images(kCount, kRows, kColumns, kPixels);
      images.resize(images.size() - 13);  // 30 - 13 = 17 bytes of pixels left
      const Files f(images, idx_labels(kLabels), gz);
      check_message(load_error(f), {f.images.string(), "truncated", "expected 30 bytes of pixels",
                                    "5 images of 2 x 3", "16-byte header", "got 17"});
      Bytes labels = idx_labels(kLabels);
      labels.pop_back();
      const Files g(idx_images(kCount, kRows, kColumns, kPixels), labels, gz);
      check_message(load_error(g), {g.labels.string(), "truncated", "expected 5 bytes of labels",
                                    "8-byte header", "got 4"});
    }
  }
}

BOOST_AUTO_TEST_CASE(a_gzip_stream_cut_short_is_truncated) {
  const Files f = good_files(true);
  Bytes gz = read_bytes(f.images);
  gz.resize(gz.size() - 12);  // the 8-byte trailer and some deflate data
  write_plain(f.images, gz);
  check_message(load_error(f), {f.images.string(), "truncated", "expected 30 bytes", "gzip stream ends early"});
}

// Found while building the fuzzers' seed corpus: a gzip file cut inside its
// 8-byte trailer still yields all the data, and was accepted without its
// CRC-32 and length ever being checked.
BOOST_AUTO_TEST_CASE(a_gzip_stream_cut_in_its_trailer_is_truncated) {
  const Files f = good_files(true);
  // One file at a time cut, through load and through that file's reader,
  // then restored.
  const auto check_cuts = [&](const std::filesystem::path& file, auto read) {
    const Bytes whole = read_bytes(file);
    for (std::size_t cut = 1; cut <= 8; ++cut) {
      BOOST_TEST_CONTEXT("cut " << cut << " bytes") {
        Bytes bytes = whole;
        bytes.resize(bytes.size() - cut);
        write_plain(file, bytes);
        check_message(load_error(f), {file.string(), "truncated", "gzip stream ends early"});
        check_message(message_of<DataError>([&] { read(file); }),
                      {file.string(), "truncated", "gzip stream ends early"});
        write_plain(file, whole);
      }
    }
  };
  check_cuts(f.images, [](const std::filesystem::path& file) { data::read_idx_images(file); });
  check_cuts(f.labels, [](const std::filesystem::path& file) { data::read_idx_labels(file); });
  BOOST_TEST(load(f).size() == kCount);  // the whole files still load
}

// Issue 15: zlib's gzread ignored whatever followed the gzip stream. After a
// member's trailer comes another member (concatenated gzip files are valid
// gzip) or the end of the file; anything else is refused by name.
BOOST_AUTO_TEST_CASE(bytes_after_the_gzip_stream_are_refused_unless_another_member) {
  const Files f = good_files(true);
  const Bytes images_gz = read_bytes(f.images);
  const Bytes labels_gz = read_bytes(f.labels);
  for (const Bytes& junk : {Bytes{'j', 'u', 'n', 'k'}, Bytes{0}, Bytes(512, 0), Bytes{0x1F},
                            Bytes{0x1F, 0x00}}) {
    BOOST_TEST_CONTEXT(junk.size() << " bytes of junk, first " << int(junk[0])) {
      Bytes images = images_gz;
      images.insert(images.end(), junk.begin(), junk.end());
      write_plain(f.images, images);
      const std::string expected = std::to_string(junk.size()) + (junk.size() == 1 ? " byte" : " bytes") +
                                   " of trailing data after the end of the gzip stream";
      check_message(load_error(f), {f.images.string(), expected});
      check_message(message_of<DataError>([&] { data::read_idx_images(f.images); }),
                    {f.images.string(), expected});
      write_plain(f.images, images_gz);

      Bytes labels = labels_gz;
      labels.insert(labels.end(), junk.begin(), junk.end());
      write_plain(f.labels, labels);
      check_message(load_error(f), {f.labels.string(), expected});
      write_plain(f.labels, labels_gz);
    }
  }
  // Two members, the header and some pixels in the first, the rest in the
  // second: the same data.
  const Bytes whole = idx_images(kCount, kRows, kColumns, kPixels);
  const TempDir parts;
  write_gz(parts / "a.gz", Bytes(whole.begin(), whole.begin() + 20));
  write_gz(parts / "b.gz", Bytes(whole.begin() + 20, whole.end()));
  Bytes two = read_bytes(parts / "a.gz");
  const Bytes second = read_bytes(parts / "b.gz");
  two.insert(two.end(), second.begin(), second.end());
  write_plain(f.images, two);
  const auto two_members = load(f);
  write_plain(f.images, images_gz);
  const auto one_member = load(f);
  BOOST_TEST_REQUIRE(two_members.size() == kCount);
  for (std::size_t i = 0; i < kCount; ++i) BOOST_TEST((two_members.row(i) == one_member.row(i)));
  // ... and junk after the second member is refused too.
  two.push_back('x');
  write_plain(f.images, two);
  check_message(load_error(f), {f.images.string(), "1 byte of trailing data"});
}

BOOST_AUTO_TEST_CASE(a_corrupt_gzip_stream_is_reported_as_such) {
  // Incompressible data, so that the deflate stream is long enough to flip
  // bytes in the middle of.
  Bytes pixels(1000 * kWidth);
  std::uint32_t x = 12345;
  for (auto& b : pixels) b = static_cast<std::uint8_t>((x = x * 1664525u + 1013904223u) >> 24);
  const Bytes images = idx_images(1000, kRows, kColumns, pixels);
  Bytes labels(1000, 1);
  const Files f(images, idx_labels(labels), true);
  const Bytes good = read_bytes(f.images);
  // 1. the CRC in the trailer is wrong; 2. the deflate data is damaged.
  Bytes bad_crc = good;
  bad_crc[bad_crc.size() - 6] ^= 0xFF;
  write_plain(f.images, bad_crc);
  check_message(load_error(f), {f.images.string(), "corrupt gzip stream", "zlib: incorrect data check"});
  Bytes bad_data = good;
  for (std::size_t i = bad_data.size() / 2; i < bad_data.size() / 2 + 16; ++i) bad_data[i] ^= 0x5A;
  write_plain(f.images, bad_data);
  check_message(load_error(f), {f.images.string(), "corrupt gzip stream", "zlib: "});
}

BOOST_AUTO_TEST_CASE(a_file_longer_than_its_header_says_is_rejected) {
  Bytes images = idx_images(kCount, kRows, kColumns, kPixels);
  images.push_back(0);
  const Files f(images, idx_labels(kLabels), true);
  check_message(load_error(f), {f.images.string(), "expected exactly 30 bytes of pixels", "found more"});
}

BOOST_AUTO_TEST_CASE(image_and_label_counts_must_agree) {
  const Files f(idx_images(kCount, kRows, kColumns, kPixels), idx_labels({1, 2, 3, 4}), false);
  check_message(load_error(f), {"image/label count mismatch", f.images.string(), "holds 5 images",
                                f.labels.string(), "holds 4 labels"});
}

BOOST_AUTO_TEST_CASE(a_label_out_of_range_is_named_with_its_sample) {
  const Files f(idx_images(kCount, kRows, kColumns, kPixels), idx_labels({1, 2, 3, 10, 4}), true);
  check_message(load_error(f), {f.labels.string(), "label 10 of sample 3", "out of range", "from 0 to 9"});
  // With three classes, label 3 is already out of range.
  const Files g(idx_images(kCount, kRows, kColumns, kPixels), idx_labels({0, 1, 2, 3, 0}), true);
  check_message(load_error(g, {.classes = 3}), {"label 3 of sample 3", "from 0 to 2", "(3 classes)"});
  BOOST_TEST(load(g, {.classes = 4}).classes() == 4u);
}

BOOST_AUTO_TEST_CASE(images_that_do_not_fit_the_network_name_net_inputs) {
  const Files f = good_files(true);
  using Net4 = Mlp<Sigmoid, Softmax, 4, 3, 10>;
  const std::string m = message_of<DataError>([&] { data::load_idx<Net4>(f.images, f.labels); });
  check_message(m, {f.images.string(), "images are 2 x 3 = 6 pixels", "expected 4 values per sample",
                    "Net::inputs"});
  const std::string m2 = message_of<DataError>([&] { data::load_idx<float, 7>(f.images, f.labels); });
  check_message(m2, {"6 pixels", "expected 7 values per sample", "Width"});
}

BOOST_AUTO_TEST_CASE(bad_options_are_invalid_arguments) {
  const Files f = good_files(false);
  BOOST_CHECK_THROW(load(f, {.classes = 0}), std::invalid_argument);
  BOOST_CHECK_THROW(load(f, {.classes = 257}), std::invalid_argument);
  BOOST_CHECK_THROW(load(f, {.pixel_divisor = 0.0}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(load_mnist_reads_both_parts_from_a_directory_of_mnist_names) {
  TempDir dir;
  // Training part gzipped, test part plain: each file may be either.
  write_gz(dir / "train-images-idx3-ubyte.gz", idx_images(kCount, kRows, kColumns, kPixels));
  write_gz(dir / "train-labels-idx1-ubyte.gz", idx_labels(kLabels));
  write_plain(dir / "t10k-images-idx3-ubyte", idx_images(2, kRows, kColumns, counting_pixels(2, kWidth)));
  write_plain(dir / "t10k-labels-idx1-ubyte", idx_labels({4, 5}));
  const auto both = data::load_mnist<Net6>(dir.path());
  BOOST_TEST(both.train.size() == kCount);
  BOOST_TEST(both.test.size() == 2u);
  BOOST_TEST(both.test.label(1) == 5);
  const auto test = data::load_mnist<Net6>(data::mnist_files(dir.path()), data::MnistPart::test);
  BOOST_TEST((test == both.test));

  std::filesystem::remove(dir / "t10k-labels-idx1-ubyte");
  check_message(message_of<DataError>([&] { data::load_mnist<Net6>(dir.path()); }),
                {dir.path().string(), "missing t10k-labels-idx1-ubyte(.gz)", "expected the four files"});
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

// libFuzzer target: IDX files from untrusted bytes (fixnet/data/idx.hpp),
// plain or gzipped.
//
// The IDX readers take paths: they detect gzip by its magic bytes, inflate
// it with their own zlib inflate loop (plain files are read as they are),
// and the file's size bounds how much is reserved up front. An in-memory
// entry point would need a second reading path, and fuzzing that would not
// test what users run. So each input is written to an
// anonymous in-memory file (memfd) and read through its /proc/self/fd path:
// the real entry points, with no disk I/O.
//
// Every reader is run on the input: the raw image and label readers (whole,
// and cut to their first sample), and, when the input is a valid file of 2 x 2
// images, `load_idx` into a data set with labels made to match. Only
// `fixnet::data::DataError` is expected: any other exception, a crash, a
// sanitizer report or a leak is a finding, and so is a data set that differs
// from what the raw reader returned.
//
// Built and run by run_fuzzer.py (see docs/fuzzing.md), with clang++
// -fsanitize=fuzzer,address,undefined.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include <fixnet/data/idx.hpp>

namespace {

namespace data = fixnet::data;

/// A broken promise of the API: reported like a crash, with a message.
[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "idx_fuzzer: %s\n", what);
  std::abort();
}

/// An anonymous in-memory file, rewritten for each input and opened by the
/// readers through its /proc path. One per process, kept open throughout.
class MemoryFile {
 public:
  explicit MemoryFile(const char* name) : fd_(::memfd_create(name, MFD_CLOEXEC)) {
    if (fd_ < 0) {
      std::perror("idx_fuzzer: memfd_create");
      std::abort();
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  /// Replaces the contents with `size` bytes at `data`.
  void write(const void* data, std::size_t size) {
    if (::ftruncate(fd_, 0) != 0) fail("ftruncate");
    const auto* p = static_cast<const char*>(data);
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, p + done, size - done, static_cast<off_t>(done));
      if (n <= 0) fail("pwrite");
      done += static_cast<std::size_t>(n);
    }
  }

  const std::string& path() const noexcept { return path_; }

 private:
  [[noreturn]] static void fail(const char* call) {
    std::perror(call);
    std::abort();
  }

  int fd_;
  std::string path_;
};

constexpr std::size_t kRows = 2, kColumns = 2, kWidth = kRows * kColumns;

/// load_idx on the input's 2 x 2 images (already read raw as `raw`), with
/// labels 0, 1, ..., 9, 0, ... for all of them: its rows must be the raw
/// pixels divided by 255.
void load_as_dataset(const std::string& images, const data::IdxImages& raw, MemoryFile& labels) {
  std::vector<std::uint8_t> label_file{0, 0, 8, 1};
  for (int shift = 24; shift >= 0; shift -= 8)
    label_file.push_back(static_cast<std::uint8_t>(raw.count >> shift));
  for (std::size_t i = 0; i < raw.count; ++i)
    label_file.push_back(static_cast<std::uint8_t>(i % 10));
  labels.write(label_file.data(), label_file.size());

  for (const std::size_t max_samples : {std::numeric_limits<std::size_t>::max(), std::size_t{1}}) {
    data::IdxOptions options;
    options.max_samples = max_samples;
    const data::Dataset<float, kWidth> set =
        data::load_idx<float, kWidth>(images, labels.path(), options);
    const std::size_t n = std::min(raw.count, max_samples);
    if (set.size() != n) finding("load_idx and read_idx_images disagree on the number of images");
    for (std::size_t i = 0; i < n; ++i) {
      if (set.label(i) != i % 10) finding("load_idx returned labels other than the file's");
      for (std::size_t p = 0; p < kWidth; ++p)
        if (set.row(i)[p] != static_cast<float>(raw.pixels[i * kWidth + p] / 255.0))
          finding("load_idx and read_idx_images disagree on a pixel");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static MemoryFile input("fixnet-idx-fuzz");
  static MemoryFile labels("fixnet-idx-fuzz-labels");
  input.write(data, size);
  const std::string& path = input.path();

  // A whole file that reads must read as well cut to its first sample, and
  // agree with it there.
  std::optional<data::IdxImages> first;
  try {
    first = data::read_idx_images(path, 1);
  } catch (const data::DataError&) {
  }
  try {
    const data::IdxImages images = data::read_idx_images(path);
    if (images.pixels.size() != images.count * images.rows * images.columns)
      finding("read_idx_images returned a pixel count other than its dimensions say");
    if (!first || first->count != std::min<std::size_t>(images.count, 1) ||
        !std::equal(first->pixels.begin(), first->pixels.end(), images.pixels.begin()))
      finding("read_idx_images with max_images = 1 differs from the whole file's first image");
    if (images.rows == kRows && images.columns == kColumns) load_as_dataset(path, images, labels);
  } catch (const data::DataError&) {
  }

  for (const std::size_t classes : {std::size_t{10}, std::size_t{256}}) {
    std::optional<std::vector<std::uint8_t>> first_label;
    try {
      first_label = data::read_idx_labels(path, classes, 1);
    } catch (const data::DataError&) {
    }
    try {
      const std::vector<std::uint8_t> all = data::read_idx_labels(path, classes);
      if (!first_label || first_label->size() != std::min<std::size_t>(all.size(), 1) ||
          !std::equal(first_label->begin(), first_label->end(), all.begin()))
        finding("read_idx_labels with max_labels = 1 differs from the whole file's first label");
    } catch (const data::DataError&) {
    }
  }
  return 0;
}

// fixnet — finding the MNIST family's files on this machine.
//
//   // --data DIR, else $FIXNET_DATA, else Debian's Fashion-MNIST:
//   const fixnet::data::DataLocation where = fixnet::data::locate_data(flags.data);
//   std::cout << "data: " << where.describe() << '\n';
//   auto mnist = fixnet::data::load_mnist<Net>(where.files);  // fixnet/data/mnist.hpp
//
// The search order, first match wins:
//   1. a directory given explicitly (the examples' `--data DIR` flag);
//   2. the directory named by the environment variable `FIXNET_DATA`;
//   3. `/usr/share/datasets/fashion-mnist`, where Debian's package
//      `dataset-fashion-mnist` installs Fashion-MNIST (`apt install
//      dataset-fashion-mnist`).
// A directory matches when it holds the four files of the MNIST
// distribution, each gzipped or not: train-images-idx3-ubyte(.gz),
// train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz),
// t10k-labels-idx1-ubyte(.gz). A directory that was named explicitly (rules 1
// and 2) and lacks them is an error, not skipped: quietly training on another
// data set than the one asked for would be worse.
#ifndef FIXNET_DATA_LOCATE_HPP
#define FIXNET_DATA_LOCATE_HPP

#include <array>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "fixnet/data/error.hpp"

namespace fixnet::data {

/// The four files of an MNIST-format data set.
struct MnistFiles {
  std::filesystem::path train_images;
  std::filesystem::path train_labels;
  std::filesystem::path test_images;
  std::filesystem::path test_labels;
};

/// The file names of the MNIST distribution (without ".gz"), in the order of
/// `MnistFiles`'s members. Fashion-MNIST uses the same names.
inline constexpr std::array<const char*, 4> mnist_file_names{
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"};

/// Which rule of the search order chose a directory.
enum class DataRule {
  /// Given explicitly (`--data DIR`).
  given,
  /// Named by the environment variable (`FIXNET_DATA`).
  environment,
  /// A system-wide install (Debian's `dataset-fashion-mnist`).
  system,
};

/// Where `locate_data` found the data, and why there.
struct DataLocation {
  std::filesystem::path directory;
  DataRule rule;
  /// The variable's name for `DataRule::environment` ("FIXNET_DATA").
  std::string environment_variable;
  MnistFiles files;

  /// One line for a program's output: "/data/mnist (from --data)",
  /// "/data/mnist (from $FIXNET_DATA)", "/usr/share/datasets/fashion-mnist
  /// (system-wide install)".
  std::string describe() const {
    switch (rule) {
      case DataRule::given: return directory.string() + " (from --data)";
      case DataRule::environment: return directory.string() + " (from $" + environment_variable + ")";
      case DataRule::system: break;
    }
    return directory.string() + " (system-wide install)";
  }
};

/// Where `locate_data` looks, after a directory given explicitly.
struct LocateOptions {
  /// Rule 2: the environment variable naming a directory (ignored when unset
  /// or empty; an empty name skips the rule).
  std::string environment_variable = "FIXNET_DATA";
  /// Rule 3: system-wide installs, tried in order (none skips the rule).
  std::vector<std::filesystem::path> system_directories{"/usr/share/datasets/fashion-mnist"};
};

namespace detail {

/// `dir/name.gz` if it is a file, else `dir/name` if it is a file.
inline std::optional<std::filesystem::path> find_idx_file(const std::filesystem::path& dir,
                                                          const std::string& name) {
  std::error_code ec;
  for (const std::filesystem::path& candidate : {dir / (name + ".gz"), dir / name})
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  return std::nullopt;
}

/// What is wrong with `dir` as a data directory, or "" when nothing is.
inline std::string data_directory_problem(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return "no such directory";
  if (!std::filesystem::is_directory(dir, ec)) return "not a directory";
  std::string missing;
  for (const char* name : mnist_file_names)
    if (!find_idx_file(dir, name)) missing += std::string(missing.empty() ? "" : ", ") + name + "(.gz)";
  return missing.empty() ? "" : "missing " + missing;
}

inline std::string expected_files_text() {
  std::string text = "expected the four files ";
  for (std::size_t i = 0; i < mnist_file_names.size(); ++i)
    text += std::string(i == 0 ? "" : i + 1 == mnist_file_names.size() ? " and " : ", ") +
            mnist_file_names[i];
  return text + ", each gzipped (.gz) or not, in one directory";
}

}  // namespace detail

/// The four files in `dir`, each as name.gz or, failing that, name; nothing
/// if any is missing.
inline std::optional<MnistFiles> find_mnist_files(const std::filesystem::path& dir) {
  const auto train_images = detail::find_idx_file(dir, mnist_file_names[0]);
  const auto train_labels = detail::find_idx_file(dir, mnist_file_names[1]);
  const auto test_images = detail::find_idx_file(dir, mnist_file_names[2]);
  const auto test_labels = detail::find_idx_file(dir, mnist_file_names[3]);
  if (!train_images || !train_labels || !test_images || !test_labels) return std::nullopt;
  return MnistFiles{*train_images, *train_labels, *test_images, *test_labels};
}

/// The four files in `dir`; throws `DataError` naming the directory and the
/// missing files if they are not all there.
inline MnistFiles mnist_files(const std::filesystem::path& dir) {
  if (auto files = find_mnist_files(dir)) return *files;
  throw DataError("fixnet: " + dir.string() + ": " + detail::data_directory_problem(dir) + "; " +
                  detail::expected_files_text());
}

/// Finds the data directory by the search order at the top of this header:
/// `given` (empty: not given), then the environment variable, then the
/// system directories. Returns the directory, its files and the rule that
/// chose it. Throws `DataError` when no rule finds the files, listing every
/// place looked at, what was wrong with each, the file names expected and
/// how to provide them; or when a directory named explicitly (rule 1 or 2)
/// lacks them, without looking further.
inline DataLocation locate_data(const std::filesystem::path& given = {},
                                const LocateOptions& options = {}) {
  std::string looked;
  std::size_t step = 0;
  const auto note = [&](const std::string& place, const std::string& problem) {
    looked += "\n  " + std::to_string(++step) + ". " + place + ": " + problem;
  };
  const auto fail = [&](const std::string& why) {
    std::string expected = detail::expected_files_text();
    expected[0] = 'E';
    return DataError("fixnet: " + why + "; looked in, in order:" + looked + "\n" + expected +
                     ". Give the directory with --data DIR" +
                     (options.environment_variable.empty()
                          ? std::string()
                          : " or set $" + options.environment_variable + " to it") +
                     ", or install Fashion-MNIST with `apt install dataset-fashion-mnist`.");
  };

  if (!given.empty()) {
    if (auto files = find_mnist_files(given)) return {given, DataRule::given, {}, *files};
    note("the directory given (--data) " + given.string(), detail::data_directory_problem(given));
    throw fail("no MNIST-format data in the directory given");
  }
  note("a directory given with --data", "none given");

  if (!options.environment_variable.empty()) {
    const std::string var = "$" + options.environment_variable;
    const char* value = std::getenv(options.environment_variable.c_str());
    if (value != nullptr && *value != '\0') {
      const std::filesystem::path dir(value);
      if (auto files = find_mnist_files(dir))
        return {dir, DataRule::environment, options.environment_variable, *files};
      note(var + " = " + dir.string(), detail::data_directory_problem(dir));
      throw fail("no MNIST-format data in the directory " + var + " names");
    }
    note(var, "not set");
  }

  for (const auto& dir : options.system_directories) {
    if (auto files = find_mnist_files(dir)) return {dir, DataRule::system, {}, *files};
    note(dir.string() + " (system-wide install)", detail::data_directory_problem(dir));
  }
  throw fail("no MNIST-format data found");
}

}  // namespace fixnet::data

#endif  // FIXNET_DATA_LOCATE_HPP

// Tests of fixnet/data/locate.hpp: the search order (given directory, then
// the environment variable, then system directories), gzipped or plain
// names, and errors that list every place looked at and the files expected.
// Uses its own environment variable and temporary directories, so that it
// depends on nothing installed on the machine.
#define BOOST_TEST_MODULE locate
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <fixnet/data/locate.hpp>

#include "data_support.hpp"

namespace fixnet::tests {
namespace {

using data::DataError;
using data::DataRule;

constexpr const char* kVariable = "FIXNET_LOCATE_TEST_DATA";

/// A directory holding the four files (empty: locating does not read them).
struct DataDir {
  TempDir dir;
  explicit DataDir(bool gz = true) {
    for (const char* name : data::mnist_file_names)
      write_plain(dir / (std::string(name) + (gz ? ".gz" : "")), {});
  }
};

/// Sets the test's variable for the lifetime of the object.
struct Env {
  explicit Env(const std::string& value) { ::setenv(kVariable, value.c_str(), 1); }
  ~Env() { ::unsetenv(kVariable); }
};

data::LocateOptions options(std::vector<std::filesystem::path> system = {}) {
  return {.environment_variable = kVariable, .system_directories = std::move(system)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(locate)

BOOST_AUTO_TEST_CASE(a_given_directory_comes_first) {
  DataDir given, env_dir, system;
  Env env(env_dir.dir.path().string());
  const auto where = data::locate_data(given.dir.path(), options({system.dir.path()}));
  BOOST_TEST(where.directory == given.dir.path());
  BOOST_TEST((where.rule == DataRule::given));
  BOOST_TEST(where.files.train_images == given.dir / "train-images-idx3-ubyte.gz");
  BOOST_TEST(where.files.test_labels == given.dir / "t10k-labels-idx1-ubyte.gz");
  BOOST_TEST(where.describe() == given.dir.path().string() + " (from --data)");
}

BOOST_AUTO_TEST_CASE(the_environment_variable_comes_next) {
  DataDir env_dir, system;
  Env env(env_dir.dir.path().string());
  const auto where = data::locate_data({}, options({system.dir.path()}));
  BOOST_TEST(where.directory == env_dir.dir.path());
  BOOST_TEST((where.rule == DataRule::environment));
  BOOST_TEST(where.describe() == env_dir.dir.path().string() + " (from $" + kVariable + ")");
}

BOOST_AUTO_TEST_CASE(system_directories_come_last_in_their_order) {
  DataDir second;
  TempDir empty;
  ::unsetenv(kVariable);
  const auto where =
      data::locate_data({}, options({"/nonexistent/fixnet", empty.path(), second.dir.path()}));
  BOOST_TEST(where.directory == second.dir.path());
  BOOST_TEST((where.rule == DataRule::system));
  BOOST_TEST(where.describe() == second.dir.path().string() + " (system-wide install)");
  // An empty variable counts as unset.
  Env env("");
  BOOST_TEST((data::locate_data({}, options({second.dir.path()})).rule == DataRule::system));
}

BOOST_AUTO_TEST_CASE(plain_files_are_found_and_gzipped_ones_preferred) {
  DataDir plain(false);
  BOOST_TEST(data::locate_data(plain.dir.path(), options()).files.train_labels ==
             plain.dir / "train-labels-idx1-ubyte");
  write_plain(plain.dir / "train-labels-idx1-ubyte.gz", {});
  BOOST_TEST(data::locate_data(plain.dir.path(), options()).files.train_labels ==
             plain.dir / "train-labels-idx1-ubyte.gz");
}

BOOST_AUTO_TEST_CASE(a_given_directory_without_the_files_is_an_error_not_skipped) {
  DataDir env_dir;
  TempDir partial;
  write_plain(partial / "train-images-idx3-ubyte.gz", {});
  write_plain(partial / "t10k-images-idx3-ubyte", {});
  Env env(env_dir.dir.path().string());
  const std::string m =
      message_of<DataError>([&] { data::locate_data(partial.path(), options()); });
  check_message(m, {"no MNIST-format data in the directory given", partial.path().string(),
                    "missing train-labels-idx1-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)",
                    "Expected the four files train-images-idx3-ubyte"});
  BOOST_TEST(m.find(env_dir.dir.path().string()) == std::string::npos);  // not looked further
  check_message(message_of<DataError>([&] { data::locate_data("/nonexistent/fixnet", options()); }),
                {"/nonexistent/fixnet: no such directory"});
}

BOOST_AUTO_TEST_CASE(a_variable_naming_a_directory_without_the_files_is_an_error) {
  TempDir empty;
  DataDir system;
  Env env(empty.path().string());
  const std::string m =
      message_of<DataError>([&] { data::locate_data({}, options({system.dir.path()})); });
  check_message(m, {std::string("$") + kVariable + " = " + empty.path().string(), "missing train-images"});
}

BOOST_AUTO_TEST_CASE(when_nothing_is_found_every_place_is_listed) {
  ::unsetenv(kVariable);
  TempDir empty;
  const std::string m = message_of<DataError>(
      [&] { data::locate_data({}, options({"/nonexistent/fixnet", empty.path()})); });
  check_message(m, {"no MNIST-format data found", "1. a directory given with --data: none given",
                    std::string("2. $") + kVariable + ": not set",
                    "3. /nonexistent/fixnet (system-wide install): no such directory",
                    "4. " + empty.path().string() + " (system-wide install): missing train-images",
                    "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte", "gzipped (.gz) or not",
                    "apt install dataset-fashion-mnist"});
}

BOOST_AUTO_TEST_CASE(the_default_order_ends_at_debians_fashion_mnist) {
  const data::LocateOptions defaults;
  BOOST_TEST(defaults.environment_variable == "FIXNET_DATA");
  BOOST_TEST(defaults.system_directories.size() == 1u);
  BOOST_TEST(defaults.system_directories.front() == "/usr/share/datasets/fashion-mnist");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

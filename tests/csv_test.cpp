// Tests of fixnet/data/csv.hpp: CSV files into classification and regression
// data sets, columns by name or index, and an error naming the file, line
// and column for every kind of bad input.
#define BOOST_TEST_MODULE csv
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <fixnet/fixnet.hpp>

namespace fixnet::tests {
namespace {

using Net = Mlp<Tanh, Softmax, 2, 4, 3>;
using Fit = Mlp<Tanh, Identity, 2, 4, 1>;

/// A scratch file holding `text`, removed at the end of the test.
struct CsvFile {
  std::filesystem::path path;
  explicit CsvFile(const std::string& text) {
    char name[] = "/tmp/fixnet_csv_XXXXXX";
    const int fd = mkstemp(name);
    BOOST_REQUIRE(fd >= 0);
    close(fd);
    path = name;
    std::ofstream(path, std::ios::binary) << text;
  }
  ~CsvFile() { std::filesystem::remove(path); }
};

/// The DataError message of loading `text` with `options`.
template <class Load>
std::string error_of(const std::string& text, Load load) {
  const CsvFile f(text);
  try {
    load(f.path);
  } catch (const data::DataError& e) {
    const std::string m = e.what();
    // Every message names the file.
    BOOST_TEST(m.find(f.path.string()) != std::string::npos, m);
    return m;
  }
  return "(no error)";
}

std::string classification_error(const std::string& text, const data::CsvOptions& options = {}) {
  return error_of(text, [&](const auto& path) { data::load_csv<Net>(path, options); });
}

#define CHECK_CONTAINS(text, part) BOOST_TEST((text).find(part) != std::string::npos, text)

BOOST_AUTO_TEST_CASE(a_classification_file_loads_features_and_labels) {
  const CsvFile f("x,y,class\n0.5,-1,2\n1e-3,+4,0\r\n\"7\",8,1\n");
  const data::Dataset<float, 2> d = data::load_csv<Net>(f.path);
  BOOST_TEST(d.size() == 3u);
  BOOST_TEST(d.classes() == 3u);  // one more than the largest label
  BOOST_TEST(d.row(0)[0] == 0.5f);
  BOOST_TEST(d.row(0)[1] == -1.0f);
  BOOST_TEST(d.row(1)[0] == 1e-3f);
  BOOST_TEST(d.row(1)[1] == 4.0f);
  BOOST_TEST(d.row(2)[0] == 7.0f);  // quoted
  BOOST_TEST(d.label(0) == 2);
  BOOST_TEST(d.label(1) == 0);
  BOOST_TEST(d.label(2) == 1);
}

BOOST_AUTO_TEST_CASE(columns_are_chosen_by_name_or_index_and_can_be_ignored) {
  const CsvFile f("id;species;a;b\n17;virginica;1;2\n18;setosa;3;4\n");
  const data::Dataset<float, 2> by_name = data::load_csv<Net>(
      f.path, {.targets = {"species"},
               .ignore = {"id"},
               .class_names = {"setosa", "versicolor", "virginica"},
               .delimiter = ';'});
  BOOST_TEST(by_name.classes() == 3u);
  BOOST_TEST(by_name.label(0) == 2);
  BOOST_TEST(by_name.label(1) == 0);
  BOOST_TEST(by_name.row(1)[0] == 3.0f);
  BOOST_TEST(by_name.row(1)[1] == 4.0f);
  const data::Dataset<float, 2> by_index = data::load_csv<Net>(
      f.path, {.targets = {1}, .ignore = {0}, .class_names = {"setosa", "versicolor", "virginica"},
               .delimiter = ';'});
  BOOST_TEST((by_index == by_name));

  const CsvFile plain("1,2,0\n3,4,1\n");
  const data::Dataset<float, 2> no_header =
      data::load_csv<Net>(plain.path, {.classes = 3, .header = false});
  BOOST_TEST(no_header.size() == 2u);
  BOOST_TEST(no_header.classes() == 3u);
}

BOOST_AUTO_TEST_CASE(a_regression_file_loads_target_rows) {
  const CsvFile f("u,target,v\n1,0.25,2\n3,-0.5,4\n");
  const auto d = data::load_regression_csv<Fit>(f.path, {.targets = {"target"}});
  static_assert(std::is_same_v<decltype(d)::label_type, std::array<float, 1>>);
  BOOST_TEST(d.size() == 2u);
  BOOST_TEST(d.row(0)[0] == 1.0f);
  BOOST_TEST(d.row(0)[1] == 2.0f);  // the features in file order, around the target
  BOOST_TEST(d.label(1)[0] == -0.5f);
  // By default the last Net::outputs columns are the targets.
  const CsvFile last("a,b,y\n1,2,3\n");
  BOOST_TEST(data::load_regression_csv<Fit>(last.path).label(0)[0] == 3.0f);
}

BOOST_AUTO_TEST_CASE(bad_fields_are_named_by_line_and_column) {
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,0\n1,abc,0\n"),
                 ":3: column 1 (\"y\"): \"abc\" is not a number");
  CHECK_CONTAINS(classification_error("x,y,class\n1,,0\n"), ":2: column 1 (\"y\"): the field is empty");
  CHECK_CONTAINS(classification_error("x,y,class\n1,nan,0\n"), ":2: column 1 (\"y\"): nan is not a finite number");
  CHECK_CONTAINS(classification_error("x,y,class\n1,1e39,0\n"), "1e39 is not a finite number");
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,0\n\n1,2\n"), ":4: expected 3 fields (as on line 1), got 2");
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,0\n1,2,5\n", {.classes = 3}),
                 ":3: column 2 (\"class\"): label 5 is out of range: expected a class index below 3");
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,1.5\n"), "\"1.5\" is not a class index");
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,-1\n"), "\"-1\" is not a class index");
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,999\n"), "label 999 is out of range");
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,cat\n", {.class_names = {"dog"}}),
                 "\"cat\" is not one of the 1 class names given");
  CHECK_CONTAINS(classification_error("x,y,class\n1,\"2,0\n"), "quoted field is not closed");
}

BOOST_AUTO_TEST_CASE(bad_columns_and_shapes_are_refused_before_reading_samples) {
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,0\n", {.targets = {"label"}}),
                 "no column named \"label\" (the header has: x, y, class)");
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,0\n", {.targets = {7}}),
                 "column index 7 is out of range: the file has 3 columns");
  CHECK_CONTAINS(classification_error("x,y,z,class\n1,2,3,0\n"),
                 "leave 3 features: expected 2 (the network's inputs)");
  CHECK_CONTAINS(classification_error("x,y,class\n1,2,0\n", {.targets = {"x", "y"}}),
                 "expected 1 label column, got 2");
  CHECK_CONTAINS(classification_error(""), "the file is empty");
  CHECK_CONTAINS(classification_error("x,y,class\n"), "only a header line");
  CHECK_CONTAINS(error_of("a,b\n1,2\n", [](const auto& p) { data::load_regression_csv<Fit>(p); }),
                 "leave 1 features: expected 2");
  BOOST_CHECK_THROW(data::load_csv<Net>("/nonexistent/file.csv"), data::DataError);
  try {
    data::load_csv<Net>("/tmp");
  } catch (const data::DataError& e) {
    CHECK_CONTAINS(std::string(e.what()), "not a regular file");
  }
}

}  // namespace
}  // namespace fixnet::tests

// Tests of fixnet/train/metrics.hpp: accuracy, the confusion matrix and per-class
// precision, recall and F1 on predictions made by hand, and the printed
// report.
#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fixnet/train/metrics.hpp>

namespace fixnet::tests {
namespace {

// Ten samples of three classes:
//   truth      0 0 0 0 1 1 1 2 2 2
//   predicted  0 0 1 2 1 1 0 2 2 2
// Matrix (rows truth, columns predicted):
//   0: 2 1 1
//   1: 1 2 0
//   2: 0 0 3
const std::vector<std::uint8_t> kTruth{0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
const std::vector<std::size_t> kPredicted{0, 0, 1, 2, 1, 1, 0, 2, 2, 2};

ConfusionMatrix hand_made() {
  ConfusionMatrix m(3);
  for (std::size_t i = 0; i < kTruth.size(); ++i) m.add(kTruth[i], kPredicted[i]);
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(argmax_takes_the_first_largest_and_skips_nan) {
  BOOST_TEST(argmax(std::array<float, 4>{0.1f, 0.7f, 0.2f, 0.7f}) == 1u);
  BOOST_TEST(argmax(std::array<double, 1>{-3.0}) == 0u);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  BOOST_TEST(argmax(std::array<float, 3>{nan, 0.1f, 0.2f}) == 2u);
  BOOST_TEST(argmax(std::array<float, 3>{0.3f, nan, 0.2f}) == 0u);
  BOOST_TEST(argmax(std::array<float, 2>{nan, nan}) == 0u);
}

BOOST_AUTO_TEST_CASE(accuracy_counts_equal_entries) {
  BOOST_TEST(accuracy(std::span<const std::uint8_t>(kTruth), std::span<const std::size_t>(kPredicted)) ==
             0.7);
  BOOST_TEST(accuracy(std::span<const int>{}, std::span<const int>{}) == 0.0);
  const std::vector<int> short_one{1};
  BOOST_CHECK_THROW(accuracy(std::span<const std::uint8_t>(kTruth), std::span<const int>(short_one)),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_matrix_has_true_classes_in_rows_and_predictions_in_columns) {
  const ConfusionMatrix m = hand_made();
  const std::array<std::array<std::uint64_t, 3>, 3> expected{{{2, 1, 1}, {1, 2, 0}, {0, 0, 3}}};
  for (std::size_t t = 0; t < 3; ++t)
    for (std::size_t p = 0; p < 3; ++p) BOOST_TEST(m(t, p) == expected[t][p]);
  BOOST_TEST(m.total() == 10u);
  BOOST_TEST(m.correct() == 7u);
  BOOST_TEST(m.accuracy() == 0.7);
  BOOST_TEST(m.support(0) == 4u);
  BOOST_TEST(m.predicted(0) == 3u);
}

BOOST_AUTO_TEST_CASE(precision_recall_and_f1_per_class) {
  const ConfusionMatrix m = hand_made();
  const auto tol = boost::test_tools::tolerance(1e-12);
  // Class 0: tp 2, predicted 3, support 4.
  BOOST_TEST(m.precision(0) == 2.0 / 3, tol);
  BOOST_TEST(m.recall(0) == 0.5, tol);
  BOOST_TEST(m.f1(0) == 2 * (2.0 / 3) * 0.5 / (2.0 / 3 + 0.5), tol);
  // Class 1: tp 2, predicted 3, support 3.
  BOOST_TEST(m.precision(1) == 2.0 / 3, tol);
  BOOST_TEST(m.recall(1) == 1.0 * 2 / 3, tol);
  // Class 2: tp 3, predicted 4, support 3.
  BOOST_TEST(m.precision(2) == 0.75, tol);
  BOOST_TEST(m.recall(2) == 1.0, tol);
  BOOST_TEST(m.f1(2) == 2 * 0.75 / 1.75, tol);
  BOOST_TEST(m.macro_precision() == (2.0 / 3 + 2.0 / 3 + 0.75) / 3, tol);
  BOOST_TEST(m.macro_recall() == (0.5 + 2.0 / 3 + 1.0) / 3, tol);
  BOOST_TEST(m.macro_f1() == (m.f1(0) + m.f1(1) + m.f1(2)) / 3, tol);
}

BOOST_AUTO_TEST_CASE(zero_over_zero_is_reported_as_zero) {
  ConfusionMatrix m(3);
  m.add(0, 0, 5);  // class 1 never occurs nor is predicted; class 2 likewise
  BOOST_TEST(m.precision(1) == 0.0);
  BOOST_TEST(m.recall(2) == 0.0);
  BOOST_TEST(m.f1(1) == 0.0);
  BOOST_TEST(m.accuracy() == 1.0);
  BOOST_TEST(ConfusionMatrix(4).accuracy() == 0.0);
}

BOOST_AUTO_TEST_CASE(adding_checks_classes_and_matrices_sum) {
  ConfusionMatrix m(2);
  BOOST_CHECK_THROW(m.add(2, 0), std::out_of_range);
  BOOST_CHECK_THROW(m.add(0, 2), std::out_of_range);
  m.add(1, 0, 3);
  ConfusionMatrix n(2);
  n.add(1, 0);
  n.add(1, 1);
  m += n;
  BOOST_TEST(m(1, 0) == 4u);
  BOOST_TEST(m(1, 1) == 1u);
  BOOST_CHECK_THROW(m += ConfusionMatrix(3), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_printed_report_shows_the_matrix_and_the_per_class_figures) {
  ConfusionMatrix m(2);
  m.add(0, 0, 50);
  m.add(0, 1, 2);
  m.add(1, 0, 3);
  m.add(1, 1, 45);
  std::ostringstream out;
  out << m;
  const std::string expected =
      "true\\pred    0    1\n"
      "        0   50    2\n"
      "        1    3   45\n"
      "\n"
      "class  precision  recall      f1  support\n"
      "    0     0.9434  0.9615  0.9524       52\n"
      "    1     0.9574  0.9375  0.9474       48\n"
      "accuracy                  0.9500      100\n"
      "macro     0.9504  0.9495  0.9499      100\n";
  BOOST_TEST(out.str() == expected);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

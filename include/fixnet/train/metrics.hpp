// fixnet — classification metrics (accuracy, the confusion matrix,
// per-class precision, recall and F1) and regression metrics (RMSE, MAE).
//
//   fixnet::ConfusionMatrix m(10);
//   for (std::size_t i = 0; i < n; ++i) m.add(labels[i], fixnet::argmax(outputs[i]));
//   std::cout << "accuracy " << m.accuracy() << '\n' << m;  // the matrix and a per-class report
//
//   fixnet::RegressionErrors e;
//   for (std::size_t i = 0; i < n; ++i) e.add(outputs[i], targets[i]);
//   std::cout << "RMSE " << e.rmse() << ", MAE " << e.mae() << '\n';
//
// To evaluate a network over a data set, see fixnet/train/evaluate.hpp.
#ifndef FIXNET_METRICS_HPP
#define FIXNET_METRICS_HPP

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <ios>
#include <ostream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fixnet {

/// Index of the largest value (the first one on ties; NaN is never the
/// largest unless all are NaN, then 0): the predicted class of an output row.
template <class Row>
std::size_t argmax(const Row& row) noexcept {
  std::size_t best = 0;
  for (std::size_t k = 1; k < std::size(row); ++k)
    if (row[k] > row[best] || (row[best] != row[best] && row[k] == row[k])) best = k;
  return best;
}

/// Errors of regression outputs against their targets, accumulated in double
/// over every value of every sample: the root mean squared error and the
/// mean absolute error (each output counts once: a sample of K outputs adds
/// K values). NaN before any value.
class RegressionErrors {
 public:
  /// Adds one sample's outputs and targets (rows of the same width).
  template <class Outputs, class Targets>
  void add(const Outputs& outputs, const Targets& targets) noexcept {
    assert(std::size(outputs) == std::size(targets));
    for (std::size_t k = 0; k < std::size(outputs); ++k) {
      const double d = static_cast<double>(outputs[k]) - static_cast<double>(targets[k]);
      squared_ += d * d;
      absolute_ += std::abs(d);
    }
    values_ += std::size(outputs);
  }
  /// Adds another accumulator's values.
  void add(const RegressionErrors& other) noexcept {
    squared_ += other.squared_;
    absolute_ += other.absolute_;
    values_ += other.values_;
  }

  /// Values added (samples times outputs).
  std::size_t values() const noexcept { return values_; }
  /// sqrt(mean of (output - target)^2).
  double rmse() const noexcept { return std::sqrt(squared_ / count()); }
  /// Mean of |output - target|.
  double mae() const noexcept { return absolute_ / count(); }

 private:
  double count() const noexcept {
    return values_ == 0 ? std::nan("") : static_cast<double>(values_);
  }

  double squared_ = 0;
  double absolute_ = 0;
  std::size_t values_ = 0;
};

/// Fraction of equal entries in `truth` and `predicted` (same length; 0 for
/// none). Throws std::invalid_argument when the lengths differ.
template <class A, class B>
double accuracy(std::span<const A> truth, std::span<const B> predicted) {
  if (truth.size() != predicted.size())
    throw std::invalid_argument("fixnet::accuracy: expected as many predictions as labels, got " +
                                std::to_string(predicted.size()) + " predictions and " +
                                std::to_string(truth.size()) + " labels");
  if (truth.empty()) return 0.0;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i)
    correct += static_cast<std::size_t>(truth[i]) == static_cast<std::size_t>(predicted[i]);
  return static_cast<double>(correct) / static_cast<double>(truth.size());
}

/// Counts of (true class, predicted class) pairs over `classes` classes:
/// `m(t, p)` is the number of samples of class t predicted as p, so rows are
/// true classes and columns predictions; the diagonal holds the correct ones.
///
/// Precision, recall and F1 follow scikit-learn's definitions; where a ratio
/// is 0 / 0 (a class never predicted, or absent) it is reported as 0, as
/// scikit-learn does by default.
class ConfusionMatrix {
 public:
  /// An empty matrix of classes x classes counts.
  explicit ConfusionMatrix(std::size_t classes) : classes_(classes), counts_(classes * classes, 0) {}

  std::size_t classes() const noexcept { return classes_; }

  /// Counts `count` samples of class `truth` predicted as `predicted`.
  /// Allocates nothing. Throws std::out_of_range for a class not below classes().
  void add(std::size_t truth, std::size_t predicted, std::uint64_t count = 1) {
    if (truth >= classes_ || predicted >= classes_)
      throw std::out_of_range("fixnet::ConfusionMatrix::add: expected classes below " +
                              std::to_string(classes_) + ", got true class " + std::to_string(truth) +
                              " and predicted class " + std::to_string(predicted));
    counts_[truth * classes_ + predicted] += count;
  }

  /// Adds another matrix's counts (same class count, else std::invalid_argument).
  ConfusionMatrix& operator+=(const ConfusionMatrix& other) {
    if (other.classes_ != classes_)
      throw std::invalid_argument("fixnet::ConfusionMatrix: cannot add a matrix of " +
                                  std::to_string(other.classes_) + " classes to one of " +
                                  std::to_string(classes_));
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    return *this;
  }

  /// Samples of class `truth` predicted as `predicted` (unchecked).
  std::uint64_t operator()(std::size_t truth, std::size_t predicted) const noexcept {
    assert(truth < classes_ && predicted < classes_);
    return counts_[truth * classes_ + predicted];
  }

  /// All samples counted.
  std::uint64_t total() const noexcept {
    std::uint64_t sum = 0;
    for (const auto c : counts_) sum += c;
    return sum;
  }
  /// Samples predicted correctly (the diagonal).
  std::uint64_t correct() const noexcept {
    std::uint64_t sum = 0;
    for (std::size_t k = 0; k < classes_; ++k) sum += (*this)(k, k);
    return sum;
  }
  /// Samples of class k (row k's sum): scikit-learn's "support".
  std::uint64_t support(std::size_t k) const noexcept {
    std::uint64_t sum = 0;
    for (std::size_t p = 0; p < classes_; ++p) sum += (*this)(k, p);
    return sum;
  }
  /// Samples predicted as class k (column k's sum).
  std::uint64_t predicted(std::size_t k) const noexcept {
    std::uint64_t sum = 0;
    for (std::size_t t = 0; t < classes_; ++t) sum += (*this)(t, k);
    return sum;
  }

  /// correct() / total(); 0 when empty.
  double accuracy() const noexcept { return ratio(correct(), total()); }
  /// Of the samples predicted as k, the fraction that are k.
  double precision(std::size_t k) const noexcept { return ratio((*this)(k, k), predicted(k)); }
  /// Of the samples of class k, the fraction predicted as k.
  double recall(std::size_t k) const noexcept { return ratio((*this)(k, k), support(k)); }
  /// Harmonic mean of precision and recall: 2 tp / (2 tp + fp + fn).
  double f1(std::size_t k) const noexcept {
    const std::uint64_t tp = (*this)(k, k);
    return ratio(2 * tp, support(k) + predicted(k));
  }
  /// Unweighted means over the classes ("macro" averages).
  double macro_precision() const noexcept { return mean([&](std::size_t k) { return precision(k); }); }
  double macro_recall() const noexcept { return mean([&](std::size_t k) { return recall(k); }); }
  double macro_f1() const noexcept { return mean([&](std::size_t k) { return f1(k); }); }

  friend bool operator==(const ConfusionMatrix&, const ConfusionMatrix&) = default;

 private:
  static double ratio(std::uint64_t a, std::uint64_t b) noexcept {
    return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
  }
  template <class F>
  double mean(F f) const noexcept {
    if (classes_ == 0) return 0.0;
    double sum = 0;
    for (std::size_t k = 0; k < classes_; ++k) sum += f(k);
    return sum / static_cast<double>(classes_);
  }

  std::size_t classes_;
  std::vector<std::uint64_t> counts_;
};

/// The matrix as a table (rows: true class, columns: predicted class),
/// e.g. for two classes:
///
///   true\pred     0     1
///           0    50     2
///           1     3    45
inline std::string format_confusion(const ConfusionMatrix& m) {
  std::size_t width = 4;
  for (std::size_t t = 0; t < m.classes(); ++t)
    for (std::size_t p = 0; p < m.classes(); ++p)
      width = std::max(width, std::to_string(m(t, p)).size() + 1);
  std::ostringstream out;
  out << "true\\pred";
  for (std::size_t p = 0; p < m.classes(); ++p) out << std::setw(static_cast<int>(width) + 1) << p;
  out << '\n';
  for (std::size_t t = 0; t < m.classes(); ++t) {
    out << std::setw(9) << t;
    for (std::size_t p = 0; p < m.classes(); ++p)
      out << std::setw(static_cast<int>(width) + 1) << m(t, p);
    out << '\n';
  }
  return out.str();
}

/// Per-class precision, recall, F1 and support, then the accuracy and the
/// macro averages, as scikit-learn's `classification_report`:
///
///   class  precision  recall      f1  support
///       0     0.9434  0.9615  0.9524       52
///       1     0.9574  0.9375  0.9474       48
///   accuracy                  0.9500      100
///   macro     0.9504  0.9495  0.9499      100
inline std::string format_report(const ConfusionMatrix& m) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(4);
  out << "class  precision  recall      f1  support\n";
  for (std::size_t k = 0; k < m.classes(); ++k)
    out << std::setw(5) << k << std::setw(11) << m.precision(k) << std::setw(8) << m.recall(k)
        << std::setw(8) << m.f1(k) << std::setw(9) << m.support(k) << '\n';
  out << "accuracy" << std::setw(24) << m.accuracy() << std::setw(9) << m.total() << '\n';
  out << "macro" << std::setw(11) << m.macro_precision() << std::setw(8) << m.macro_recall()
      << std::setw(8) << m.macro_f1() << std::setw(9) << m.total() << '\n';
  return out.str();
}

/// Prints the matrix, then the per-class report (`format_confusion`, then
/// `format_report`).
inline std::ostream& operator<<(std::ostream& out, const ConfusionMatrix& m) {
  return out << format_confusion(m) << '\n' << format_report(m);
}

}  // namespace fixnet

#endif  // FIXNET_METRICS_HPP

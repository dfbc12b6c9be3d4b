// fixnet — per-feature standardisation, x' = (x - mean) / stddev: fitted on
// training data (fixnet::data::fit_standardization), applied to a data set
// (Dataset::standardize) or to one row at inference, and saved with a model
// (fixnet/io/model_file.hpp) so that the preprocessing travels with it.
#ifndef FIXNET_STANDARDIZATION_HPP
#define FIXNET_STANDARDIZATION_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <span>
#include <stdexcept>
#include <vector>

#include "fixnet/core/config.hpp"

namespace fixnet {

/// Per-feature affine standardisation: x'[i] = (x[i] - mean[i]) / stddev[i].
/// Fit it on the training set (`fit_standardization`) and apply the same to
/// every set and every row seen later, so that the test set is not peeked at.
template <Scalar T, std::size_t Width>
struct Standardization {
  std::array<T, Width> mean;
  /// Never 0: a feature that is constant in the fitting set gets 1 (it is
  /// only centred), as scikit-learn's StandardScaler does.
  std::array<T, Width> stddev;

  /// Standardises one row in place. The one formula every path uses (data
  /// sets too), so that a row at inference gets exactly the values training
  /// saw.
  constexpr void apply(std::span<T, Width> row) const noexcept {
    for (std::size_t i = 0; i < Width; ++i) row[i] = (row[i] - mean[i]) * (T(1) / stddev[i]);
  }
  /// A standardised copy of `row`.
  constexpr std::array<T, Width> operator()(std::array<T, Width> row) const noexcept {
    apply(row);
    return row;
  }

  friend bool operator==(const Standardization&, const Standardization&) = default;
};

}  // namespace fixnet

namespace fixnet::data {

// Defined in fixnet/data/dataset.hpp (which includes this header).
template <Scalar T, std::size_t Width, class Label>
class Dataset;

/// Whether `fit_standardization` computes one mean and deviation per feature
/// (pixel) or one over all features (PyTorch's `Normalize((0.1307,),
/// (0.3081,))` for MNIST).
enum class StandardizeOver { feature, all };

/// Fits a `Standardization` to `data`: the mean and the (population)
/// standard deviation of each feature, or of all values when `over` is
/// `StandardizeOver::all`, accumulated in double. A deviation below
/// `min_stddev` (a constant feature, like MNIST's border pixels) becomes 1.
/// Throws std::invalid_argument for an empty data set.
template <Scalar T, std::size_t Width, class Label>
Standardization<T, Width> fit_standardization(const Dataset<T, Width, Label>& data,
                                              StandardizeOver over = StandardizeOver::feature,
                                              double min_stddev = 1e-6) {
  if (data.empty())
    throw std::invalid_argument("fixnet::data::fit_standardization: expected samples, got an empty data set");
  // Two passes (mean, then squared deviations): exact enough in double for
  // any data set that fits in memory, unlike the one-pass sum of squares.
  std::vector<double> mean(Width, 0.0), var(Width, 0.0);
  for (const auto& row : data.rows())
    for (std::size_t i = 0; i < Width; ++i) mean[i] += row[i];
  const double n = static_cast<double>(data.size());
  if (over == StandardizeOver::all) {
    const double m = std::accumulate(mean.begin(), mean.end(), 0.0) / (n * Width);
    std::fill(mean.begin(), mean.end(), m);
  } else {
    for (double& m : mean) m /= n;
  }
  for (const auto& row : data.rows())
    for (std::size_t i = 0; i < Width; ++i) var[i] += (row[i] - mean[i]) * (row[i] - mean[i]);
  if (over == StandardizeOver::all) {
    const double v = std::accumulate(var.begin(), var.end(), 0.0) / (n * Width);
    std::fill(var.begin(), var.end(), v);
  } else {
    for (double& v : var) v /= n;
  }
  Standardization<T, Width> s;
  for (std::size_t i = 0; i < Width; ++i) {
    const double sd = std::sqrt(var[i]);
    s.mean[i] = static_cast<T>(mean[i]);
    s.stddev[i] = static_cast<T>(sd < min_stddev ? 1.0 : sd);
  }
  return s;
}

}  // namespace fixnet::data

#endif  // FIXNET_STANDARDIZATION_HPP

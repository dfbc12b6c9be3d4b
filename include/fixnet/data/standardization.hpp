// fixnet — per-feature standardisation, x' = (x - mean) / stddev: fitted on
// training data (fixnet::data::fit_standardization), applied to a data set
// (Dataset::standardize) or to one row at inference, and saved with a model
// (fixnet/io/model_file.hpp) so that the preprocessing travels with it.
#ifndef FIXNET_STANDARDIZATION_HPP
#define FIXNET_STANDARDIZATION_HPP

#include <array>
#include <cstddef>
#include <span>

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

#endif  // FIXNET_STANDARDIZATION_HPP

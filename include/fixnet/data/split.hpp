// fixnet — splitting a data set into a training and a validation part, at
// random from a seed, optionally keeping the class proportions.
#ifndef FIXNET_DATA_SPLIT_HPP
#define FIXNET_DATA_SPLIT_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fixnet/core/config.hpp"
#include "fixnet/core/random.hpp"
#include "fixnet/data/dataset.hpp"
#include "fixnet/data/order.hpp"

namespace fixnet::data {

/// Whether `split` keeps the class proportions in both parts.
enum class Stratify { none, by_class };

/// The two parts of `split`.
template <Scalar T, std::size_t Width, class Label = std::uint8_t>
struct TrainValidation {
  Dataset<T, Width, Label> train;
  Dataset<T, Width, Label> validation;
};

/// Splits `data` into a training part and a validation part of
/// `validation_count` samples, chosen at random from an engine seeded with
/// `seed` (the same seed gives the same split everywhere). Every sample is in
/// exactly one part; each part keeps the samples in their original order.
///
/// With `Stratify::by_class`, each class contributes to the validation part in
/// proportion to its size: class k gives floor(v n_k / n) samples, and the
/// samples still missing go to the classes with the largest remainders
/// (lowest class first on ties), so that the part has exactly v samples.
///
/// Throws std::invalid_argument if `validation_count` exceeds data.size().
template <Scalar T, std::size_t Width, class Label>
TrainValidation<T, Width, Label> split(const Dataset<T, Width, Label>& data,
                                       std::size_t validation_count, std::uint64_t seed,
                                       Stratify stratify = Stratify::none) {
  const std::size_t n = data.size();
  if (validation_count > n)
    throw std::invalid_argument("fixnet::data::split: expected a validation part of at most " +
                                std::to_string(n) + " samples (the data set's size), got " +
                                std::to_string(validation_count));
  Rng rng(seed);
  std::vector<bool> in_validation(n, false);
  if (stratify == Stratify::none) {
    const std::vector<std::size_t> order = shuffled_order(n, rng);
    for (std::size_t k = 0; k < validation_count; ++k) in_validation[order[k]] = true;
  } else if constexpr (!Dataset<T, Width, Label>::classification) {
    throw std::invalid_argument(
        "fixnet::data::split: Stratify::by_class needs class labels; a regression data set "
        "splits with Stratify::none");
  } else {
    const std::size_t classes = data.classes();
    std::vector<std::vector<std::size_t>> members(classes);
    for (std::size_t i = 0; i < n; ++i) members[data.label(i)].push_back(i);
    // Largest-remainder quotas, in exact integers: v n_k < 2^64 since both are
    // at most n < 2^32.
    if (n >= (std::uint64_t{1} << 32))
      throw std::invalid_argument("fixnet::data::split: stratified splits take fewer than 2^32 samples, got " +
                                  std::to_string(n));
    std::vector<std::size_t> quota(classes, 0);
    std::vector<std::pair<std::uint64_t, std::size_t>> remainders;  // (remainder, class)
    std::size_t given = 0;
    for (std::size_t c = 0; c < classes && n > 0; ++c) {
      const std::uint64_t product = std::uint64_t{validation_count} * members[c].size();
      quota[c] = static_cast<std::size_t>(product / n);
      remainders.emplace_back(product % n, c);
      given += quota[c];
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < validation_count; ++k, ++given) ++quota[remainders[k].second];
    for (std::size_t c = 0; c < classes; ++c) {
      shuffle(members[c], rng);
      for (std::size_t k = 0; k < quota[c]; ++k) in_validation[members[c][k]] = true;
    }
  }
  std::vector<std::size_t> train_indices, validation_indices;
  train_indices.reserve(n - validation_count);
  validation_indices.reserve(validation_count);
  for (std::size_t i = 0; i < n; ++i) (in_validation[i] ? validation_indices : train_indices).push_back(i);
  return {data.select(train_indices), data.select(validation_indices)};
}

}  // namespace fixnet::data

#endif  // FIXNET_DATA_SPLIT_HPP

// fixnet — the order in which an epoch visits a data set's samples: the
// identity, and seeded shuffles that give the same permutation everywhere.
#ifndef FIXNET_DATA_ORDER_HPP
#define FIXNET_DATA_ORDER_HPP

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>

#include "fixnet/core/random.hpp"

namespace fixnet::data {

/// 0, 1, ..., n - 1: the order of an unshuffled epoch, and the start of a
/// permutation that `shuffle` then shuffles in place.
inline std::vector<std::size_t> identity_order(std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  return order;
}

/// Shuffles `order` in place: Fisher–Yates, from the last element down, each
/// swap partner drawn with Boost.Random's `uniform_int_distribution` from
/// `rng`. The algorithm of `std::shuffle` is unspecified and differs between
/// standard libraries; this one gives the same permutation everywhere for the
/// same engine state. Allocates nothing: call it once per epoch on the same
/// vector.
inline void shuffle(std::span<std::size_t> order, Rng& rng) {
  for (std::size_t i = order.size(); i > 1; --i) {
    // 64-bit on every platform, so that the draws do not depend on size_t.
    const auto j = static_cast<std::size_t>(
        boost::random::uniform_int_distribution<std::uint64_t>(0, i - 1)(rng));
    std::swap(order[i - 1], order[j]);
  }
}

/// A random permutation of 0 .. n - 1 (`identity_order` then `shuffle`).
inline std::vector<std::size_t> shuffled_order(std::size_t n, Rng& rng) {
  std::vector<std::size_t> order = identity_order(n);
  shuffle(order, rng);
  return order;
}

/// A random permutation of 0 .. n - 1 from a fresh engine seeded with `seed`.
inline std::vector<std::size_t> shuffled_order(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  return shuffled_order(n, rng);
}

}  // namespace fixnet::data

#endif  // FIXNET_DATA_ORDER_HPP

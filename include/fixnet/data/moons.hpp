// fixnet — two interleaving half circles ("two moons"): a seeded,
// reproducible binary classification data set, made as scikit-learn's
// `sklearn.datasets.make_moons` makes it.
//
//   #include <fixnet/data/moons.hpp>
//   fixnet::data::LabelledPoints points = fixnet::data::make_moons(100, 0.1, 42);
#ifndef FIXNET_DATA_MOONS_HPP
#define FIXNET_DATA_MOONS_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "fixnet/data/points.hpp"
#include "fixnet/core/random.hpp"

namespace fixnet::data {

namespace detail {

/// numpy's linspace(start, stop, n): n evenly spaced values, both ends
/// included (only `start` when n is 1).
inline double linspace_at(double start, double stop, std::size_t n, std::size_t i) noexcept {
  if (n == 1) return start;
  if (i + 1 == n) return stop;  // numpy sets the end point exactly
  return start + double(i) * ((stop - start) / double(n - 1));
}

}  // namespace detail

/// `n` points on two interleaving half circles, as scikit-learn's
/// `make_moons(n_samples=n, noise=noise, shuffle=True)`:
///   - n_out = n / 2 points of the upper ("outer") moon, label 0:
///     (cos t, sin t) for t = linspace(0, pi, n_out);
///   - n_in = n - n_out points of the lower ("inner") moon, label 1:
///     (1 - cos t, 1 - sin t - 0.5) for t = linspace(0, pi, n_in);
///   - then, in scikit-learn's order, the samples are shuffled (Fisher-Yates)
///     and Gaussian noise of standard deviation `noise` is added to both
///     coordinates of every point (x before y, sample by sample).
///
/// Draws from `fixnet::Rng` seeded with `seed` through Boost.Random, so a
/// seed gives the same points on every platform (not the same as numpy's for
/// the same seed: the generators differ). Throws std::invalid_argument for
/// fewer than 2 samples (one per moon), a negative or non-finite noise, or
/// a noise so large that a point's coordinate overflows a float (the check
/// is on the points drawn, so the bound is exact).
inline LabelledPoints make_moons(std::size_t n, double noise, std::uint64_t seed) {
  if (n < 2)
    throw std::invalid_argument(
        "fixnet::data::make_moons: expected at least 2 samples (one per moon), got " +
        std::to_string(n));
  if (!std::isfinite(noise) || noise < 0.0)
    throw std::invalid_argument(
        "fixnet::data::make_moons: expected a finite, non-negative noise, got " +
        detail::format_number(noise));

  const std::size_t n_out = n / 2;
  const std::size_t n_in = n - n_out;
  std::vector<std::array<double, 2>> xy;
  xy.reserve(n);
  LabelledPoints points;
  points.labels.reserve(n);
  for (std::size_t i = 0; i < n_out; ++i) {
    const double t = detail::linspace_at(0.0, std::numbers::pi, n_out, i);
    xy.push_back({std::cos(t), std::sin(t)});
    points.labels.push_back(0);
  }
  for (std::size_t i = 0; i < n_in; ++i) {
    const double t = detail::linspace_at(0.0, std::numbers::pi, n_in, i);
    xy.push_back({1.0 - std::cos(t), 1.0 - std::sin(t) - 0.5});
    points.labels.push_back(1);
  }

  // std::shuffle's algorithm is unspecified; this one is the same everywhere.
  Rng rng(seed);
  for (std::size_t i = n - 1; i > 0; --i) {
    const std::size_t j = boost::random::uniform_int_distribution<std::size_t>(0, i)(rng);
    std::swap(xy[i], xy[j]);
    std::swap(points.labels[i], points.labels[j]);
  }

  boost::random::normal_distribution<double> normal(0.0, noise);
  points.features.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& p = xy[i];
    if (noise > 0.0) {
      p[0] += normal(rng);
      p[1] += normal(rng);
    }
    const std::array<float, 2> point{static_cast<float>(p[0]), static_cast<float>(p[1])};
    // A huge noise makes coordinates no float holds: refused, rather than
    // data of infinities that a network would "learn" as noise.
    if (!std::isfinite(point[0]) || !std::isfinite(point[1]))
      throw std::invalid_argument(
          "fixnet::data::make_moons: noise " + detail::format_number(noise) + " makes point " +
          std::to_string(i) + " (" + detail::format_number(p[0]) + ", " +
          detail::format_number(p[1]) +
          ") too large for a float (about 3.4e38 at most); expected a smaller noise");
    points.features.push_back(point);
  }
  return points;
}

}  // namespace fixnet::data

#endif  // FIXNET_DATA_MOONS_HPP

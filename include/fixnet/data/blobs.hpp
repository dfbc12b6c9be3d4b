// fixnet — Gaussian blobs: a seeded, reproducible classification data set.
//
//   #include <fixnet/data/blobs.hpp>
//   fixnet::data::LabelledPoints points = fixnet::data::make_blobs({}, 42);
//   // 2100 points: 700 around each of (0,-3), (3,3), (-3,3), labels 0, 1, 2.
#ifndef FIXNET_DATA_BLOBS_HPP
#define FIXNET_DATA_BLOBS_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/random/normal_distribution.hpp>

#include "fixnet/data/points.hpp"
#include "fixnet/core/random.hpp"

namespace fixnet::data {

/// What `make_blobs` draws. The defaults are the three-class experiment of
/// the reference tutorial (fixnet's `blobs` example).
struct BlobsOptions {
  /// One blob per centre; a point of blob k has label k (so at most 256).
  std::vector<std::array<float, 2>> centres{{0.0f, -3.0f}, {3.0f, 3.0f}, {-3.0f, 3.0f}};
  /// Points drawn around each centre.
  std::size_t points_per_centre = 700;
  /// Standard deviation of each coordinate around its centre.
  float stddev = 1.0f;
};

/// Isotropic Gaussian blobs: for each centre c_k in turn, `points_per_centre`
/// points c_k + stddev * (n_x, n_y) with n_x, n_y standard normal (x drawn
/// before y), labelled k. The points come grouped by blob, in that order (not
/// shuffled: full-batch training does not care, and the layout is easy to
/// check); shuffle them yourself for mini-batches.
///
/// Draws from `fixnet::Rng` seeded with `seed` through Boost.Random, so a
/// seed gives the same points on every platform. Throws
/// std::invalid_argument for no centres, more than 256 centres, zero points
/// per centre, a negative or non-finite stddev, a non-finite centre, or a
/// stddev so large that a point's coordinate overflows a float (the check
/// is on the points drawn, so the bound is exact).
inline LabelledPoints make_blobs(const BlobsOptions& options, std::uint64_t seed) {
  constexpr std::size_t max_centres = std::size_t{std::numeric_limits<std::uint8_t>::max()} + 1;
  if (options.centres.empty())
    throw std::invalid_argument("fixnet::data::make_blobs: expected at least one centre, got none");
  if (options.centres.size() > max_centres)
    throw std::invalid_argument("fixnet::data::make_blobs: expected at most " +
                                std::to_string(max_centres) + " centres (labels are 8-bit), got " +
                                std::to_string(options.centres.size()));
  if (options.points_per_centre == 0)
    throw std::invalid_argument(
        "fixnet::data::make_blobs: expected at least one point per centre, got 0");
  if (!std::isfinite(options.stddev) || options.stddev < 0.0f)
    throw std::invalid_argument(
        "fixnet::data::make_blobs: expected a finite, non-negative standard deviation, got " +
        detail::format_number(options.stddev));
  for (std::size_t k = 0; k < options.centres.size(); ++k) {
    const auto& c = options.centres[k];
    if (!std::isfinite(c[0]) || !std::isfinite(c[1]))
      throw std::invalid_argument("fixnet::data::make_blobs: expected finite centres, got (" +
                                  detail::format_number(c[0]) + ", " + detail::format_number(c[1]) +
                                  ") for centre " + std::to_string(k));
  }

  LabelledPoints points;
  const std::size_t n = options.centres.size() * options.points_per_centre;
  points.features.reserve(n);
  points.labels.reserve(n);
  Rng rng(seed);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  for (std::size_t k = 0; k < options.centres.size(); ++k) {
    const auto& c = options.centres[k];
    for (std::size_t i = 0; i < options.points_per_centre; ++i) {
      const double x = c[0] + options.stddev * normal(rng);
      const double y = c[1] + options.stddev * normal(rng);
      const std::array<float, 2> point{static_cast<float>(x), static_cast<float>(y)};
      // A huge stddev makes coordinates no float holds: refused, rather than
      // data of infinities that a network would "learn" as noise.
      if (!std::isfinite(point[0]) || !std::isfinite(point[1]))
        throw std::invalid_argument(
            "fixnet::data::make_blobs: standard deviation " + detail::format_number(options.stddev) +
            " makes point " + std::to_string(i) + " of centre " + std::to_string(k) + " (" +
            detail::format_number(x) + ", " + detail::format_number(y) +
            ") too large for a float (about 3.4e38 at most); expected a smaller standard deviation");
      points.features.push_back(point);
      points.labels.push_back(static_cast<std::uint8_t>(k));
    }
  }
  return points;
}

/// The default blobs (three centres, 700 points each, unit variance).
inline LabelledPoints make_blobs(std::uint64_t seed) { return make_blobs(BlobsOptions{}, seed); }

}  // namespace fixnet::data

#endif  // FIXNET_DATA_BLOBS_HPP

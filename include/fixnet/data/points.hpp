// fixnet — labelled points in the plane: what the synthetic data generators
// (fixnet/data/blobs.hpp, fixnet/data/moons.hpp) return.
#ifndef FIXNET_DATA_POINTS_HPP
#define FIXNET_DATA_POINTS_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace fixnet::data {

/// Two-dimensional samples with one class index each: `features[i]` is the
/// point (x, y) of sample i, `labels[i]` its class (0, 1, ...). Both vectors
/// have `size()` elements. The features are `std::array<float, 2>` so that a
/// fixed-extent span over them is a batch for a network with two inputs:
///
///   auto xs = std::span<const std::array<float, 2>, 2100>(points.features.data(), 2100);
///
/// A deliberately small type for the examples; general data sets have their
/// own type.
struct LabelledPoints {
  std::vector<std::array<float, 2>> features;
  std::vector<std::uint8_t> labels;

  /// Number of samples.
  std::size_t size() const noexcept { return features.size(); }
};

namespace detail {

/// A number as a person reads it in an error message ("0.1", "-3", "nan").
inline std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace detail

}  // namespace fixnet::data

#endif  // FIXNET_DATA_POINTS_HPP

// fixnet — calibrating the ranges of a quantized network's activations: the
// options of fixnet::quantize and the observer that turns the values a
// layer produced on the calibration rows into a range.
#ifndef FIXNET_QUANTIZED_CALIBRATION_HPP
#define FIXNET_QUANTIZED_CALIBRATION_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fixnet/core/quantization.hpp"

namespace fixnet {

/// How a calibrated range is chosen from the values seen.
enum class RangeMethod {
  /// The smallest and largest value: nothing clipped, outliers widen the
  /// range (and coarsen every code).
  min_max,
  /// The values between the (100 - p)th and the pth percentile, p =
  /// `QuantizeOptions::percentile`: a few outliers clipped for finer codes.
  percentile,
};

/// Options of `fixnet::quantize`.
struct QuantizeOptions {
  /// How each activation's range is taken from the calibration rows.
  RangeMethod ranges = RangeMethod::min_max;
  /// With `RangeMethod::percentile`: the share of values (in percent, in
  /// (50, 100]) that the range keeps, at each end.
  double percentile = 99.99;
  /// The codes of the inputs, when they are known rather than calibrated:
  /// `fixnet::pixels_over_255` for a network trained on pixels / 255, so
  /// that `forward` on `std::array<std::uint8_t, inputs>` takes raw pixels.
  std::optional<Quantization> input{};
};

namespace detail {

/// Throws std::invalid_argument unless the options make sense.
inline void check_quantize_options(const QuantizeOptions& options) {
  if (!(options.percentile > 50.0 && options.percentile <= 100.0))
    throw std::invalid_argument("fixnet::quantize: percentile must be in (50, 100], got " +
                                std::to_string(options.percentile));
  if (options.input && (!(options.input->scale > 0.0f) || !std::isfinite(options.input->scale) ||
                        options.input->zero_point < 0 || options.input->zero_point > 255))
    throw std::invalid_argument(
        "fixnet::quantize: the input quantization needs a finite positive scale and a zero "
        "point in 0..255");
}

/// The values one activation took on the calibration rows: their extremes
/// and, for percentiles, a histogram over them (a second pass, once the
/// extremes are known).
class RangeObserver {
 public:
  static constexpr std::size_t bins = 2048;

  /// First pass: the extremes.
  void observe(std::span<const float> values) {
    for (const float v : values) {
      if (!std::isfinite(v))
        throw std::invalid_argument(
            "fixnet::quantize: a calibration row gives a non-finite activation");
      lo_ = std::min(lo_, double{v});
      hi_ = std::max(hi_, double{v});
    }
    count_ += values.size();
  }
  /// Second pass (percentiles only): the histogram over [lo, hi].
  void add_to_histogram(std::span<const float> values) noexcept {
    if (histogram_.empty()) histogram_.assign(bins, 0);
    const double width = hi_ > lo_ ? (hi_ - lo_) / bins : 1.0;
    for (const float v : values) {
      const auto bin = static_cast<std::size_t>(std::clamp((v - lo_) / width, 0.0, bins - 1.0));
      ++histogram_[bin];
    }
  }
  /// The range kept: the extremes, or the bin edges past which at most
  /// (100 - percentile)% of the values lie at each end.
  std::pair<double, double> range(RangeMethod method, double percentile) const noexcept {
    if (method == RangeMethod::min_max || histogram_.empty() || !(hi_ > lo_)) return {lo_, hi_};
    const double width = (hi_ - lo_) / bins;
    const auto clipped = static_cast<std::size_t>(
        std::floor(static_cast<double>(count_) * (100.0 - percentile) / 100.0));
    std::size_t first = 0, seen = 0;
    while (first + 1 < bins && seen + histogram_[first] <= clipped) seen += histogram_[first++];
    std::size_t last = bins - 1;
    seen = 0;
    while (last > first && seen + histogram_[last] <= clipped) seen += histogram_[last--];
    return {lo_ + width * static_cast<double>(first), lo_ + width * static_cast<double>(last + 1)};
  }
  std::size_t count() const noexcept { return count_; }

 private:
  double lo_ = std::numeric_limits<double>::infinity();
  double hi_ = -std::numeric_limits<double>::infinity();
  std::size_t count_ = 0;
  std::vector<std::size_t> histogram_;
};

}  // namespace detail
}  // namespace fixnet

#endif  // FIXNET_QUANTIZED_CALIBRATION_HPP

// fixnet — the uint8 codes of quantized activations, and the one rounding
// that every target's kernel and the scalar reference share.
#ifndef FIXNET_CORE_QUANTIZATION_HPP
#define FIXNET_CORE_QUANTIZATION_HPP

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace fixnet {

/// An affine map between uint8 codes and real values (TensorFlow Lite's
/// asymmetric activations): value = scale * (code - zero_point), so that
/// zero is a code (`zero_point`, 0..255) and codes 0..255 cover
/// [scale * -zero_point, scale * (255 - zero_point)].
struct Quantization {
  float scale = 1;
  std::int32_t zero_point = 0;

  /// The code of `value`: the nearest (ties to even), clamped to 0..255.
  /// Exactly what the kernels compute, on every target.
  std::uint8_t code(float value) const noexcept;
  /// The value a code stands for.
  float value(std::uint8_t code) const noexcept {
    return scale * static_cast<float>(std::int32_t{code} - zero_point);
  }
  friend bool operator==(const Quantization&, const Quantization&) = default;
};

/// The inputs of a network trained on 8-bit pixels divided by 255 (what the
/// MNIST loaders give): with `QuantizeOptions::input = pixels_over_255`, a
/// quantized network's uint8 `forward` takes the raw pixels.
inline constexpr Quantization pixels_over_255{1.0f / 255.0f, 0};

namespace detail {

/// 1.5 * 2^23: adding it to a float of magnitude below 2^22 leaves the
/// nearest integer (ties to even, the default rounding) in the low bits of
/// the sum. One addition, so the vector kernels (fixnet/kernels/
/// requantize-inl.hpp) round exactly as this does on every target; Highway's
/// NearestInt does not on SCALAR (it adds 0.5 and truncates: 0.49999997
/// rounds to 1).
inline constexpr float rounding_magic = 12582912.0f;

/// round(v) clamped to [lo, hi], |lo|, |hi| < 2^22: v is clamped first, in
/// float, so that the magic addition stays exact.
inline std::int32_t round_clamped(float v, std::int32_t lo, std::int32_t hi) noexcept {
  v = std::min(std::max(v, static_cast<float>(lo)), static_cast<float>(hi));
  return std::bit_cast<std::int32_t>(v + rounding_magic) -
         std::bit_cast<std::int32_t>(rounding_magic);
}

/// The quantization of values in [lo, hi], widened to hold zero: 256 codes
/// over the range, zero a code. An empty or degenerate range gets scale 1.
inline Quantization quantization_of_range(double lo, double hi) noexcept {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (!(hi > lo)) return {1.0f, 0};
  const double scale = (hi - lo) / 255.0;
  const auto zero_point =
      static_cast<std::int32_t>(std::clamp(std::nearbyint(-lo / scale), 0.0, 255.0));
  return {static_cast<float>(scale), zero_point};
}

}  // namespace detail

inline std::uint8_t Quantization::code(float value) const noexcept {
  // Multiplying by the reciprocal, as the kernels do: 255 * (p / 255.f) is
  // p again for every pixel p.
  const float inverse = 1.0f / scale;
  return static_cast<std::uint8_t>(
      detail::round_clamped(value * inverse, -zero_point, 255 - zero_point) + zero_point);
}

}  // namespace fixnet

#endif  // FIXNET_CORE_QUANTIZATION_HPP

// fixnet — binary cross-entropy, one independent sigmoid per output.
// Vector kernel: fixnet/kernels/binary_cross_entropy-inl.hpp.
#ifndef FIXNET_LOSSES_BINARY_CROSS_ENTROPY_HPP
#define FIXNET_LOSSES_BINARY_CROSS_ENTROPY_HPP

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>

#include "fixnet/activations/sigmoid.hpp"
#include "fixnet/core/config.hpp"

namespace fixnet {

/// L = -sum_k [t_k log a_k + (1 - t_k) log(1 - a_k)], targets in [0, 1].
/// Fits a `Sigmoid` output only. With sigmoid the two fuse: dL/dz = a - t,
/// and the value is computed from the logits,
/// L = sum_k max(z_k, 0) - z_k t_k + log(1 + e^-|z_k|), finite for any z.
struct BinaryCrossEntropy {
  static constexpr const char* name = "BinaryCrossEntropy";
  template <Activation Act>
  static constexpr bool fits = std::same_as<Act, Sigmoid>;
  template <Activation Act>
  static constexpr bool fused = std::same_as<Act, Sigmoid>;

  /// General value; both logarithms clamped at log(min normal).
  template <Scalar T, std::size_t N>
  static T reference_value(std::span<const T, N> a, std::span<const T, N> t) noexcept {
    constexpr T tiny = std::numeric_limits<T>::min();
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k)
      sum -= t[k] * std::log(std::max(a[k], tiny)) +
             (T(1) - t[k]) * std::log(std::max(T(1) - a[k], tiny));
    return sum;
  }
  /// dL/da_k = (a_k - t_k) / (a_k (1 - a_k)), denominator clamped.
  template <Scalar T, std::size_t N>
  static void reference_gradient(std::span<const T, N> a, std::span<const T, N> t,
                                 std::span<T, N> g) noexcept {
    for (std::size_t k = 0; k < N; ++k)
      g[k] = (a[k] - t[k]) / std::max(a[k] * (T(1) - a[k]), std::numeric_limits<T>::min());
  }

  /// Fused value from the logits z.
  template <Scalar T, std::size_t N>
  static T reference_fused_value(std::span<const T, N> z, std::span<const T, N> t) noexcept {
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k)
      sum += std::max(z[k], T(0)) - z[k] * t[k] + std::log1p(std::exp(-std::abs(z[k])));
    return sum;
  }
  /// Fused gradient with respect to z: a - t.
  template <Scalar T, std::size_t N>
  static constexpr void reference_fused_delta(std::span<const T, N> a, std::span<const T, N> t,
                                              std::span<T, N> delta) noexcept {
    for (std::size_t k = 0; k < N; ++k) delta[k] = a[k] - t[k];
  }
};

}  // namespace fixnet

#endif  // FIXNET_LOSSES_BINARY_CROSS_ENTROPY_HPP

// fixnet — categorical cross-entropy, and its fusion with softmax.
// Vector kernel: fixnet/kernels/cross_entropy-inl.hpp.
#ifndef FIXNET_LOSSES_CROSS_ENTROPY_HPP
#define FIXNET_LOSSES_CROSS_ENTROPY_HPP

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>

#include "fixnet/activations/softmax.hpp"
#include "fixnet/core/config.hpp"

namespace fixnet {

/// L = -sum_k t_k log a_k, for a target distribution t (one-hot, or a class
/// index which is the same thing). Fits a `Softmax` output only.
///
/// With softmax the two fuse: dL/dz = a - t (`softmax_cross_entropy_delta`),
/// and the value is computed from the logits, L = sum_k t_k (lse(z) - z_k)
/// with lse(z) = m + log sum_j e^(z_j - m): finite and exact for logits of any
/// size, where log(softmax) would underflow to log 0.
struct CrossEntropy {
  static constexpr const char* name = "CrossEntropy";
  template <Activation Act>
  static constexpr bool fits = std::same_as<Act, Softmax>;
  template <Activation Act>
  static constexpr bool fused = std::same_as<Act, Softmax>;

  /// General value, for outputs that are not softmax (see `AllowAnyOutput`):
  /// log a is clamped at log(min normal) so that a = 0 gives a large, finite loss.
  template <Scalar T, std::size_t N>
  static T reference_value(std::span<const T, N> a, std::span<const T, N> t) noexcept {
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k)
      sum -= t[k] * std::log(std::max(a[k], std::numeric_limits<T>::min()));
    return sum;
  }
  /// dL/da_k = -t_k / a_k (same clamp).
  template <Scalar T, std::size_t N>
  static void reference_gradient(std::span<const T, N> a, std::span<const T, N> t,
                                 std::span<T, N> g) noexcept {
    for (std::size_t k = 0; k < N; ++k) g[k] = -t[k] / std::max(a[k], std::numeric_limits<T>::min());
  }

  /// Fused value from the logits z.
  template <Scalar T, std::size_t N>
  static T reference_fused_value(std::span<const T, N> z, std::span<const T, N> t) noexcept {
    const T m = *std::max_element(z.begin(), z.end());
    T sum_exp = 0;
    for (std::size_t k = 0; k < N; ++k) sum_exp += std::exp(z[k] - m);
    const T lse = m + std::log(sum_exp);
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k) sum += t[k] * (lse - z[k]);
    return sum;
  }
  /// Fused gradient with respect to z: the softmax + cross-entropy delta.
  template <Scalar T, std::size_t N>
  static constexpr void reference_fused_delta(std::span<const T, N> a, std::span<const T, N> t,
                                              std::span<T, N> delta) noexcept {
    softmax_cross_entropy_delta(a, t, delta);
  }

  /// dL/dz = a - t for softmax outputs a and a target distribution t
  /// (sum_k t_k = 1; the exact form is a * sum(t) - t).
  template <Scalar T, std::size_t N>
  static constexpr void softmax_cross_entropy_delta(std::span<const T, N> a,
                                                    std::span<const T, N> t,
                                                    std::span<T, N> delta) noexcept {
    for (std::size_t k = 0; k < N; ++k) delta[k] = a[k] - t[k];
  }
};

}  // namespace fixnet

#endif  // FIXNET_LOSSES_CROSS_ENTROPY_HPP

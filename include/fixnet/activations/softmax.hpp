// fixnet — softmax over a layer's outputs. Vector kernel:
// fixnet/kernels/softmax-inl.hpp. The fused softmax + cross-entropy gradient
// lives with the loss: fixnet/losses/cross_entropy.hpp.
#ifndef FIXNET_ACTIVATIONS_SOFTMAX_HPP
#define FIXNET_ACTIVATIONS_SOFTMAX_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>

#include "fixnet/activations/activation.hpp"

namespace fixnet {

/// a_k = e^(z_k - m) / sum_j e^(z_j - m), with m = max_j z_j so that no
/// exponent is positive: finite for logits of any size.
/// Derivative (Jacobian-vector product): d_k = a_k (g_k - sum_j g_j a_j).
struct Softmax {
  static constexpr const char* name = "Softmax";
  static constexpr bool elementwise = false;

  template <Scalar T, std::size_t N>
  static void reference_forward(std::span<const T, N> z, std::span<T, N> a) noexcept {
    const T m = *std::max_element(z.begin(), z.end());
    T sum = 0;
    for (std::size_t i = 0; i < N; ++i) sum += a[i] = std::exp(z[i] - m);
    for (std::size_t i = 0; i < N; ++i) a[i] /= sum;
  }

  template <Scalar T, std::size_t N>
  static constexpr void reference_backward(std::span<const T, N> a, std::span<const T, N> grad_a,
                                           std::span<T, N> grad_z) noexcept {
    T dot = 0;
    for (std::size_t i = 0; i < N; ++i) dot += grad_a[i] * a[i];
    for (std::size_t i = 0; i < N; ++i) grad_z[i] = a[i] * (grad_a[i] - dot);
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_SOFTMAX_HPP

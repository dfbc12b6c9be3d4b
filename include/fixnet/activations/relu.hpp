// fixnet — the rectified linear unit. Vector kernel: fixnet/kernels/relu-inl.hpp.
#ifndef FIXNET_ACTIVATIONS_RELU_HPP
#define FIXNET_ACTIVATIONS_RELU_HPP

#include "fixnet/activations/activation.hpp"

namespace fixnet {

/// f(z) = max(z, 0); f'(z) = 1 where a > 0, else 0 (0 at z = 0, as PyTorch).
/// NaN gives NaN, in both.
struct Relu : detail::Elementwise<Relu> {
  static constexpr const char* name = "Relu";
  template <Scalar T>
  static constexpr T value(T z) noexcept {
    return z < T(0) ? T(0) : z;  // not z > 0 ? z : 0, which turns NaN into 0
  }
  template <Scalar T>
  static constexpr T derivative(T a) noexcept {
    if (a > T(0)) return T(1);
    return a <= T(0) ? T(0) : a;  // a is NaN
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_RELU_HPP

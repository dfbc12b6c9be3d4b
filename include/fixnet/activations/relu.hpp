// fixnet — the rectified linear unit. Vector kernel: fixnet/kernels/relu-inl.hpp.
#ifndef FIXNET_ACTIVATIONS_RELU_HPP
#define FIXNET_ACTIVATIONS_RELU_HPP

#include "fixnet/activation.hpp"

namespace fixnet {

/// f(z) = max(z, 0); f'(z) = 1 where a > 0, else 0 (0 at z = 0, as PyTorch).
struct Relu : detail::Elementwise<Relu> {
  static constexpr const char* name = "Relu";
  template <Scalar T>
  static constexpr T value(T z) noexcept {
    return z > T(0) ? z : T(0);
  }
  template <Scalar T>
  static constexpr T derivative(T a) noexcept {
    return a > T(0) ? T(1) : T(0);
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_RELU_HPP

// fixnet — the hyperbolic tangent. Vector kernel: fixnet/kernels/tanh-inl.hpp.
#ifndef FIXNET_ACTIVATIONS_TANH_HPP
#define FIXNET_ACTIVATIONS_TANH_HPP

#include <cmath>

#include "fixnet/activations/activation.hpp"

namespace fixnet {

/// f(z) = tanh z; f'(z) = 1 - a^2 with a = f(z).
struct Tanh : detail::Elementwise<Tanh> {
  static constexpr const char* name = "Tanh";
  template <Scalar T>
  static T value(T z) noexcept {
    return std::tanh(z);
  }
  template <Scalar T>
  static constexpr T derivative(T a) noexcept {
    return T(1) - a * a;
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_TANH_HPP

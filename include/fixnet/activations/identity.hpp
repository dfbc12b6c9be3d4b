// fixnet — the identity activation, f(z) = z. Vector kernel:
// fixnet/kernels/identity-inl.hpp.
#ifndef FIXNET_ACTIVATIONS_IDENTITY_HPP
#define FIXNET_ACTIVATIONS_IDENTITY_HPP

#include "fixnet/activations/activation.hpp"

namespace fixnet {

/// f(z) = z; f'(z) = 1. For regression outputs.
struct Identity : detail::Elementwise<Identity> {
  static constexpr const char* name = "Identity";
  template <Scalar T>
  static constexpr T value(T z) noexcept {
    return z;
  }
  template <Scalar T>
  static constexpr T derivative(T /*a*/) noexcept {
    return T(1);
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_IDENTITY_HPP

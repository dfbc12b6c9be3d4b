// fixnet — the logistic sigmoid. Vector kernel: fixnet/kernels/sigmoid-inl.hpp.
#ifndef FIXNET_ACTIVATIONS_SIGMOID_HPP
#define FIXNET_ACTIVATIONS_SIGMOID_HPP

#include <cmath>

#include "fixnet/activations/activation.hpp"

namespace fixnet {

/// f(z) = 1 / (1 + e^-z); f'(z) = a (1 - a) with a = f(z).
/// Finite for every finite z: e^-z overflows to +inf for z < -89 (float),
/// and 1 / inf is 0.
struct Sigmoid : detail::Elementwise<Sigmoid> {
  static constexpr const char* name = "Sigmoid";
  template <Scalar T>
  static T value(T z) noexcept {
    return T(1) / (T(1) + std::exp(-z));
  }
  template <Scalar T>
  static constexpr T derivative(T a) noexcept {
    return a * (T(1) - a);
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_SIGMOID_HPP

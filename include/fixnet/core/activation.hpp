// fixnet — what an activation function is.
//
// An activation defines, side by side, its value and its derivative. The
// derivative is written in terms of the activation's *output* a = f(z): every
// activation fixnet ships can do so, and it means backpropagation keeps one
// buffer per layer (the outputs) instead of two.
//
// Each activation's header holds, side by side, its scalar definition (the
// reference that tests compare against) and, below its include guard, its
// Highway kernel: a specialisation of `fixnet::HWY_NAMESPACE::ActivationKernel`
// (fixnet/kernels/activation-inl.hpp) compiled once per target. Including the
// header is all it takes to use the activation in a network: no list names it.
#ifndef FIXNET_ACTIVATION_HPP
#define FIXNET_ACTIVATION_HPP

#include <concepts>
#include <cstddef>
#include <span>

#include "fixnet/core/config.hpp"

namespace fixnet {

/// An activation type: a `name`, whether it acts on each element alone
/// (`elementwise`), whether its derivative is written in its input z rather
/// than its output a (`derivative_from_input`: Swish, GELU), and a scalar
/// reference of its forward and backward pass on a whole layer:
///   `A::reference_forward(z, a)`:  a = f(z)
///   `A::reference_backward(x, g, d)`: d = J_f(z)^T g, the gradient with
///   respect to the pre-activation z given the gradient g with respect to
///   the output a; x is a, or z when `derivative_from_input`.
/// Its vector kernel, `fixnet::HWY_NAMESPACE::ActivationKernel<A>`, is
/// checked where a network first uses it (fixnet/kernels/activation-inl.hpp).
template <class A>
concept Activation = requires(std::span<const double, 3> in, std::span<double, 3> out) {
  { A::name } -> std::convertible_to<const char*>;
  { A::elementwise } -> std::convertible_to<bool>;
  { A::derivative_from_input } -> std::convertible_to<bool>;
  A::reference_forward(in, out);
  A::reference_backward(in, in, out);
};

/// Base for activations that act on each element alone. The derived type
/// provides `value(z)` and `derivative(x)`, x being the output a = f(z), or
/// z itself with `FromInput` (the network then keeps each such layer's z for
/// backpropagation); this supplies the whole-layer reference passes.
template <class Derived, bool FromInput = false>
struct Elementwise {
  static constexpr bool elementwise = true;
  static constexpr bool derivative_from_input = FromInput;

  template <Scalar T, std::size_t N>
  static constexpr void reference_forward(std::span<const T, N> z, std::span<T, N> a) noexcept {
    for (std::size_t i = 0; i < N; ++i) a[i] = Derived::value(z[i]);
  }

  template <Scalar T, std::size_t N>
  static constexpr void reference_backward(std::span<const T, N> x, std::span<const T, N> grad_a,
                                           std::span<T, N> grad_z) noexcept {
    for (std::size_t i = 0; i < N; ++i) grad_z[i] = grad_a[i] * Derived::derivative(x[i]);
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATION_HPP

// fixnet — the leaky rectified linear unit. Vector kernel:
// fixnet/kernels/leaky_relu-inl.hpp.
#ifndef FIXNET_ACTIVATIONS_LEAKY_RELU_HPP
#define FIXNET_ACTIVATIONS_LEAKY_RELU_HPP

#include <ratio>

#include "fixnet/activations/activation.hpp"

namespace fixnet {

/// f(z) = z for z > 0, else slope * z; f'(z) = 1 where a > 0, else slope.
/// The slope is a `std::ratio` so that it is part of the type (and of the
/// network's type): `BasicLeakyRelu<std::ratio<1, 5>>` has slope 0.2.
/// The slope must be positive, so that a and z share their sign and the
/// derivative can be read from the output.
template <class Slope = std::ratio<1, 100>>
struct BasicLeakyRelu : detail::Elementwise<BasicLeakyRelu<Slope>> {
  static_assert(Slope::num > 0 && Slope::den > 0,
                "fixnet: BasicLeakyRelu<Slope> needs a positive slope (the derivative is read from "
                "the output's sign)");
  static constexpr const char* name = "LeakyRelu";
  template <Scalar T>
  static constexpr T slope = T(Slope::num) / T(Slope::den);

  template <Scalar T>
  static constexpr T value(T z) noexcept {
    return z > T(0) ? z : slope<T> * z;
  }
  /// NaN for NaN a.
  template <Scalar T>
  static constexpr T derivative(T a) noexcept {
    if (a > T(0)) return T(1);
    return a <= T(0) ? slope<T> : a;  // a is NaN
  }
};

/// Leaky ReLU with PyTorch's default slope, 0.01.
using LeakyRelu = BasicLeakyRelu<>;

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_LEAKY_RELU_HPP

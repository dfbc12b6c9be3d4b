// expect: fixnet: an activation of this network has no vector kernel
//
// An activation type with its scalar definition but no Highway kernel
// (fixnet::HWY_NAMESPACE::ActivationKernel<Act>, docs/extending.md): named
// in the pass that was called, not deep inside the kernels.
#include <fixnet/inference.hpp>

#include <array>

struct Square : fixnet::Elementwise<Square, /*FromInput=*/true> {
  static constexpr const char* name = "Square";
  template <fixnet::Scalar T>
  static constexpr T value(T z) noexcept {
    return z * z;
  }
  template <fixnet::Scalar T>
  static constexpr T derivative(T z) noexcept {
    return 2 * z;
  }
};

#ifdef FIXNET_COMPILE_FAIL
using Hidden = Square;
#else
using Hidden = fixnet::Tanh;
#endif

int main() {
  fixnet::Network<fixnet::Dense<2, 5, Hidden>, fixnet::Dense<5, 3, fixnet::Softmax>> net;
  return static_cast<int>(net.forward(std::array<float, 2>{1.0f, 2.0f})[0]);
}

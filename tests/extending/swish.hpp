// An activation defined outside fixnet: Swish (SiLU), f(z) = z sigmoid(z).
// One header holds its scalar definition and, below the include guard, its
// Highway kernel; including it is all a network needs (docs/extending.md).
#ifndef MY_ACTIVATIONS_SWISH_HPP
#define MY_ACTIVATIONS_SWISH_HPP

#include <cmath>

#include <fixnet/core/activation.hpp>

namespace my {

/// f(z) = z / (1 + e^-z); f'(z) = s + z s (1 - s) with s = sigmoid(z).
/// The derivative needs z, not only f(z) (Swish is not monotonic), so the
/// activation says so: `Elementwise<Swish, true>` makes the network keep z.
struct Swish : fixnet::Elementwise<Swish, /*FromInput=*/true> {
  static constexpr const char* name = "Swish";
  template <fixnet::Scalar T>
  static T value(T z) noexcept {
    return z / (T(1) + std::exp(-z));
  }
  template <fixnet::Scalar T>
  static T derivative(T z) noexcept {
    const T s = T(1) / (T(1) + std::exp(-z));
    return s + z * s * (T(1) - s);
  }
};

}  // namespace my

#endif  // MY_ACTIVATIONS_SWISH_HPP

// The vector kernel: re-included once per SIMD target under
// hwy/foreach_target.h, hence the toggling guard instead of an include guard.
#if defined(MY_ACTIVATIONS_SWISH_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef MY_ACTIVATIONS_SWISH_KERNEL_
#undef MY_ACTIVATIONS_SWISH_KERNEL_
#else
#define MY_ACTIVATIONS_SWISH_KERNEL_
#endif

#include <fixnet/kernels/activation-inl.hpp>
#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct ActivationKernel<my::Swish> {
  /// sigmoid(z), with z clamped where e^-z would overflow (hn::Exp is valid
  /// up to +88 in float); the sigmoid is 0 there anyway.
  template <class D, class V>
  static HWY_INLINE V sigmoid(D d, V z) {
    using T = hn::TFromD<D>;
    const V one = hn::Set(d, T(1));
    const V e = hn::Exp(d, hn::Neg(hn::Max(z, hn::Set(d, T(-80)))));
    return hn::Div(one, hn::Add(one, e));
  }
  template <class D, class V>
  static HWY_INLINE V value(D d, V z) {
    return hn::Mul(z, sigmoid(d, z));
  }
  /// From z, as the scalar derivative: s + z s (1 - s).
  template <class D, class V>
  static HWY_INLINE V derivative(D d, V z) {
    const V s = sigmoid(d, z);
    const V one_minus_s = hn::Sub(hn::Set(d, hn::TFromD<D>(1)), s);
    return hn::MulAdd(hn::Mul(z, s), one_minus_s, s);
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target guard

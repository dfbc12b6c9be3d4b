// fixnet — the logistic sigmoid.
#ifndef FIXNET_ACTIVATIONS_SIGMOID_HPP
#define FIXNET_ACTIVATIONS_SIGMOID_HPP

#include <cmath>

#include "fixnet/core/activation.hpp"

namespace fixnet {

/// f(z) = 1 / (1 + e^-z); f'(z) = a (1 - a) with a = f(z).
/// Finite for every finite z: e^-z overflows to +inf for z < -89 (float),
/// and 1 / inf is 0.
struct Sigmoid : Elementwise<Sigmoid> {
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

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_ACTIVATIONS_SIGMOID_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_ACTIVATIONS_SIGMOID_KERNEL_
#undef FIXNET_ACTIVATIONS_SIGMOID_KERNEL_
#else
#define FIXNET_ACTIVATIONS_SIGMOID_KERNEL_
#endif

#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/non_finite-inl.hpp"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct ActivationKernel<Sigmoid> {
  /// 1 / (1 + e^-z). hn::Exp is 1 ULP but only valid up to +104 (float) /
  /// +706 (double), so z is first clamped below at -88 / -708, where the
  /// sigmoid is already below the smallest normal number. Error: a few ULP.
  /// NaN gives NaN: the clamp (hn::Max) and hn::Exp both turn NaN into a
  /// number, so NaN lanes are put back at the end (fixnet/kernels/non_finite-inl.hpp).
  template <class D, class V>
  static HWY_INLINE V value(D d, V z) {
    using T = hn::TFromD<D>;
    constexpr T kLowest = sizeof(T) == 4 ? T(-88) : T(-708);
    const V one = hn::Set(d, T(1));
    const V e = hn::Exp(d, hn::Neg(hn::Max(z, hn::Set(d, kLowest))));
    return nan_where_nan(z, hn::Div(one, hn::Add(one, e)));
  }
  /// a (1 - a).
  template <class D, class V>
  static HWY_INLINE V derivative(D d, V a) {
    return hn::Mul(a, hn::Sub(hn::Set(d, hn::TFromD<D>(1)), a));
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

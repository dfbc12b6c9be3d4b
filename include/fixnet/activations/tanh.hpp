// fixnet — the hyperbolic tangent.
#ifndef FIXNET_ACTIVATIONS_TANH_HPP
#define FIXNET_ACTIVATIONS_TANH_HPP

#include <cmath>

#include "fixnet/core/activation.hpp"

namespace fixnet {

/// f(z) = tanh z; f'(z) = 1 - a^2 with a = f(z).
struct Tanh : Elementwise<Tanh> {
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

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_ACTIVATIONS_TANH_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_ACTIVATIONS_TANH_KERNEL_
#undef FIXNET_ACTIVATIONS_TANH_KERNEL_
#else
#define FIXNET_ACTIVATIONS_TANH_KERNEL_
#endif

#include "fixnet/kernels/activation-inl.hpp"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct ActivationKernel<Tanh> {
  /// tanh z: hn::Tanh, 4 ULP, valid for every finite z.
  template <class D, class V>
  static HWY_INLINE V value(D d, V z) {
    return hn::Tanh(d, z);
  }
  /// 1 - a^2.
  template <class D, class V>
  static HWY_INLINE V derivative(D d, V a) {
    return hn::NegMulAdd(a, a, hn::Set(d, hn::TFromD<D>(1)));
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

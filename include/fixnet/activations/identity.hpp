// fixnet — the identity activation, f(z) = z.
#ifndef FIXNET_ACTIVATIONS_IDENTITY_HPP
#define FIXNET_ACTIVATIONS_IDENTITY_HPP

#include "fixnet/core/activation.hpp"

namespace fixnet {

/// f(z) = z; f'(z) = 1. For regression outputs.
struct Identity : Elementwise<Identity> {
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

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_ACTIVATIONS_IDENTITY_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_ACTIVATIONS_IDENTITY_KERNEL_
#undef FIXNET_ACTIVATIONS_IDENTITY_KERNEL_
#else
#define FIXNET_ACTIVATIONS_IDENTITY_KERNEL_
#endif

#include "fixnet/kernels/activation-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct ActivationKernel<Identity> {
  /// f(z) = z. Exact.
  template <class D, class V>
  static HWY_INLINE V value(D, V z) {
    return z;
  }
  /// f' = 1.
  template <class D, class V>
  static HWY_INLINE V derivative(D d, V) {
    return hn::Set(d, hn::TFromD<D>(1));
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

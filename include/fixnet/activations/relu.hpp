// fixnet — the rectified linear unit.
#ifndef FIXNET_ACTIVATIONS_RELU_HPP
#define FIXNET_ACTIVATIONS_RELU_HPP

#include "fixnet/core/activation.hpp"

namespace fixnet {

/// f(z) = max(z, 0); f'(z) = 1 where a > 0, else 0 (0 at z = 0, as PyTorch).
/// NaN gives NaN, in both.
struct Relu : Elementwise<Relu> {
  static constexpr const char* name = "Relu";
  template <Scalar T>
  static constexpr T value(T z) noexcept {
    return z < T(0) ? T(0) : z;  // not z > 0 ? z : 0, which turns NaN into 0
  }
  template <Scalar T>
  static constexpr T derivative(T a) noexcept {
    if (a > T(0)) return T(1);
    return a <= T(0) ? T(0) : a;  // a is NaN
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_RELU_HPP

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_ACTIVATIONS_RELU_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_ACTIVATIONS_RELU_KERNEL_
#undef FIXNET_ACTIVATIONS_RELU_KERNEL_
#else
#define FIXNET_ACTIVATIONS_RELU_KERNEL_
#endif

#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/non_finite-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct ActivationKernel<Relu> {
  /// max(z, 0). Exact; NaN stays NaN (hn::Max would give 0 for it).
  template <class D, class V>
  static HWY_INLINE V value(D d, V z) {
    return clamp_below(z, hn::Zero(d));
  }
  /// 1 where a > 0, 0 where a <= 0, NaN where a is NaN.
  template <class D, class V>
  static HWY_INLINE V derivative(D d, V a) {
    return nan_where_nan(a, hn::IfThenElseZero(hn::Gt(a, hn::Zero(d)), hn::Set(d, hn::TFromD<D>(1))));
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

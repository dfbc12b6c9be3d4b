// fixnet — the leaky rectified linear unit.
#ifndef FIXNET_ACTIVATIONS_LEAKY_RELU_HPP
#define FIXNET_ACTIVATIONS_LEAKY_RELU_HPP

#include <ratio>

#include "fixnet/core/activation.hpp"

namespace fixnet {

/// f(z) = z for z > 0, else slope * z; f'(z) = 1 where a > 0, else slope.
/// The slope is a `std::ratio` so that it is part of the type (and of the
/// network's type): `BasicLeakyRelu<std::ratio<1, 5>>` has slope 0.2.
/// The slope must be positive, so that a and z share their sign and the
/// derivative can be read from the output.
template <class Slope = std::ratio<1, 100>>
struct BasicLeakyRelu : Elementwise<BasicLeakyRelu<Slope>> {
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

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_ACTIVATIONS_LEAKY_RELU_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_ACTIVATIONS_LEAKY_RELU_KERNEL_
#undef FIXNET_ACTIVATIONS_LEAKY_RELU_KERNEL_
#else
#define FIXNET_ACTIVATIONS_LEAKY_RELU_KERNEL_
#endif

#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/non_finite-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class Slope>
struct ActivationKernel<BasicLeakyRelu<Slope>> {
  using Act = BasicLeakyRelu<Slope>;
  /// z where z > 0, else slope * z (so NaN for NaN). Exact up to the
  /// product's rounding.
  template <class D, class V>
  static HWY_INLINE V value(D d, V z) {
    const V scaled = hn::Mul(z, hn::Set(d, Act::template slope<hn::TFromD<D>>));
    return hn::IfThenElse(hn::Gt(z, hn::Zero(d)), z, scaled);
  }
  /// 1 where a > 0, slope where a <= 0, NaN where a is NaN.
  template <class D, class V>
  static HWY_INLINE V derivative(D d, V a) {
    using T = hn::TFromD<D>;
    return nan_where_nan(a, hn::IfThenElse(hn::Gt(a, hn::Zero(d)), hn::Set(d, T(1)),
                                           hn::Set(d, Act::template slope<T>)));
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

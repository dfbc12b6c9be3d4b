// fixnet kernels — leaky rectified linear unit (scalar reference:
// fixnet/activations/leaky_relu.hpp).

#if defined(FIXNET_KERNELS_LEAKY_RELU_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_LEAKY_RELU_INL_HPP_
#undef FIXNET_KERNELS_LEAKY_RELU_INL_HPP_
#else
#define FIXNET_KERNELS_LEAKY_RELU_INL_HPP_
#endif

#include "fixnet/activations/leaky_relu.hpp"
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

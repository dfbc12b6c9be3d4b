// fixnet kernels — rectified linear unit (scalar reference:
// fixnet/activations/relu.hpp).

#if defined(FIXNET_KERNELS_RELU_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_RELU_INL_HPP_
#undef FIXNET_KERNELS_RELU_INL_HPP_
#else
#define FIXNET_KERNELS_RELU_INL_HPP_
#endif

#include "fixnet/activations/relu.hpp"
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

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
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct ActivationKernel<Relu> {
  /// max(z, 0). Exact.
  template <class D, class V>
  static HWY_INLINE V value(D d, V z) {
    return hn::Max(z, hn::Zero(d));
  }
  /// 1 where a > 0, else 0.
  template <class D, class V>
  static HWY_INLINE V derivative(D d, V a) {
    return hn::IfThenElseZero(hn::Gt(a, hn::Zero(d)), hn::Set(d, hn::TFromD<D>(1)));
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

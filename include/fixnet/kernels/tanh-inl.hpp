// fixnet kernels — hyperbolic tangent (scalar reference:
// fixnet/activations/tanh.hpp).

#if defined(FIXNET_KERNELS_TANH_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_TANH_INL_HPP_
#undef FIXNET_KERNELS_TANH_INL_HPP_
#else
#define FIXNET_KERNELS_TANH_INL_HPP_
#endif

#include "fixnet/activations/tanh.hpp"
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

// fixnet kernels — identity activation (scalar reference:
// fixnet/activations/identity.hpp).

#if defined(FIXNET_KERNELS_IDENTITY_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_IDENTITY_INL_HPP_
#undef FIXNET_KERNELS_IDENTITY_INL_HPP_
#else
#define FIXNET_KERNELS_IDENTITY_INL_HPP_
#endif

#include "fixnet/activations/identity.hpp"
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

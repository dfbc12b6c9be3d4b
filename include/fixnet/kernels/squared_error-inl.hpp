// fixnet kernels — squared-error losses (scalar reference:
// fixnet/losses/squared_error.hpp).

#if defined(FIXNET_KERNELS_SQUARED_ERROR_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_SQUARED_ERROR_INL_HPP_
#undef FIXNET_KERNELS_SQUARED_ERROR_INL_HPP_
#else
#define FIXNET_KERNELS_SQUARED_ERROR_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/loss-inl.hpp"
#include "fixnet/losses/squared_error.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// scale (a - t)^2 and its gradient 2 scale (a - t); the scale is the loss's
/// (1/N for the mean, 1/2 for the half sum).
template <class L>
struct ScaledSquaredErrorKernel {
  template <std::size_t N, class D, class V>
  static HWY_INLINE V value(D d, V a, V t) {
    const V diff = hn::Sub(a, t);
    return hn::Mul(hn::Set(d, L::template scale<hn::TFromD<D>, N>), hn::Mul(diff, diff));
  }
  template <std::size_t N, class D, class V>
  static HWY_INLINE V gradient(D d, V a, V t) {
    using T = hn::TFromD<D>;
    return hn::Mul(hn::Set(d, T(2) * L::template scale<T, N>), hn::Sub(a, t));
  }
};

template <>
struct LossKernel<MeanSquaredError> : ScaledSquaredErrorKernel<MeanSquaredError> {};
template <>
struct LossKernel<HalfSumSquaredError> : ScaledSquaredErrorKernel<HalfSumSquaredError> {};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

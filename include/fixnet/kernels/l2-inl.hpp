// fixnet kernels — the gradient of L2 regularisation, added to a gradient
// set: g += lambda w, on the weights only or on the biases too.

#if defined(FIXNET_KERNELS_L2_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_L2_INL_HPP_
#undef FIXNET_KERNELS_L2_INL_HPP_
#else
#define FIXNET_KERNELS_L2_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/parameter_pass-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// g[k] += lambda w[k] for k < N (whole lines).
template <std::size_t N, class T>
HWY_INLINE void add_l2_region(T lambda, const T* HWY_RESTRICT w, T* HWY_RESTRICT g) {
  const LineTag<T> d;
  const auto vl = hn::Set(d, lambda);
  for_each_vector<N>(d, [&](std::size_t k) HWY_ATTR {
    hn::Store(hn::MulAdd(vl, hn::Load(d, w + k), hn::Load(d, g + k)), d, g + k);
  });
}

/// grads += lambda params over the weights of every layer, and over the
/// biases too when `include_biases`.
template <class P, class T>
void add_l2_gradient(T lambda, bool include_biases, const P& params, P& grads) {
  for_each_region<P>([&](auto region) {
    using R = decltype(region);
    if (R::is_bias && !include_biases) return;
    add_l2_region<R::size>(lambda, region_data<R>(params), region_data<R>(grads));
  });
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

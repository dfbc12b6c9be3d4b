// fixnet kernels — the sum of squares of a parameter set (all of it, or its
// weights only): the squared global L2 norm behind gradient clipping and the
// L2 penalty.

#if defined(FIXNET_KERNELS_SUM_OF_SQUARES_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_SUM_OF_SQUARES_INL_HPP_
#undef FIXNET_KERNELS_SUM_OF_SQUARES_INL_HPP_
#else
#define FIXNET_KERNELS_SUM_OF_SQUARES_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/parameter_pass-inl.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// sum x[k]^2 over N stored values (whole lines), in T.
// Four independent accumulators hide the latency of the multiply-adds (about
// 4 cycles each, 2 ports). Both loops count vectors up to constants: a tail
// loop that continued from the first loop's index made g++ 12 warn
// (-Waggressive-loop-optimizations) on the one-lane SCALAR target.
template <std::size_t N, class T>
HWY_INLINE T sum_of_squares_region(const T* HWY_RESTRICT x) {
  const LineTag<T> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  static_assert(N % kL == 0, "fixnet: a region is whole lines, which every vector divides");
  constexpr std::size_t kVectors = N / kL;
  constexpr std::size_t kGroups = kVectors / 4;
  auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
  for (std::size_t j = 0; j < kGroups; ++j) {
    const T* group = x + 4 * j * kL;
    const auto v0 = hn::Load(d, group), v1 = hn::Load(d, group + kL);
    const auto v2 = hn::Load(d, group + 2 * kL), v3 = hn::Load(d, group + 3 * kL);
    a0 = hn::MulAdd(v0, v0, a0);
    a1 = hn::MulAdd(v1, v1, a1);
    a2 = hn::MulAdd(v2, v2, a2);
    a3 = hn::MulAdd(v3, v3, a3);
  }
  for (std::size_t j = 4 * kGroups; j < kVectors; ++j) {
    const auto v = hn::Load(d, x + j * kL);
    a0 = hn::MulAdd(v, v, a0);
  }
  return reduce_sum(d, hn::Add(hn::Add(a0, a1), hn::Add(a2, a3)));
}

/// sum of the squares of every stored value of p (padding adds zeros), or of
/// the weights only. Each region is summed in T, vectorised; the regions'
/// sums are added in double, so that a large network's total keeps the
/// precision of its parts.
template <class P>
double sum_of_squares(const P& p, bool include_biases) {
  double total = 0;
  for_each_region<P>([&](auto region) {
    using R = decltype(region);
    if (R::is_bias && !include_biases) return;
    total += static_cast<double>(sum_of_squares_region<R::size>(region_data<R>(p)));
  });
  return total;
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

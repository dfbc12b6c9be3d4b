// fixnet kernels — whether every value of a parameter set is finite (no NaN,
// no infinity): the trainer's check that it is not training on garbage.

#if defined(FIXNET_KERNELS_ALL_FINITE_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_ALL_FINITE_INL_HPP_
#undef FIXNET_KERNELS_ALL_FINITE_INL_HPP_
#else
#define FIXNET_KERNELS_ALL_FINITE_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/config.hpp"
#include "fixnet/kernels/parameter_pass-inl.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Whether x[k] is finite for every k < N (whole lines).
// IsFinite tests the exponent bits, so it holds under -ffast-math too, where
// x != x and x * 0 tests may be folded away. Masks are ANDed without early
// exit: a branch per vector would cost more than the rare early return saves.
template <std::size_t N, class T>
HWY_INLINE bool all_finite_region(const T* HWY_RESTRICT x) {
  const LineTag<T> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  static_assert(N % kL == 0 && N > 0, "fixnet: a region is whole lines, which every vector divides");
  auto finite = hn::IsFinite(hn::Load(d, x));
  for (std::size_t k = kL; k < N; k += kL) finite = hn::And(finite, hn::IsFinite(hn::Load(d, x + k)));
  return hn::AllTrue(d, finite);
}

/// Whether every stored value of p is finite (padding is zero, so finite).
template <class P>
bool all_finite(const P& p) {
  bool finite = true;
  for_each_region<P>([&](auto region) {
    using R = decltype(region);
    finite = all_finite_region<R::size>(region_data<R>(p)) && finite;
  });
  return finite;
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

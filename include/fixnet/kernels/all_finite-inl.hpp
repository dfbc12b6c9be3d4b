// fixnet kernels — whether every value of a parameter set is finite (no NaN,
// no infinity): the trainer's check that it is not training on garbage.

#if defined(FIXNET_KERNELS_ALL_FINITE_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_ALL_FINITE_INL_HPP_
#undef FIXNET_KERNELS_ALL_FINITE_INL_HPP_
#else
#define FIXNET_KERNELS_ALL_FINITE_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/parameter_pass-inl.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Whether x[k] is finite for every k < N (whole lines).
// A value is NaN or infinite exactly when its exponent bits are all ones, so
// the largest exponent field of the region (an unsigned integer maximum over
// the bits) tells. Integer operations hold under -ffast-math, where x != x
// and x * 0 tests may be folded away, and accumulate in vector registers at
// the speed of the loads: ANDing IsFinite masks instead was six times slower
// on AVX-512 (41 against 6.5 us for 235k floats). Two accumulators hide the
// maximum's latency.
template <std::size_t N, class T>
HWY_INLINE bool all_finite_region(const T* HWY_RESTRICT x) {
  const LineTag<T> d;
  const hn::RebindToUnsigned<decltype(d)> du;
  using U = hn::TFromD<decltype(du)>;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  static_assert(N % kL == 0 && N > 0, "fixnet: a region is whole lines, which every vector divides");
  // The exponent field: all bits but the sign and the mantissa.
  constexpr U kExponent = static_cast<U>(~U(0) >> 1) & ~static_cast<U>((U(1) << hwy::MantissaBits<T>()) - 1);
  const auto exponent = hn::Set(du, kExponent);
  constexpr std::size_t kVectors = N / kL;
  auto a0 = hn::Zero(du), a1 = hn::Zero(du);
  for (std::size_t j = 0; j < kVectors / 2; ++j) {
    a0 = hn::Max(a0, hn::And(hn::BitCast(du, hn::Load(d, x + 2 * j * kL)), exponent));
    a1 = hn::Max(a1, hn::And(hn::BitCast(du, hn::Load(d, x + (2 * j + 1) * kL)), exponent));
  }
  if constexpr (kVectors % 2 != 0)
    a0 = hn::Max(a0, hn::And(hn::BitCast(du, hn::Load(d, x + (kVectors - 1) * kL)), exponent));
  return hn::AllFalse(du, hn::Eq(hn::Max(a0, a1), exponent));
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

// fixnet kernels — how a padded row of N elements is cut into vectors.
//
// A row of N elements is stored padded to whole 64-byte lines (see
// fixnet/core/config.hpp). It is processed with vectors of `RowTag<T, N>`: at most
// bit_ceil(N) lanes, so that a 4-wide layer uses 128-bit vectors on every
// target rather than wasting half an AVX2 register, and at most one line. Since
// every target's lane count divides the line, `row_vectors` full vectors never
// run past the padding, and no remainder loop exists.

// Per-target include guard (Highway's -inl convention): this file is compiled
// once for each target that hwy/foreach_target.h enumerates.
#if defined(FIXNET_KERNELS_ROW_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_ROW_INL_HPP_
#undef FIXNET_KERNELS_ROW_INL_HPP_
#else
#define FIXNET_KERNELS_ROW_INL_HPP_
#endif

#include <algorithm>
#include <bit>
#include <cstddef>

#include "fixnet/core/config.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

static_assert(!HWY_HAVE_SCALABLE,
              "fixnet: scalable-vector targets (SVE, RVV) are not supported: fixnet's trip counts "
              "are compile-time and need fixed-width vectors");

/// Vector tag for rows of N elements of T.
template <class T, std::size_t N>
using RowTag = hn::CappedTag<T, std::min(std::bit_ceil(std::max<std::size_t>(N, 1)),
                                         lanes_per_line<T>)>;

/// Lanes of D, as a constant expression (fixed-width targets only).
template <class D>
inline constexpr std::size_t kLanes = hn::MaxLanes(D());

/// Number of vectors of D that cover N elements.
template <class D, std::size_t N>
inline constexpr std::size_t kRowVectors = (N + kLanes<D> - 1) / kLanes<D>;

/// v with the lanes at or past element N zeroed, for the vector that starts at
/// element `start` of a row. Only the last vector of a row whose width is not a
/// multiple of the lane count pays for the mask.
template <std::size_t N, class D, class V>
HWY_INLINE V keep_in_row(D d, V v, std::size_t start) {
  if constexpr (N % kLanes<D> == 0) {
    return v;
  } else {
    return start + kLanes<D> > N ? hn::IfThenElseZero(hn::FirstN(d, N - start), v) : v;
  }
}

/// Zeroes the rest of a padded row of N elements, past the vectors that
/// `kRowVectors` covers. Every writer of a row calls it, so that a padded row
/// is always fully written and padding always reads as zero.
template <std::size_t N, class T>
HWY_INLINE void zero_row_tail(T* HWY_RESTRICT row) {
  const RowTag<T, N> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  for (std::size_t i = kRowVectors<decltype(d), N> * kL; i < padded<T>(N); i += kL)
    hn::Store(hn::Zero(d), d, row + i);
}

/// Sum of all lanes (Highway 1.0.3 has no ReduceSum).
template <class D, class V>
HWY_INLINE hn::TFromD<D> reduce_sum(D d, V v) {
  return hn::GetLane(hn::SumOfLanes(d, v));
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

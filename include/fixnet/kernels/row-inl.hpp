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
#include "fixnet/core/layer.hpp"
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

/// Vector registers of the target: AVX-512 has 32, the other x86 targets 16.
inline constexpr std::size_t kVectorRegisters =
    (HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL) ? 32 : 16;

#if HWY_TARGET != HWY_SCALAR
// ---- One sample in registers -------------------------------------------
// A one-sample forward pass (fixnet/passes/network-inl.hpp) hands each
// layer's output to the next in registers: stored and reloaded wider, it
// would wait for store forwarding on the dependent chain a real-time loop
// pays for.

/// Vectors for one sample of N elements in registers: at least 128 bits (so
/// that four sums reduce in one transpose-and-add), at most one line.
template <class T, std::size_t N>
using RegisterTag = hn::CappedTag<T, std::clamp(std::bit_ceil(std::max<std::size_t>(N, 1)),
                                                16 / sizeof(T), lanes_per_line<T>)>;

/// One sample of N elements in registers: the vectors of RegisterTag<T, N>
/// that cover it, lanes past N zero.
template <class T, std::size_t N>
struct RegisterRow {
  using tag = RegisterTag<T, N>;
  static constexpr std::size_t count = kRowVectors<tag, N>;
  hn::Vec<tag> v[count];
};

/// One layer's pre-activation z and output a, for one sample in registers
/// (what backpropagation reads).
template <class T, std::size_t N>
struct RegisterPass {
  RegisterRow<T, N> z;
  RegisterRow<T, N> a;
};

/// What a layer's one-sample backward pass returns when no input gradient
/// is wanted.
struct NoGradient {};

/// A padded row of N elements as a row in registers.
template <class T, std::size_t N>
HWY_INLINE RegisterRow<T, N> load_padded(const T* HWY_RESTRICT row) {
  const RegisterTag<T, N> d;
  RegisterRow<T, N> r;
  for (std::size_t v = 0; v < RegisterRow<T, N>::count; ++v)
    r.v[v] = hn::Load(d, row + v * kLanes<decltype(d)>);
  return r;
}

/// A row of N elements in memory, unpadded (a caller's input): read as the
/// vectors of RegisterTag<T, N>, without touching memory past N.
template <class T, std::size_t N>
struct UnpaddedRow {
  using tag = RegisterTag<T, N>;
  static constexpr std::size_t count = kRowVectors<tag, N>;
  const T* HWY_RESTRICT data;
};

/// The first R elements at x as a vector of D, zero past R, reading x[0..R)
/// only: whole halves by plain loads, the rest recursively, so that a row
/// written by vector stores is read without waiting for them (one wide load
/// over several narrower stores cannot be forwarded from them).
template <std::size_t R, class D, class T = hn::TFromD<D>>
HWY_INLINE hn::Vec<D> load_prefix(D d, const T* HWY_RESTRICT x) {
  constexpr std::size_t kL = kLanes<D>;
  static_assert(R >= 1 && R <= kL);
  if constexpr (R == kL) {
    return hn::LoadU(d, x);
  } else {
    const hn::Half<D> dh;
    constexpr std::size_t kHalf = kL / 2;
    if constexpr (R <= kHalf) {
      return hn::ZeroExtendVector(d, load_prefix<R>(dh, x));
    } else {
      return hn::Combine(d, load_prefix<R - kHalf>(dh, x + kHalf), hn::LoadU(dh, x));
    }
  }
}

/// Calls first(vector 0) and then rest(v, vector v) for the other vectors of
/// a row in registers, unrolled (so that the row stays in registers).
template <class T, std::size_t N, class First, class Rest>
HWY_INLINE void for_each_row_vector(const RegisterRow<T, N>& x, First&& first, Rest&& rest) {
  first(x.v[0]);
  detail::for_each_index<RegisterRow<T, N>::count - 1>([&](auto i) {
    constexpr std::size_t kV = decltype(i)::value + 1;
    rest(kV, x.v[kV]);
  });
}
/// The same for an unpadded row in memory, zero past N: its whole vectors
/// in a loop, a partial last one assembled once, after it (no test of the
/// index in the loop).
template <class T, std::size_t N, class First, class Rest>
HWY_INLINE void for_each_row_vector(UnpaddedRow<T, N> x, First&& first, Rest&& rest) {
  const RegisterTag<T, N> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  constexpr std::size_t kWhole = N / kL;
  if constexpr (kWhole == 0) {
    first(load_prefix<N>(d, x.data));
  } else {
    first(hn::LoadU(d, x.data));
    for (std::size_t v = 1; v < kWhole; ++v) rest(v, hn::LoadU(d, x.data + v * kL));
    if constexpr (N % kL != 0) rest(kWhole, load_prefix<N % kL>(d, x.data + kWhole * kL));
  }
}

/// y[0..N) = the row, writing nothing past N.
template <class T, std::size_t N>
HWY_INLINE void store_unpadded(const RegisterRow<T, N>& r, T* HWY_RESTRICT y) {
  const RegisterTag<T, N> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  for (std::size_t v = 0; v < N / kL; ++v) hn::StoreU(r.v[v], d, y + v * kL);
  if constexpr (N % kL != 0) {
    HWY_ALIGN T last[kL];
    hn::Store(r.v[N / kL], d, last);
    for (std::size_t i = 0; i < N % kL; ++i) y[N / kL * kL + i] = last[i];
  }
}

/// The row into a padded row of N (zero past N, padding included).
template <class T, std::size_t N>
HWY_INLINE void store_padded(const RegisterRow<T, N>& r, T* HWY_RESTRICT row) {
  const RegisterTag<T, N> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  for (std::size_t v = 0; v < RegisterRow<T, N>::count; ++v) hn::Store(r.v[v], d, row + v * kL);
  zero_row_tail<N>(row);
}
#endif

/// Sum of all lanes (Highway 1.0.3 has no ReduceSum).
template <class D, class V>
HWY_INLINE hn::TFromD<D> reduce_sum(D d, V v) {
  return hn::GetLane(hn::SumOfLanes(d, v));
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

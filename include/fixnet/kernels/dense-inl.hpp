// fixnet kernels — the dense layer: affine map forward, gradients backward.
//
// Layout (fixnet/dense.hpp): W is [Out][kW], kW = In padded to 64 bytes, so
// W[o][i] is at o * kW + i and every row starts on a cache line; b is
// [padded(Out)]. Activation rows are padded likewise; padding is zero.
// Rows of In are cut into vectors of RowTag<T, In> (fixnet/kernels/row-inl.hpp).

#if defined(FIXNET_KERNELS_DENSE_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_DENSE_INL_HPP_
#undef FIXNET_KERNELS_DENSE_INL_HPP_
#else
#define FIXNET_KERNELS_DENSE_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/config.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// z[b] = W x[b] + bias for B samples. x rows have stride padded(In), z rows
/// padded(Out); every z row is written in full (padding zero).
template <std::size_t B, class P, class T>
HWY_INLINE void dense_affine(const P& p, const T* HWY_RESTRICT x, T* HWY_RESTRICT z) {
  constexpr std::size_t kIn = P::inputs;
  constexpr std::size_t kOut = P::outputs;
  constexpr std::size_t kW = P::row_stride;
  constexpr std::size_t kXStride = padded<T>(kIn);
  constexpr std::size_t kZStride = padded<T>(kOut);
  const RowTag<T, kIn> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  constexpr std::size_t kVectors = kRowVectors<decltype(d), kIn>;
  const hn::CappedTag<T, lanes_per_line<T>> dz;  // whole lines of z
  constexpr std::size_t kZL = kLanes<decltype(dz)>;
  const T* HWY_RESTRICT w = p.weights();

  for (std::size_t b = 0; b < B; ++b) {
    const T* HWY_RESTRICT xb = x + b * kXStride;
    T* HWY_RESTRICT zb = z + b * kZStride;
    // Start from the bias (or zero): this writes the whole padded row.
    for (std::size_t i = 0; i < kZStride; i += kZL) {
      if constexpr (P::has_bias) {
        hn::Store(hn::Load(dz, p.biases() + i), dz, zb + i);
      } else {
        hn::Store(hn::Zero(dz), dz, zb + i);
      }
    }
    // Four rows at a time share each load of x: 5 loads feed 4 FMAs.
    std::size_t o = 0;
    for (; o + 4 <= kOut; o += 4) {
      auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
      for (std::size_t v = 0; v < kVectors; ++v) {
        const auto xv = hn::Load(d, xb + v * kL);
        a0 = hn::MulAdd(hn::Load(d, w + (o + 0) * kW + v * kL), xv, a0);
        a1 = hn::MulAdd(hn::Load(d, w + (o + 1) * kW + v * kL), xv, a1);
        a2 = hn::MulAdd(hn::Load(d, w + (o + 2) * kW + v * kL), xv, a2);
        a3 = hn::MulAdd(hn::Load(d, w + (o + 3) * kW + v * kL), xv, a3);
      }
      zb[o + 0] += reduce_sum(d, a0);
      zb[o + 1] += reduce_sum(d, a1);
      zb[o + 2] += reduce_sum(d, a2);
      zb[o + 3] += reduce_sum(d, a3);
    }
    for (; o < kOut; ++o) {
      auto a0 = hn::Zero(d);
      for (std::size_t v = 0; v < kVectors; ++v)
        a0 = hn::MulAdd(hn::Load(d, w + o * kW + v * kL), hn::Load(d, xb + v * kL), a0);
      zb[o] += reduce_sum(d, a0);
    }
  }
}

/// Adds the gradients of B samples to g: dW[o] += sum_b delta[b][o] x[b],
/// db += sum_b delta[b]. x rows have stride padded(In), delta rows kDStride.
template <std::size_t B, std::size_t kDStride, class P, class T>
HWY_INLINE void dense_accumulate_gradients(const T* HWY_RESTRICT x, const T* HWY_RESTRICT delta,
                                           P& g) {
  constexpr std::size_t kIn = P::inputs;
  constexpr std::size_t kOut = P::outputs;
  constexpr std::size_t kW = P::row_stride;
  constexpr std::size_t kXStride = padded<T>(kIn);
  const RowTag<T, kIn> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  T* HWY_RESTRICT gw = g.weights();

  // Column strip v outermost: x[.][v] (B vectors) stays in L1 across all rows.
  for (std::size_t v = 0; v < kRowVectors<decltype(d), kIn>; ++v) {
    for (std::size_t o = 0; o < kOut; ++o) {
      // Two accumulators halve the FMA dependency chain over samples.
      auto acc0 = hn::Load(d, gw + o * kW + v * kL);
      auto acc1 = hn::Zero(d);
      std::size_t b = 0;
      for (; b + 2 <= B; b += 2) {
        acc0 = hn::MulAdd(hn::Set(d, delta[b * kDStride + o]), hn::Load(d, x + b * kXStride + v * kL),
                          acc0);
        acc1 = hn::MulAdd(hn::Set(d, delta[(b + 1) * kDStride + o]),
                          hn::Load(d, x + (b + 1) * kXStride + v * kL), acc1);
      }
      if constexpr (B % 2 != 0) {
        acc0 = hn::MulAdd(hn::Set(d, delta[b * kDStride + o]), hn::Load(d, x + b * kXStride + v * kL),
                          acc0);
      }
      hn::Store(hn::Add(acc0, acc1), d, gw + o * kW + v * kL);
    }
  }

  if constexpr (P::has_bias) {
    const RowTag<T, kOut> dout;
    constexpr std::size_t kLO = kLanes<decltype(dout)>;
    T* HWY_RESTRICT gb = g.biases();
    for (std::size_t v = 0; v < kRowVectors<decltype(dout), kOut>; ++v) {
      auto acc = hn::Load(dout, gb + v * kLO);
      for (std::size_t b = 0; b < B; ++b) acc = hn::Add(acc, hn::Load(dout, delta + b * kDStride + v * kLO));
      hn::Store(acc, dout, gb + v * kLO);
    }
  }
}

/// dx[b] = W^T delta[b] for B samples: the gradient with respect to the
/// layer's input. delta rows have stride kDStride, dx rows kDxStride. Writes
/// the vectors of RowTag<T, In> that cover In (lanes past In are zero because
/// W's padding is).
template <std::size_t B, std::size_t kDStride, std::size_t kDxStride, class P, class T>
HWY_INLINE void dense_input_gradient(const P& p, const T* HWY_RESTRICT delta, T* HWY_RESTRICT dx) {
  constexpr std::size_t kIn = P::inputs;
  constexpr std::size_t kOut = P::outputs;
  constexpr std::size_t kW = P::row_stride;
  const RowTag<T, kIn> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  const T* HWY_RESTRICT w = p.weights();

  // Column strip v outermost: W[.][v] (Out vectors) stays in L1 across samples.
  for (std::size_t v = 0; v < kRowVectors<decltype(d), kIn>; ++v) {
    for (std::size_t b = 0; b < B; ++b) {
      const T* HWY_RESTRICT db = delta + b * kDStride;
      auto acc0 = hn::Zero(d);
      auto acc1 = hn::Zero(d);
      std::size_t o = 0;
      for (; o + 2 <= kOut; o += 2) {
        acc0 = hn::MulAdd(hn::Set(d, db[o]), hn::Load(d, w + o * kW + v * kL), acc0);
        acc1 = hn::MulAdd(hn::Set(d, db[o + 1]), hn::Load(d, w + (o + 1) * kW + v * kL), acc1);
      }
      if constexpr (kOut % 2 != 0) {
        acc0 = hn::MulAdd(hn::Set(d, db[o]), hn::Load(d, w + o * kW + v * kL), acc0);
      }
      hn::Store(hn::Add(acc0, acc1), d, dx + b * kDxStride + v * kL);
    }
  }
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

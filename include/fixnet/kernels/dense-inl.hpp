// fixnet kernels — the dense layer: affine map forward, gradients backward.
//
// Layout (fixnet/layers/dense.hpp): W is [Out][kW], kW = In padded to 64 bytes, so
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

#include "fixnet/core/config.hpp"
#include "fixnet/kernels/matmul-inl.hpp"
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
  constexpr std::size_t kZStride = padded<T>(P::outputs);
  const RowTag<T, kIn> d;
  const hn::CappedTag<T, lanes_per_line<T>> dz;  // whole lines of z
  constexpr std::size_t kZL = kLanes<decltype(dz)>;

  // Start from the bias (or zero): this writes the whole padded row.
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t i = 0; i < kZStride; i += kZL) {
      if constexpr (P::has_bias) {
        hn::Store(hn::Load(dz, p.biases() + i), dz, z + b * kZStride + i);
      } else {
        hn::Store(hn::Zero(dz), dz, z + b * kZStride + i);
      }
    }
  }
  matmul_dot<P::outputs, B, kRowVectors<decltype(d), kIn>, P::row_stride, padded<T>(kIn), kZStride>(
      d, p.weights(), x, z);
}

/// Adds the gradients of B samples, times `scale`, to g: dW[o] += scale
/// sum_b delta[b][o] x[b], db += scale sum_b delta[b]. x rows have stride
/// padded(In), delta rows kDStride.
template <std::size_t B, std::size_t kDStride, class P, class T>
HWY_INLINE void dense_accumulate_gradients(const T* HWY_RESTRICT x, const T* HWY_RESTRICT delta,
                                           T scale, P& g) {
  constexpr std::size_t kIn = P::inputs;
  constexpr std::size_t kOut = P::outputs;
  const RowTag<T, kIn> d;
  // dW[o][.] += sum_b delta(o, b) x[b][.]: a(o, b) = delta[b * kDStride + o].
  matmul_outer<kOut, B, kRowVectors<decltype(d), kIn>, 1, kDStride, padded<T>(kIn), P::row_stride,
               true, kIn>(d, delta, x, scale, g.weights());

  if constexpr (P::has_bias) {
    const RowTag<T, kOut> dout;
    constexpr std::size_t kLO = kLanes<decltype(dout)>;
    T* HWY_RESTRICT gb = g.biases();
    for (std::size_t v = 0; v < kRowVectors<decltype(dout), kOut>; ++v) {
      auto acc = hn::Zero(dout);
      for (std::size_t b = 0; b < B; ++b)
        acc = hn::Add(acc, hn::Load(dout, delta + b * kDStride + v * kLO));
      hn::Store(hn::MulAdd(hn::Set(dout, scale), acc, hn::Load(dout, gb + v * kLO)), dout,
                gb + v * kLO);
    }
  }
}

/// dx[b] = W^T delta[b] for B samples: the gradient with respect to the
/// layer's input. delta rows have stride kDStride, dx rows kDxStride. Writes
/// the vectors of RowTag<T, In> that cover In (lanes past In as zero).
template <std::size_t B, std::size_t kDStride, std::size_t kDxStride, class P, class T>
HWY_INLINE void dense_input_gradient(const P& p, const T* HWY_RESTRICT delta, T* HWY_RESTRICT dx) {
  const RowTag<T, P::inputs> d;
  // dx[b][.] = sum_o delta(b, o) W[o][.]: a(b, o) = delta[b * kDStride + o].
  matmul_outer<B, P::outputs, kRowVectors<decltype(d), P::inputs>, kDStride, 1, P::row_stride,
               kDxStride, false, P::inputs>(d, delta, p.weights(), T(1), dx);
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

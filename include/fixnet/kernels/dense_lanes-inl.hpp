// fixnet kernels — the dense layer with samples in lanes.
//
// For a batch through narrow layers (every width at most
// detail::lanes_max_width), vectorising along a layer's 2 or 4 outputs
// wastes most of each vector and needs a lane reduction per output. Instead
// every buffer is feature-major (fixnet/core/workspace.hpp, FeatureBuffer):
// row f holds feature f of all samples, padded to kStride lanes, and one
// vector holds one feature of kL samples. A dense layer is then, per vector
// of samples, z_o = b_o + sum_i W[o][i] x_i with W[o][i] broadcast; nothing
// is reduced across lanes until the weight gradients, once per batch.
// Weights are read through weight(o, i) and bias(o), whatever their storage
// layout.

#if defined(FIXNET_KERNELS_DENSE_LANES_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_DENSE_LANES_INL_HPP_
#undef FIXNET_KERNELS_DENSE_LANES_INL_HPP_
#else
#define FIXNET_KERNELS_DENSE_LANES_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/core/config.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// z = W x + b for kStride lanes of samples: x is [In][kStride], z is
/// [Out][kStride]. Two vectors of samples per pass share each broadcast
/// weight.
template <std::size_t kStride, class P, class D, class T = hn::TFromD<D>>
HWY_INLINE void dense_affine_lanes(D d, const P& p, const T* HWY_RESTRICT x, T* HWY_RESTRICT z) {
  constexpr std::size_t kL = kLanes<D>;
  constexpr std::size_t kIn = P::inputs;
  for (std::size_t o = 0; o < P::outputs; ++o) {
    auto bias = hn::Zero(d);
    if constexpr (P::has_bias) bias = hn::Set(d, p.bias(o));
    std::size_t c = 0;
    for (; c + 2 * kL <= kStride; c += 2 * kL) {
      auto a0 = bias, a1 = bias;
      for (std::size_t i = 0; i < kIn; ++i) {
        const auto w = hn::Set(d, p.weight(o, i));
        a0 = hn::MulAdd(w, hn::Load(d, x + i * kStride + c), a0);
        a1 = hn::MulAdd(w, hn::Load(d, x + i * kStride + c + kL), a1);
      }
      hn::Store(a0, d, z + o * kStride + c);
      hn::Store(a1, d, z + o * kStride + c + kL);
    }
    if constexpr ((kStride / kL) % 2 != 0) {
      auto a0 = bias;
      for (std::size_t i = 0; i < kIn; ++i)
        a0 = hn::MulAdd(hn::Set(d, p.weight(o, i)), hn::Load(d, x + i * kStride + c), a0);
      hn::Store(a0, d, z + o * kStride + c);
    }
  }
}

/// Adds this batch's gradients, times `scale`, to g: dW[o][i] += scale
/// sum_b delta[o][b] x[i][b], db[o] += scale sum_b delta[o][b]. Lane sums are
/// reduced once per weight.
template <std::size_t kStride, class P, class D, class T = hn::TFromD<D>>
HWY_INLINE void dense_accumulate_gradients_lanes(D d, const T* HWY_RESTRICT x,
                                           const T* HWY_RESTRICT delta, T scale, P& g) {
  constexpr std::size_t kL = kLanes<D>;
  for (std::size_t o = 0; o < P::outputs; ++o) {
    const T* HWY_RESTRICT dr = delta + o * kStride;
    for (std::size_t i = 0; i < P::inputs; ++i) {
      const T* HWY_RESTRICT xr = x + i * kStride;
      auto acc = hn::Zero(d);
      for (std::size_t c = 0; c < kStride; c += kL)
        acc = hn::MulAdd(hn::Load(d, dr + c), hn::Load(d, xr + c), acc);
      g.weight(o, i) += scale * reduce_sum(d, acc);
    }
    if constexpr (P::has_bias) {
      auto acc = hn::Zero(d);
      for (std::size_t c = 0; c < kStride; c += kL) acc = hn::Add(acc, hn::Load(d, dr + c));
      g.bias(o) += scale * reduce_sum(d, acc);
    }
  }
}

/// dx[i] = sum_o W[o][i] delta[o], for every lane: the gradient with respect to
/// the layer's input, [In][kStride].
template <std::size_t kStride, class P, class D, class T = hn::TFromD<D>>
HWY_INLINE void dense_input_gradient_lanes(D d, const P& p, const T* HWY_RESTRICT delta,
                                     T* HWY_RESTRICT dx) {
  constexpr std::size_t kL = kLanes<D>;
  for (std::size_t i = 0; i < P::inputs; ++i) {
    for (std::size_t c = 0; c < kStride; c += kL) {
      auto acc = hn::Zero(d);
      for (std::size_t o = 0; o < P::outputs; ++o)
        acc = hn::MulAdd(hn::Set(d, p.weight(o, i)), hn::Load(d, delta + o * kStride + c), acc);
      hn::Store(acc, d, dx + i * kStride + c);
    }
  }
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

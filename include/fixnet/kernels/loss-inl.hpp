// fixnet kernels — a loss on one sample's output row: its value, and the
// gradient with respect to the output layer's pre-activation z (the "delta"
// that backpropagation starts from).
//
// Each loss's vector kernel is a specialisation of `LossKernel` in the loss's
// own header (fixnet/losses/<loss>.hpp), below its scalar definition, value
// and gradient side by side.

#if defined(FIXNET_KERNELS_LOSS_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_LOSS_INL_HPP_
#undef FIXNET_KERNELS_LOSS_INL_HPP_
#else
#define FIXNET_KERNELS_LOSS_INL_HPP_
#endif

#include <cstddef>

#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "fixnet/core/loss.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Vector kernel of loss L; specialised per loss. Provides, for rows of N:
///   value<N>(d, a, t):    per-lane terms of L (summed by the caller);
///   gradient<N>(d, a, t): dL/da per lane;
/// and, for losses with a fused output activation:
///   fused_value_row<N>(z, t): L from the logits of one row;
///   fused_delta(d, a, t):     dL/dz per lane.
template <class L>
struct LossKernel {
  // Fix: define fixnet::HWY_NAMESPACE::LossKernel<YourLoss> in the loss's
  // header, per target (docs/extending.md).
  static_assert(detail::dependent_false<L>,
                "fixnet: this loss has no vector kernel: specialise "
                "fixnet::HWY_NAMESPACE::LossKernel<Loss> in its header (see docs/extending.md)");
};

/// A loss allowed on any output computes as the loss itself.
template <class L>
struct LossKernel<AllowAnyOutput<L>> : LossKernel<L> {};

/// Loss L after activation Act on a row of N: returns the sample's loss and
/// writes dL/dz into the padded row `delta` (zero past N). z is the row of logits, a = Act(z)
/// and t the target, both zero past N.
template <class L, class Act, std::size_t N, class T>
HWY_INLINE T loss_row(const T* HWY_RESTRICT z, const T* HWY_RESTRICT a, const T* HWY_RESTRICT t,
                      T* HWY_RESTRICT delta) {
  using K = LossKernel<L>;
  const RowTag<T, N> d;
  constexpr std::size_t kL = kLanes<decltype(d)>;
  if constexpr (detail::loss_fused<L, Act>) {
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      const auto g = K::fused_delta(d, hn::Load(d, a + v * kL), hn::Load(d, t + v * kL));
      hn::Store(keep_in_row<N>(d, g, v * kL), d, delta + v * kL);
    }
    zero_row_tail<N>(delta);
    return K::template fused_value_row<N>(z, t);
  } else {
    auto sum = hn::Zero(d);
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      const auto av = hn::Load(d, a + v * kL);
      const auto tv = hn::Load(d, t + v * kL);
      sum = hn::Add(sum, keep_in_row<N>(d, K::template value<N>(d, av, tv), v * kL));
      hn::Store(keep_in_row<N>(d, K::template gradient<N>(d, av, tv), v * kL), d, delta + v * kL);
    }
    activation_backward_row<Act, N>(Act::derivative_from_input ? z : a, delta, delta);
    return reduce_sum(d, sum);
  }
}

/// The loss alone (no gradient), for evaluation.
template <class L, class Act, std::size_t N, class T>
HWY_INLINE T loss_value_row(const T* HWY_RESTRICT z, const T* HWY_RESTRICT a,
                            const T* HWY_RESTRICT t) {
  using K = LossKernel<L>;
  if constexpr (detail::loss_fused<L, Act>) {
    return K::template fused_value_row<N>(z, t);
  } else {
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    auto sum = hn::Zero(d);
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      const auto term = K::template value<N>(d, hn::Load(d, a + v * kL), hn::Load(d, t + v * kL));
      sum = hn::Add(sum, keep_in_row<N>(d, term, v * kL));
    }
    return reduce_sum(d, sum);
  }
}

/// Samples in lanes: loss L after activation Act on N feature rows of kStride
/// lanes, of which the first B are samples. Returns the loss summed over the
/// B samples and, with kWithDelta, writes dL/dz into `delta` (zero in the
/// lanes past B, so that padding adds nothing to the gradients).
template <class L, class Act, std::size_t N, std::size_t kStride, std::size_t B, bool kWithDelta,
          class D, class T = hn::TFromD<D>>
HWY_INLINE T loss_lanes(D d, const T* HWY_RESTRICT z, const T* HWY_RESTRICT a,
                        const T* HWY_RESTRICT t, T* HWY_RESTRICT delta) {
  using K = LossKernel<L>;
  constexpr std::size_t kL = kLanes<D>;
  auto total = hn::Zero(d);
  for (std::size_t c = 0; c < kStride; c += kL) {
    // All lanes are samples but in the last vectors; FirstN saturates.
    const auto valid = hn::FirstN(d, c < B ? B - c : 0);
    if constexpr (detail::loss_fused<L, Act>) {
      total = hn::Add(total, hn::IfThenElseZero(valid, K::template fused_value_lanes<N>(d, z, a, t, kStride, c)));
      if constexpr (kWithDelta) {
        for (std::size_t k = 0; k < N; ++k) {
          const std::size_t at = k * kStride + c;
          const auto g = K::fused_delta(d, hn::Load(d, a + at), hn::Load(d, t + at));
          hn::Store(hn::IfThenElseZero(valid, g), d, delta + at);
        }
      }
    } else {
      for (std::size_t k = 0; k < N; ++k) {
        const std::size_t at = k * kStride + c;
        const auto av = hn::Load(d, a + at);
        const auto tv = hn::Load(d, t + at);
        total = hn::Add(total, hn::IfThenElseZero(valid, K::template value<N>(d, av, tv)));
        if constexpr (kWithDelta)
          hn::Store(hn::IfThenElseZero(valid, K::template gradient<N>(d, av, tv)), d, delta + at);
      }
    }
  }
  if constexpr (kWithDelta && !detail::loss_fused<L, Act>)
    activation_backward_lanes<Act, N, kStride>(d, Act::derivative_from_input ? z : a, delta, delta);
  return reduce_sum(d, total);
}

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

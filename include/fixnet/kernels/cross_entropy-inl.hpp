// fixnet kernels — categorical cross-entropy, and the fused softmax +
// cross-entropy gradient (scalar reference: fixnet/losses/cross_entropy.hpp).

#if defined(FIXNET_KERNELS_CROSS_ENTROPY_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_CROSS_ENTROPY_INL_HPP_
#undef FIXNET_KERNELS_CROSS_ENTROPY_INL_HPP_
#else
#define FIXNET_KERNELS_CROSS_ENTROPY_INL_HPP_
#endif

#include <cmath>
#include <cstddef>
#include <limits>

#include "fixnet/kernels/loss-inl.hpp"
#include "fixnet/kernels/softmax-inl.hpp"
#include "fixnet/losses/cross_entropy.hpp"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct LossKernel<CrossEntropy> {
  /// -t log a, log clamped at the smallest normal number (hn::Log: 4 ULP).
  template <std::size_t N, class D, class V>
  static HWY_INLINE V value(D d, V a, V t) {
    const V tiny = hn::Set(d, std::numeric_limits<hn::TFromD<D>>::min());
    return hn::Neg(hn::Mul(t, hn::Log(d, hn::Max(a, tiny))));
  }
  /// -t / a, same clamp.
  template <std::size_t N, class D, class V>
  static HWY_INLINE V gradient(D d, V a, V t) {
    const V tiny = hn::Set(d, std::numeric_limits<hn::TFromD<D>>::min());
    return hn::Neg(hn::Div(t, hn::Max(a, tiny)));
  }

  /// sum_k t_k (lse(z) - z_k), lse(z) = m + log sum e^(z - m): exact for any logits.
  template <std::size_t N, class T>
  static HWY_INLINE T fused_value_row(const T* HWY_RESTRICT z, const T* HWY_RESTRICT t) {
    using Softmax = ActivationKernel<fixnet::Softmax>;
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    const T m = Softmax::row_max<N>(z);
    const auto lse = hn::Set(d, m + std::log(Softmax::sum_exp<N>(z, m, static_cast<T*>(nullptr))));
    auto sum = hn::Zero(d);
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      // t is zero past N, which zeroes those terms.
      sum = hn::Add(sum, fused_term(hn::Load(d, z + v * kL), hn::Load(d, t + v * kL), lse));
    }
    return reduce_sum(d, sum);
  }
  /// Samples in lanes: the per-sample loss over N feature rows at column c,
  /// from the logits z and the softmax outputs a that the forward pass left.
  /// lse(z) = z_j - log a_j for every j; for the largest output a_j >= 1/N
  /// (it is 1 / sum e^(z - m), the one term e^0 = 1), so m - log max_k a_k is
  /// as exact as m + log sum e^(z - m) (within an ULP of 1/sum) and costs one
  /// hn::Log instead of N more hn::Exp per sample (for 2-4-3 training, 3 of
  /// its 10 exponentials).
  template <std::size_t N, class D, class T = hn::TFromD<D>>
  static HWY_INLINE hn::Vec<D> fused_value_lanes(D d, const T* z, const T* a, const T* t,
                                                 std::size_t stride, std::size_t c) {
    using Softmax = ActivationKernel<fixnet::Softmax>;
    const auto m = Softmax::lanes_max<N>(d, z, stride, c);
    const auto lse = hn::Sub(m, hn::Log(d, Softmax::lanes_max<N>(d, a, stride, c)));
    auto sum = hn::Zero(d);
    for (std::size_t k = 0; k < N; ++k)
      sum = hn::Add(
          sum, fused_term(hn::Load(d, z + k * stride + c), hn::Load(d, t + k * stride + c), lse));
    return sum;
  }
  /// One output's term of the fused value, t (lse(z) - z).
  template <class V>
  static HWY_INLINE V fused_term(V z, V t, V lse) {
    return hn::Mul(t, hn::Sub(lse, z));
  }
  /// The softmax + cross-entropy delta, dL/dz = a - t (t a distribution).
  template <class D, class V>
  static HWY_INLINE V fused_delta(D, V a, V t) {
    return softmax_cross_entropy_delta(a, t);
  }
  template <class V>
  static HWY_INLINE V softmax_cross_entropy_delta(V a, V t) {
    return hn::Sub(a, t);
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

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
#include "fixnet/kernels/non_finite-inl.hpp"
#include "fixnet/kernels/softmax-inl.hpp"
#include "fixnet/losses/cross_entropy.hpp"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct LossKernel<CrossEntropy> {
  /// -t log a, log clamped at the smallest normal number (hn::Log: 4 ULP);
  /// NaN and +inf kept (fixnet/kernels/non_finite-inl.hpp).
  template <std::size_t N, class D, class V>
  static HWY_INLINE V value(D d, V a, V t) {
    const V tiny = hn::Set(d, std::numeric_limits<hn::TFromD<D>>::min());
    return hn::Neg(hn::Mul(t, log_or_non_finite(d, clamp_below(a, tiny))));
  }
  /// -t / a, same clamp.
  template <std::size_t N, class D, class V>
  static HWY_INLINE V gradient(D d, V a, V t) {
    const V tiny = hn::Set(d, std::numeric_limits<hn::TFromD<D>>::min());
    return hn::Neg(hn::Div(t, clamp_below(a, tiny)));
  }

  /// sum_k t_k ((m - z_k) + log sum e^(z - m)), i.e. t_k (lse(z) - z_k): exact
  /// for any logits. m - z_k first, so that a log sum below m's ULP is not
  /// lost (a tiny loss stays within the ULP of the float sum 1 + eps).
  template <std::size_t N, class T>
  static HWY_INLINE T fused_value_row(const T* HWY_RESTRICT z, const T* HWY_RESTRICT t) {
    using Softmax = ActivationKernel<fixnet::Softmax>;
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    const T m = Softmax::row_max<N>(z);
    const auto mv = hn::Set(d, m);
    const auto log_sum = hn::Set(d, std::log(Softmax::sum_exp<N>(z, m, static_cast<T*>(nullptr))));
    auto sum = hn::Zero(d);
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      // t is zero past N, which zeroes those terms.
      sum = hn::Add(sum, fused_term(hn::Load(d, z + v * kL), hn::Load(d, t + v * kL), mv, log_sum));
    }
    return reduce_sum(d, sum);
  }
  /// Samples in lanes: the per-sample loss over N feature rows at column c,
  /// from the logits z and the softmax outputs a that the forward pass left,
  /// without computing the N exponentials again. With m = max z and
  /// sum = sum_k e^(z_k - m), the largest logit's term is e^0 = 1, so the
  /// other outputs add up to r = (sum - 1) / sum, and
  /// log sum = -log1p(-r). r comes from the small outputs themselves (each
  /// within a few ULP), so the loss keeps its relative precision even when
  /// it is tiny (a well-fitted sample: 1e-5), which log of the float sum
  /// 1 + eps, or 1 / a_max rounded near 1, would not. Ties: only the first
  /// largest logit is left out.
  template <std::size_t N, class D, class T = hn::TFromD<D>>
  static HWY_INLINE hn::Vec<D> fused_value_lanes(D d, const T* z, const T* a, const T* t,
                                                 std::size_t stride, std::size_t c) {
    using Softmax = ActivationKernel<fixnet::Softmax>;
    const auto m = Softmax::lanes_max<N>(d, z, stride, c);
    auto rest = hn::Zero(d);
    auto found = hn::FirstN(d, 0);
    for (std::size_t k = 0; k < N; ++k) {
      const auto first_max = hn::AndNot(found, hn::Eq(hn::Load(d, z + k * stride + c), m));
      found = hn::Or(found, first_max);
      rest = hn::Add(rest, hn::IfThenZeroElse(first_max, hn::Load(d, a + k * stride + c)));
    }
    const auto log_sum = hn::Neg(hn::Log1p(d, hn::Neg(rest)));
    auto sum = hn::Zero(d);
    for (std::size_t k = 0; k < N; ++k)
      sum = hn::Add(sum, fused_term(hn::Load(d, z + k * stride + c),
                                    hn::Load(d, t + k * stride + c), m, log_sum));
    return sum;
  }
  /// One output's term of the fused value, t ((m - z) + log sum): m - z is
  /// exact for the largest logits, and log sum is added after it.
  template <class V>
  static HWY_INLINE V fused_term(V z, V t, V m, V log_sum) {
    return hn::Mul(t, hn::Add(hn::Sub(m, z), log_sum));
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

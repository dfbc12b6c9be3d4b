// fixnet — categorical cross-entropy, and its fusion with softmax.
//
#ifndef FIXNET_LOSSES_CROSS_ENTROPY_HPP
#define FIXNET_LOSSES_CROSS_ENTROPY_HPP

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>

#include "fixnet/activations/softmax.hpp"
#include "fixnet/core/config.hpp"

namespace fixnet {

/// L = -sum_k t_k log a_k, for a target distribution t (one-hot, or a class
/// index which is the same thing). Fits a `Softmax` output only.
///
/// With softmax the two fuse: dL/dz = a - t (`softmax_cross_entropy_delta`),
/// and the value is computed from the logits, L = sum_k t_k (lse(z) - z_k)
/// with lse(z) = m + log sum_j e^(z_j - m): finite and exact for logits of any
/// size, where log(softmax) would underflow to log 0.
struct CrossEntropy {
  static constexpr const char* name = "CrossEntropy";
  template <Activation Act>
  static constexpr bool fits = std::same_as<Act, Softmax>;
  template <Activation Act>
  static constexpr bool fused = std::same_as<Act, Softmax>;

  /// General value, for outputs that are not softmax (see `AllowAnyOutput`):
  /// log a is clamped at log(min normal) so that a = 0 gives a large, finite loss.
  template <Scalar T, std::size_t N>
  static T reference_value(std::span<const T, N> a, std::span<const T, N> t) noexcept {
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k)
      sum -= t[k] * std::log(std::max(a[k], std::numeric_limits<T>::min()));
    return sum;
  }
  /// dL/da_k = -t_k / a_k (same clamp).
  template <Scalar T, std::size_t N>
  static void reference_gradient(std::span<const T, N> a, std::span<const T, N> t,
                                 std::span<T, N> g) noexcept {
    for (std::size_t k = 0; k < N; ++k) g[k] = -t[k] / std::max(a[k], std::numeric_limits<T>::min());
  }

  /// Fused value from the logits z.
  template <Scalar T, std::size_t N>
  static T reference_fused_value(std::span<const T, N> z, std::span<const T, N> t) noexcept {
    const T m = *std::max_element(z.begin(), z.end());
    T sum_exp = 0;
    for (std::size_t k = 0; k < N; ++k) sum_exp += std::exp(z[k] - m);
    const T lse = m + std::log(sum_exp);
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k) sum += t[k] * (lse - z[k]);
    return sum;
  }
  /// Fused gradient with respect to z: the softmax + cross-entropy delta.
  template <Scalar T, std::size_t N>
  static constexpr void reference_fused_delta(std::span<const T, N> a, std::span<const T, N> t,
                                              std::span<T, N> delta) noexcept {
    softmax_cross_entropy_delta(a, t, delta);
  }

  /// dL/dz = a - t for softmax outputs a and a target distribution t
  /// (sum_k t_k = 1; the exact form is a * sum(t) - t).
  template <Scalar T, std::size_t N>
  static constexpr void softmax_cross_entropy_delta(std::span<const T, N> a,
                                                    std::span<const T, N> t,
                                                    std::span<T, N> delta) noexcept {
    for (std::size_t k = 0; k < N; ++k) delta[k] = a[k] - t[k];
  }
};

}  // namespace fixnet

#endif  // FIXNET_LOSSES_CROSS_ENTROPY_HPP

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_LOSSES_CROSS_ENTROPY_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_LOSSES_CROSS_ENTROPY_KERNEL_
#undef FIXNET_LOSSES_CROSS_ENTROPY_KERNEL_
#else
#define FIXNET_LOSSES_CROSS_ENTROPY_KERNEL_
#endif

#include <cmath>
#include <cstddef>
#include <limits>

#include "fixnet/kernels/loss-inl.hpp"
#include "fixnet/kernels/non_finite-inl.hpp"
#include "fixnet/activations/softmax.hpp"
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

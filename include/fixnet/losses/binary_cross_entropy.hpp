// fixnet — binary cross-entropy, one independent sigmoid per output.
//
#ifndef FIXNET_LOSSES_BINARY_CROSS_ENTROPY_HPP
#define FIXNET_LOSSES_BINARY_CROSS_ENTROPY_HPP

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>

#include "fixnet/activations/sigmoid.hpp"
#include "fixnet/core/config.hpp"

namespace fixnet {

/// L = -sum_k [t_k log a_k + (1 - t_k) log(1 - a_k)], targets in [0, 1].
/// Fits a `Sigmoid` output only. With sigmoid the two fuse: dL/dz = a - t,
/// and the value is computed from the logits,
/// L = sum_k max(z_k, 0) - z_k t_k + log(1 + e^-|z_k|), finite for any z.
struct BinaryCrossEntropy {
  static constexpr const char* name = "BinaryCrossEntropy";
  template <Activation Act>
  static constexpr bool fits = std::same_as<Act, Sigmoid>;
  template <Activation Act>
  static constexpr bool fused = std::same_as<Act, Sigmoid>;

  /// General value; both logarithms clamped at log(min normal).
  template <Scalar T, std::size_t N>
  static T reference_value(std::span<const T, N> a, std::span<const T, N> t) noexcept {
    constexpr T tiny = std::numeric_limits<T>::min();
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k)
      sum -= t[k] * std::log(std::max(a[k], tiny)) +
             (T(1) - t[k]) * std::log(std::max(T(1) - a[k], tiny));
    return sum;
  }
  /// dL/da_k = (a_k - t_k) / (a_k (1 - a_k)), denominator clamped.
  template <Scalar T, std::size_t N>
  static void reference_gradient(std::span<const T, N> a, std::span<const T, N> t,
                                 std::span<T, N> g) noexcept {
    for (std::size_t k = 0; k < N; ++k)
      g[k] = (a[k] - t[k]) / std::max(a[k] * (T(1) - a[k]), std::numeric_limits<T>::min());
  }

  /// Fused value from the logits z.
  template <Scalar T, std::size_t N>
  static T reference_fused_value(std::span<const T, N> z, std::span<const T, N> t) noexcept {
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k)
      sum += std::max(z[k], T(0)) - z[k] * t[k] + std::log1p(std::exp(-std::abs(z[k])));
    return sum;
  }
  /// Fused gradient with respect to z: a - t.
  template <Scalar T, std::size_t N>
  static constexpr void reference_fused_delta(std::span<const T, N> a, std::span<const T, N> t,
                                              std::span<T, N> delta) noexcept {
    for (std::size_t k = 0; k < N; ++k) delta[k] = a[k] - t[k];
  }
};

}  // namespace fixnet

#endif  // FIXNET_LOSSES_BINARY_CROSS_ENTROPY_HPP

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_LOSSES_BINARY_CROSS_ENTROPY_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_LOSSES_BINARY_CROSS_ENTROPY_KERNEL_
#undef FIXNET_LOSSES_BINARY_CROSS_ENTROPY_KERNEL_
#else
#define FIXNET_LOSSES_BINARY_CROSS_ENTROPY_KERNEL_
#endif

#include <cstddef>
#include <limits>

#include "fixnet/kernels/loss-inl.hpp"
#include "fixnet/kernels/non_finite-inl.hpp"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct LossKernel<BinaryCrossEntropy> {
  /// -(t log a + (1 - t) log(1 - a)), logs clamped at the smallest normal;
  /// NaN and +inf kept (fixnet/kernels/non_finite-inl.hpp).
  template <std::size_t N, class D, class V>
  static HWY_INLINE V value(D d, V a, V t) {
    using T = hn::TFromD<D>;
    const V tiny = hn::Set(d, std::numeric_limits<T>::min());
    const V one = hn::Set(d, T(1));
    const V log_a = log_or_non_finite(d, clamp_below(a, tiny));
    const V log_1ma = log_or_non_finite(d, clamp_below(hn::Sub(one, a), tiny));
    return hn::Neg(hn::MulAdd(t, log_a, hn::Mul(hn::Sub(one, t), log_1ma)));
  }
  /// (a - t) / (a (1 - a)), denominator clamped.
  template <std::size_t N, class D, class V>
  static HWY_INLINE V gradient(D d, V a, V t) {
    using T = hn::TFromD<D>;
    const V tiny = hn::Set(d, std::numeric_limits<T>::min());
    const V denom = clamp_below(hn::Mul(a, hn::Sub(hn::Set(d, T(1)), a)), tiny);
    return hn::Div(hn::Sub(a, t), denom);
  }

  /// sum_k of `fused_term` over a row of N.
  template <std::size_t N, class T>
  static HWY_INLINE T fused_value_row(const T* HWY_RESTRICT z, const T* HWY_RESTRICT t) {
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    auto sum = hn::Zero(d);
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      const auto term = fused_term(d, hn::Load(d, z + v * kL), hn::Load(d, t + v * kL));
      sum = hn::Add(sum, keep_in_row<N>(d, term, v * kL));
    }
    return reduce_sum(d, sum);
  }
  /// Samples in lanes: the per-sample loss over N feature rows at column c,
  /// from the logits alone (the outputs `a`, which CrossEntropy's uses, are
  /// not needed).
  template <std::size_t N, class D, class T = hn::TFromD<D>>
  static HWY_INLINE hn::Vec<D> fused_value_lanes(D d, const T* z, const T* /*a*/, const T* t,
                                                 std::size_t stride, std::size_t c) {
    auto sum = hn::Zero(d);
    for (std::size_t k = 0; k < N; ++k)
      sum = hn::Add(
          sum, fused_term(d, hn::Load(d, z + k * stride + c), hn::Load(d, t + k * stride + c)));
    return sum;
  }
  /// One output's term from its logit: max(z, 0) - z t + log(1 + e^-|z|),
  /// exact for any z (hn::Log1p: 2 ULP; e^-|z| <= 1 is in hn::Exp's range).
  /// A NaN z or t makes z t NaN, so the term is NaN although hn::Max and
  /// hn::Exp drop it.
  template <class D, class V>
  static HWY_INLINE V fused_term(D d, V z, V t) {
    const auto softplus = hn::Log1p(d, hn::Exp(d, hn::Neg(hn::Abs(z))));
    return hn::Add(hn::NegMulAdd(z, t, hn::Max(z, hn::Zero(d))), softplus);
  }
  /// dL/dz = a - t with a = sigmoid(z).
  template <class D, class V>
  static HWY_INLINE V fused_delta(D, V a, V t) {
    return hn::Sub(a, t);
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

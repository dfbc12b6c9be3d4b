// fixnet — softmax over a layer's outputs. The fused softmax + cross-entropy gradient
// lives with the loss: fixnet/losses/cross_entropy.hpp.
#ifndef FIXNET_ACTIVATIONS_SOFTMAX_HPP
#define FIXNET_ACTIVATIONS_SOFTMAX_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>

#include "fixnet/core/activation.hpp"

namespace fixnet {

/// a_k = e^(z_k - m) / sum_j e^(z_j - m), with m = max_j z_j so that no
/// exponent is positive: finite for logits of any size.
/// Derivative (Jacobian-vector product): d_k = a_k (g_k - sum_j g_j a_j).
struct Softmax {
  static constexpr const char* name = "Softmax";
  static constexpr bool elementwise = false;
  static constexpr bool derivative_from_input = false;

  template <Scalar T, std::size_t N>
  static void reference_forward(std::span<const T, N> z, std::span<T, N> a) noexcept {
    const T m = *std::max_element(z.begin(), z.end());
    T sum = 0;
    for (std::size_t i = 0; i < N; ++i) sum += a[i] = std::exp(z[i] - m);
    for (std::size_t i = 0; i < N; ++i) a[i] /= sum;
  }

  template <Scalar T, std::size_t N>
  static constexpr void reference_backward(std::span<const T, N> a, std::span<const T, N> grad_a,
                                           std::span<T, N> grad_z) noexcept {
    T dot = 0;
    for (std::size_t i = 0; i < N; ++i) dot += grad_a[i] * a[i];
    for (std::size_t i = 0; i < N; ++i) grad_z[i] = a[i] * (grad_a[i] - dot);
  }
};

}  // namespace fixnet

#endif  // FIXNET_ACTIVATIONS_SOFTMAX_HPP

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_ACTIVATIONS_SOFTMAX_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_ACTIVATIONS_SOFTMAX_KERNEL_
#undef FIXNET_ACTIVATIONS_SOFTMAX_KERNEL_
#else
#define FIXNET_ACTIVATIONS_SOFTMAX_KERNEL_
#endif

#include <cstddef>
#include <limits>

#include "fixnet/kernels/activation-inl.hpp"
#include "fixnet/kernels/non_finite-inl.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct ActivationKernel<Softmax> {
  /// Largest of the first N elements of z (the padding is excluded: it could
  /// exceed every real logit).
  template <std::size_t N, class T>
  static HWY_INLINE T row_max(const T* HWY_RESTRICT z) {
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    const auto lowest = hn::Set(d, std::numeric_limits<T>::lowest());
    auto m = lowest;
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      auto x = hn::Load(d, z + v * kL);
      if constexpr (N % kL != 0) {
        if (v * kL + kL > N) x = hn::IfThenElse(hn::FirstN(d, N - v * kL), x, lowest);
      }
      m = hn::Max(m, x);
    }
    return hn::GetLane(hn::MaxOfLanes(d, m));
  }

  /// Sum over the first N elements of e^(z - m). Also stores the terms in `e`
  /// when it is not null (zero past N).
  template <std::size_t N, class T>
  static HWY_INLINE T sum_exp(const T* z, T m, T* e) {
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    const auto vm = hn::Set(d, m);
    auto sum = hn::Zero(d);
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      // z - m <= 0, inside hn::Exp's valid range; underflows to 0 gracefully.
      // NaN (a NaN logit, or m = +inf) stays NaN; hn::Max may have dropped a
      // NaN logit from m, but z - m is NaN for it.
      const auto x = keep_in_row<N>(d, exp_or_nan(d, hn::Sub(hn::Load(d, z + v * kL), vm)), v * kL);
      if (e != nullptr) hn::Store(x, d, e + v * kL);
      sum = hn::Add(sum, x);
    }
    return reduce_sum(d, sum);
  }

  /// a = e^(z - max z) / sum e^(z - max z). `a` may alias `z`.
  template <std::size_t N, class T>
  static HWY_INLINE void forward_row(const T* z, T* a) {
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    const T m = row_max<N>(z);
    const auto inv = hn::Set(d, T(1) / sum_exp<N>(z, m, a));
    // Masked: a non-finite inv (all terms 0 or NaN) must not reach the
    // padding through 0 * inf.
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v)
      hn::Store(keep_in_row<N>(d, hn::Mul(hn::Load(d, a + v * kL), inv), v * kL), d, a + v * kL);
  }

  /// grad_z = a * (grad_a - <grad_a, a>). `grad_z` may alias `grad_a`.
  template <std::size_t N, class T>
  static HWY_INLINE void backward_row(const T* HWY_RESTRICT a, const T* grad_a, T* grad_z) {
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    auto dot = hn::Zero(d);
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v)
      dot = hn::MulAdd(hn::Load(d, grad_a + v * kL), hn::Load(d, a + v * kL), dot);
    const auto vdot = hn::Set(d, reduce_sum(d, dot));
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      const auto g = hn::Mul(hn::Load(d, a + v * kL), hn::Sub(hn::Load(d, grad_a + v * kL), vdot));
      // a is zero past N, but 0 * (grad_a - dot) is NaN for a non-finite dot.
      hn::Store(keep_in_row<N>(d, g, v * kL), d, grad_z + v * kL);
    }
  }

  // Samples in lanes: N feature rows of `stride` elements, one sample per
  // lane; these act on the vector of samples at column c of every row. The
  // softmax runs down the rows, so no lane reduction is needed.

  /// Per-lane max over the N rows of z at column c.
  template <std::size_t N, class D, class T = hn::TFromD<D>>
  static HWY_INLINE hn::Vec<D> lanes_max(D d, const T* z, std::size_t stride, std::size_t c) {
    auto m = hn::Load(d, z + c);
    for (std::size_t k = 1; k < N; ++k) m = hn::Max(m, hn::Load(d, z + k * stride + c));
    return m;
  }

  /// Per-lane sum over the N rows of e^(z - m); stores the terms in `e` when it
  /// is not null.
  template <std::size_t N, class D, class T = hn::TFromD<D>>
  static HWY_INLINE hn::Vec<D> lanes_sum_exp(D d, const T* z, hn::Vec<D> m, T* e, std::size_t stride,
                                             std::size_t c) {
    auto sum = hn::Zero(d);
    for (std::size_t k = 0; k < N; ++k) {
      const auto x = exp_or_nan(d, hn::Sub(hn::Load(d, z + k * stride + c), m));
      if (e != nullptr) hn::Store(x, d, e + k * stride + c);
      sum = hn::Add(sum, x);
    }
    return sum;
  }

  /// a = softmax(z) down the N rows, at column c. `a` may alias `z`.
  template <std::size_t N, class D, class T = hn::TFromD<D>>
  static HWY_INLINE void forward_lanes(D d, const T* z, T* a, std::size_t stride, std::size_t c) {
    const auto m = lanes_max<N>(d, z, stride, c);
    const auto inv = hn::Div(hn::Set(d, T(1)), lanes_sum_exp<N>(d, z, m, a, stride, c));
    for (std::size_t k = 0; k < N; ++k)
      hn::Store(hn::Mul(hn::Load(d, a + k * stride + c), inv), d, a + k * stride + c);
  }

  /// grad_z = a * (grad_a - <grad_a, a>) down the N rows, at column c.
  template <std::size_t N, class D, class T = hn::TFromD<D>>
  static HWY_INLINE void backward_lanes(D d, const T* a, const T* grad_a, T* grad_z,
                                        std::size_t stride, std::size_t c) {
    auto dot = hn::Zero(d);
    for (std::size_t k = 0; k < N; ++k)
      dot = hn::MulAdd(hn::Load(d, grad_a + k * stride + c), hn::Load(d, a + k * stride + c), dot);
    for (std::size_t k = 0; k < N; ++k) {
      const auto g = hn::Sub(hn::Load(d, grad_a + k * stride + c), dot);
      hn::Store(hn::Mul(hn::Load(d, a + k * stride + c), g), d, grad_z + k * stride + c);
    }
  }

#if HWY_TARGET != HWY_SCALAR
  /// One sample in registers: softmax of the first N lanes of the vectors z
  /// (a RegisterRow's), the other lanes zero. Times the reciprocal, as the
  /// row kernel does: the same roundings, so that one sample in registers
  /// gives the batch path's outputs bit for bit.
  template <std::size_t N, class D, class V, std::size_t K>
  static HWY_INLINE void forward_registers(D d, V (&z)[K]) {
    using T = hn::TFromD<D>;
    constexpr std::size_t kL = kLanes<D>;
    const V lowest = hn::Set(d, std::numeric_limits<T>::lowest());
    const auto in_row = [&](std::size_t v) {
      return v * kL + kL > N ? hn::IfThenElse(hn::FirstN(d, N - v * kL), z[v], lowest) : z[v];
    };
    V m = in_row(0);
    for (std::size_t v = 1; v < K; ++v) m = hn::Max(m, in_row(v));
    m = hn::MaxOfLanes(d, m);
    V sum = hn::Zero(d);
    for (std::size_t v = 0; v < K; ++v) {
      z[v] = keep_in_row<N>(d, exp_or_nan(d, hn::Sub(z[v], m)), v * kL);
      sum = hn::Add(sum, z[v]);
    }
    const V inv = hn::Div(hn::Set(d, T(1)), hn::SumOfLanes(d, sum));
    for (std::size_t v = 0; v < K; ++v) z[v] = keep_in_row<N>(d, hn::Mul(z[v], inv), v * kL);
  }
#endif
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

// fixnet kernels — softmax over a row (scalar reference:
// fixnet/activations/softmax.hpp).

#if defined(FIXNET_KERNELS_SOFTMAX_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_SOFTMAX_INL_HPP_
#undef FIXNET_KERNELS_SOFTMAX_INL_HPP_
#else
#define FIXNET_KERNELS_SOFTMAX_INL_HPP_
#endif

#include <cstddef>
#include <limits>

#include "fixnet/activations/softmax.hpp"
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
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

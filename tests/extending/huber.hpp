// A loss defined outside fixnet: the Huber loss (smooth L1) with threshold 1,
// quadratic near the target and linear beyond, so that outliers pull less.
// One header: its scalar definition, then its Highway kernel per target.
#ifndef MY_LOSSES_HUBER_HPP
#define MY_LOSSES_HUBER_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>

#include <fixnet/core/activation.hpp>

namespace my {

/// Per output, with r = a - t: L = r^2 / 2 if |r| <= 1, else |r| - 1/2;
/// dL/da = clamp(r, -1, 1). Summed over the outputs (PyTorch's HuberLoss
/// with reduction='sum', delta=1). Fits any output activation.
struct Huber {
  static constexpr const char* name = "Huber";
  template <fixnet::Activation>
  static constexpr bool fits = true;
  template <fixnet::Activation>
  static constexpr bool fused = false;

  template <fixnet::Scalar T, std::size_t N>
  static T reference_value(std::span<const T, N> a, std::span<const T, N> t) noexcept {
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k) {
      const T r = std::abs(a[k] - t[k]);
      sum += r <= T(1) ? r * r / T(2) : r - T(0.5);
    }
    return sum;
  }
  template <fixnet::Scalar T, std::size_t N>
  static void reference_gradient(std::span<const T, N> a, std::span<const T, N> t,
                                 std::span<T, N> g) noexcept {
    for (std::size_t k = 0; k < N; ++k) g[k] = std::clamp(a[k] - t[k], T(-1), T(1));
  }
};

}  // namespace my

#endif  // MY_LOSSES_HUBER_HPP

#if defined(MY_LOSSES_HUBER_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef MY_LOSSES_HUBER_KERNEL_
#undef MY_LOSSES_HUBER_KERNEL_
#else
#define MY_LOSSES_HUBER_KERNEL_
#endif

#include <cstddef>

#include <fixnet/kernels/loss-inl.hpp>
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <>
struct LossKernel<my::Huber> {
  /// Per-lane terms of L (the caller sums them over the N outputs).
  template <std::size_t N, class D, class V>
  static HWY_INLINE V value(D d, V a, V t) {
    using T = hn::TFromD<D>;
    const V r = hn::Abs(hn::Sub(a, t));
    const V half = hn::Set(d, T(0.5));
    const V quadratic = hn::Mul(half, hn::Mul(r, r));
    return hn::IfThenElse(hn::Le(r, hn::Set(d, T(1))), quadratic, hn::Sub(r, half));
  }
  /// dL/da per lane.
  template <std::size_t N, class D, class V>
  static HWY_INLINE V gradient(D d, V a, V t) {
    using T = hn::TFromD<D>;
    return hn::Min(hn::Max(hn::Sub(a, t), hn::Set(d, T(-1))), hn::Set(d, T(1)));
  }
};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target guard

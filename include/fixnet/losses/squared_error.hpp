// fixnet — squared-error losses, in the two conventions in use.
//
#ifndef FIXNET_LOSSES_SQUARED_ERROR_HPP
#define FIXNET_LOSSES_SQUARED_ERROR_HPP

#include <cstddef>
#include <span>

#include "fixnet/core/activation.hpp"
#include "fixnet/core/config.hpp"

namespace fixnet {

namespace detail {

/// L = Scale * sum_k (a_k - t_k)^2, dL/da_k = 2 Scale (a_k - t_k). Fits any
/// output; never fused (the activation's derivative is chained in).
template <class Derived>
struct ScaledSquaredError {
  template <Activation>
  static constexpr bool fits = true;
  template <Activation>
  static constexpr bool fused = false;

  template <Scalar T, std::size_t N>
  static constexpr T reference_value(std::span<const T, N> a, std::span<const T, N> t) noexcept {
    T sum = 0;
    for (std::size_t k = 0; k < N; ++k) sum += (a[k] - t[k]) * (a[k] - t[k]);
    return Derived::template scale<T, N> * sum;
  }
  template <Scalar T, std::size_t N>
  static constexpr void reference_gradient(std::span<const T, N> a, std::span<const T, N> t,
                                           std::span<T, N> g) noexcept {
    for (std::size_t k = 0; k < N; ++k) g[k] = T(2) * Derived::template scale<T, N> * (a[k] - t[k]);
  }
};

}  // namespace detail

/// Mean squared error over the N outputs of a sample:
/// L = (1/N) sum_k (a_k - t_k)^2, dL/da = (2/N)(a - t). PyTorch's `MSELoss`
/// for one sample.
struct MeanSquaredError : detail::ScaledSquaredError<MeanSquaredError> {
  static constexpr const char* name = "MeanSquaredError";
  template <Scalar T, std::size_t N>
  static constexpr T scale = T(1) / T(N);
};

/// Half the sum of squared errors: L = 1/2 sum_k (a_k - t_k)^2, dL/da = a - t.
/// The convention of most backpropagation tutorials.
struct HalfSumSquaredError : detail::ScaledSquaredError<HalfSumSquaredError> {
  static constexpr const char* name = "HalfSumSquaredError";
  template <Scalar T, std::size_t N>
  static constexpr T scale = T(1) / T(2);
};

}  // namespace fixnet

#endif  // FIXNET_LOSSES_SQUARED_ERROR_HPP

// The vector kernel, outside the include guard: under hwy/foreach_target.h
// this header is re-included once per target, and the kernel with it.
#if defined(FIXNET_LOSSES_SQUARED_ERROR_KERNEL_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_LOSSES_SQUARED_ERROR_KERNEL_
#undef FIXNET_LOSSES_SQUARED_ERROR_KERNEL_
#else
#define FIXNET_LOSSES_SQUARED_ERROR_KERNEL_
#endif

#include <cstddef>

#include "fixnet/kernels/loss-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// scale (a - t)^2 and its gradient 2 scale (a - t); the scale is the loss's
/// (1/N for the mean, 1/2 for the half sum).
template <class L>
struct ScaledSquaredErrorKernel {
  template <std::size_t N, class D, class V>
  static HWY_INLINE V value(D d, V a, V t) {
    const V diff = hn::Sub(a, t);
    return hn::Mul(hn::Set(d, L::template scale<hn::TFromD<D>, N>), hn::Mul(diff, diff));
  }
  template <std::size_t N, class D, class V>
  static HWY_INLINE V gradient(D d, V a, V t) {
    using T = hn::TFromD<D>;
    return hn::Mul(hn::Set(d, T(2) * L::template scale<T, N>), hn::Sub(a, t));
  }
};

template <>
struct LossKernel<MeanSquaredError> : ScaledSquaredErrorKernel<MeanSquaredError> {};
template <>
struct LossKernel<HalfSumSquaredError> : ScaledSquaredErrorKernel<HalfSumSquaredError> {};

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

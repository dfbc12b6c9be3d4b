// fixnet — squared-error losses, in the two conventions in use.
// Vector kernel: fixnet/kernels/squared_error-inl.hpp.
#ifndef FIXNET_LOSSES_SQUARED_ERROR_HPP
#define FIXNET_LOSSES_SQUARED_ERROR_HPP

#include <cstddef>
#include <span>

#include "fixnet/activations/activation.hpp"
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

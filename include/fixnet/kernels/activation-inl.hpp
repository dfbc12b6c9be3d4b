// fixnet kernels — applying an activation to a padded row, forward and back.
//
// Each activation's vector kernel is a specialisation of `ActivationKernel`
// in the activation's own header (fixnet/activations/<activation>.hpp), below
// its scalar definition, with `value` and `derivative` side by side. Softmax,
// which is not elementwise, provides whole-row functions instead.

#if defined(FIXNET_KERNELS_ACTIVATION_INL_HPP_) == defined(HWY_TARGET_TOGGLE)
#ifdef FIXNET_KERNELS_ACTIVATION_INL_HPP_
#undef FIXNET_KERNELS_ACTIVATION_INL_HPP_
#else
#define FIXNET_KERNELS_ACTIVATION_INL_HPP_
#endif

#include <concepts>
#include <cstddef>

#include "fixnet/core/activation.hpp"
#include "fixnet/kernels/row-inl.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace fixnet::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Vector kernel of activation Act: specialised in each activation's
/// header, per target. An elementwise activation provides
///   `value(d, z)`:      f(z) on every lane;
///   `derivative(d, a)`: f'(z) on every lane, from the output a = f(z);
/// one that is not elementwise (Softmax) provides whole-row functions:
/// forward_row / backward_row, forward_lanes / backward_lanes and
/// forward_registers (one sample in the vectors of a RegisterRow).
template <class Act>
struct ActivationKernel {
  /// Only the primary template has it: no kernel was defined for Act
  /// (reported by BasicNetwork's check_kernels and check_activation_kernel).
  static constexpr bool missing = true;
};

/// Whether Act has a vector kernel for this target.
template <class Act>
inline constexpr bool has_activation_kernel = !requires { ActivationKernel<Act>::missing; };

/// An elementwise activation kernel: value and derivative on vectors of D.
template <class K, class D>
concept ElementwiseKernel = requires(D d, hn::Vec<D> v) {
  { K::value(d, v) } -> std::same_as<hn::Vec<D>>;
  { K::derivative(d, v) } -> std::same_as<hn::Vec<D>>;
};

/// Checks Act's kernel where a pass first uses it, with one message.
template <class Act, class D>
consteval bool check_activation_kernel() {
  if constexpr (!has_activation_kernel<Act>) {
    // Fix: define fixnet::HWY_NAMESPACE::ActivationKernel<YourActivation> in
    // the activation's header, per target (docs/extending.md).
    static_assert(detail::dependent_false<Act>,
                  "fixnet: this activation has no vector kernel: specialise "
                  "fixnet::HWY_NAMESPACE::ActivationKernel<Act> in its header (see docs/extending.md)");
  } else if constexpr (Act::elementwise) {
    // Fix: give ActivationKernel<Act> static value(d, z) and derivative(d, a)
    // returning a vector of the same type (docs/extending.md).
    static_assert(ElementwiseKernel<ActivationKernel<Act>, D>,
                  "fixnet: the vector kernel of an elementwise activation needs static "
                  "value(d, z) and derivative(d, a), each returning a vector like z");
  }
  return true;
}

/// grad_z = grad_a * Act'(from) on one vector of a row of N elementwise
/// values starting at element `start` (from: the output a, or the input z
/// for an activation whose derivative_from_input); lanes past N zero.
template <class Act, std::size_t N, class D, class V>
HWY_INLINE V activation_backward_vector(D d, V from, V grad_a, std::size_t start) {
  static_assert(Act::elementwise);
  return keep_in_row<N>(d, hn::Mul(grad_a, ActivationKernel<Act>::derivative(d, from)), start);
}

/// a = Act(z) over a row of N elements; lanes past N are written as zero, so
/// that a padded row of activations adds nothing when multiplied by the next
/// layer's (zero) padding weights nor when accumulated into gradients.
/// `a` may alias `z`.
template <class Act, std::size_t N, class T>
HWY_INLINE void activation_forward_row(const T* HWY_RESTRICT z, T* a) {
  using K = ActivationKernel<Act>;
  static_assert(check_activation_kernel<Act, RowTag<T, N>>());
  if constexpr (Act::elementwise) {
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v) {
      const auto value = K::value(d, hn::Load(d, z + v * kL));
      hn::Store(keep_in_row<N>(d, value, v * kL), d, a + v * kL);
    }
  } else {
    K::template forward_row<N>(z, a);
  }
  zero_row_tail<N>(a);
}

/// grad_z = J_Act^T grad_a over a row of N elements, from the activation's
/// output a (or its input z, for an activation whose derivative_from_input).
/// Lanes past N are written as zero. `grad_z` may alias `grad_a`.
template <class Act, std::size_t N, class T>
HWY_INLINE void activation_backward_row(const T* HWY_RESTRICT a, const T* grad_a, T* grad_z) {
  using K = ActivationKernel<Act>;
  if constexpr (Act::elementwise) {
    const RowTag<T, N> d;
    constexpr std::size_t kL = kLanes<decltype(d)>;
    for (std::size_t v = 0; v < kRowVectors<decltype(d), N>; ++v)
      hn::Store(activation_backward_vector<Act, N>(d, hn::Load(d, a + v * kL), hn::Load(d, grad_a + v * kL), v * kL),
                d, grad_z + v * kL);
  } else {
    K::template backward_row<N>(a, grad_a, grad_z);
  }
  zero_row_tail<N>(grad_z);
}

/// Samples in lanes: a = Act(z) for N feature rows of `stride` elements (one
/// sample per lane), on the vectors of D at columns [0, stride). `a` may
/// alias `z`.
template <class Act, std::size_t N, std::size_t kStride, class D, class T = hn::TFromD<D>>
HWY_INLINE void activation_forward_lanes(D d, const T* z, T* a) {
  using K = ActivationKernel<Act>;
  constexpr std::size_t kL = kLanes<D>;
  for (std::size_t c = 0; c < kStride; c += kL) {
    if constexpr (Act::elementwise) {
      for (std::size_t k = 0; k < N; ++k)
        hn::Store(K::value(d, hn::Load(d, z + k * kStride + c)), d, a + k * kStride + c);
    } else {
      K::template forward_lanes<N>(d, z, a, kStride, c);
    }
  }
}

/// Samples in lanes: grad_z = J_Act^T grad_a for N feature rows, from the
/// outputs a (or the inputs z, for derivative_from_input). `grad_z` may
/// alias `grad_a`.
template <class Act, std::size_t N, std::size_t kStride, class D, class T = hn::TFromD<D>>
HWY_INLINE void activation_backward_lanes(D d, const T* a, const T* grad_a, T* grad_z) {
  using K = ActivationKernel<Act>;
  constexpr std::size_t kL = kLanes<D>;
  for (std::size_t c = 0; c < kStride; c += kL) {
    if constexpr (Act::elementwise) {
      for (std::size_t k = 0; k < N; ++k) {
        const std::size_t at = k * kStride + c;
        hn::Store(hn::Mul(hn::Load(d, grad_a + at), K::derivative(d, hn::Load(d, a + at))), d,
                  grad_z + at);
      }
    } else {
      K::template backward_lanes<N>(d, a, grad_a, grad_z, kStride, c);
    }
  }
}

#if HWY_TARGET != HWY_SCALAR
/// Whether Act runs on one sample of N in registers: elementwise, or with a
/// kernel's forward_registers<N>. It is optional for an activation that is
/// not elementwise: without it, one sample goes through a workspace.
template <class Act, class T, std::size_t N>
inline constexpr bool has_registers_kernel =
    Act::elementwise ||
    requires(hn::Vec<RegisterTag<T, N>> (&z)[RegisterRow<T, N>::count]) {
      ActivationKernel<Act>::template forward_registers<N>(RegisterTag<T, N>(), z);
    };
#else
template <class Act, class T, std::size_t N>
inline constexpr bool has_registers_kernel = false;
#endif

#if HWY_TARGET != HWY_SCALAR
/// One sample in registers: a = Act(z) on the first N lanes, the others zero.
template <class Act, std::size_t N, class T>
HWY_INLINE RegisterRow<T, N> activation_forward_registers(RegisterRow<T, N> z) {
  using K = ActivationKernel<Act>;
  const RegisterTag<T, N> d;
  static_assert(check_activation_kernel<Act, decltype(d)>());
  if constexpr (Act::elementwise) {
    for (std::size_t v = 0; v < RegisterRow<T, N>::count; ++v)
      z.v[v] = keep_in_row<N>(d, K::value(d, z.v[v]), v * kLanes<decltype(d)>);
  } else {
    K::template forward_registers<N>(d, z.v);
  }
  return z;
}
#endif

}  // namespace fixnet::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard

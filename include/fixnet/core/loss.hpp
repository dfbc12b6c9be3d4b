// fixnet — what a loss function is, and which output layers it fits.
#ifndef FIXNET_LOSS_HPP
#define FIXNET_LOSS_HPP

#include <concepts>
#include <cstddef>
#include <span>

#include "fixnet/core/activation.hpp"
#include "fixnet/core/config.hpp"

namespace fixnet {

/// A loss type: a `name`, a scalar reference of its value and of its gradient
/// with respect to the network's output a (per sample, side by side), and two
/// compile-time relations with the output layer's activation:
///   `L::template fits<Act>`:  using L after Act makes sense (checked at
///   compile time; `AllowAnyOutput<L>` lifts the check);
///   `L::template fused<Act>`: L and Act have a combined gradient with respect
///   to the pre-activation z (softmax + cross-entropy: a - t), used instead of
///   chaining the two, and a value computed from z (exact for any logits).
template <class L>
concept Loss = requires(std::span<const double, 3> a, std::span<const double, 3> t,
                        std::span<double, 3> g) {
  { L::name } -> std::convertible_to<const char*>;
  { L::reference_value(a, t) } -> std::same_as<double>;
  L::reference_gradient(a, t, g);
};

/// Marks a loss as deliberately used after an output activation it does not
/// fit (say cross-entropy after `Relu`). The general, unfused formulas are
/// used, with logarithms clamped at the smallest normal number so that the
/// value stays finite.
template <Loss L>
struct AllowAnyOutput : L {
  template <Activation>
  static constexpr bool fits = true;
};

namespace detail {

/// Whether loss L fits output activation Act (true for every `AllowAnyOutput`).
template <class L, class Act>
inline constexpr bool loss_fits = L::template fits<Act>;

/// Whether L and Act have a fused gradient.
template <class L, class Act>
inline constexpr bool loss_fused = L::template fused<Act>;

}  // namespace detail
}  // namespace fixnet

#endif  // FIXNET_LOSS_HPP

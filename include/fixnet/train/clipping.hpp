// fixnet — gradient-norm clipping: the global L2 norm of a gradient set, and
// PyTorch's clip_grad_norm_.
#ifndef FIXNET_CLIPPING_HPP
#define FIXNET_CLIPPING_HPP

#include <cmath>
#include <concepts>

#include "fixnet/core/config.hpp"
#include "fixnet/core/static_kernels.hpp"
#include "fixnet/core/parameters.hpp"

namespace fixnet {

/// The global L2 norm, sqrt(sum x^2) over every value of a gradient (or
/// parameter) set, all layers together, biases included. `x` is a
/// `ParameterSet` or a network. Vectorised; each layer's weights and biases
/// are summed in the set's scalar type, the sums added in double.
template <class Model>
typename detail::parameters_of_t<Model>::scalar_type l2_norm(const Model& x) noexcept {
  using P = detail::parameters_of_t<Model>;
  return static_cast<typename P::scalar_type>(
      std::sqrt(detail::StaticKernels<P>::sum_of_squares(detail::parameters_ref(x), true)));
}

/// Clips the global norm of `grads` to `max_norm`, as PyTorch's
/// `torch.nn.utils.clip_grad_norm_(parameters, max_norm)` does:
///
///     norm = sqrt(sum g^2)                  over all gradients together
///     c    = max_norm / (norm + 1e-6)
///     g   <- c * g                          only if c < 1
///
/// and returns `norm`, the norm before clipping. Vectorised, allocation-free.
/// A gradient that contains infinity has an infinite norm and becomes 0 (or
/// NaN where it was infinite), as in PyTorch; one with a NaN has a NaN norm
/// and is left alone. Check the result with `std::isfinite` (or
/// `fixnet::all_finite(grads)`) to stop training on such a step.
template <class P>
  requires std::same_as<detail::parameters_of_t<P>, P>  // a gradient set, not a network
typename P::scalar_type clip_gradient_norm(P& grads, typename P::scalar_type max_norm) noexcept {
  using T = typename P::scalar_type;
  const T norm = l2_norm(grads);
  const T coefficient = max_norm / (norm + T(1e-6));
  if (coefficient < T(1)) detail::StaticKernels<P>::scale(coefficient, grads);
  return norm;
}

}  // namespace fixnet

#endif  // FIXNET_CLIPPING_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/dispatch/target_kernels-inl.hpp"

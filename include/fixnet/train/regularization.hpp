// fixnet — L2 regularisation: a penalty on the size of the weights, added to
// the loss, and its gradient, added to the gradients.
#ifndef FIXNET_REGULARIZATION_HPP
#define FIXNET_REGULARIZATION_HPP

#include "fixnet/core/config.hpp"
#include "fixnet/core/static_kernels.hpp"
#include "fixnet/core/parameters.hpp"

namespace fixnet {

/// L2 regularisation with strength lambda (>= 0):
///
///     loss  += lambda / 2 * sum w^2        (`penalty`)
///     g_w   += lambda * w                  (`add_gradient`)
///
/// over the weights only by default: biases are not penalised, as in the
/// galaxy-style reference, whose lambda term skips the bias (its extra input
/// column), and as usual practice has it (a bias does not multiply an input,
/// so shrinking it does not smooth the function). `include_biases` penalises
/// them too, which is what PyTorch's optimiser `weight_decay` does.
///
/// The penalty is on the sum: if your loss is a mean over B samples and you
/// want the term lambda / (2 B) sum w^2 of a per-sample lambda, use lambda / B.
/// With SGD, adding the L2 gradient is the same as `SgdOptions::weight_decay`
/// with `decay_biases = false`; with Adam it is not AdamW's decoupled decay.
///
///   fixnet::L2 l2{1e-4f};
///   grads.zero();
///   float loss = net.backward(xs, labels, fixnet::CrossEntropy{}, grads, ws) + l2.penalty(net);
///   l2.add_gradient(net, grads);
///   adam.step(net, grads);
template <Scalar T = float>
struct L2 {
  T lambda;
  bool include_biases = false;

  /// grads += lambda * w, vectorised, allocation-free. `model` is a network
  /// or a `ParameterSet`; grads has its shape.
  template <class Model>
  void add_gradient(const Model& model, detail::parameters_of_t<Model>& grads) const noexcept {
    using P = detail::parameters_of_t<Model>;
    detail::StaticKernels<P>::add_l2_gradient(static_cast<typename P::scalar_type>(lambda),
                                                       include_biases, detail::parameters_ref(model), grads);
  }

  /// lambda / 2 * sum w^2 (vectorised sum of squares, regions added in double).
  template <class Model>
  typename detail::parameters_of_t<Model>::scalar_type penalty(const Model& model) const noexcept {
    using P = detail::parameters_of_t<Model>;
    const double sum = detail::StaticKernels<P>::sum_of_squares(detail::parameters_ref(model), include_biases);
    return static_cast<typename P::scalar_type>(0.5 * static_cast<double>(lambda) * sum);
  }
};
// Deduction guides: clang before 17 does not deduce an aggregate's template
// arguments from its initialiser (L2{1e-4f}) without them.
template <Scalar T>
L2(T) -> L2<T>;
template <Scalar T>
L2(T, bool) -> L2<T>;

}  // namespace fixnet

#endif  // FIXNET_REGULARIZATION_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/dispatch/target_kernels-inl.hpp"

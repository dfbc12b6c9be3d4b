// fixnet — stochastic gradient descent with momentum, dampening, Nesterov
// momentum and weight decay: PyTorch's torch.optim.SGD, its defaults and its
// update, on statically shaped state.
#ifndef FIXNET_OPTIMIZERS_SGD_HPP
#define FIXNET_OPTIMIZERS_SGD_HPP

#include <array>
#include <string_view>

#include "fixnet/core/config.hpp"
#include "fixnet/optimizers/stateful_optimizer.hpp"

namespace fixnet {

/// Hyper-parameters of `Sgd`, with PyTorch's defaults. Designated
/// initialisers name those that differ:
/// `fixnet::Sgd<Net> sgd({.lr = 0.05f, .momentum = 0.9f, .nesterov = true});`
template <Scalar T = float>
struct SgdOptions {
  /// Learning rate (>= 0).
  T lr = T(1e-3);
  /// Momentum factor mu (>= 0); 0 is plain gradient descent.
  T momentum = 0;
  /// Dampening of the gradient in the momentum buffer.
  T dampening = 0;
  /// L2 weight decay (>= 0), added to the gradient.
  T weight_decay = 0;
  /// Nesterov momentum (needs momentum > 0 and dampening 0).
  bool nesterov = false;
  /// Whether weight decay also applies to biases. PyTorch decays every
  /// parameter it is given: true. False decays weights only.
  bool decay_biases = true;
};

/// Stochastic gradient descent, as torch.optim.SGD. Step t, elementwise over
/// every parameter p with gradient g:
///
///     g  <- g + weight_decay * p                        if weight_decay != 0
///     b  <- g                                           if momentum != 0, t = 1
///     b  <- momentum * b + (1 - dampening) * g          if momentum != 0, t > 1
///     g  <- g + momentum * b   (nesterov)   or   g <- b   if momentum != 0
///     p  <- p - lr * g
///
/// State: the momentum buffer b, one `ParameterSet` of the model's shape
/// (zero until the first step). `Model` is a network (`fixnet::Sgd<Net>`) or
/// a `ParameterSet`. Each step is one vectorised pass on the static Highway
/// target, allocation-free and noexcept.
///
/// With momentum 0 this is `fixnet::GradientDescent`, which needs no state.
template <class Model = TrainedNetwork>
class Sgd : public detail::StatefulOptimizer<Sgd<Model>, Model, SgdOptions, 1> {
  using Base = detail::StatefulOptimizer<Sgd<Model>, Model, SgdOptions, 1>;
  friend Base;

 public:
  using typename Base::options_type;
  using typename Base::parameters_type;
  using typename Base::scalar_type;

  /// Throws std::invalid_argument for a negative or non-finite learning rate,
  /// momentum or weight decay, a non-finite dampening, and for Nesterov
  /// momentum without momentum or with dampening (PyTorch's checks).
  explicit Sgd(const options_type& options = {}) : Base(options) {
    detail::check_option(options.lr >= 0, "Sgd", "a learning rate >= 0", options.lr);
    detail::check_option(options.momentum >= 0, "Sgd", "a momentum >= 0", options.momentum);
    detail::check_option(options.weight_decay >= 0, "Sgd", "a weight decay >= 0", options.weight_decay);
    detail::check_option(true, "Sgd", "a finite dampening", options.dampening);  // any sign, as PyTorch
    detail::check_option(!options.nesterov || options.momentum > 0, "Sgd",
                         "a momentum > 0 with Nesterov momentum", options.momentum);
    detail::check_option(!options.nesterov || options.dampening == 0, "Sgd",
                         "dampening 0 with Nesterov momentum", options.dampening);
  }

  /// The momentum buffer b (zero without momentum).
  const parameters_type& momentum_buffer() const noexcept { return this->state(0); }
  /// "Sgd": what a checkpoint records, and resuming compares.
  std::string_view name() const noexcept { return "Sgd"; }

 private:
  /// PyTorch's state_dict names, for for_each_state.
  static constexpr std::array<const char*, 1> state_names{"momentum_buffer"};

  detail::SgdStep<scalar_type> next_step() const noexcept {
    const options_type& o = this->options();
    return {
        .lr = o.lr,
        .momentum = o.momentum,
        .gradient_scale = this->step_count() == 0 ? scalar_type(1) : scalar_type(1) - o.dampening,
        .weight_decay = o.weight_decay,
        .nesterov = o.nesterov,
        .decay_biases = o.decay_biases,
    };
  }
};

}  // namespace fixnet

#endif  // FIXNET_OPTIMIZERS_SGD_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/dispatch/target_kernels-inl.hpp"

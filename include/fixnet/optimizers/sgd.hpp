// fixnet — stochastic gradient descent with momentum, dampening, Nesterov
// momentum and weight decay: PyTorch's torch.optim.SGD, its defaults and its
// update, on statically shaped state.
#ifndef FIXNET_OPTIMIZERS_SGD_HPP
#define FIXNET_OPTIMIZERS_SGD_HPP

#include <cstddef>
#include <string_view>

#include "fixnet/core/config.hpp"
#include "fixnet/optimizers/optimizer.hpp"
#include "fixnet/core/static_kernels.hpp"
#include "fixnet/core/parameters.hpp"

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
template <class Model>
class Sgd {
 public:
  using parameters_type = detail::parameters_of_t<Model>;
  using scalar_type = typename parameters_type::scalar_type;
  using options_type = SgdOptions<scalar_type>;

  /// Throws std::invalid_argument for a negative or non-finite learning rate,
  /// momentum or weight decay, a non-finite dampening, and for Nesterov
  /// momentum without momentum or with dampening (PyTorch's checks).
  explicit Sgd(const options_type& options = {}) : options_(options) {
    detail::check_option(options.lr >= 0, "Sgd", "a learning rate >= 0", options.lr);
    detail::check_option(options.momentum >= 0, "Sgd", "a momentum >= 0", options.momentum);
    detail::check_option(options.weight_decay >= 0, "Sgd", "a weight decay >= 0", options.weight_decay);
    detail::check_option(true, "Sgd", "a finite dampening", options.dampening);  // any sign, as PyTorch
    detail::check_option(!options.nesterov || options.momentum > 0, "Sgd",
                         "a momentum > 0 with Nesterov momentum", options.momentum);
    detail::check_option(!options.nesterov || options.dampening == 0, "Sgd",
                         "dampening 0 with Nesterov momentum", options.dampening);
  }

  /// One step on a network's parameters (see the class for the update).
  template <detail::NetworkWithParameters<parameters_type> Net>
  void step(Net& net, const parameters_type& grads) noexcept {
    step(net.parameters(), grads);
  }
  /// One step on a parameter set.
  void step(parameters_type& params, const parameters_type& grads) noexcept {
    step_with(
        [](const auto& s, auto& p, const auto& g, auto& b) noexcept {
          detail::StaticKernels<parameters_type>::sgd(s, p, g, b);
        },
        params, grads);
  }
  /// One step with a given kernel instead of the static target's, such as
  /// another Highway target's
  /// `&fixnet::N_AVX2::sgd_step<parameters_type, scalar_type>` (dynamic
  /// dispatch; the tests run every target this way).
  template <class Kernel>
  void step_with(Kernel&& kernel, parameters_type& params, const parameters_type& grads) noexcept {
    const detail::SgdStep<scalar_type> s{
        .lr = options_.lr,
        .momentum = options_.momentum,
        .gradient_scale = steps_ == 0 ? scalar_type(1) : scalar_type(1) - options_.dampening,
        .weight_decay = options_.weight_decay,
        .nesterov = options_.nesterov,
        .decay_biases = options_.decay_biases,
    };
    kernel(s, params, grads, buffer_);
    ++steps_;
  }

  scalar_type learning_rate() const noexcept { return options_.lr; }
  /// Sets the learning rate of the next steps (>= 0, finite), e.g. from a
  /// schedule. Not checked: it is noexcept and may be called every step. A
  /// non-finite rate makes the next step's parameters non-finite, which
  /// `fixnet::all_finite` (and the trainer) detect.
  void set_learning_rate(scalar_type lr) noexcept { options_.lr = lr; }
  const options_type& options() const noexcept { return options_; }
  /// Steps taken since construction or `reset`.
  std::size_t step_count() const noexcept { return steps_; }
  /// The momentum buffer b (zero without momentum).
  const parameters_type& momentum_buffer() const noexcept { return buffer_; }
  /// "Sgd": what a checkpoint records, and resuming compares.
  std::string_view name() const noexcept { return "Sgd"; }
  /// Calls f(name, state) for each part of the state, as PyTorch's
  /// state_dict names them: momentum_buffer, step
  /// (see `fixnet::OptimizerWithState`). Checkpoints save and restore the
  /// optimiser through it.
  template <class F>
  void for_each_state(F&& f) {
    f("momentum_buffer", buffer_);
    f("step", steps_);
  }
  template <class F>
  void for_each_state(F&& f) const {
    f("momentum_buffer", buffer_);
    f("step", steps_);
  }
  /// Forgets the state: the next step is a first step again.
  void reset() noexcept {
    buffer_.zero();
    steps_ = 0;
  }

 private:
  options_type options_;
  std::size_t steps_ = 0;
  parameters_type buffer_;
};

}  // namespace fixnet

#endif  // FIXNET_OPTIMIZERS_SGD_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/dispatch/target_kernels-inl.hpp"

// fixnet — RMSProp (plain or centered, with or without momentum, with weight
// decay): PyTorch's torch.optim.RMSprop, its defaults and its update, on
// statically shaped state.
#ifndef FIXNET_OPTIMIZERS_RMSPROP_HPP
#define FIXNET_OPTIMIZERS_RMSPROP_HPP

#include <cstddef>
#include <string_view>

#include "fixnet/core/config.hpp"
#include "fixnet/optimizers/optimizer.hpp"
#include "fixnet/core/static_kernels.hpp"
#include "fixnet/core/parameters.hpp"

namespace fixnet {

/// Hyper-parameters of `RmsProp`, with PyTorch's defaults:
/// `fixnet::RmsProp<Net> rmsprop({.lr = 1e-3f, .momentum = 0.9f});`
template <Scalar T = float>
struct RmsPropOptions {
  /// Learning rate (>= 0).
  T lr = T(1e-2);
  /// Smoothing constant of the squared-gradient average (>= 0).
  T alpha = T(0.99);
  /// Added to the root mean square, for numerical stability (>= 0).
  T eps = T(1e-8);
  /// L2 weight decay (>= 0), added to the gradient.
  T weight_decay = 0;
  /// Momentum factor (>= 0).
  T momentum = 0;
  /// Normalise by an estimate of the gradient's variance rather than of its
  /// second moment.
  bool centered = false;
  /// Whether weight decay also applies to biases (PyTorch: every parameter).
  bool decay_biases = true;
};

/// RMSProp, as torch.optim.RMSprop. Each step, elementwise over every
/// parameter p with gradient g (v, ga, b start at 0):
///
///     g   <- g + weight_decay * p                  if weight_decay != 0
///     v   <- alpha * v + (1 - alpha) * g^2
///     ga  <- ga + (1 - alpha) * (g - ga)           if centered
///     avg <- sqrt(v - ga^2) + eps   (centered)   or   sqrt(v) + eps
///     b   <- momentum * b + g / avg;  p <- p - lr * b      if momentum > 0
///     p   <- p - lr * g / avg                              otherwise
///
/// (Centered, v - ga^2 is clamped at 0: it is never negative in exact
/// arithmetic, and rounding must not turn it into a NaN.)
///
/// State: v, ga and b, three `ParameterSet`s of the model's shape (ga and b
/// stay zero when their option is off). Each step is one vectorised pass on
/// the static Highway target, allocation-free and noexcept.
template <class Model>
class RmsProp {
 public:
  using parameters_type = detail::parameters_of_t<Model>;
  using scalar_type = typename parameters_type::scalar_type;
  using options_type = RmsPropOptions<scalar_type>;

  /// Throws std::invalid_argument for a negative or non-finite learning rate,
  /// alpha, eps, momentum or weight decay (PyTorch's checks).
  explicit RmsProp(const options_type& options = {}) : options_(options) {
    detail::check_option(options.lr >= 0, "RmsProp", "a learning rate >= 0", options.lr);
    detail::check_option(options.alpha >= 0, "RmsProp", "alpha >= 0", options.alpha);
    detail::check_option(options.eps >= 0, "RmsProp", "eps >= 0", options.eps);
    detail::check_option(options.momentum >= 0, "RmsProp", "a momentum >= 0", options.momentum);
    detail::check_option(options.weight_decay >= 0, "RmsProp", "a weight decay >= 0", options.weight_decay);
  }

  /// One step on a network's parameters (see the class for the update).
  template <detail::NetworkWithParameters<parameters_type> Net>
  void step(Net& net, const parameters_type& grads) noexcept {
    step(net.parameters(), grads);
  }
  /// One step on a parameter set.
  void step(parameters_type& params, const parameters_type& grads) noexcept {
    step_with(
        [](const auto& s, auto& p, const auto& g, auto& v, auto& ga, auto& b) noexcept {
          detail::StaticKernels<parameters_type>::rmsprop(s, p, g, v, ga, b);
        },
        params, grads);
  }
  /// One step with a given kernel instead of the static target's: another
  /// Highway target's `&fixnet::N_AVX2::rmsprop_step<parameters_type, scalar_type>`.
  template <class Kernel>
  void step_with(Kernel&& kernel, parameters_type& params, const parameters_type& grads) noexcept {
    const detail::RmsPropStep<scalar_type> s{
        .lr = options_.lr,
        .alpha = options_.alpha,
        .eps = options_.eps,
        .weight_decay = options_.weight_decay,
        .momentum = options_.momentum,
        .centered = options_.centered,
        .decay_biases = options_.decay_biases,
    };
    kernel(s, params, grads, square_avg_, grad_avg_, buffer_);
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
  /// v, the running average of squared gradients.
  const parameters_type& square_average() const noexcept { return square_avg_; }
  /// ga, the running average of gradients (centered only).
  const parameters_type& gradient_average() const noexcept { return grad_avg_; }
  /// b, the momentum buffer (momentum only).
  const parameters_type& momentum_buffer() const noexcept { return buffer_; }
  /// "RmsProp": what a checkpoint records, and resuming compares.
  std::string_view name() const noexcept { return "RmsProp"; }
  /// Calls f(name, state) for each part of the state, as PyTorch's
  /// state_dict names them: square_avg, grad_avg, momentum_buffer, step
  /// (see `fixnet::OptimizerWithState`). Checkpoints save and restore the
  /// optimiser through it.
  template <class F>
  void for_each_state(F&& f) {
    f("square_avg", square_avg_);
    f("grad_avg", grad_avg_);
    f("momentum_buffer", buffer_);
    f("step", steps_);
  }
  template <class F>
  void for_each_state(F&& f) const {
    f("square_avg", square_avg_);
    f("grad_avg", grad_avg_);
    f("momentum_buffer", buffer_);
    f("step", steps_);
  }
  /// Forgets the state.
  void reset() noexcept {
    square_avg_.zero();
    grad_avg_.zero();
    buffer_.zero();
    steps_ = 0;
  }

 private:
  options_type options_;
  std::size_t steps_ = 0;
  parameters_type square_avg_;
  parameters_type grad_avg_;
  parameters_type buffer_;
};

}  // namespace fixnet

#endif  // FIXNET_OPTIMIZERS_RMSPROP_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/dispatch/target_kernels-inl.hpp"

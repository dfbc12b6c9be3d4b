// fixnet — RMSProp (plain or centered, with or without momentum, with weight
// decay): PyTorch's torch.optim.RMSprop, its defaults and its update, on
// statically shaped state.
#ifndef FIXNET_OPTIMIZERS_RMSPROP_HPP
#define FIXNET_OPTIMIZERS_RMSPROP_HPP

#include <array>
#include <string_view>

#include "fixnet/core/config.hpp"
#include "fixnet/optimizers/stateful_optimizer.hpp"

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
template <class Model = TrainedNetwork>
class RmsProp : public detail::StatefulOptimizer<RmsProp<Model>, Model, RmsPropOptions, 3> {
  using Base = detail::StatefulOptimizer<RmsProp<Model>, Model, RmsPropOptions, 3>;
  friend Base;

 public:
  using typename Base::options_type;
  using typename Base::parameters_type;
  using typename Base::scalar_type;

  /// Throws std::invalid_argument for a negative or non-finite learning rate,
  /// alpha, eps, momentum or weight decay (PyTorch's checks).
  explicit RmsProp(const options_type& options = {}) : Base(options) {
    detail::check_option(options.lr >= 0, "RmsProp", "a learning rate >= 0", options.lr);
    detail::check_option(options.alpha >= 0, "RmsProp", "alpha >= 0", options.alpha);
    detail::check_option(options.eps >= 0, "RmsProp", "eps >= 0", options.eps);
    detail::check_option(options.momentum >= 0, "RmsProp", "a momentum >= 0", options.momentum);
    detail::check_option(options.weight_decay >= 0, "RmsProp", "a weight decay >= 0", options.weight_decay);
  }

  /// v, the running average of squared gradients.
  const parameters_type& square_average() const noexcept { return this->state(0); }
  /// ga, the running average of gradients (centered only).
  const parameters_type& gradient_average() const noexcept { return this->state(1); }
  /// b, the momentum buffer (momentum only).
  const parameters_type& momentum_buffer() const noexcept { return this->state(2); }
  /// "RmsProp": what a checkpoint records, and resuming compares.
  std::string_view name() const noexcept { return "RmsProp"; }

 private:
  /// PyTorch's state_dict names, for for_each_state.
  static constexpr std::array<const char*, 3> state_names{"square_avg", "grad_avg", "momentum_buffer"};

  detail::RmsPropStep<scalar_type> next_step() const noexcept {
    const options_type& o = this->options();
    return {
        .lr = o.lr,
        .alpha = o.alpha,
        .eps = o.eps,
        .weight_decay = o.weight_decay,
        .momentum = o.momentum,
        .centered = o.centered,
        .decay_biases = o.decay_biases,
    };
  }
};

}  // namespace fixnet

#endif  // FIXNET_OPTIMIZERS_RMSPROP_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/dispatch/target_kernels-inl.hpp"

// fixnet — Adam, AMSGrad and AdamW: PyTorch's torch.optim.Adam and
// torch.optim.AdamW, their defaults and their updates (bias correction
// included), on statically shaped state.
#ifndef FIXNET_OPTIMIZERS_ADAM_HPP
#define FIXNET_OPTIMIZERS_ADAM_HPP

#include <array>
#include <cmath>
#include <string_view>

#include "fixnet/core/config.hpp"
#include "fixnet/optimizers/stateful_optimizer.hpp"

namespace fixnet {

/// Hyper-parameters of `Adam`, with PyTorch's defaults:
/// `fixnet::Adam<Net> adam({.lr = 3e-4f, .weight_decay = 1e-5f});`
template <Scalar T = float>
struct AdamOptions {
  /// Learning rate (>= 0).
  T lr = T(1e-3);
  /// Decay rate of the first moment, in [0, 1).
  T beta1 = T(0.9);
  /// Decay rate of the second moment, in [0, 1).
  T beta2 = T(0.999);
  /// Added to the denominator, for numerical stability (>= 0).
  T eps = T(1e-8);
  /// Weight decay (>= 0): L2 added to the gradient, or decoupled (below).
  T weight_decay = 0;
  /// AMSGrad: normalise by the largest second moment seen so far.
  bool amsgrad = false;
  /// AdamW's decoupled weight decay, p <- p (1 - lr weight_decay), instead of
  /// the L2 term in the gradient. `fixnet::AdamW` sets it.
  bool decoupled_weight_decay = false;
  /// Whether weight decay also applies to biases (PyTorch: every parameter).
  bool decay_biases = true;
};

/// Hyper-parameters of `AdamW`, with PyTorch's defaults (weight decay 1e-2).
template <Scalar T = float>
struct AdamWOptions {
  T lr = T(1e-3);
  T beta1 = T(0.9);
  T beta2 = T(0.999);
  T eps = T(1e-8);
  /// Decoupled weight decay (>= 0).
  T weight_decay = T(1e-2);
  bool amsgrad = false;
  /// Whether weight decay also applies to biases (PyTorch: every parameter).
  bool decay_biases = true;
};

/// Adam, as torch.optim.Adam. Step t = 1, 2, ..., elementwise over every
/// parameter p with gradient g (m, v, v_max start at 0):
///
///     p <- p * (1 - lr * weight_decay)          if decoupled (AdamW)
///     g <- g + weight_decay * p                 if not decoupled
///     m <- beta1 * m + (1 - beta1) * g
///     v <- beta2 * v + (1 - beta2) * g^2
///     v_max <- max(v_max, v), then used for v   if amsgrad
///     p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// The bias corrections are computed in double once per step. State: m, v and
/// v_max, three `ParameterSet`s of the model's shape (v_max stays zero
/// without AMSGrad), and t. Each step is one vectorised pass on the static
/// Highway target, allocation-free and noexcept.
template <class Model = TrainedNetwork>
class Adam : public detail::StatefulOptimizer<Adam<Model>, Model, AdamOptions, 3> {
  using Base = detail::StatefulOptimizer<Adam<Model>, Model, AdamOptions, 3>;
  friend Base;

 public:
  using typename Base::options_type;
  using typename Base::parameters_type;
  using typename Base::scalar_type;

  /// Throws std::invalid_argument for a negative or non-finite learning rate, eps
  /// or weight decay, and betas outside [0, 1) (PyTorch's checks).
  explicit Adam(const options_type& options = {}) : Base(options) { check(options, "Adam"); }

  /// m, the running average of gradients (not bias-corrected).
  const parameters_type& first_moment() const noexcept { return this->state(0); }
  /// v, the running average of squared gradients (not bias-corrected).
  const parameters_type& second_moment() const noexcept { return this->state(1); }
  /// v_max, the largest v seen (AMSGrad only).
  const parameters_type& max_second_moment() const noexcept { return this->state(2); }
  /// "Adam" ("AdamW" with decoupled weight decay, as AdamW has): what a
  /// checkpoint records, and resuming compares.
  std::string_view name() const noexcept { return this->options().decoupled_weight_decay ? "AdamW" : "Adam"; }

 protected:
  static void check(const options_type& o, const char* name) {
    detail::check_option(o.lr >= 0, name, "a learning rate >= 0", o.lr);
    detail::check_option(o.eps >= 0, name, "eps >= 0", o.eps);
    detail::check_option(o.beta1 >= 0 && o.beta1 < 1, name, "0 <= beta1 < 1", o.beta1);
    detail::check_option(o.beta2 >= 0 && o.beta2 < 1, name, "0 <= beta2 < 1", o.beta2);
    detail::check_option(o.weight_decay >= 0, name, "a weight decay >= 0", o.weight_decay);
  }

 private:
  /// PyTorch's state_dict names, for for_each_state.
  static constexpr std::array<const char*, 3> state_names{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};

  /// Step t = step_count() + 1; the bias corrections in double.
  detail::AdamStep<scalar_type> next_step() const noexcept {
    const options_type& o = this->options();
    const double t = static_cast<double>(this->step_count() + 1);
    const double lr = o.lr;
    const double bias_correction1 = 1 - std::pow(static_cast<double>(o.beta1), t);
    const double bias_correction2 = 1 - std::pow(static_cast<double>(o.beta2), t);
    return {
        .step_size = static_cast<scalar_type>(lr / bias_correction1),
        .bias_correction2_sqrt = static_cast<scalar_type>(std::sqrt(bias_correction2)),
        .beta1 = o.beta1,
        .beta2 = o.beta2,
        .eps = o.eps,
        .weight_decay = o.weight_decay,
        .decay_factor = static_cast<scalar_type>(1 - lr * static_cast<double>(o.weight_decay)),
        .amsgrad = o.amsgrad,
        .decoupled_weight_decay = o.decoupled_weight_decay,
        .decay_biases = o.decay_biases,
    };
  }
};

/// AdamW, as torch.optim.AdamW: `Adam` with decoupled weight decay,
/// p <- p * (1 - lr * weight_decay) before the Adam update, and PyTorch's
/// AdamW defaults (weight decay 1e-2). Constructed from `AdamWOptions`; its
/// `options()` are the equivalent `AdamOptions` (decoupled_weight_decay set).
///
///   fixnet::AdamW<Net> adamw({.lr = 1e-3f, .weight_decay = 0.05f});
template <class Model = TrainedNetwork>
class AdamW : public Adam<Model> {
 public:
  using typename Adam<Model>::scalar_type;
  using options_type = AdamWOptions<scalar_type>;

  /// Throws std::invalid_argument as `Adam` does.
  explicit AdamW(const options_type& options = {})
      : Adam<Model>(checked({
            .lr = options.lr,
            .beta1 = options.beta1,
            .beta2 = options.beta2,
            .eps = options.eps,
            .weight_decay = options.weight_decay,
            .amsgrad = options.amsgrad,
            .decoupled_weight_decay = true,
            .decay_biases = options.decay_biases,
        })) {}

 private:
  // Checked here first, so that the message names AdamW.
  static AdamOptions<scalar_type> checked(const AdamOptions<scalar_type>& o) {
    Adam<Model>::check(o, "AdamW");
    return o;
  }
};

}  // namespace fixnet

#endif  // FIXNET_OPTIMIZERS_ADAM_HPP

// The kernels, outside the include guard: under hwy/foreach_target.h this
// header is re-included once per target, and the kernels must be too.
#include "fixnet/dispatch/target_kernels-inl.hpp"

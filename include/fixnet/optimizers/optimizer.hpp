// fixnet — what an optimiser is: the concept that `Sgd`, `RmsProp`, `Adam`
// and `AdamW` model, and the checks of their hyper-parameters.
#ifndef FIXNET_OPTIMIZERS_OPTIMIZER_HPP
#define FIXNET_OPTIMIZERS_OPTIMIZER_HPP

#include <cmath>
#include <concepts>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fixnet/core/parameters.hpp"
#include "fixnet/core/static_kernels.hpp"
#include "fixnet/core/update_steps.hpp"

namespace fixnet {

/// An optimiser for `Model` (a network, or a `ParameterSet`): it updates the
/// parameters from their gradients in place, allocation-free and noexcept,
/// and exposes its learning rate to schedules.
///
///   static_assert(fixnet::Optimizer<fixnet::Adam<Net>, Net>);
///   opt.set_learning_rate(schedule(epoch));
///   opt.step(net, grads);  // or opt.step(net.parameters(), grads)
template <class O, class Model>
concept Optimizer =
    requires(O& o, const O& co, detail::parameters_of_t<Model>& params, const detail::parameters_of_t<Model>& grads,
             typename detail::parameters_of_t<Model>::scalar_type lr) {
      { o.step(params, grads) } noexcept;
      { co.learning_rate() } noexcept -> std::convertible_to<typename detail::parameters_of_t<Model>::scalar_type>;
      { o.set_learning_rate(lr) } noexcept;
      { o.reset() } noexcept;
    };

/// An optimiser whose state can be saved and restored (checkpoints,
/// fixnet/train/checkpoint.hpp): it has a `name()` ("Adam"), which a checkpoint
/// records and resuming compares, and `for_each_state(f)`, which calls
///
///     f(std::string_view name, parameters_type& set)   for each parameter set
///     f(std::string_view name, std::size_t& counter)   for each counter
///
/// in a fixed order (const references on a const optimiser), named as
/// PyTorch's `optimizer.state_dict()` names them ("exp_avg", "step"). Sgd,
/// RmsProp, Adam, AdamW and AnyOptimizer have both; an optimiser of one's
/// own needs them only for checkpoints.
template <class O>
concept OptimizerWithState = requires(O& o, const O& co) {
  { co.name() } -> std::convertible_to<std::string_view>;
  co.for_each_state([](std::string_view, const auto&) {});
  o.for_each_state([](std::string_view, auto&) {});
};

namespace detail {

/// `Net& net` whose `net.parameters()` is a `P&`: a network that an optimiser
/// of parameter set P can step.
template <class Net, class P>
concept NetworkWithParameters = requires(Net& net) {
  { net.parameters() } -> std::same_as<P&>;
};

/// Throws std::invalid_argument "fixnet::Adam: expected 0 <= beta1 < 1, got
/// 1.5" unless `ok` and `got` is finite. Names PyTorch's checks, so that the
/// same mistakes fail, and refuses infinite hyper-parameters too (PyTorch
/// accepts lr = inf, and the first step makes every parameter NaN).
inline void check_option(bool ok, const char* optimizer, const char* expected, double got) {
  if (ok && std::isfinite(got)) return;
  std::ostringstream message;
  message << "fixnet::" << optimizer << ": expected " << expected << ", got " << got;
  if (!std::isfinite(got)) message << " (not a finite number)";
  throw std::invalid_argument(message.str());
}

}  // namespace detail

}  // namespace fixnet

#endif  // FIXNET_OPTIMIZERS_OPTIMIZER_HPP

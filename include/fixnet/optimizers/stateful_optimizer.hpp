// fixnet — what Sgd, RmsProp and Adam share: options with a learning rate, a
// step counter and K parameter sets of state named as PyTorch's state_dict
// names them; a step is one kernel over the parameters, the gradients and
// the state. Also `TrainedNetwork`, which lets `Trainer<Net, B, Adam<>>`
// name the network once.
#ifndef FIXNET_OPTIMIZERS_STATEFUL_OPTIMIZER_HPP
#define FIXNET_OPTIMIZERS_STATEFUL_OPTIMIZER_HPP

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "fixnet/core/parameters.hpp"
#include "fixnet/core/static_kernels.hpp"
#include "fixnet/optimizers/optimizer.hpp"

namespace fixnet {

/// Stands for the trainer's network in an optimiser's type, the default
/// model of Sgd, RmsProp, Adam and AdamW: `Trainer<Net, 32, Adam<>>` trains
/// with an `Adam<Net>`. An optimiser on its own names its model: `Adam<Net>`.
struct TrainedNetwork {};

namespace detail {

/// Opt with TrainedNetwork replaced by Net (`Adam<>` becomes `Adam<Net>`).
template <class Opt, class Net>
struct bind_network {
  using type = Opt;
};
template <template <class> class O, class Net>
struct bind_network<O<TrainedNetwork>, Net> {
  using type = O<Net>;
};
template <class Opt, class Net>
using bind_network_t = typename bind_network<Opt, Net>::type;

/// The base of Sgd, RmsProp and Adam (CRTP). Derived provides
/// `next_step()`, the kernel's arguments for the coming step (one of the
/// structs of fixnet/core/update_steps.hpp, which also picks the kernel),
/// and `state_names`, K names for `for_each_state`.
template <class Derived, class Model, template <Scalar> class Options, std::size_t K>
class StatefulOptimizer {
  // Fix: Adam<> (Sgd<>, RmsProp<>, AdamW<>) only stands for the network in
  // Trainer<Net, B, Adam<>>; elsewhere write Adam<Net>.
  static_assert(!std::is_same_v<Model, TrainedNetwork>,
                "fixnet: an optimiser outside a Trainer names its network or parameter set: Adam<Net>");

 public:
  using parameters_type = parameters_of_t<Model>;
  using scalar_type = typename parameters_type::scalar_type;
  using options_type = Options<scalar_type>;

  /// One step on a network's parameters (see the class for the update).
  template <NetworkWithParameters<parameters_type> Net>
  void step(Net& net, const parameters_type& grads) noexcept {
    step(net.parameters(), grads);
  }
  /// One step on a parameter set, with the static Highway target's kernel.
  void step(parameters_type& params, const parameters_type& grads) noexcept {
    step_with([](const auto& s, auto&... sets) noexcept { StaticKernels<parameters_type>::update(s, sets...); },
              params, grads);
  }
  /// One step with a given kernel instead of the static target's, such as
  /// another Highway target's `&fixnet::N_AVX2::adam_step<parameters_type,
  /// scalar_type>` (dynamic dispatch; the tests run every target this way).
  template <class Kernel>
  void step_with(Kernel&& kernel, parameters_type& params, const parameters_type& grads) noexcept {
    const auto s = static_cast<const Derived&>(*this).next_step();
    ++steps_;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      kernel(s, params, grads, state_[I]...);
    }(std::make_index_sequence<K>{});
  }

  scalar_type learning_rate() const noexcept { return options_.lr; }
  /// Sets the learning rate of the next steps (>= 0, finite), e.g. from a
  /// schedule. Not checked: it is noexcept and may be called every step. A
  /// non-finite rate makes the next step's parameters non-finite, which
  /// `fixnet::all_finite` (and the trainer) detect.
  void set_learning_rate(scalar_type lr) noexcept { options_.lr = lr; }
  const options_type& options() const noexcept { return options_; }
  /// Steps taken since construction or `reset` (Adam's t).
  std::size_t step_count() const noexcept { return steps_; }
  /// Calls f(name, state) for each parameter set of the state, then
  /// f("step", step counter), named as PyTorch's state_dict names them (see
  /// `fixnet::OptimizerWithState`). Checkpoints save and restore the
  /// optimiser through it.
  template <class F>
  void for_each_state(F&& f) {
    visit_state(*this, f);
  }
  template <class F>
  void for_each_state(F&& f) const {
    visit_state(*this, f);
  }
  /// Forgets the state: the next step is a first step again.
  void reset() noexcept {
    for (auto& set : state_) set.zero();
    steps_ = 0;
  }

 protected:
  explicit StatefulOptimizer(const options_type& options) noexcept : options_(options) {}
  /// The k-th parameter set of the state, for Derived's named accessors.
  const parameters_type& state(std::size_t k) const noexcept { return state_[k]; }

 private:
  template <class Self, class F>
  static void visit_state(Self& self, F& f) {
    for (std::size_t k = 0; k < K; ++k) f(Derived::state_names[k], self.state_[k]);
    f("step", self.steps_);
  }

  options_type options_;
  std::size_t steps_ = 0;
  std::array<parameters_type, K> state_;
};

}  // namespace detail

/// An optimiser type for a `Trainer` of `Net`: an `Optimizer<Net>`, or one
/// whose model is `TrainedNetwork` (`Adam<>`) and becomes one with `Net`.
template <class Opt, class Net>
concept TrainerOptimizer = Optimizer<detail::bind_network_t<Opt, Net>, Net>;

}  // namespace fixnet

#endif  // FIXNET_OPTIMIZERS_STATEFUL_OPTIMIZER_HPP

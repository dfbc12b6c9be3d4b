// fixnet — an optimiser chosen at run time: one of Sgd, RmsProp, Adam and
// AdamW behind one type.
//
//   using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;
//   fixnet::AnyOptimizer<Net>::options_type options = fixnet::AdamOptions<float>{.lr = 1e-3f};
//   if (flag == "sgd") options = fixnet::SgdOptions<float>{.lr = 0.1f, .momentum = 0.9f};
//   fixnet::Trainer<Net, 32, fixnet::AnyOptimizer<Net>> trainer({}, options);
//
// A program whose command line picks the optimiser would otherwise
// instantiate a Trainer (and compile its training loop) once per optimiser
// type; with AnyOptimizer it compiles one. The choice costs one switch per
// step, nothing per sample. The optimiser itself is the one named: the same
// update, the same checks of its options, the same state (as large as the
// largest optimiser's: Adam keeps three parameter sets, so put it on the
// heap for large networks, as the Trainer does).
#ifndef FIXNET_OPTIMIZERS_ANY_OPTIMIZER_HPP
#define FIXNET_OPTIMIZERS_ANY_OPTIMIZER_HPP

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "fixnet/optimizers/adam.hpp"
#include "fixnet/optimizers/optimizer.hpp"
#include "fixnet/optimizers/rmsprop.hpp"
#include "fixnet/optimizers/sgd.hpp"

namespace fixnet {

/// One of `Sgd<Model>`, `RmsProp<Model>`, `Adam<Model>`, `AdamW<Model>`,
/// chosen by the options it is built from. Models `fixnet::Optimizer`.
template <class Model>
class AnyOptimizer {
 public:
  using parameters_type = detail::parameters_of_t<Model>;
  using scalar_type = typename parameters_type::scalar_type;
  /// The options of the optimiser to build: which alternative they are
  /// chooses it.
  using options_type = std::variant<SgdOptions<scalar_type>, RmsPropOptions<scalar_type>,
                                    AdamOptions<scalar_type>, AdamWOptions<scalar_type>>;
  using variant_type = std::variant<Sgd<Model>, RmsProp<Model>, Adam<Model>, AdamW<Model>>;

  /// Builds the optimiser `options` are for; throws std::invalid_argument as
  /// that optimiser does for options out of range. Alternative i of
  /// options_type is the options of alternative i of variant_type.
  explicit AnyOptimizer(const options_type& options = {}) : optimizer_(make(options)) {}

  /// One step (see the chosen optimiser).
  template <detail::NetworkWithParameters<parameters_type> Net>
  void step(Net& net, const parameters_type& grads) noexcept {
    step(net.parameters(), grads);
  }
  void step(parameters_type& params, const parameters_type& grads) noexcept {
    visit([&](auto& o) noexcept { o.step(params, grads); });
  }
  scalar_type learning_rate() const noexcept {
    return visit([](const auto& o) noexcept { return o.learning_rate(); });
  }
  void set_learning_rate(scalar_type lr) noexcept {
    visit([&](auto& o) noexcept { o.set_learning_rate(lr); });
  }
  void reset() noexcept {
    visit([](auto& o) noexcept { o.reset(); });
  }

  /// The chosen optimiser's name ("Adam"): a checkpoint written through an
  /// AnyOptimizer resumes in a trainer of the named optimiser, and back.
  std::string_view name() const noexcept {
    return visit([](const auto& o) noexcept { return o.name(); });
  }
  /// The chosen optimiser's `for_each_state(f)` (see
  /// `fixnet::OptimizerWithState`).
  template <class F>
  void for_each_state(F&& f) {
    on_index(optimizer_.index(),
             [&](auto i) { std::get_if<decltype(i)::value>(&optimizer_)->for_each_state(f); });
  }
  template <class F>
  void for_each_state(F&& f) const {
    on_index(optimizer_.index(),
             [&](auto i) { std::get_if<decltype(i)::value>(&optimizer_)->for_each_state(f); });
  }

  /// The optimiser, to read its state: `std::get<fixnet::Adam<Net>>(opt.get())`.
  const variant_type& get() const noexcept { return optimizer_; }
  variant_type& get() noexcept { return optimizer_; }

 private:
  static constexpr std::size_t kAlternatives = std::variant_size_v<variant_type>;

  /// f(integral_constant<I>) for the alternative index i < kAlternatives:
  /// a chain of comparisons that throws nothing (std::visit may throw
  /// bad_variant_access for a valueless variant, which this one never is:
  /// its optimisers are not assigned after construction).
  template <std::size_t I = 0, class F>
  static decltype(auto) on_index(std::size_t i, F&& f) {
    if constexpr (I + 1 == kAlternatives) {
      return f(std::integral_constant<std::size_t, I>{});
    } else {
      if (i == I) return f(std::integral_constant<std::size_t, I>{});
      return on_index<I + 1>(i, f);
    }
  }

  static variant_type make(const options_type& o) {
    return on_index(o.index(), [&](auto i) {
      constexpr std::size_t I = decltype(i)::value;
      static_assert(
          std::is_same_v<typename std::variant_alternative_t<I, variant_type>::options_type,
                         std::variant_alternative_t<I, options_type>>,
          "fixnet: AnyOptimizer: options_type and variant_type list the optimisers in "
          "different orders");
      return variant_type(std::in_place_index<I>, *std::get_if<I>(&o));
    });
  }

  template <class F, class Self>
  static decltype(auto) visit_alternative(Self& self, F&& f) noexcept {
    return on_index(self.optimizer_.index(), [&](auto i) noexcept -> decltype(auto) {
      return f(*std::get_if<decltype(i)::value>(&self.optimizer_));
    });
  }
  template <class F>
  decltype(auto) visit(F&& f) noexcept {
    return visit_alternative(*this, f);
  }
  template <class F>
  decltype(auto) visit(F&& f) const noexcept {
    return visit_alternative(*this, f);
  }

  variant_type optimizer_;
};

}  // namespace fixnet

#endif  // FIXNET_OPTIMIZERS_ANY_OPTIMIZER_HPP

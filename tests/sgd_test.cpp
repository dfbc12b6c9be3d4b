// Tests of fixnet/optimizers/sgd.hpp and its kernel (fixnet/kernels/sgd-inl.hpp)
// on every Highway target compiled into this binary: several steps of plain,
// momentum, dampened and Nesterov SGD with and without weight decay against
// PyTorch's formulas computed in double, weights and biases and the momentum
// buffer, padding left zero; exact binary cases; the public step on a
// network; option checks; learning-rate changes and reset.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_SGD_TEST_PRELUDE
#define FIXNET_TESTS_SGD_TEST_PRELUDE

#define BOOST_TEST_MODULE sgd
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_SGD_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "sgd_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

#ifndef FIXNET_TESTS_SGD_TEST_TYPES
#define FIXNET_TESTS_SGD_TEST_TYPES

#include "optimizer_test_support.hpp"

namespace fixnet::tests {

template <class P>
struct SgdKernel {
  using T = typename P::scalar_type;
  void (*step)(const detail::SgdStep<T>&, P&, const P&, P&) = nullptr;
};
using KernelTable = KernelsPerSetT<SgdKernel, ReferenceSets>;

/// Sgd for the shared checks of optimizer_test_support.hpp: its
/// configurations, torch.optim.SGD's update in double, its state sets.
struct SgdUnderTest {
  template <class Model>
  using type = Sgd<Model>;

  template <class T>
  static std::vector<OptimizerConfig<SgdOptions<T>>> configs() {
    return {
        {"plain", {.lr = T(0.1)}},
        {"momentum", {.lr = T(0.1), .momentum = T(0.9)}},
        {"momentum with dampening", {.lr = T(0.05), .momentum = T(0.8), .dampening = T(0.3)}},
        {"nesterov", {.lr = T(0.1), .momentum = T(0.9), .nesterov = true}},
        {"momentum and weight decay", {.lr = T(0.1), .momentum = T(0.9), .weight_decay = T(0.05)}},
        {"nesterov, weight decay on weights only",
         {.lr = T(0.1),
          .momentum = T(0.7),
          .weight_decay = T(0.2),
          .nesterov = true,
          .decay_biases = false}},
        {"plain, weight decay", {.lr = T(0.3), .weight_decay = T(0.1)}},
    };
  }

  /// The update of one parameter, from the options as the optimiser holds
  /// them (rounded to its scalar type).
  template <class T>
  static ReferenceStep reference(const SgdOptions<T>& options) {
    const double lr = options.lr, mu = options.momentum, dampening = options.dampening;
    const double wd = options.weight_decay;
    const bool nesterov = options.nesterov, decay_biases = options.decay_biases;
    return [=](double& p, double g, std::array<double, 3>& s, std::size_t t, bool is_bias) {
      if (wd != 0 && (!is_bias || decay_biases)) g += wd * p;
      if (mu != 0) {
        s[0] = t == 1 ? g : mu * s[0] + (1 - dampening) * g;
        g = nesterov ? g + mu * s[0] : s[0];
      }
      p -= lr * g;
    };
  }

  /// In the reference's order.
  template <class O>
  static std::vector<const typename O::parameters_type*> states(const O& sgd) {
    return {&sgd.momentum_buffer()};
  }
};

// The optimiser's contract, as the compiler sees it.
using TinyNet = Tiny<float>;
static_assert(Optimizer<Sgd<TinyNet>, TinyNet>);
static_assert(Optimizer<Sgd<Gradients<TinyNet>>, Gradients<TinyNet>>);
static_assert(noexcept(std::declval<Sgd<TinyNet>&>().step(std::declval<TinyNet&>(),
                                                          std::declval<const Gradients<TinyNet>&>())));
static_assert(noexcept(std::declval<Sgd<TinyNet>&>().step(std::declval<Gradients<TinyNet>&>(),
                                                          std::declval<const Gradients<TinyNet>&>())));

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_SGD_TEST_TYPES

// This target's kernels, compiled once per target.
FIXNET_PER_TARGET_TABLE(get_kernels, KernelTable, []<class P>(SgdKernel<P>& k) {
  k.step = &fixnet::HWY_NAMESPACE::sgd_step<P, typename P::scalar_type>;
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

BOOST_AUTO_TEST_SUITE(sgd)

// Every configuration, five steps, on each target's kernel for each set type.
BOOST_AUTO_TEST_CASE(several_steps_match_the_formulas_in_double_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, on_each_entry([](const auto& k) {
                           check_every_configuration_on_kernel<SgdUnderTest>(k);
                         }));
}

// The public step (static target) on a network.
BOOST_AUTO_TEST_CASE(step_on_a_network_matches_the_formulas) {
  check_every_configuration_on_a_network<SgdUnderTest>();
}

/// A 1-1 identity layer with w = 1, b = 0.5 and the constant gradient
/// (1, -2): every product and sum below is exact in binary.
struct ExactCase : OneUnit {
  ExactCase() : OneUnit({1.0f, 0.5f}, {1.0f, -2.0f}) {}
};

// lr 0.5, momentum 0.5: b = g, then 1.5 g, 1.75 g; w and b move by
// -lr b each step.
BOOST_AUTO_TEST_CASE(momentum_with_exactly_representable_values_is_exact) {
  ExactCase c;
  Sgd<ExactCase::Net> sgd({.lr = 0.5f, .momentum = 0.5f});
  const std::array<std::array<float, 2>, 3> expected{{{0.5f, 1.5f}, {-0.25f, 3.0f}, {-1.125f, 4.75f}}};
  for (const auto& e : expected) {
    sgd.step(c.net, c.g);
    BOOST_TEST(c.parameters() == e, boost::test_tools::per_element());
  }
  BOOST_TEST(sgd.step_count() == 3u);
}

// Nesterov: d = g + momentum b, with b = g on the first step and
// 0.5 b + g after: d = 1.5 g, then 1.75 g.
BOOST_AUTO_TEST_CASE(nesterov_with_exactly_representable_values_is_exact) {
  ExactCase c;
  Sgd<ExactCase::Net> sgd({.lr = 0.5f, .momentum = 0.5f, .nesterov = true});
  const std::array<std::array<float, 2>, 2> expected{{{0.25f, 2.0f}, {-0.625f, 3.75f}}};
  for (const auto& e : expected) {
    sgd.step(c.net, c.g);
    BOOST_TEST(c.parameters() == e, boost::test_tools::per_element());
  }
}

// Dampening leaves the first step alone (PyTorch starts the buffer at g) and
// scales the gradient by 1 - dampening after: lr 1, momentum 0.5, dampening
// 0.5 gives b = g, then 0.5 g + 0.5 g = g.
BOOST_AUTO_TEST_CASE(dampening_starts_on_the_second_step) {
  ExactCase c;
  Sgd<ExactCase::Net> sgd({.lr = 1.0f, .momentum = 0.5f, .dampening = 0.5f});
  sgd.step(c.net, c.g);
  BOOST_TEST(c.parameters() == (std::array<float, 2>{0.0f, 2.5f}), boost::test_tools::per_element());
  sgd.step(c.net, c.g);
  BOOST_TEST(c.parameters() == (std::array<float, 2>{-1.0f, 4.5f}), boost::test_tools::per_element());
}

// Without momentum, Sgd is gradient descent, to the bit.
BOOST_AUTO_TEST_CASE(sgd_without_momentum_is_gradient_descent) {
  using Net = Wide<float>;
  auto a = std::make_unique<Net>(), b = std::make_unique<Net>();
  initialize(*a, init::XavierUniform{}, init::Normal{}, 5);
  *b = *a;
  auto g = std::make_unique<Gradients<Net>>();
  assign(*g, known_gradients<Gradients<Net>>(2));
  Sgd<Net> sgd({.lr = 0.1f});
  for (int i = 0; i < 3; ++i) {
    sgd.step(*a, *g);
    GradientDescent<float>{0.1f}.step(*b, *g);
  }
  BOOST_TEST((*a == *b));
}

BOOST_AUTO_TEST_CASE(set_learning_rate_changes_the_next_step_and_reset_forgets_the_state) {
  ExactCase c;
  Sgd<ExactCase::Net> sgd({.lr = 0.5f, .momentum = 0.5f});
  BOOST_TEST(sgd.learning_rate() == 0.5f);
  sgd.step(c.net, c.g);  // b = g, w = 0.5
  sgd.set_learning_rate(0.25f);
  BOOST_TEST(sgd.learning_rate() == 0.25f);
  BOOST_TEST(sgd.options().momentum == 0.5f);
  sgd.step(c.net, c.g);  // b = 1.5 g, w = 0.5 - 0.375
  BOOST_TEST(c.parameters()[0] == 0.125f);
  sgd.reset();
  BOOST_TEST(sgd.step_count() == 0u);
  BOOST_TEST(canonical(sgd.momentum_buffer()) == std::vector<double>(2, 0.0), boost::test_tools::per_element());
  sgd.step(c.net, c.g);  // b = g again
  BOOST_TEST(c.parameters()[0] == -0.125f);
}

BOOST_AUTO_TEST_CASE(invalid_options_are_rejected_with_a_message) {
  using Net = Tiny<float>;
  BOOST_TEST(message_of([] { Sgd<Net>({.lr = -0.1f}); }) == "fixnet::Sgd: expected a learning rate >= 0, got -0.1");
  BOOST_TEST(message_of([] { Sgd<Net>({.momentum = -1.0f}); }) == "fixnet::Sgd: expected a momentum >= 0, got -1");
  BOOST_TEST(message_of([] { Sgd<Net>({.weight_decay = -1.0f}); }) ==
             "fixnet::Sgd: expected a weight decay >= 0, got -1");
  BOOST_TEST(message_of([] { Sgd<Net>({.nesterov = true}); }) ==
             "fixnet::Sgd: expected a momentum > 0 with Nesterov momentum, got 0");
  BOOST_TEST(message_of([] { Sgd<Net>({.momentum = 0.9f, .dampening = 0.5f, .nesterov = true}); }) ==
             "fixnet::Sgd: expected dampening 0 with Nesterov momentum, got 0.5");
  BOOST_TEST(message_of([] { Sgd<Net>({.lr = std::numeric_limits<float>::quiet_NaN()}); }) ==
             "fixnet::Sgd: expected a learning rate >= 0, got nan (not a finite number)");
  BOOST_TEST(message_of([] { Sgd<Net>(); }).empty());
}

// Infinite hyper-parameters (issue 15): PyTorch accepts lr = inf; its first
// step makes every parameter NaN.
BOOST_AUTO_TEST_CASE(infinite_options_are_rejected_with_a_message) {
  using Net = Tiny<float>;
  constexpr float inf = std::numeric_limits<float>::infinity();
  BOOST_TEST(message_of([] { Sgd<Net>({.lr = inf}); }) ==
             "fixnet::Sgd: expected a learning rate >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { Sgd<Net>({.momentum = inf}); }) ==
             "fixnet::Sgd: expected a momentum >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { Sgd<Net>({.weight_decay = inf}); }) ==
             "fixnet::Sgd: expected a weight decay >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { Sgd<Net>({.momentum = 0.9f, .dampening = inf}); }) ==
             "fixnet::Sgd: expected a finite dampening, got inf (not a finite number)");
}

BOOST_AUTO_TEST_CASE(defaults_are_pytorchs) {
  const SgdOptions<float> o;
  BOOST_TEST(o.lr == 1e-3f);
  BOOST_TEST(o.momentum == 0.0f);
  BOOST_TEST(o.dampening == 0.0f);
  BOOST_TEST(o.weight_decay == 0.0f);
  BOOST_TEST(!o.nesterov);
  BOOST_TEST(o.decay_biases);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE

// Tests of fixnet/optimizers/adam.hpp and its kernel
// (fixnet/kernels/adam-inl.hpp) on every Highway target compiled into this
// binary: several steps of Adam, AMSGrad, Adam with L2 weight decay and AdamW
// against PyTorch's formulas (bias corrections included) computed in double,
// weights, biases, m, v and v_max, padding left zero; the first step's size;
// the public step on a network; option checks; learning-rate changes and
// reset.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_ADAM_TEST_PRELUDE
#define FIXNET_TESTS_ADAM_TEST_PRELUDE

#define BOOST_TEST_MODULE adam
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
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

#endif  // FIXNET_TESTS_ADAM_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "adam_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

#ifndef FIXNET_TESTS_ADAM_TEST_TYPES
#define FIXNET_TESTS_ADAM_TEST_TYPES

#include "optimizer_test_support.hpp"

namespace fixnet::tests {

template <class P>
struct AdamKernel {
  using T = typename P::scalar_type;
  void (*step)(const detail::AdamStep<T>&, P&, const P&, P&, P&, P&) = nullptr;
};
using KernelTable = KernelsPerSetT<AdamKernel, ReferenceSets>;

/// Adam for the shared checks of optimizer_test_support.hpp: its
/// configurations, torch.optim.Adam's (and AdamW's) update in double, its
/// state sets.
struct AdamUnderTest {
  template <class Model>
  using type = Adam<Model>;

  /// Betas below the defaults in some, so that five steps move the bias
  /// corrections and the averages far from their start.
  template <class T>
  static std::vector<OptimizerConfig<AdamOptions<T>>> configs() {
    return {
        {"defaults", {}},
        {"lr 0.05, betas 0.5 0.6", {.lr = T(0.05), .beta1 = T(0.5), .beta2 = T(0.6)}},
        {"amsgrad", {.lr = T(0.01), .beta1 = T(0.8), .beta2 = T(0.7), .amsgrad = true}},
        {"L2 weight decay",
         {.lr = T(0.01), .beta1 = T(0.8), .beta2 = T(0.9), .weight_decay = T(0.2)}},
        {"decoupled weight decay (AdamW)",
         {.lr = T(0.01), .weight_decay = T(0.3), .decoupled_weight_decay = true}},
        {"AdamW, amsgrad, weights only, eps 1e-3",
         {.lr = T(0.02),
          .beta1 = T(0.7),
          .beta2 = T(0.5),
          .eps = T(1e-3),
          .weight_decay = T(0.5),
          .amsgrad = true,
          .decoupled_weight_decay = true,
          .decay_biases = false}},
        {"L2 on weights only", {.lr = T(0.01), .weight_decay = T(0.4), .decay_biases = false}},
    };
  }

  /// The update of one parameter; state m, v, v_max.
  template <class T>
  static ReferenceStep reference(const AdamOptions<T>& options) {
    const double lr = options.lr, beta1 = options.beta1, beta2 = options.beta2, eps = options.eps;
    const double wd = options.weight_decay;
    const bool amsgrad = options.amsgrad, decoupled = options.decoupled_weight_decay;
    const bool decay_biases = options.decay_biases;
    return [=](double& p, double g, std::array<double, 3>& s, std::size_t t, bool is_bias) {
      double& m = s[0];
      double& v = s[1];
      double& v_max = s[2];
      if (wd != 0 && (!is_bias || decay_biases)) {
        if (decoupled) {
          p *= 1 - lr * wd;
        } else {
          g += wd * p;
        }
      }
      m = beta1 * m + (1 - beta1) * g;
      v = beta2 * v + (1 - beta2) * g * g;
      const double bias_correction1 = 1 - std::pow(beta1, double(t));
      const double bias_correction2 = 1 - std::pow(beta2, double(t));
      double second = v;
      if (amsgrad) {
        v_max = std::max(v_max, v);
        second = v_max;
      }
      p -= lr / bias_correction1 * m / (std::sqrt(second) / std::sqrt(bias_correction2) + eps);
    };
  }

  /// In the reference's order.
  template <class O>
  static std::vector<const typename O::parameters_type*> states(const O& o) {
    return {&o.first_moment(), &o.second_moment(), &o.max_second_moment()};
  }
};

using TinyNet = Tiny<float>;
static_assert(Optimizer<Adam<TinyNet>, TinyNet>);
static_assert(Optimizer<AdamW<TinyNet>, TinyNet>);
static_assert(noexcept(std::declval<Adam<TinyNet>&>().step(std::declval<TinyNet&>(),
                                                           std::declval<const Gradients<TinyNet>&>())));
static_assert(noexcept(std::declval<AdamW<TinyNet>&>().step(std::declval<TinyNet&>(),
                                                            std::declval<const Gradients<TinyNet>&>())));

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_ADAM_TEST_TYPES

// This target's kernels, compiled once per target.
FIXNET_PER_TARGET_TABLE(get_kernels, KernelTable, []<class P>(AdamKernel<P>& k) {
  k.step = &fixnet::HWY_NAMESPACE::adam_step<P, typename P::scalar_type>;
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

BOOST_AUTO_TEST_SUITE(adam)

BOOST_AUTO_TEST_CASE(several_steps_match_the_formulas_in_double_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, on_each_entry([](const auto& k) {
                           check_every_configuration_on_kernel<AdamUnderTest>(k);
                         }));
}

// The public step (static target) on a network.
BOOST_AUTO_TEST_CASE(step_on_a_network_matches_the_formulas) {
  check_every_configuration_on_a_network<AdamUnderTest>();
}

// AdamW is Adam with decoupled weight decay and PyTorch's AdamW defaults;
// the two agree to the bit on the same options.
BOOST_AUTO_TEST_CASE(adamw_is_adam_with_decoupled_weight_decay) {
  using Net = Wide<float>;
  using P = Gradients<Net>;
  AdamW<Net> adamw;
  BOOST_TEST(adamw.options().weight_decay == 1e-2f);
  BOOST_TEST(adamw.options().decoupled_weight_decay);
  Adam<Net> adam({.weight_decay = 1e-2f, .decoupled_weight_decay = true});
  auto a = std::make_unique<Net>();
  initialize(*a, init::XavierUniform{}, init::Normal{}, 7);
  auto b = std::make_unique<Net>(*a);
  auto g = std::make_unique<P>();
  for (std::size_t t = 1; t <= 3; ++t) {
    assign(*g, known_gradients<P>(t));
    adamw.step(*a, *g);
    adam.step(*b, *g);
  }
  BOOST_TEST((*a == *b));
  BOOST_TEST((adamw.first_moment() == adam.first_moment()));
}

// With bias correction, the first step moves every parameter by
// lr g / (|g| + eps): lr against the gradient's sign, whatever its size.
BOOST_AUTO_TEST_CASE(the_first_step_moves_each_parameter_by_the_learning_rate) {
  OneUnit c({1.0f, 0.5f}, {1000.0f, -0.001f});
  Adam<OneUnit::Net> adam({.lr = 0.01f});
  adam.step(c.net, c.g);
  const auto p = c.parameters();
  BOOST_TEST(p[0] == 0.99f, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(p[1] == 0.51f, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(adam.step_count() == 1u);
}

BOOST_AUTO_TEST_CASE(set_learning_rate_and_reset) {
  OneUnit c({1.0f, -1.0f});
  Adam<OneUnit::Net> adam({.lr = 0.5f, .amsgrad = true});
  adam.step(c.net, c.g);
  adam.set_learning_rate(0.25f);
  BOOST_TEST(adam.learning_rate() == 0.25f);
  adam.reset();
  BOOST_TEST(adam.step_count() == 0u);
  const std::vector<double> zeros(2, 0.0);
  BOOST_TEST(canonical(adam.first_moment()) == zeros, boost::test_tools::per_element());
  BOOST_TEST(canonical(adam.second_moment()) == zeros, boost::test_tools::per_element());
  BOOST_TEST(canonical(adam.max_second_moment()) == zeros, boost::test_tools::per_element());
  // After reset the next step is a first step: exactly lr against the
  // gradient's sign (up to eps), now with the new rate.
  c.net.set_parameters(std::array<float, 2>{0.0f, 0.0f});
  adam.step(c.net, c.g);
  const auto p = c.parameters();
  BOOST_TEST(p[0] == -0.25f, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(p[1] == 0.25f, boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(invalid_options_are_rejected_with_a_message) {
  using Net = Tiny<float>;
  BOOST_TEST(message_of([] { Adam<Net>({.lr = -1.0f}); }) == "fixnet::Adam: expected a learning rate >= 0, got -1");
  BOOST_TEST(message_of([] { Adam<Net>({.beta1 = 1.0f}); }) == "fixnet::Adam: expected 0 <= beta1 < 1, got 1");
  BOOST_TEST(message_of([] { Adam<Net>({.beta2 = -0.5f}); }) == "fixnet::Adam: expected 0 <= beta2 < 1, got -0.5");
  BOOST_TEST(message_of([] { Adam<Net>({.eps = -1.0f}); }) == "fixnet::Adam: expected eps >= 0, got -1");
  BOOST_TEST(message_of([] { Adam<Net>({.weight_decay = -1.0f}); }) ==
             "fixnet::Adam: expected a weight decay >= 0, got -1");
  BOOST_TEST(message_of([] { AdamW<Net>({.beta1 = 1.5f}); }) == "fixnet::AdamW: expected 0 <= beta1 < 1, got 1.5");
  BOOST_TEST(message_of([] { Adam<Net>(); }).empty());
  BOOST_TEST(message_of([] { AdamW<Net>(); }).empty());
}

// Infinite hyper-parameters (issue 15): PyTorch accepts lr = inf and fails
// later, as divergence.
BOOST_AUTO_TEST_CASE(infinite_options_are_rejected_with_a_message) {
  using Net = Tiny<float>;
  constexpr float inf = std::numeric_limits<float>::infinity();
  BOOST_TEST(message_of([] { Adam<Net>({.lr = inf}); }) ==
             "fixnet::Adam: expected a learning rate >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { Adam<Net>({.lr = std::numeric_limits<float>::quiet_NaN()}); }) ==
             "fixnet::Adam: expected a learning rate >= 0, got nan (not a finite number)");
  BOOST_TEST(message_of([] { Adam<Net>({.eps = inf}); }) ==
             "fixnet::Adam: expected eps >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { Adam<Net>({.weight_decay = inf}); }) ==
             "fixnet::Adam: expected a weight decay >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { AdamW<Net>({.lr = inf}); }) ==
             "fixnet::AdamW: expected a learning rate >= 0, got inf (not a finite number)");
}

BOOST_AUTO_TEST_CASE(defaults_are_pytorchs) {
  const AdamOptions<float> adam;
  BOOST_TEST(adam.lr == 1e-3f);
  BOOST_TEST(adam.beta1 == 0.9f);
  BOOST_TEST(adam.beta2 == 0.999f);
  BOOST_TEST(adam.eps == 1e-8f);
  BOOST_TEST(adam.weight_decay == 0.0f);
  BOOST_TEST(!adam.amsgrad);
  BOOST_TEST(!adam.decoupled_weight_decay);
  const AdamWOptions<float> adamw;
  BOOST_TEST(adamw.lr == 1e-3f);
  BOOST_TEST(adamw.weight_decay == 1e-2f);
  BOOST_TEST(!adamw.amsgrad);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE

// Tests of fixnet/optimizers/rmsprop.hpp and its kernel
// (fixnet/kernels/rmsprop-inl.hpp) on every Highway target compiled into this
// binary: several steps of plain, centered and momentum RMSProp with and
// without weight decay against PyTorch's formulas computed in double, weights,
// biases and every state set, padding left zero; the public step on a
// network; option checks; learning-rate changes and reset.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_RMSPROP_TEST_PRELUDE
#define FIXNET_TESTS_RMSPROP_TEST_PRELUDE

#define BOOST_TEST_MODULE rmsprop
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

#endif  // FIXNET_TESTS_RMSPROP_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rmsprop_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

#ifndef FIXNET_TESTS_RMSPROP_TEST_TYPES
#define FIXNET_TESTS_RMSPROP_TEST_TYPES

#include "optimizer_test_support.hpp"

namespace fixnet::tests {

template <class P>
struct RmsPropKernel {
  using T = typename P::scalar_type;
  void (*step)(const detail::RmsPropStep<T>&, P&, const P&, P&, P&, P&) = nullptr;
};
using KernelTable = KernelsPerSetT<RmsPropKernel, ReferenceSets>;

/// RmsProp for the shared checks of optimizer_test_support.hpp: its
/// configurations, torch.optim.RMSprop's update in double, its state sets.
struct RmsPropUnderTest {
  template <class Model>
  using type = RmsProp<Model>;

  /// alpha 0.9 rather than 0.99, so that five steps move the averages far
  /// from their start.
  template <class T>
  static std::vector<OptimizerConfig<RmsPropOptions<T>>> configs() {
    return {
        {"defaults", {}},
        {"alpha 0.9", {.lr = T(0.01), .alpha = T(0.9)}},
        {"centered", {.lr = T(0.01), .alpha = T(0.9), .centered = true}},
        {"momentum", {.lr = T(0.01), .alpha = T(0.9), .momentum = T(0.8)}},
        {"centered, momentum, weight decay",
         {.lr = T(0.02),
          .alpha = T(0.9),
          .eps = T(1e-6),
          .weight_decay = T(0.1),
          .momentum = T(0.5),
          .centered = true}},
        {"weight decay on weights only",
         {.lr = T(0.01), .alpha = T(0.8), .weight_decay = T(0.3), .decay_biases = false}},
    };
  }

  /// The update of one parameter; state v, ga, b.
  template <class T>
  static ReferenceStep reference(const RmsPropOptions<T>& options) {
    const double lr = options.lr, alpha = options.alpha, eps = options.eps,
                 wd = options.weight_decay;
    const double mu = options.momentum;
    const bool centered = options.centered, decay_biases = options.decay_biases;
    return [=](double& p, double g, std::array<double, 3>& s, std::size_t, bool is_bias) {
      if (wd != 0 && (!is_bias || decay_biases)) g += wd * p;
      double& v = s[0];
      double& ga = s[1];
      double& b = s[2];
      v = alpha * v + (1 - alpha) * g * g;
      double avg;
      if (centered) {
        ga = ga + (1 - alpha) * (g - ga);
        avg = std::sqrt(v - ga * ga) + eps;
      } else {
        avg = std::sqrt(v) + eps;
      }
      if (mu > 0) {
        b = mu * b + g / avg;
        p -= lr * b;
      } else {
        p -= lr * g / avg;
      }
    };
  }

  /// In the reference's order.
  template <class O>
  static std::vector<const typename O::parameters_type*> states(const O& o) {
    return {&o.square_average(), &o.gradient_average(), &o.momentum_buffer()};
  }
};

using TinyNet = Tiny<float>;
static_assert(Optimizer<RmsProp<TinyNet>, TinyNet>);
static_assert(noexcept(std::declval<RmsProp<TinyNet>&>().step(std::declval<TinyNet&>(),
                                                              std::declval<const Gradients<TinyNet>&>())));

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_RMSPROP_TEST_TYPES

// This target's kernels, compiled once per target.
FIXNET_PER_TARGET_TABLE(get_kernels, KernelTable, []<class P>(RmsPropKernel<P>& k) {
  k.step = &fixnet::HWY_NAMESPACE::rmsprop_step<P, typename P::scalar_type>;
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

BOOST_AUTO_TEST_SUITE(rmsprop)

BOOST_AUTO_TEST_CASE(several_steps_match_the_formulas_in_double_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, on_each_entry([](const auto& k) {
                           check_every_configuration_on_kernel<RmsPropUnderTest>(k);
                         }));
}

// The public step (static target) on a network.
BOOST_AUTO_TEST_CASE(step_on_a_network_matches_the_formulas) {
  check_every_configuration_on_a_network<RmsPropUnderTest>();
}

// The first step of plain RMSProp moves each parameter by
// -lr g / (sqrt(1 - alpha) |g| + eps): about -lr sign(g) / sqrt(1 - alpha).
BOOST_AUTO_TEST_CASE(the_first_step_is_about_lr_over_sqrt_one_minus_alpha_against_the_gradient) {
  OneUnit c({1.0f, 0.5f}, {4.0f, -0.25f});
  RmsProp<OneUnit::Net> rmsprop({.lr = 0.01f, .alpha = 0.75f});
  rmsprop.step(c.net, c.g);
  const auto p = c.parameters();
  BOOST_TEST(p[0] == 1.0f - 0.02f, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(p[1] == 0.5f + 0.02f, boost::test_tools::tolerance(1e-6f));
}

// In exact arithmetic v - ga^2 = alpha^t (1 - alpha^t) g^2 > 0 for a
// constant gradient g; once alpha^t is below float's epsilon (t > 150 for
// alpha 0.9) it is rounding noise, often negative. fixnet clamps it at 0
// rather than taking the square root of a negative number (NaN).
BOOST_AUTO_TEST_CASE(centered_rmsprop_stays_finite_on_constant_gradients) {
  using Net = Tiny<float>;
  Net net;
  Gradients<Net> g;
  std::vector<double> values(Net::parameter_count, 0.7);
  assign(g, values);
  RmsProp<Net> rmsprop({.lr = 1e-4f, .alpha = 0.9f, .centered = true});
  bool finite = true;
  for (int i = 0; i < 300; ++i) {
    rmsprop.step(net, g);
    finite = finite && all_finite(net);
  }
  BOOST_TEST(finite);
}

BOOST_AUTO_TEST_CASE(set_learning_rate_and_reset) {
  OneUnit c({1.0f, 1.0f});
  RmsProp<OneUnit::Net> rmsprop({.lr = 0.5f, .momentum = 0.5f, .centered = true});
  rmsprop.step(c.net, c.g);
  BOOST_TEST(rmsprop.step_count() == 1u);
  rmsprop.set_learning_rate(0.125f);
  BOOST_TEST(rmsprop.learning_rate() == 0.125f);
  BOOST_TEST(rmsprop.options().momentum == 0.5f);
  rmsprop.reset();
  BOOST_TEST(rmsprop.step_count() == 0u);
  const std::vector<double> zeros(2, 0.0);
  BOOST_TEST(canonical(rmsprop.square_average()) == zeros, boost::test_tools::per_element());
  BOOST_TEST(canonical(rmsprop.gradient_average()) == zeros, boost::test_tools::per_element());
  BOOST_TEST(canonical(rmsprop.momentum_buffer()) == zeros, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(invalid_options_are_rejected_with_a_message) {
  using Net = Tiny<float>;
  BOOST_TEST(message_of([] { RmsProp<Net>({.lr = -1.0f}); }) ==
             "fixnet::RmsProp: expected a learning rate >= 0, got -1");
  BOOST_TEST(message_of([] { RmsProp<Net>({.alpha = -0.5f}); }) == "fixnet::RmsProp: expected alpha >= 0, got -0.5");
  BOOST_TEST(message_of([] { RmsProp<Net>({.eps = -1.0f}); }) == "fixnet::RmsProp: expected eps >= 0, got -1");
  BOOST_TEST(message_of([] { RmsProp<Net>({.weight_decay = -2.0f}); }) ==
             "fixnet::RmsProp: expected a weight decay >= 0, got -2");
  BOOST_TEST(message_of([] { RmsProp<Net>({.momentum = -0.5f}); }) ==
             "fixnet::RmsProp: expected a momentum >= 0, got -0.5");
  BOOST_TEST(message_of([] { RmsProp<Net>(); }).empty());
}

// Infinite hyper-parameters (issue 15).
BOOST_AUTO_TEST_CASE(infinite_options_are_rejected_with_a_message) {
  using Net = Tiny<float>;
  constexpr float inf = std::numeric_limits<float>::infinity();
  BOOST_TEST(message_of([] { RmsProp<Net>({.lr = inf}); }) ==
             "fixnet::RmsProp: expected a learning rate >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { RmsProp<Net>({.alpha = inf}); }) ==
             "fixnet::RmsProp: expected alpha >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { RmsProp<Net>({.eps = inf}); }) ==
             "fixnet::RmsProp: expected eps >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { RmsProp<Net>({.momentum = inf}); }) ==
             "fixnet::RmsProp: expected a momentum >= 0, got inf (not a finite number)");
  BOOST_TEST(message_of([] { RmsProp<Net>({.weight_decay = inf}); }) ==
             "fixnet::RmsProp: expected a weight decay >= 0, got inf (not a finite number)");
}

BOOST_AUTO_TEST_CASE(defaults_are_pytorchs) {
  const RmsPropOptions<float> o;
  BOOST_TEST(o.lr == 1e-2f);
  BOOST_TEST(o.alpha == 0.99f);
  BOOST_TEST(o.eps == 1e-8f);
  BOOST_TEST(o.weight_decay == 0.0f);
  BOOST_TEST(o.momentum == 0.0f);
  BOOST_TEST(!o.centered);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE

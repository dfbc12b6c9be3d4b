// Tests of docs/extending.md: an activation (Swish, tests/extending/swish.hpp)
// and a loss (Huber, tests/extending/huber.hpp) defined outside include/,
// each in one header with its scalar definition and its Highway kernel, used
// by networks without any fixnet file naming them. Their kernels are checked
// against their scalar definitions on every Highway target, whole networks
// against the scalar reference (tests/reference.hpp) on every target
// (tests/per_target.hpp), the
// gradients against central finite differences in double, and a network
// with them trains.
//
// hwy/foreach_target.h re-includes this file once per target; the checks are
// compiled once.
#ifndef FIXNET_TESTS_EXTENDING_TEST_PRELUDE
#define FIXNET_TESTS_EXTENDING_TEST_PRELUDE

#define BOOST_TEST_MODULE extending
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_EXTENDING_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "extending_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "extending/huber.hpp"
#include "extending/swish.hpp"
#include "per_target.hpp"  // after Highway: it has a part per target

#ifndef FIXNET_TESTS_EXTENDING_TEST_TYPES
#define FIXNET_TESTS_EXTENDING_TEST_TYPES

#include "reference.hpp"

namespace fixnet::tests {

/// Two Swish layers (so that one of them passes a gradient back through
/// another's kept z) and a linear output, trained with the Huber loss.
template <class T>
using SwishNet = BasicNetwork<T, Dense<3, 7, my::Swish>, Dense<7, 5, my::Swish>, Dense<5, 2, Identity>>;

/// A batch of B inputs and targets, and a network, drawn from `seed`; the
/// targets are far enough from the outputs that the Huber loss is linear
/// for some and quadratic for others.
template <class T, std::size_t B>
struct Problem {
  SwishNet<T> net;
  std::array<std::array<T, 3>, B> xs;
  std::array<std::array<T, 2>, B> ts;

  explicit Problem(std::uint64_t seed) {
    TestRng rng(seed);
    std::vector<T> p(SwishNet<T>::parameter_count);
    for (T& v : p) v = uniform<T>(rng, -0.8, 0.8);
    net.set_parameters(std::span<const T>(p));
    for (auto& x : xs) x = uniform_array<T, 3>(rng, -3, 3);
    for (auto& t : ts) t = uniform_array<T, 2>(rng, -2, 2);
  }
};

/// The loss and gradients of a problem, flattened (loss first).
template <class T, std::size_t B>
std::vector<double> flatten(T loss, const typename SwishNet<T>::parameters_type& g) {
  std::array<T, SwishNet<T>::parameter_count> values;
  g.get_parameters(values);
  std::vector<double> out{double(loss)};
  out.insert(out.end(), values.begin(), values.end());
  return out;
}

/// The same from the scalar reference, in double.
template <class T, std::size_t B>
std::vector<double> reference_backward(const Problem<T, B>& problem) {
  const SwishNet<double> net(problem.net);
  SwishNet<double>::parameters_type g;
  double loss = 0;
  for (std::size_t b = 0; b < B; ++b) {
    std::array<double, 3> x;
    std::array<double, 2> t;
    for (std::size_t i = 0; i < 3; ++i) x[i] = problem.xs[b][i];
    for (std::size_t k = 0; k < 2; ++k) t[k] = problem.ts[b][k];
    loss += reference::backward(net, x, t, my::Huber{}, g);
  }
  return flatten<double, B>(loss, g);
}

/// A grid of inputs over [-20, 20] for the activation kernel checks.
inline constexpr std::size_t kGrid = 161;

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_EXTENDING_TEST_TYPES

HWY_BEFORE_NAMESPACE();
namespace fixnet::tests::HWY_NAMESPACE {

/// The network's loss and gradients by this target's kernels.
template <class T, std::size_t B>
std::vector<double> kernel_backward(const Problem<T, B>& problem) {
  auto ws = std::make_unique<Workspace<SwishNet<T>, B>>();
  for (std::size_t b = 0; b < B; ++b) {
    ws->set_input(b, problem.xs[b]);
    ws->set_target(b, problem.ts[b]);
  }
  typename SwishNet<T>::parameters_type g;
  const T loss = fixnet::HWY_NAMESPACE::network_backward<my::Huber, SwishNet<T>>(
      problem.net.parameters(), *ws, g);
  return flatten<T, B>(loss, g);
}

/// Four cases: float and double, samples in rows (5) and in lanes (37).
void backward_cases(std::vector<std::vector<double>>& out) {
  out = {kernel_backward(Problem<float, 5>(1)), kernel_backward(Problem<float, 37>(2)),
         kernel_backward(Problem<double, 5>(3)), kernel_backward(Problem<double, 37>(4))};
}

/// Swish's value and derivative over the grid by this target's kernel,
/// through the same row functions the network uses.
void swish_rows(std::vector<double>& values, std::vector<double>& derivatives) {
  alignas(64) static float z[padded<float>(kGrid)], a[padded<float>(kGrid)], g[padded<float>(kGrid)];
  for (std::size_t i = 0; i < kGrid; ++i) z[i] = -20.0f + 0.25f * float(i), g[i] = 1.0f;
  fixnet::HWY_NAMESPACE::activation_forward_row<my::Swish, kGrid>(z, a);
  fixnet::HWY_NAMESPACE::activation_backward_row<my::Swish, kGrid>(z, g, g);
  values.assign(a, a + kGrid);
  derivatives.assign(g, g + kGrid);
}

}  // namespace fixnet::tests::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(backward_cases);
HWY_EXPORT(swish_rows);

BOOST_AUTO_TEST_SUITE(extending)

BOOST_AUTO_TEST_CASE(user_types_model_the_concepts_and_need_no_fixnet_file) {
  static_assert(Activation<my::Swish> && my::Swish::derivative_from_input);
  static_assert(Loss<my::Huber>);
  // The layer keeps z for Swish's derivative; a Sigmoid layer does not.
  static_assert(Dense<3, 7, my::Swish>::pre_activation_width == 7);
  static_assert(Dense<3, 7, Sigmoid>::pre_activation_width == 0);
  BOOST_TEST(std::string(my::Swish::name) == "Swish");
}

BOOST_AUTO_TEST_CASE(the_swish_kernel_matches_its_scalar_definition_on_every_target) {
  on_every_target([] {
    std::vector<double> values, derivatives;
    HWY_DYNAMIC_DISPATCH(swish_rows)(values, derivatives);
    std::vector<double> expected_values, expected_derivatives;
    for (std::size_t i = 0; i < kGrid; ++i) {
      const double z = double(-20.0f + 0.25f * float(i));
      expected_values.push_back(my::Swish::value(z));
      expected_derivatives.push_back(my::Swish::derivative(z));
    }
    // hn::Exp is within 1 ULP; the sigmoid, product and sum add a few float
    // roundings: 1e-6 relative plus 1e-7 absolute.
    check_close_all(values, expected_values, 1e-6, 1e-7, "swish");
    check_close_all(derivatives, expected_derivatives, 1e-6, 1e-7, "swish'");
  });
}

BOOST_AUTO_TEST_CASE(swish_and_huber_networks_match_the_reference_on_every_target) {
  const std::vector<std::vector<double>> expected = {
      reference_backward(Problem<float, 5>(1)), reference_backward(Problem<float, 37>(2)),
      reference_backward(Problem<double, 5>(3)), reference_backward(Problem<double, 37>(4))};
  on_every_target([&] {
    std::vector<std::vector<double>> actual;
    HWY_DYNAMIC_DISPATCH(backward_cases)(actual);
    BOOST_TEST_REQUIRE(actual.size() == 4u);
    // float: sums of up to 37 products of values near 1 in float, 1e-4 of
    // the largest gradient; double: 1e-11.
    check_close_all(actual[0], expected[0], 1e-4, 1e-4 * max_abs(expected[0]), "float, rows");
    check_close_all(actual[1], expected[1], 1e-4, 1e-4 * max_abs(expected[1]), "float, lanes");
    check_close_all(actual[2], expected[2], 1e-11, 1e-11, "double, rows");
    check_close_all(actual[3], expected[3], 1e-11, 1e-11, "double, lanes");
  });
}

// The reference could share a mistake with the kernels (both follow the
// activation's own derivative): finite differences of the loss check the
// gradient of the whole network independently, in double, through the
// network's own backward (the static target).
BOOST_AUTO_TEST_CASE(gradients_match_central_finite_differences_in_double) {
  Problem<double, 5> problem(5);
  auto ws = std::make_unique<Workspace<SwishNet<double>, 5>>();
  SwishNet<double>::parameters_type g;
  problem.net.backward(problem.xs, problem.ts, my::Huber{}, g, *ws);
  std::array<double, SwishNet<double>::parameter_count> analytic, p;
  g.get_parameters(analytic);
  problem.net.get_parameters(p);
  std::size_t bad = 0;
  for (std::size_t k = 0; k < p.size(); ++k) {
    const double numeric = central_difference(p[k], fd_step, [&] {
      SwishNet<double> net;
      net.set_parameters(p);
      return net.loss(problem.xs, problem.ts, my::Huber{}, *ws);
    });
    if (!within(analytic[k], numeric, fd_rel, fd_rel)) {
      ++bad;
      BOOST_TEST_MESSAGE("parameter " << k << ": " << analytic[k] << " vs " << numeric);
    }
  }
  BOOST_TEST(bad == 0u);
}

// Swish hidden layers and the Huber loss through the Trainer: a damped sine
// with a few wild targets, which the Huber loss lets the fit ignore.
BOOST_AUTO_TEST_CASE(a_swish_network_trains_with_the_huber_loss) {
  using Net = Network<Dense<1, 16, my::Swish>, Dense<16, 16, my::Swish>, Dense<16, 1, Identity>>;
  data::RegressionDataset<float, 1, 1> train, validation;
  for (std::size_t i = 0; i < 600; ++i) {
    const float x = -3.0f + 6.0f * float(i) / 599.0f;
    const float y = std::sin(2 * x) * std::exp(-x * x / 4);
    if (i % 5 == 0) {
      validation.add({x}, {y});
    } else {
      train.add({x}, {i % 37 == 1 ? 10.0f : y});  // a few outliers in the training set
    }
  }
  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Zeros{}, 3);
  const double before = evaluate<64>(*net, validation, my::Huber{}).rmse;
  Trainer<Net, 16, Adam<>, my::Huber> trainer(
      {.epochs = 120, .seed = 2, .patience = 30, .progress = ProgressStyle::off}, {.lr = 1e-2f});
  trainer.fit(*net, train, validation);
  const double after = trainer.evaluate(*net, validation).rmse;
  BOOST_TEST_MESSAGE("validation RMSE " << before << " -> " << after);
  BOOST_TEST(after < 0.08);
  BOOST_TEST(after < before / 5);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE

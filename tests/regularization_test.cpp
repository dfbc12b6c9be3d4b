// Tests of fixnet/train/regularization.hpp and its kernels
// (fixnet/kernels/l2-inl.hpp, sum_of_squares-inl.hpp) on every Highway target
// compiled into this binary: the L2 gradient adds lambda w to the weights'
// gradients only (biases too on request), the penalty is lambda / 2 sum w^2;
// padding stays zero; hand-computed values; L2 then gradient descent is SGD
// with weight decay on weights only.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_REGULARIZATION_TEST_PRELUDE
#define FIXNET_TESTS_REGULARIZATION_TEST_PRELUDE

#define BOOST_TEST_MODULE regularization
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_REGULARIZATION_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "regularization_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

#ifndef FIXNET_TESTS_REGULARIZATION_TEST_TYPES
#define FIXNET_TESTS_REGULARIZATION_TEST_TYPES

#include "optimizer_test_support.hpp"

namespace fixnet::tests {

template <class P>
struct L2Kernels {
  using T = typename P::scalar_type;
  void (*add_gradient)(T, bool, const P&, P&) = nullptr;
  double (*sum_of_squares)(const P&, bool) = nullptr;
};
using Sets = std::tuple<typename Tiny<float>::parameters_type, typename Tiny<double>::parameters_type,
                        typename Wide<float>::parameters_type, typename Wide<double>::parameters_type>;
using KernelTable = KernelsPerSetT<L2Kernels, Sets>;

/// Relative bound of a sum of n positive terms of T summed in chains of at
/// most n (the scalar target: one lane, four accumulators) plus a reduction:
/// each rounding adds at most eps/2 of the running sum, so n eps/2 bounds the
/// error; n eps covers the reduction and leaves a margin. Observed: 1e-7 in
/// float.
template <class T>
double sum_bound(std::size_t n) {
  return double(n) * std::numeric_limits<T>::epsilon();
}

using TinyNet = Tiny<float>;
static_assert(noexcept(std::declval<const L2<float>&>().add_gradient(std::declval<const TinyNet&>(),
                                                                     std::declval<Gradients<TinyNet>&>())));
static_assert(noexcept(std::declval<const L2<float>&>().penalty(std::declval<const TinyNet&>())));

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_REGULARIZATION_TEST_TYPES

// This target's kernels, compiled once per target.
FIXNET_PER_TARGET_TABLE(get_kernels, KernelTable, []<class P>(L2Kernels<P>& k) {
  k = {&fixnet::HWY_NAMESPACE::add_l2_gradient<P, typename P::scalar_type>,
       &fixnet::HWY_NAMESPACE::sum_of_squares<P>};
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

namespace {

/// g + lambda w on the weights (and the biases if included), the rest of g
/// unchanged to the bit; sums of squares of the weights (and biases) against
/// double; padding zero.
template <class P>
void check_kernels(const L2Kernels<P>& k) {
  using T = typename P::scalar_type;
  const std::string what = std::string(std::is_same_v<T, float> ? "float" : "double") + ", " +
                           std::to_string(P::parameter_count) + " parameters";
  const std::vector<bool> is_bias = bias_mask<P>();
  std::vector<double> w(P::parameter_count), g(P::parameter_count);
  for (std::size_t i = 0; i < w.size(); ++i) {
    w[i] = KnownValues::parameter(i);
    g[i] = KnownValues::gradient(i, 2);
  }
  w = rounded<T>(w);
  g = rounded<T>(g);
  auto params = std::make_unique<P>();
  assign(*params, w);
  const T lambda = T(0.3);
  for (const bool include_biases : {false, true}) {
    BOOST_TEST_CONTEXT(what << (include_biases ? ", biases included" : ", weights only")) {
      auto grads = std::make_unique<P>();
      assign(*grads, g);
      k.add_gradient(lambda, include_biases, *params, *grads);
      const std::vector<double> after = canonical(*grads);
      // The decayed entries, for check_axpy; the others must not move at all.
      std::vector<T> decayed_w, decayed_g, decayed_after;
      for (std::size_t i = 0; i < w.size(); ++i) {
        if (is_bias[i] && !include_biases) {
          BOOST_TEST(after[i] == g[i]);
        } else {
          decayed_w.push_back(T(w[i]));
          decayed_g.push_back(T(g[i]));
          decayed_after.push_back(T(after[i]));
        }
      }
      check_axpy(decayed_after, decayed_g, lambda, decayed_w, "g + lambda w");
      BOOST_TEST(padding_is_zero(*grads));

      double expected_sum = 0;
      std::size_t n = 0;
      for (std::size_t i = 0; i < w.size(); ++i)
        if (!is_bias[i] || include_biases) expected_sum += w[i] * w[i], ++n;
      const double sum = k.sum_of_squares(*params, include_biases);
      BOOST_TEST(within(sum, expected_sum, sum_bound<T>(n), 0),
                 "sum of squares " << std::setprecision(17) << sum << " vs " << expected_sum);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(regularization)

BOOST_AUTO_TEST_CASE(l2_gradient_and_sum_of_squares_match_double_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, on_each_entry([](const auto& k) { check_kernels(k); }));
}

/// A 1-1 identity layer with w = 2, b = 3 and gradients (1, 1): every value
/// below is exact in binary.
struct ExactCase : OneUnit {
  ExactCase() : OneUnit({2.0f, 3.0f}, {1.0f, 1.0f}) {}
};

BOOST_AUTO_TEST_CASE(l2_adds_lambda_w_to_the_weights_only_by_default) {
  ExactCase c;
  const L2 l2{0.5f};
  BOOST_TEST(!l2.include_biases);
  l2.add_gradient(c.net, c.g);
  BOOST_TEST(canonical(c.g) == (std::vector<double>{2.0, 1.0}), boost::test_tools::per_element());
  BOOST_TEST(l2.penalty(c.net) == 1.0f);  // 0.5 / 2 * 2^2
}

BOOST_AUTO_TEST_CASE(l2_with_biases_included_adds_lambda_b_to_the_biases_too) {
  ExactCase c;
  const L2 l2{0.5f, true};
  l2.add_gradient(c.net.parameters(), c.g);
  BOOST_TEST(canonical(c.g) == (std::vector<double>{2.0, 2.5}), boost::test_tools::per_element());
  BOOST_TEST(l2.penalty(c.net.parameters()) == 3.25f);  // 0.5 / 2 * (2^2 + 3^2)
}

// A double lambda on a float network, and the penalty on a wide network
// against a sum in double.
BOOST_AUTO_TEST_CASE(penalty_is_half_lambda_times_the_sum_of_squared_weights) {
  using Net = Wide<float>;
  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Normal{}, 11);
  const std::vector<double> w = canonical(net->parameters());
  const std::vector<bool> is_bias = bias_mask<Gradients<Net>>();
  double sum = 0;
  for (std::size_t i = 0; i < w.size(); ++i) sum += is_bias[i] ? 0.0 : w[i] * w[i];
  const L2 l2{1e-3};
  BOOST_TEST(l2.penalty(*net) == float(0.5e-3 * sum), boost::test_tools::tolerance(1e-5f));
}

// L2 then gradient descent is SGD with weight decay on the weights only: the
// same operations in the same order, so the same bits.
BOOST_AUTO_TEST_CASE(l2_then_gradient_descent_is_sgd_with_weight_decay_on_weights_only) {
  using Net = Wide<float>;
  auto a = std::make_unique<Net>();
  initialize(*a, init::XavierUniform{}, init::Normal{}, 12);
  auto b = std::make_unique<Net>(*a);
  auto g = std::make_unique<Gradients<Net>>();
  Sgd<Net> sgd({.lr = 0.1f, .weight_decay = 0.01f, .decay_biases = false});
  for (std::size_t t = 1; t <= 3; ++t) {
    assign(*g, known_gradients<Gradients<Net>>(t));
    sgd.step(*b, *g);
    L2{0.01f}.add_gradient(*a, *g);
    GradientDescent<float>{0.1f}.step(*a, *g);
  }
  BOOST_TEST((*a == *b));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE

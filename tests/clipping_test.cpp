// Tests of fixnet/train/clipping.hpp and its kernels (the sum of squares of
// fixnet/kernels/sum_of_squares-inl.hpp, the scaling of axpy-inl.hpp) on
// every Highway target compiled into this binary: the global norm over all
// layers, weights and biases; PyTorch's clip_grad_norm_ semantics (scale by
// max_norm / (norm + 1e-6) only when that is below 1, return the norm before
// clipping); infinite and NaN gradients.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_CLIPPING_TEST_PRELUDE
#define FIXNET_TESTS_CLIPPING_TEST_PRELUDE

#define BOOST_TEST_MODULE clipping
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

#endif  // FIXNET_TESTS_CLIPPING_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "clipping_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

#ifndef FIXNET_TESTS_CLIPPING_TEST_TYPES
#define FIXNET_TESTS_CLIPPING_TEST_TYPES

#include "optimizer_test_support.hpp"

namespace fixnet::tests {

template <class P>
struct NormKernels {
  using T = typename P::scalar_type;
  double (*sum_of_squares)(const P&, bool) = nullptr;
  void (*scale)(T, P&) = nullptr;
};
using Sets = std::tuple<typename Tiny<float>::parameters_type, typename Tiny<double>::parameters_type,
                        typename Wide<float>::parameters_type, typename Wide<double>::parameters_type>;
using KernelTable = KernelsPerSetT<NormKernels, Sets>;

using TinyNet = Tiny<float>;
static_assert(noexcept(clip_gradient_norm(std::declval<Gradients<TinyNet>&>(), 1.0f)));
static_assert(noexcept(l2_norm(std::declval<const Gradients<TinyNet>&>())));
static_assert(noexcept(l2_norm(std::declval<const TinyNet&>())));

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_CLIPPING_TEST_TYPES

// This target's kernels, compiled once per target.
FIXNET_PER_TARGET_TABLE(get_kernels, KernelTable, []<class P>(NormKernels<P>& k) {
  k = {&fixnet::HWY_NAMESPACE::sum_of_squares<P>,
       &fixnet::HWY_NAMESPACE::scale<P, typename P::scalar_type>};
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

namespace {

/// The squared norm over every value against double (n positive terms:
/// relative error below n eps, see regularization_test.cpp), and scaling
/// exactly as a scalar multiply; padding stays zero.
template <class P>
void check_kernels(const NormKernels<P>& k) {
  using T = typename P::scalar_type;
  const auto g = known_gradients<P>(3);
  auto grads = std::make_unique<P>();
  assign(*grads, g);
  double expected = 0;
  for (const double x : g) expected += x * x;
  const double sum = k.sum_of_squares(*grads, true);
  BOOST_TEST(within(sum, expected, double(g.size()) * std::numeric_limits<T>::epsilon(), 0),
             "squared norm " << std::setprecision(17) << sum << " vs " << expected);
  k.scale(T(0.375), *grads);
  std::vector<double> scaled(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) scaled[i] = double(T(g[i]) * T(0.375));
  BOOST_TEST(canonical(*grads) == scaled, boost::test_tools::per_element());
  BOOST_TEST(padding_is_zero(*grads));
}

/// A 2-3-2 gradient set whose only non-zero values are a weight of layer 0
/// (3) and a bias of layer 1 (4): norm 5, over layers, weights and biases.
Gradients<Tiny<float>> three_four() {
  Gradients<Tiny<float>> g;
  g.layer_parameters<0>().weight(1, 0) = 3.0f;
  g.layer_parameters<1>().bias(1) = 4.0f;
  return g;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(clipping)

BOOST_AUTO_TEST_CASE(sum_of_squares_and_scaling_match_double_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, on_each_entry([](const auto& k) { check_kernels(k); }));
}

BOOST_AUTO_TEST_CASE(the_norm_runs_over_every_layer_weights_and_biases) {
  const auto g = three_four();
  BOOST_TEST(l2_norm(g) == 5.0f);
  Tiny<float> net;
  net.parameters() = g;
  BOOST_TEST(l2_norm(net) == 5.0f);
}

// Above max_norm: every gradient times max_norm / (norm + 1e-6), the norm
// before clipping returned, the norm after (about) max_norm.
BOOST_AUTO_TEST_CASE(gradients_above_the_maximum_are_scaled_to_it) {
  using P = Gradients<Wide<float>>;
  const auto g = known_gradients<P>(1);
  double norm = 0;
  for (const double x : g) norm += x * x;
  norm = std::sqrt(norm);
  BOOST_TEST_REQUIRE(norm > 2.0);
  auto grads = std::make_unique<P>();
  assign(*grads, g);
  const float returned = clip_gradient_norm(*grads, 2.0f);
  BOOST_TEST(returned == float(norm), boost::test_tools::tolerance(1e-6f));
  const float c = 2.0f / (returned + 1e-6f);
  std::vector<double> expected(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) expected[i] = double(float(g[i]) * c);
  BOOST_TEST(canonical(*grads) == expected, boost::test_tools::per_element());
  BOOST_TEST(l2_norm(*grads) == 2.0f, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(padding_is_zero(*grads));
}

BOOST_AUTO_TEST_CASE(gradients_below_the_maximum_are_left_alone) {
  using P = Gradients<Wide<double>>;
  const auto g = known_gradients<P>(2);
  auto grads = std::make_unique<P>();
  assign(*grads, g);
  const double norm = clip_gradient_norm(*grads, 1000.0);
  BOOST_TEST(norm > 1.0);
  BOOST_TEST(canonical(*grads) == g, boost::test_tools::per_element());
}

// PyTorch divides by norm + 1e-6, so a norm equal to the maximum is still
// scaled, by 5 / (5 + 1e-6) here.
BOOST_AUTO_TEST_CASE(a_norm_equal_to_the_maximum_is_scaled_as_in_pytorch) {
  auto g = three_four();
  BOOST_TEST(clip_gradient_norm(g, 5.0f) == 5.0f);
  const float c = 5.0f / (5.0f + 1e-6f);
  BOOST_TEST(c < 1.0f);
  BOOST_TEST(g.layer_parameters<0>().weight(1, 0) == 3.0f * c);
  BOOST_TEST(g.layer_parameters<1>().bias(1) == 4.0f * c);
}

// An infinite gradient makes the norm infinite and the coefficient 0: the
// finite gradients become 0, the infinite one NaN (as in PyTorch). A NaN
// gradient makes the norm NaN; nothing is scaled. Either way the returned
// norm says so.
BOOST_AUTO_TEST_CASE(non_finite_gradients_give_a_non_finite_norm) {
  auto g = three_four();
  g.layer_parameters<1>().weight(0, 2) = std::numeric_limits<float>::infinity();
  BOOST_TEST(std::isinf(clip_gradient_norm(g, 1.0f)));
  BOOST_TEST(g.layer_parameters<0>().weight(1, 0) == 0.0f);
  BOOST_TEST(std::isnan(g.layer_parameters<1>().weight(0, 2)));
  auto h = three_four();
  h.layer_parameters<0>().bias(2) = std::numeric_limits<float>::quiet_NaN();
  BOOST_TEST(std::isnan(clip_gradient_norm(h, 1.0f)));
  BOOST_TEST(h.layer_parameters<0>().weight(1, 0) == 3.0f);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE

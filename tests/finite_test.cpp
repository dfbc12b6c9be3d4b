// Tests of fixnet/train/finite.hpp and its kernel (fixnet/kernels/all_finite-inl.hpp)
// on every Highway target compiled into this binary: a NaN, +infinity or
// -infinity at any position, weights or biases of any layer, is detected;
// extreme finite values are not; find_non_finite names the first one.
//
// hwy/foreach_target.h re-includes this file once per target; the per-target
// part only takes the kernels' addresses, the checks are compiled once.
#ifndef FIXNET_TESTS_FINITE_TEST_PRELUDE
#define FIXNET_TESTS_FINITE_TEST_PRELUDE

#define BOOST_TEST_MODULE finite
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "test_support.hpp"

#endif  // FIXNET_TESTS_FINITE_TEST_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "finite_test.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <fixnet/fixnet.hpp>

#include "per_target.hpp"  // after Highway: it has a part per target

#ifndef FIXNET_TESTS_FINITE_TEST_TYPES
#define FIXNET_TESTS_FINITE_TEST_TYPES

#include "optimizer_test_support.hpp"

namespace fixnet::tests {

template <class P>
struct FiniteKernel {
  bool (*all_finite)(const P&) = nullptr;
};
using Sets = std::tuple<typename Tiny<float>::parameters_type, typename Tiny<double>::parameters_type,
                        typename Wide<float>::parameters_type, typename Wide<double>::parameters_type>;
using KernelTable = KernelsPerSetT<FiniteKernel, Sets>;

using TinyNet = Tiny<float>;
static_assert(noexcept(all_finite(std::declval<const TinyNet&>())));
static_assert(noexcept(all_finite(std::declval<const Gradients<TinyNet>&>())));
static_assert(noexcept(find_non_finite(std::declval<const TinyNet&>())));

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_FINITE_TEST_TYPES

// This target's kernels, compiled once per target.
FIXNET_PER_TARGET_TABLE(get_kernels, KernelTable, []<class P>(FiniteKernel<P>& k) {
  k.all_finite = &fixnet::HWY_NAMESPACE::all_finite<P>;
});

#if HWY_ONCE
namespace fixnet::tests {

HWY_EXPORT(get_kernels);

namespace {

/// Known values of a set, with extreme finite ones mixed in: the largest
/// finite value, the smallest normal and subnormal, negative zero.
template <class P>
std::vector<double> extreme_values() {
  using T = typename P::scalar_type;
  using L = std::numeric_limits<T>;
  std::vector<double> v(P::parameter_count);
  for (std::size_t k = 0; k < v.size(); ++k) v[k] = KnownValues::parameter(k);
  const std::array<double, 6> extremes{double(L::max()), double(L::lowest()), double(L::min()),
                                       double(L::denorm_min()), -0.0, -double(L::denorm_min())};
  for (std::size_t i = 0; i < extremes.size(); ++i) v[(i * 5) % v.size()] = extremes[i];
  return v;
}

/// Finite values pass; a NaN, +inf or -inf at each position (every position
/// of the small sets, a sample of the wide ones) fails, wherever it is.
template <class P>
void check_kernel(const FiniteKernel<P>& k) {
  using T = typename P::scalar_type;
  const auto values = extreme_values<P>();
  auto p = std::make_unique<P>();
  assign(*p, values);
  BOOST_TEST(k.all_finite(*p));
  TestRng rng(P::parameter_count);
  const auto positions = sample_indices(rng, P::parameter_count, 200);
  const std::array<T, 3> bad{std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                             -std::numeric_limits<T>::infinity()};
  std::size_t missed = 0;
  for (const std::size_t i : positions) {
    for (const T x : bad) {
      auto v = values;
      v[i] = double(x);
      assign(*p, v);
      missed += k.all_finite(*p);
    }
  }
  BOOST_TEST(missed == 0u, missed << " non-finite values of " << 3 * positions.size() << " missed");
  assign(*p, values);
  BOOST_TEST(k.all_finite(*p));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(finite)

BOOST_AUTO_TEST_CASE(nan_and_infinity_are_detected_anywhere_on_every_target) {
  FIXNET_ON_EVERY_TARGET(get_kernels, on_each_entry([](const auto& k) { check_kernel(k); }));
}

BOOST_AUTO_TEST_CASE(all_finite_takes_a_network_or_a_parameter_set) {
  Tiny<float> net;
  initialize(net, init::XavierUniform{}, init::Normal{}, 3);
  BOOST_TEST(all_finite(net));
  BOOST_TEST(all_finite(net.parameters()));
  net.layer_parameters<1>().bias(1) = std::numeric_limits<float>::quiet_NaN();
  BOOST_TEST(!all_finite(net));
  BOOST_TEST(!all_finite(net.parameters()));
}

// The first non-finite value in canonical order: 2-3-2 has W0 [3][2]
// (indices 0-5), b0 [3] (6-8), W1 [2][3] (9-14), b1 [2] (15-16).
BOOST_AUTO_TEST_CASE(find_non_finite_names_the_first_bad_parameter) {
  Tiny<float> net;
  initialize(net, init::XavierUniform{}, init::Normal{}, 4);
  BOOST_TEST(!find_non_finite(net).has_value());
  net.layer_parameters<1>().bias(1) = std::numeric_limits<float>::infinity();
  auto at = find_non_finite(net);
  BOOST_TEST_REQUIRE(at.has_value());
  BOOST_TEST(at->index == 16u);
  BOOST_TEST(at->layer == 1u);
  BOOST_TEST(at->is_bias);
  BOOST_TEST(at->row == 1u);
  BOOST_TEST(to_string(*at) == "layer 1 b[1] (parameter 16)");
  net.layer_parameters<1>().weight(1, 2) = std::numeric_limits<float>::quiet_NaN();
  at = find_non_finite(net.parameters());
  BOOST_TEST_REQUIRE(at.has_value());
  BOOST_TEST(at->index == 14u);
  BOOST_TEST(to_string(*at) == "layer 1 W[1][2] (parameter 14)");
  net.layer_parameters<0>().bias(0) = -std::numeric_limits<float>::infinity();
  BOOST_TEST(to_string(*find_non_finite(net)) == "layer 0 b[0] (parameter 6)");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
#endif  // HWY_ONCE

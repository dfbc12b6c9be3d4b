// Tests of fixnet/core/activation.hpp and fixnet/activations/*.hpp: the scalar
// reference of every activation (value, derivative, whole-layer forward and
// backward). The vector kernels are compared against these references, on
// every Highway target, in activation_kernel_test.cpp.
#define BOOST_TEST_MODULE activation
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <ratio>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <fixnet/fixnet.hpp>

#include "test_support.hpp"

namespace fixnet::tests {
namespace {

using Slope5 = BasicLeakyRelu<std::ratio<1, 5>>;
using AllActivations = std::tuple<Identity, Sigmoid, Tanh, Relu, LeakyRelu, Slope5, Softmax>;
using ElementwiseActivations = std::tuple<Identity, Sigmoid, Tanh, Relu, LeakyRelu, Slope5>;
using Scalars = std::tuple<float, double>;

template <class Act, class T, std::size_t N>
std::array<T, N> forward(const std::array<T, N>& z) {
  std::array<T, N> a{};
  Act::reference_forward(std::span<const T, N>(z), std::span<T, N>(a));
  return a;
}

template <class Act, class T, std::size_t N>
std::array<T, N> backward(const std::array<T, N>& a, const std::array<T, N>& g) {
  std::array<T, N> d{};
  Act::reference_backward(std::span<const T, N>(a), std::span<const T, N>(g), std::span<T, N>(d));
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(activation)

BOOST_AUTO_TEST_CASE(shipped_activations_model_the_concept_and_others_do_not) {
  static_assert(Activation<Identity> && Activation<Sigmoid> && Activation<Tanh> &&
                Activation<Relu> && Activation<LeakyRelu> && Activation<Slope5> &&
                Activation<Softmax>);
  static_assert(!Activation<int>);
  static_assert(!Activation<CrossEntropy>);
  static_assert(Identity::elementwise && Sigmoid::elementwise && Tanh::elementwise &&
                Relu::elementwise && LeakyRelu::elementwise);
  static_assert(!Softmax::elementwise);
  BOOST_TEST(std::string_view(Sigmoid::name) == "Sigmoid");
  BOOST_TEST(std::string_view(Softmax::name) == "Softmax");
  BOOST_TEST(std::string_view(LeakyRelu::name) == "LeakyRelu");
}

// Exact formulas at chosen points; tolerance 1e-15 relative (a few ULP of
// double), 1e-14 where the expected value itself is a cancellation (1 - s).
BOOST_AUTO_TEST_CASE(elementwise_values_match_their_formulas) {
  BOOST_TEST(Identity::value(-2.5) == -2.5);
  BOOST_TEST(Sigmoid::value(0.0) == 0.5);
  BOOST_TEST(Sigmoid::value(2.0) == 1.0 / (1.0 + std::exp(-2.0)), boost::test_tools::tolerance(1e-15));
  BOOST_TEST(Sigmoid::value(-2.0) == 1.0 - Sigmoid::value(2.0), boost::test_tools::tolerance(1e-14));
  BOOST_TEST(Tanh::value(0.75) == std::tanh(0.75), boost::test_tools::tolerance(1e-15));
  BOOST_TEST(Relu::value(-1.5) == 0.0);
  BOOST_TEST(Relu::value(1.5) == 1.5);
  BOOST_TEST(LeakyRelu::value(-2.0) == -0.02, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(LeakyRelu::value(3.0) == 3.0);
  BOOST_TEST(Slope5::value(-2.0) == -0.4, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(Slope5::value(2.0) == 2.0);
  BOOST_TEST(Sigmoid::value(0.0f) == 0.5f);
}

BOOST_AUTO_TEST_CASE(leaky_relu_slope_is_part_of_the_type) {
  static_assert(LeakyRelu::slope<double> == 0.01);
  static_assert(Slope5::slope<float> == 0.2f);
  static_assert(!std::is_same_v<LeakyRelu, Slope5>);
  BOOST_TEST(LeakyRelu::derivative(-0.5) == 0.01);
  BOOST_TEST(Slope5::derivative(-0.5) == 0.2, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(Slope5::derivative(0.5) == 1.0);
}

// PyTorch's convention: the derivative of ReLU at 0 is 0.
BOOST_AUTO_TEST_CASE(relu_derivative_is_zero_at_zero_and_one_above) {
  BOOST_TEST(Relu::derivative(0.0) == 0.0);
  BOOST_TEST(Relu::derivative(1e-30) == 1.0);
  BOOST_TEST(Relu::derivative(0.0f) == 0.0f);
}

// derivative(a) takes the activation's output; it must equal d value / dz at
// the z that produced a. Central differences in double (see test_support.hpp).
BOOST_AUTO_TEST_CASE_TEMPLATE(derivative_of_the_output_matches_finite_differences_of_the_value,
                              Act, ElementwiseActivations) {
  // Points away from ReLU's kink at 0, where the derivative is one-sided.
  for (double z : {-4.0, -1.3, -0.2, 0.1, 0.7, 2.5, 6.0}) {
    const double fd = central_difference(z, fd_step, [&] { return Act::value(z); });
    const double d = Act::derivative(Act::value(z));
    BOOST_CHECK_MESSAGE(within(d, fd, fd_rel, fd_abs),
                        Act::name << " at z = " << z << ": derivative " << d << ", finite difference " << fd);
  }
}

// The whole-layer backward, d = J_f(z)^T g, against central differences of
// g . f(z) in double; covers softmax's full Jacobian.
BOOST_AUTO_TEST_CASE_TEMPLATE(reference_backward_matches_finite_differences, Act, AllActivations) {
  constexpr std::size_t N = 7;
  TestRng rng(17);
  for (int trial = 0; trial < 5; ++trial) {
    auto z = uniform_array<double, N>(rng, -3, 3);
    for (double& v : z)  // keep away from ReLU's kink
      if (std::abs(v) < 0.05) v += 0.1;
    const auto g = uniform_array<double, N>(rng, -2, 2);
    const auto d = backward<Act>(forward<Act>(z), g);
    std::array<double, N> fd{};
    for (std::size_t k = 0; k < N; ++k) {
      fd[k] = central_difference(z[k], fd_step, [&] {
        const auto a = forward<Act>(z);
        double dot = 0;
        for (std::size_t i = 0; i < N; ++i) dot += g[i] * a[i];
        return dot;
      });
    }
    check_close_all(d, fd, fd_rel, fd_abs, Act::name);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(softmax_outputs_sum_to_one, T, Scalars) {
  TestRng rng(3);
  const auto z = uniform_array<T, 10>(rng, -20, 20);
  const auto a = forward<Softmax>(z);
  double sum = 0;
  for (T v : a) {
    BOOST_TEST(v > T(0));
    sum += v;
  }
  // float: 10 terms each rounded once, and the division: well inside 1e-6.
  BOOST_TEST(sum == 1.0, boost::test_tools::tolerance(std::is_same_v<T, float> ? 1e-6 : 1e-14));
}

BOOST_AUTO_TEST_CASE(softmax_matches_its_definition_and_ignores_a_shift_of_the_logits) {
  const std::array<double, 4> z{0.5, -1.0, 2.0, 0.0};
  double sum = 0;
  for (double v : z) sum += std::exp(v);
  const auto a = forward<Softmax>(z);
  std::array<double, 4> expected{};
  for (std::size_t i = 0; i < 4; ++i) expected[i] = std::exp(z[i]) / sum;
  check_close_all(a, expected, 1e-14, 0, "softmax vs exp(z) / sum exp(z)");

  std::array<double, 4> shifted = z;
  for (double& v : shifted) v += 300;  // e^300 alone is fine, but only max-subtraction keeps it exact
  check_close_all(forward<Softmax>(shifted), expected, 1e-13, 0, "softmax of z + 300");
}

// Logits of +-1000 overflow a naive e^z; max-subtraction keeps softmax finite
// and equal to the one-hot limit.
BOOST_AUTO_TEST_CASE_TEMPLATE(softmax_stays_finite_and_one_hot_for_logits_of_plus_minus_1000, T, Scalars) {
  const std::array<T, 4> z{T(-1000), T(1000), T(0), T(-1000)};
  const auto a = forward<Softmax>(z);
  const std::array<double, 4> one_hot{0, 1, 0, 0};
  check_close_all(a, one_hot, 0, 1e-30, "softmax(+-1000)");
  const std::array<T, 4> g{T(1), T(-1), T(2), T(0.5)};
  const auto d = backward<Softmax>(a, g);
  for (T v : d) BOOST_TEST(std::isfinite(v));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(sigmoid_and_tanh_saturate_without_overflow_at_plus_minus_1000, T, Scalars) {
  BOOST_TEST(Sigmoid::value(T(1000)) == T(1));
  BOOST_TEST(Sigmoid::value(T(-1000)) == T(0));
  BOOST_TEST(Tanh::value(T(1000)) == T(1));
  BOOST_TEST(Tanh::value(T(-1000)) == T(-1));
  BOOST_TEST(Sigmoid::derivative(Sigmoid::value(T(-1000))) == T(0));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

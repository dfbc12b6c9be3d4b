// Tests of fixnet/core/loss.hpp and fixnet/losses/*.hpp: the scalar reference of
// every loss (value, gradient, fused value and delta) and which output layers
// each loss fits. The vector kernels are compared against these references,
// on every Highway target, in loss_kernel_test.cpp.
#define BOOST_TEST_MODULE loss
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <tuple>
#include <type_traits>

#include <fixnet/fixnet.hpp>

#include "test_support.hpp"

namespace fixnet::tests {
namespace {

using Scalars = std::tuple<float, double>;

/// A loss's formulas fused with its output activation: value<Fused<L>> is
/// the loss of the logits z, gradient<Fused<L>> the delta dL/dz from a.
template <class L>
struct Fused {
  using loss = L;
};
template <class L>
inline constexpr bool is_fused = false;
template <class L>
inline constexpr bool is_fused<Fused<L>> = true;

/// The reference's loss of x (outputs a; logits z for Fused<L>) against t.
template <class L, class T, std::size_t N>
T value(const std::array<T, N>& x, const std::array<T, N>& t) {
  const std::span<const T, N> xs(x), ts(t);
  if constexpr (is_fused<L>) {
    return L::loss::reference_fused_value(xs, ts);
  } else {
    return L::reference_value(xs, ts);
  }
}

/// The reference's dL/da (dL/dz for Fused<L>) at outputs a against t.
template <class L, class T, std::size_t N>
std::array<T, N> gradient(const std::array<T, N>& a, const std::array<T, N>& t) {
  const std::span<const T, N> as(a), ts(t);
  std::array<T, N> g{};
  if constexpr (is_fused<L>) {
    L::loss::reference_fused_delta(as, ts, std::span<T, N>(g));
  } else {
    L::reference_gradient(as, ts, std::span<T, N>(g));
  }
  return g;
}

template <class Act, class T, std::size_t N>
std::array<T, N> activate(const std::array<T, N>& z) {
  std::array<T, N> a{};
  Act::reference_forward(std::span<const T, N>(z), std::span<T, N>(a));
  return a;
}

/// A target distribution of N (positive, summing to one).
template <std::size_t N>
std::array<double, N> random_distribution(TestRng& rng) {
  auto t = uniform_array<double, N>(rng, 0.1, 1.0);
  double sum = 0;
  for (double v : t) sum += v;
  for (double& v : t) v /= sum;
  return t;
}

/// A loss and the output activation its fused formulas belong to.
template <class L, class Act>
struct Fusion {
  using loss = L;
  using activation = Act;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(loss)

BOOST_AUTO_TEST_CASE(each_loss_fits_the_outputs_it_makes_sense_for) {
  static_assert(Loss<CrossEntropy> && Loss<BinaryCrossEntropy> && Loss<MeanSquaredError> &&
                Loss<HalfSumSquaredError> && Loss<AllowAnyOutput<CrossEntropy>>);
  static_assert(!Loss<Softmax> && !Loss<int>);
  static_assert(detail::loss_fits<CrossEntropy, Softmax>);
  static_assert(!detail::loss_fits<CrossEntropy, Relu> && !detail::loss_fits<CrossEntropy, Sigmoid>);
  static_assert(detail::loss_fits<BinaryCrossEntropy, Sigmoid>);
  static_assert(!detail::loss_fits<BinaryCrossEntropy, Softmax>);
  static_assert(detail::loss_fits<MeanSquaredError, Relu> && detail::loss_fits<HalfSumSquaredError, Softmax>);
  static_assert(detail::loss_fits<AllowAnyOutput<CrossEntropy>, Relu>);
  static_assert(detail::loss_fused<CrossEntropy, Softmax> && detail::loss_fused<BinaryCrossEntropy, Sigmoid>);
  static_assert(!detail::loss_fused<MeanSquaredError, Identity> && !detail::loss_fused<CrossEntropy, Sigmoid>);
  // Allowing any output does not invent a fusion, nor lose the real one.
  static_assert(!detail::loss_fused<AllowAnyOutput<CrossEntropy>, Relu>);
  static_assert(detail::loss_fused<AllowAnyOutput<CrossEntropy>, Softmax>);
  BOOST_TEST(std::string_view(MeanSquaredError::name) == "MeanSquaredError");
  BOOST_TEST(std::string_view(HalfSumSquaredError::name) == "HalfSumSquaredError");
}

// MSE is PyTorch's MSELoss (mean over outputs); the half sum is the tutorials'.
BOOST_AUTO_TEST_CASE_TEMPLATE(squared_errors_follow_their_named_conventions, T, Scalars) {
  const std::array<T, 3> a{T(1), T(2), T(3)};
  const std::array<T, 3> t{T(0), T(0), T(0)};
  BOOST_TEST(value<MeanSquaredError>(a, t) == T(14) / T(3), boost::test_tools::tolerance(T(1e-6)));
  BOOST_TEST(value<HalfSumSquaredError>(a, t) == T(7));
  const std::array<double, 3> mean_gradient{2.0 / 3, 4.0 / 3, 2.0};
  check_close_all(gradient<MeanSquaredError>(a, t), mean_gradient, 1e-6, 0, "MSE gradient (2/N)(a - t)");
  check_close_all(gradient<HalfSumSquaredError>(a, t), a, 0, 0, "half-sum gradient a - t");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(cross_entropy_of_a_one_hot_target_is_minus_log_of_that_output, T, Scalars) {
  const std::array<T, 3> a{T(0.2), T(0.5), T(0.3)};
  const std::array<T, 3> t{T(0), T(0), T(1)};
  BOOST_TEST(value<CrossEntropy>(a, t) == -std::log(T(0.3)), boost::test_tools::tolerance(T(1e-6)));
  const std::array<double, 3> g{0, 0, -1 / 0.3};
  check_close_all(gradient<CrossEntropy>(a, t), g, 1e-6, 0, "CE gradient -t/a");
}

BOOST_AUTO_TEST_CASE(binary_cross_entropy_matches_its_formula) {
  const std::array<double, 2> a{0.8, 0.25};
  const std::array<double, 2> t{1.0, 0.4};
  const double expected = -std::log(0.8) - (0.4 * std::log(0.25) + 0.6 * std::log(0.75));
  BOOST_TEST(value<BinaryCrossEntropy>(a, t) == expected, boost::test_tools::tolerance(1e-14));
}

// Clamped logarithms: an output of exactly 0 (or 1) costs -log(min normal),
// large but finite, instead of infinity.
BOOST_AUTO_TEST_CASE_TEMPLATE(general_formulas_stay_finite_at_outputs_of_zero_and_one, T, Scalars) {
  const T log_min = -std::log(std::numeric_limits<T>::min());
  const std::array<T, 2> a{T(0), T(1)};
  const std::array<T, 2> t{T(1), T(0)};
  BOOST_TEST(value<CrossEntropy>(a, t) == log_min, boost::test_tools::tolerance(T(1e-6)));
  BOOST_TEST(value<BinaryCrossEntropy>(a, t) == 2 * log_min, boost::test_tools::tolerance(T(1e-6)));
  for (T g : gradient<CrossEntropy>(a, t)) BOOST_TEST(std::isfinite(g));
  for (T g : gradient<BinaryCrossEntropy>(a, t)) BOOST_TEST(std::isfinite(g));
}

// Gradient with respect to the output a, by central differences in double.
// Outputs in (0.1, 0.9) so that every loss is smooth there.
using GeneralLosses = std::tuple<CrossEntropy, BinaryCrossEntropy, MeanSquaredError, HalfSumSquaredError>;
BOOST_AUTO_TEST_CASE_TEMPLATE(reference_gradient_matches_finite_differences_of_the_value, L, GeneralLosses) {
  constexpr std::size_t N = 6;
  TestRng rng(5);
  for (int trial = 0; trial < 5; ++trial) {
    auto a = uniform_array<double, N>(rng, 0.1, 0.9);
    const auto t = random_distribution<N>(rng);
    const auto g = gradient<L>(a, t);
    std::array<double, N> fd{};
    for (std::size_t k = 0; k < N; ++k)
      fd[k] = central_difference(a[k], fd_step, [&] { return value<L>(a, t); });
    check_close_all(g, fd, fd_rel, fd_abs, L::name);
  }
}

// The fused delta is the gradient of the fused value with respect to the
// logits z, by central differences in double; both for a one-hot and for a
// general target.
using Fusions = std::tuple<Fusion<CrossEntropy, Softmax>, Fusion<BinaryCrossEntropy, Sigmoid>>;
BOOST_AUTO_TEST_CASE_TEMPLATE(fused_delta_matches_finite_differences_of_the_fused_value, F, Fusions) {
  using L = typename F::loss;
  using Act = typename F::activation;
  constexpr std::size_t N = 5;
  TestRng rng(9);
  for (int trial = 0; trial < 6; ++trial) {
    auto z = uniform_array<double, N>(rng, -4, 4);
    std::array<double, N> t{};
    if (trial % 2 == 0) {
      t[static_cast<std::size_t>(trial) % N] = 1;
    } else {
      t = random_distribution<N>(rng);
    }
    const auto d = gradient<Fused<L>>(activate<Act>(z), t);
    std::array<double, N> fd{};
    for (std::size_t k = 0; k < N; ++k)
      fd[k] = central_difference(z[k], fd_step, [&] { return value<Fused<L>>(z, t); });
    check_close_all(d, fd, fd_rel, fd_abs, L::name);
  }
}

// The fused value (from logits) and the general one (from outputs) are the
// same function where the outputs are not saturated.
BOOST_AUTO_TEST_CASE_TEMPLATE(fused_value_equals_the_general_value_of_the_activated_output, F, Fusions) {
  using L = typename F::loss;
  using Act = typename F::activation;
  TestRng rng(11);
  const auto z = uniform_array<double, 4>(rng, -5, 5);
  const auto t = random_distribution<4>(rng);
  BOOST_TEST(value<Fused<L>>(z, t) == value<L>(activate<Act>(z), t), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_delta_is_output_minus_target) {
  const std::array<double, 3> a{0.7, 0.2, 0.1};
  const std::array<double, 3> t{0.0, 1.0, 0.0};
  const std::array<double, 3> expected{0.7, -0.8, 0.1};
  check_close_all(gradient<Fused<CrossEntropy>>(a, t), expected, 1e-15, 0, "a - t");
}

// Logits of +-1000 with the wrong class: lse(z) = 1000 and the true class's
// logit is -1000, so the loss is 2000, finite and exact.
BOOST_AUTO_TEST_CASE_TEMPLATE(cross_entropy_is_2000_for_logits_of_plus_minus_1000_and_the_wrong_class,
                              T, Scalars) {
  const std::array<T, 3> z{T(1000), T(-1000), T(-1000)};
  const std::array<T, 3> wrong{T(0), T(1), T(0)};
  const std::array<T, 3> right{T(1), T(0), T(0)};
  BOOST_TEST(value<Fused<CrossEntropy>>(z, wrong) == T(2000), boost::test_tools::tolerance(T(1e-6)));
  BOOST_TEST(value<Fused<CrossEntropy>>(z, right) == T(0), boost::test_tools::tolerance(T(1e-6)));
  const auto d = gradient<Fused<CrossEntropy>>(activate<Softmax>(z), wrong);
  const std::array<double, 3> expected{1, -1, 0};
  check_close_all(d, expected, 0, 1e-30, "delta at +-1000");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(binary_cross_entropy_is_finite_and_exact_for_logits_of_plus_minus_1000,
                              T, Scalars) {
  const std::array<T, 2> z{T(1000), T(-1000)};
  const std::array<T, 2> wrong{T(0), T(1)};
  const std::array<T, 2> right{T(1), T(0)};
  BOOST_TEST(value<Fused<BinaryCrossEntropy>>(z, wrong) == T(2000), boost::test_tools::tolerance(T(1e-6)));
  BOOST_TEST(value<Fused<BinaryCrossEntropy>>(z, right) == T(0), boost::test_tools::tolerance(T(1e-6)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

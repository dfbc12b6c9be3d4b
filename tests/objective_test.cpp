// Tests of fixnet/train/objective.hpp: the gradient matches central finite
// differences in double, L2 term included; the L2 term is lambda / (2m) times
// the sum of the squared weights, biases excluded (or included on request);
// any chunk size gives the cost and gradient of one batch over the whole
// data set, for sizes that are multiples of the chunk, smaller than it, or
// neither, through both workspace layouts; float agrees with double; bad
// data and lambdas are refused.
#define BOOST_TEST_MODULE objective
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <fixnet/fixnet.hpp>
#include <fixnet/train/objective.hpp>

#include "test_support.hpp"

namespace fixnet::tests {
namespace {

template <class T>
using Small = BasicNetwork<T, Dense<2, 4, Sigmoid>, Dense<4, 3, Sigmoid>>;
// Wider than the samples-in-lanes limit: samples go in rows whatever the chunk.
template <class T>
using Wide = BasicNetwork<T, Dense<40, 8, Sigmoid>, Dense<8, 3, Sigmoid>>;

/// m samples of Width features uniform in [-2, 2), labels cycling over 3 classes.
template <class T, std::size_t Width>
data::Dataset<T, Width> random_data(std::size_t m, unsigned seed) {
  TestRng rng(seed);
  data::Dataset<T, Width> d(3);
  for (std::size_t i = 0; i < m; ++i) d.add(uniform_array<T, Width>(rng, -2, 2), static_cast<std::uint8_t>(i % 3));
  return d;
}

template <class Net>
std::array<typename Net::scalar_type, Net::parameter_count> random_parameters(unsigned seed) {
  TestRng rng(seed);
  return uniform_array<typename Net::scalar_type, Net::parameter_count>(rng, -1, 1);
}

/// The reference: the whole data set as one batch of M through
/// `net.backward`, the mean taken and the L2 term added by hand, in double.
template <class Net, std::size_t M, class L>
double one_batch(const data::Dataset<double, Net::inputs>& d, L loss, double lambda,
                 const std::array<double, Net::parameter_count>& theta,
                 std::array<double, Net::parameter_count>& gradient) {
  auto net = std::make_unique<Net>();
  net->set_parameters(theta);
  auto ws = std::make_unique<Workspace<Net, M>>();
  auto grads = std::make_unique<Gradients<Net>>();
  const std::span<const std::array<double, Net::inputs>, M> xs(d.rows().data(), M);
  const std::span<const std::uint8_t, M> ys(d.labels().data(), M);
  const double total = net->backward(xs, ys, loss, *grads, *ws);
  grads->get_parameters(gradient);
  double penalty = 0;
  std::size_t offset = 0;
  net->parameters().for_each_layer([&](const auto& layer) {
    using Layer = std::remove_cvref_t<decltype(layer)>;
    for (std::size_t k = 0; k < Layer::inputs * Layer::outputs; ++k) {
      const double w = theta[offset + k];
      penalty += w * w;
      gradient[offset + k] = gradient[offset + k] / M + lambda / M * w;
    }
    for (std::size_t k = Layer::inputs * Layer::outputs; k < Layer::parameter_count; ++k)
      gradient[offset + k] /= M;
    offset += Layer::parameter_count;
  });
  return total / M + lambda / (2.0 * M) * penalty;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(objective)

BOOST_AUTO_TEST_CASE(gradient_matches_central_finite_differences_with_l2) {
  using Net = Small<double>;
  const auto d = random_data<double, 2>(37, 1);
  Objective<Net, BinaryCrossEntropy, 16> f(d, {}, L2<double>{0.7});
  auto theta = random_parameters<Net>(2);
  std::array<double, Net::parameter_count> gradient;
  f(theta, gradient);
  std::vector<double> numeric(Net::parameter_count);
  for (std::size_t i = 0; i < Net::parameter_count; ++i)
    numeric[i] = central_difference(theta[i], fd_step, [&] { return f.value(theta); });
  check_close_all(gradient, numeric, fd_rel, fd_abs, "gradient of J vs central differences");
}

BOOST_AUTO_TEST_CASE(gradient_matches_central_finite_differences_for_softmax_and_cross_entropy) {
  using Net = BasicNetwork<double, Dense<40, 8, Tanh>, Dense<8, 3, Softmax>>;
  const auto d = random_data<double, 40>(21, 3);
  Objective<Net, CrossEntropy, 8> f(d, {}, L2<double>{2.0, true});
  auto theta = random_parameters<Net>(4);
  std::array<double, Net::parameter_count> gradient;
  f(theta, gradient);
  TestRng rng(5);
  std::vector<double> analytic, numeric;
  for (const std::size_t i : sample_indices(rng, Net::parameter_count, 60)) {
    analytic.push_back(gradient[i]);
    numeric.push_back(central_difference(theta[i], fd_step, [&] { return f.value(theta); }));
  }
  check_close_all(analytic, numeric, fd_rel, fd_abs, "gradient of J vs central differences");
}

// Canonical order: layer 0's 8 weights, its 4 biases, layer 1's 12 weights,
// its 3 biases.
BOOST_AUTO_TEST_CASE(l2_term_is_lambda_over_2m_times_the_squared_weights_biases_excluded) {
  using Net = Small<double>;
  const std::size_t m = 29;
  const auto d = random_data<double, 2>(m, 6);
  const double lambda = 1.5;
  Objective<Net, BinaryCrossEntropy> plain(d);
  Objective<Net, BinaryCrossEntropy> weights_only(d, {}, L2<double>{lambda});
  Objective<Net, BinaryCrossEntropy> all(d, {}, L2<double>{lambda, true});
  const auto theta = random_parameters<Net>(7);
  double weights = 0, biases = 0;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    const bool bias = (i >= 8 && i < 12) || i >= 24;
    (bias ? biases : weights) += theta[i] * theta[i];
  }
  const double base = plain.value(theta);
  BOOST_TEST(weights_only.value(theta) - base == lambda / (2.0 * m) * weights, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(weights_only.penalty(theta) == lambda / (2.0 * m) * weights, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(all.value(theta) - base == lambda / (2.0 * m) * (weights + biases),
             boost::test_tools::tolerance(1e-12));
  std::array<double, Net::parameter_count> g0, g1;
  plain(theta, g0);
  weights_only(theta, g1);
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    const bool bias = (i >= 8 && i < 12) || i >= 24;
    BOOST_TEST(g1[i] - g0[i] == (bias ? 0.0 : lambda / m * theta[i]), boost::test_tools::tolerance(1e-9));
  }
}

BOOST_AUTO_TEST_CASE(every_chunk_size_gives_the_cost_and_gradient_of_one_batch) {
  constexpr std::size_t M = 37;  // 2 x 16 + 4 + 1
  using Net = Small<double>;
  const auto d = random_data<double, 2>(M, 8);
  const double lambda = 0.9;
  const auto theta = random_parameters<Net>(9);
  std::array<double, Net::parameter_count> expected;
  const double cost = one_batch<Net, M>(d, BinaryCrossEntropy{}, lambda, theta, expected);
  const auto check = [&]<std::size_t Chunk>(std::integral_constant<std::size_t, Chunk>) {
    BOOST_TEST_CONTEXT("chunks of " << Chunk) {
      Objective<Net, BinaryCrossEntropy, Chunk> f(d, {}, L2<double>{lambda});
      std::array<double, Net::parameter_count> gradient;
      BOOST_TEST(f(theta, gradient) == cost, boost::test_tools::tolerance(1e-13));
      BOOST_TEST(f.value(theta) == cost, boost::test_tools::tolerance(1e-13));
      check_close_all(gradient, expected, 1e-12, 1e-15, "gradient");
      BOOST_TEST(f.evaluations() == 2u);
    }
  };
  check(std::integral_constant<std::size_t, 1>{});
  check(std::integral_constant<std::size_t, 4>{});
  check(std::integral_constant<std::size_t, 16>{});   // samples in lanes, then rows for 4 and 1
  check(std::integral_constant<std::size_t, 32>{});
  check(std::integral_constant<std::size_t, 64>{});   // only the tail: 32 + 4 + 1
  check(std::integral_constant<std::size_t, 256>{});
}

BOOST_AUTO_TEST_CASE(chunking_is_exact_for_wide_layers_and_exact_multiples) {
  using Net = Wide<double>;
  const auto theta = random_parameters<Net>(10);
  const auto run = [&]<std::size_t M>(std::integral_constant<std::size_t, M>) {
    BOOST_TEST_CONTEXT(M << " samples") {
      const auto d = random_data<double, 40>(M, 11);
      std::array<double, Net::parameter_count> expected, gradient;
      const double cost = one_batch<Net, M>(d, BinaryCrossEntropy{}, 1.0, theta, expected);
      Objective<Net, BinaryCrossEntropy, 32> f(d, {}, L2<double>{1.0});
      BOOST_TEST(f(theta, gradient) == cost, boost::test_tools::tolerance(1e-13));
      check_close_all(gradient, expected, 1e-12, 1e-15, "gradient");
    }
  };
  run(std::integral_constant<std::size_t, 64>{});  // two whole chunks, no tail
  run(std::integral_constant<std::size_t, 5>{});   // a tail only
  run(std::integral_constant<std::size_t, 95>{});  // 2 x 32 + 16 + 8 + 4 + 2 + 1
}

BOOST_AUTO_TEST_CASE(float_agrees_with_double) {
  const auto d64 = random_data<double, 40>(300, 12);
  data::Dataset<float, 40> d32(3);
  for (std::size_t i = 0; i < d64.size(); ++i) {
    std::array<float, 40> row;
    for (std::size_t k = 0; k < 40; ++k) row[k] = static_cast<float>(d64.row(i)[k]);
    d32.add(row, d64.label(i));
  }
  const auto theta64 = random_parameters<Wide<double>>(13);
  std::array<float, Wide<float>::parameter_count> theta32, g32;
  std::array<double, Wide<double>::parameter_count> g64;
  for (std::size_t i = 0; i < theta32.size(); ++i) theta32[i] = static_cast<float>(theta64[i]);
  Objective<Wide<float>, BinaryCrossEntropy> f32(d32, {}, L2<float>{1.0f});
  Objective<Wide<double>, BinaryCrossEntropy> f64(d64, {}, L2<double>{1.0});
  BOOST_TEST(f32(theta32, g32) == f64(theta64, g64), boost::test_tools::tolerance(1e-5));
  check_close_all(g32, g64, 1e-4, 1e-6, "float gradient vs double");
}

BOOST_AUTO_TEST_CASE(the_network_holds_the_last_parameters_evaluated) {
  using Net = Small<float>;
  const auto d = random_data<float, 2>(10, 14);
  Objective<Net, BinaryCrossEntropy> f(d);
  const auto theta = random_parameters<Net>(15);
  f.value(theta);
  std::array<float, Net::parameter_count> back;
  f.network().get_parameters(back);
  BOOST_TEST(back == theta);
  BOOST_TEST(f.samples() == 10u);
  BOOST_TEST(f.regularization().lambda == 0.0f);
}

BOOST_AUTO_TEST_CASE(bad_data_and_lambdas_are_refused_with_a_message) {
  using Net = Small<double>;
  const data::Dataset<double, 2> empty(3);
  BOOST_CHECK_THROW((Objective<Net, BinaryCrossEntropy>(empty)), std::invalid_argument);
  data::Dataset<double, 2> five(5);
  five.add({0.0, 0.0}, 4);
  BOOST_CHECK_THROW((Objective<Net, BinaryCrossEntropy>(five)), std::invalid_argument);
  try {
    Objective<Net, BinaryCrossEntropy> f(five);
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) ==
               "fixnet::Objective: the data set has 5 classes, but the network only 3 outputs: expected at "
               "most Net::outputs classes (sample 0 has class index 4, expected below 3)");
  }
  const auto d = random_data<double, 2>(4, 16);
  BOOST_CHECK_THROW((Objective<Net, BinaryCrossEntropy>(d, {}, L2<double>{-1.0})), std::invalid_argument);
  BOOST_CHECK_THROW((Objective<Net, BinaryCrossEntropy>(d, {}, L2<double>{std::nan("")})), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

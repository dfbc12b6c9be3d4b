// Tests of fixnet/train/init.hpp: seeded, reproducible initialisation, the
// distribution of each initialiser (sample statistics on large layers), and
// weights and biases drawn from their own initialisers.
#define BOOST_TEST_MODULE init
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <fixnet/fixnet.hpp>

#include "test_support.hpp"

namespace fixnet::tests {
namespace {

using Blobs = Mlp<Sigmoid, Softmax, 2, 4, 3>;
// Two large layers with different fans: 200 000 and 100 000 weights.
using Large = BasicNetwork<double, Dense<500, 400, Relu>, Dense<400, 250, Identity>>;

template <class Net>
std::vector<typename Net::scalar_type> parameters_of(const Net& net) {
  std::vector<typename Net::scalar_type> p(Net::parameter_count);
  net.get_parameters(std::span<typename Net::scalar_type, Net::parameter_count>(p.data(), p.size()));
  return p;
}

struct Sample {
  double mean = 0, stddev = 0, min = 0, max = 0;
  double within_one_stddev = 0;  // fraction with |x - mean| < stddev
  std::size_t n = 0;
};

Sample statistics(const std::vector<double>& v) {
  Sample s;
  s.n = v.size();
  for (double x : v) s.mean += x;
  s.mean /= double(s.n);
  for (double x : v) s.stddev += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(s.stddev / double(s.n - 1));
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  for (double x : v) s.within_one_stddev += std::abs(x - s.mean) < s.stddev;
  s.within_one_stddev /= double(s.n);
  return s;
}

/// The weights (I = layer) of a network, in canonical order.
template <std::size_t I, class Net>
std::vector<double> weights_of(const Net& net) {
  using L = typename Net::template layer_type<I>;
  std::vector<double> w;
  w.reserve(L::inputs * L::outputs);
  for (std::size_t o = 0; o < L::outputs; ++o)
    for (std::size_t i = 0; i < L::inputs; ++i) w.push_back(net.template layer_parameters<I>().weight(o, i));
  return w;
}

enum class Shape { uniform, normal };

/// Checks a sample of n values against a distribution of mean 0 (or `mean`)
/// and standard deviation `stddev`:
///   mean within 5 standard errors (stddev / sqrt(n));
///   sample standard deviation within 1.5% (its relative standard error is
///   1/sqrt(2n) <= 0.23% here: six of them);
///   the fraction within one standard deviation tells the shapes apart:
///   0.683 for a normal, 1/sqrt(3) = 0.577 for a uniform (+-0.01, ten
///   standard errors);
///   a uniform on (-a, a) stays inside and reaches 99% of a.
void check_distribution(const std::vector<double>& v, double mean, double stddev, Shape shape,
                        const std::string& what) {
  const Sample s = statistics(v);
  BOOST_TEST_CONTEXT(what << ": n " << s.n << ", mean " << s.mean << ", stddev " << s.stddev << ", min "
                          << s.min << ", max " << s.max << ", within 1 sd " << s.within_one_stddev) {
    BOOST_TEST(std::abs(s.mean - mean) <= 5 * stddev / std::sqrt(double(s.n)));
    BOOST_TEST(s.stddev == stddev, boost::test_tools::tolerance(0.015));
    if (shape == Shape::normal) {
      BOOST_TEST(std::abs(s.within_one_stddev - 0.6827) <= 0.01);
    } else {
      const double a = stddev * std::sqrt(3.0);  // half-width of the uniform
      BOOST_TEST(std::abs(s.within_one_stddev - 1 / std::sqrt(3.0)) <= 0.01);
      BOOST_TEST(s.min >= mean - a);
      BOOST_TEST(s.max < mean + a);
      BOOST_TEST(s.max > mean + 0.99 * a);
      BOOST_TEST(s.min < mean - 0.99 * a);
    }
  }
}

/// Initialises `Large` with weights from `init` (biases zero) and checks both
/// layers' weights, each with its own fans (500 -> 400, 400 -> 250).
template <class Init, class Expected>
void check_initialiser(const Init& init, Expected expected_stddev, Shape shape, const std::string& what) {
  auto net = std::make_unique<Large>();
  initialize(*net, init, fixnet::init::Zeros{}, 2024);
  check_distribution(weights_of<0>(*net), 0, expected_stddev(500, 400), shape, what + ", layer 0");
  check_distribution(weights_of<1>(*net), 0, expected_stddev(400, 250), shape, what + ", layer 1");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(init)

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_parameters) {
  Blobs a, b;
  initialize(a, fixnet::init::XavierNormal{}, fixnet::init::Normal{}, 42);
  initialize(b, fixnet::init::XavierNormal{}, fixnet::init::Normal{}, 42);
  BOOST_TEST((a == b));
  BOOST_TEST(!(a == Blobs{}));
}

BOOST_AUTO_TEST_CASE(different_seeds_give_different_parameters) {
  Blobs a, b;
  initialize(a, fixnet::init::Uniform{}, fixnet::init::Normal{}, 1);
  initialize(b, fixnet::init::Uniform{}, fixnet::init::Normal{}, 2);
  const auto pa = parameters_of(a), pb = parameters_of(b);
  std::size_t equal = 0;
  for (std::size_t k = 0; k < pa.size(); ++k) equal += pa[k] == pb[k];
  BOOST_TEST(equal == 0u);
}

// Values are drawn in canonical order, in double, then converted: a float and
// a double network seeded alike hold the same numbers (up to the float
// rounding), whatever their padding.
BOOST_AUTO_TEST_CASE(float_and_double_networks_seeded_alike_hold_the_same_values) {
  Blobs f;
  BasicMlp<double, Sigmoid, Softmax, 2, 4, 3> d;
  initialize(f, fixnet::init::HeNormal{}, fixnet::init::Uniform{}, 7);
  initialize(d, fixnet::init::HeNormal{}, fixnet::init::Uniform{}, 7);
  const auto pf = parameters_of(f);
  const auto pd = parameters_of(d);
  for (std::size_t k = 0; k < pf.size(); ++k) BOOST_TEST(pf[k] == static_cast<float>(pd[k]));
}

// numpy's np.random.rand: uniform on [0, 1).
BOOST_AUTO_TEST_CASE(uniform_defaults_to_zero_one_like_numpy_rand) {
  auto net = std::make_unique<Large>();
  initialize(*net, fixnet::init::Uniform{}, fixnet::init::Uniform{}, 3);
  const auto p = parameters_of(*net);
  BOOST_TEST(*std::min_element(p.begin(), p.end()) >= 0.0);
  BOOST_TEST(*std::max_element(p.begin(), p.end()) < 1.0);
  check_distribution(p, 0.5, std::sqrt(1.0 / 12), Shape::uniform, "Uniform{}");
  const fixnet::init::Uniform custom{-3.0, 5.0};
  initialize(*net, custom, fixnet::init::Zeros{}, 3);
  check_distribution(weights_of<0>(*net), 1.0, 8 / std::sqrt(12.0), Shape::uniform, "Uniform{-3, 5}");
}

BOOST_AUTO_TEST_CASE(normal_defaults_to_the_standard_normal_like_numpy_randn) {
  auto net = std::make_unique<Large>();
  initialize(*net, fixnet::init::Normal{}, fixnet::init::Zeros{}, 4);
  check_distribution(weights_of<0>(*net), 0, 1, Shape::normal, "Normal{}");
  initialize(*net, fixnet::init::Normal{3.0, 0.5}, fixnet::init::Zeros{}, 4);
  check_distribution(weights_of<0>(*net), 3.0, 0.5, Shape::normal, "Normal{3, 0.5}");
}

BOOST_AUTO_TEST_CASE(scaled_normal_has_stddev_one_over_sqrt_fan_in) {
  check_initialiser(fixnet::init::ScaledNormal{}, [](double in, double) { return 1 / std::sqrt(in); }, Shape::normal,
                    "ScaledNormal");
}

BOOST_AUTO_TEST_CASE(xavier_uniform_is_uniform_with_variance_two_over_fan_in_plus_fan_out) {
  check_initialiser(fixnet::init::XavierUniform{}, [](double in, double out) { return std::sqrt(2 / (in + out)); },
                    Shape::uniform, "XavierUniform");
}

BOOST_AUTO_TEST_CASE(xavier_normal_is_normal_with_variance_two_over_fan_in_plus_fan_out) {
  check_initialiser(fixnet::init::XavierNormal{}, [](double in, double out) { return std::sqrt(2 / (in + out)); },
                    Shape::normal, "XavierNormal");
}

BOOST_AUTO_TEST_CASE(he_normal_is_normal_with_variance_two_over_fan_in) {
  check_initialiser(fixnet::init::HeNormal{}, [](double in, double) { return std::sqrt(2 / in); }, Shape::normal,
                    "HeNormal");
}

BOOST_AUTO_TEST_CASE(he_uniform_is_uniform_with_variance_two_over_fan_in) {
  check_initialiser(fixnet::init::HeUniform{}, [](double in, double) { return std::sqrt(2 / in); }, Shape::uniform,
                    "HeUniform");
}

BOOST_AUTO_TEST_CASE(biases_are_drawn_from_their_own_initialiser) {
  Blobs net;
  initialize(net, fixnet::init::Constant{0.5}, fixnet::init::Constant{-2.0}, 5);
  for (std::size_t o = 0; o < 4; ++o) {
    BOOST_TEST(net.layer_parameters<0>().bias(o) == -2.0f);
    for (std::size_t i = 0; i < 2; ++i) BOOST_TEST(net.layer_parameters<0>().weight(o, i) == 0.5f);
  }
  for (std::size_t o = 0; o < 3; ++o) BOOST_TEST(net.layer_parameters<1>().bias(o) == -2.0f);

  // The blobs example's choice: weights uniform [0, 1), biases standard normal.
  auto large = std::make_unique<Large>();
  initialize(*large, fixnet::init::Uniform{}, fixnet::init::Normal{}, 6);
  std::vector<double> biases;
  for (std::size_t o = 0; o < 400; ++o) biases.push_back(large->layer_parameters<0>().bias(o));
  for (std::size_t o = 0; o < 250; ++o) biases.push_back(large->layer_parameters<1>().bias(o));
  const auto weights = weights_of<0>(*large);
  BOOST_TEST(*std::min_element(weights.begin(), weights.end()) >= 0.0);
  const Sample b = statistics(biases);
  BOOST_TEST(b.min < 0.0);                        // not drawn from the weights' [0, 1)
  BOOST_TEST(std::abs(b.mean) < 5 / std::sqrt(650.0));  // 5 standard errors
  BOOST_TEST(b.stddev == 1.0, boost::test_tools::tolerance(0.15));

  initialize(*large, fixnet::init::HeNormal{}, fixnet::init::Zeros{}, 6);
  BOOST_TEST(large->layer_parameters<1>().bias(249) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

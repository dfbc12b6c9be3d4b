// Tests of tests/reference.hpp, the scalar implementation every kernel is
// compared with: against values computed by hand here. (Its gradients are
// also checked against finite differences in network_test.cpp.)
#define BOOST_TEST_MODULE reference
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include <fixnet/fixnet.hpp>
#include "reference.hpp"

#include "test_support.hpp"

namespace fixnet::tests {
namespace {

template <class Params>
std::vector<typename Params::scalar_type> values_of(const Params& g) {
  std::vector<typename Params::scalar_type> v(Params::parameter_count);
  g.get_parameters(std::span<typename Params::scalar_type, Params::parameter_count>(v.data(), v.size()));
  return v;
}

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

// A 2-2-1 network: ReLU hidden layer, identity output, half sum of squares.
//   x = (3, 1); W1 = [[1, -1], [2, 0.5]], b1 = (0, -1): z1 = (2, 5.5) = a1
//   W2 = [[1, 1]], b2 = 0.5: y = 8; target 6: loss = (8 - 6)^2 / 2 = 2
//   delta2 = 2: dW2 = (4, 11), db2 = 2; dx1 = W2^T delta2 = (2, 2), both
//   ReLUs active: dW1 = [[6, 2], [6, 2]], db1 = (2, 2).
using Small = BasicNetwork<double, Dense<2, 2, Relu>, Dense<2, 1, Identity>>;
constexpr std::array<double, 9> small_parameters{1, -1, 2, 0.5, 0, -1, 1, 1, 0.5};
constexpr std::array<double, 9> small_gradient{6, 2, 6, 2, 2, 2, 4, 11, 2};

}  // namespace

BOOST_AUTO_TEST_SUITE(reference)

BOOST_AUTO_TEST_CASE(forward_applies_each_layer_as_activation_of_w_x_plus_b) {
  BasicNetwork<double, Dense<2, 2, Sigmoid>, Dense<2, 3, Softmax>> net;
  net.set_parameters(std::array<double, 15>{0.5, -1, 2, 0.25, /*b*/ 0.1, -0.2,
                                            1, -1, 0.5, 0.5, -2, 3, /*b*/ 0, 0.3, -0.3});
  const std::array<double, 2> x{1.5, -0.5};
  const double h0 = sigmoid(0.5 * 1.5 + 1 * 0.5 + 0.1), h1 = sigmoid(2 * 1.5 - 0.25 * 0.5 - 0.2);
  const std::array<double, 3> z{h0 - h1, 0.5 * h0 + 0.5 * h1 + 0.3, -2 * h0 + 3 * h1 - 0.3};
  const double sum = std::exp(z[0]) + std::exp(z[1]) + std::exp(z[2]);
  const std::array<double, 3> expected{std::exp(z[0]) / sum, std::exp(z[1]) / sum, std::exp(z[2]) / sum};
  check_close_all(fixnet::reference::forward(net, x), expected, 1e-14, 0, "2-2-3 by hand");
}

BOOST_AUTO_TEST_CASE(backward_gives_the_hand_computed_loss_and_gradient) {
  Small net;
  net.set_parameters(small_parameters);
  BOOST_TEST(fixnet::reference::forward(net, std::array<double, 2>{3, 1})[0] == 8.0);
  Gradients<Small> g;
  const double loss = fixnet::reference::backward(net, std::array<double, 2>{3, 1}, std::array<double, 1>{6},
                                                  HalfSumSquaredError{}, g);
  BOOST_TEST(loss == 2.0);
  check_close_all(values_of(g), small_gradient, 0, 0, "hand-computed gradient");
  BOOST_TEST(fixnet::reference::loss(net, std::array<double, 2>{3, 1}, std::array<double, 1>{6},
                                     HalfSumSquaredError{}) == 2.0);
}

// An inactive ReLU passes no gradient to the weights before it.
BOOST_AUTO_TEST_CASE(backward_stops_at_an_inactive_relu) {
  Small net;
  auto p = small_parameters;
  p[5] = -10;  // b1[1]: z1[1] = 7 - 10 < 0, so a1[1] = 0
  net.set_parameters(p);
  Gradients<Small> g;
  fixnet::reference::backward(net, std::array<double, 2>{3, 1}, std::array<double, 1>{6}, HalfSumSquaredError{}, g);
  // y = 2 + 0 + 0.5 = 2.5, delta2 = -3.5: dW1 row 0 = -3.5 (3, 1), row 1 = 0.
  const std::array<double, 9> expected{-10.5, -3.5, 0, 0, -3.5, 0, -7, 0, -3.5};
  check_close_all(values_of(g), expected, 1e-15, 0, "gradient with one ReLU off");
}

BOOST_AUTO_TEST_CASE(backward_adds_to_the_gradients_and_treats_a_class_index_as_one_hot) {
  BasicMlp<double, Tanh, Softmax, 3, 4, 2> net;
  initialize(net, init::Normal{}, init::Normal{}, 1);
  const std::array<double, 3> x{0.1, 0.2, -0.3};
  Gradients<decltype(net)> by_index, by_row;
  const double l1 = fixnet::reference::backward(net, x, 1, CrossEntropy{}, by_index);
  const double l2 = fixnet::reference::backward(net, x, std::array<double, 2>{0, 1}, CrossEntropy{}, by_row);
  BOOST_TEST(l1 == l2);
  BOOST_TEST((by_index == by_row));
  const auto once = values_of(by_index);
  fixnet::reference::backward(net, x, 1, CrossEntropy{}, by_index);
  std::vector<double> twice(once.size());
  for (std::size_t k = 0; k < once.size(); ++k) twice[k] = 2 * once[k];
  check_close_all(values_of(by_index), twice, 1e-15, 0, "two calls add up");
  // Cross-entropy of softmax outputs: -log a[1].
  BOOST_TEST(l1 == -std::log(fixnet::reference::forward(net, x)[1]), boost::test_tools::tolerance(1e-14));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

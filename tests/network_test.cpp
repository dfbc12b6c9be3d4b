// Tests of fixnet/network.hpp: compile-time facts, forward passes against the
// scalar reference, backpropagation of whole networks against central finite
// differences in double (2-4-3, 2-4-1 with and without bias, 784-50-10, and
// deeper mixed networks), batches against single samples, class-index targets
// against one-hot ones, accumulation of gradients, and logits of +-1000. The
// member functions run on the static Highway target; network_kernel_test.cpp
// runs the same kernels on every target.
#define BOOST_TEST_MODULE network
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <ratio>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <fixnet/fixnet.hpp>
#include "reference.hpp"

#include "network_support.hpp"
#include "test_support.hpp"

namespace fixnet::tests {
namespace {

using Scalars = std::tuple<float, double>;

using Blobs = Mlp<Sigmoid, Softmax, 2, 4, 3>;
using Mnist = Mlp<Sigmoid, Softmax, 784, 50, 10>;

template <Scalar T>
using Blobs_ = BasicMlp<T, Sigmoid, Softmax, 2, 4, 3>;

/// Central finite differences of the loss at (x, target) with respect to the
/// parameters at `indices` (canonical order), compared with the gradient of
/// `net.backward` (the static target's kernels) and of `reference::backward`
/// (scalar loops); both losses compared with each other. Double networks
/// only; tolerance: see fd_rel in test_support.hpp.
template <class Net, class X, class Tgt, class L>
void check_backward_by_finite_differences(const Net& original, const X& x, const Tgt& target, L loss,
                                          const std::vector<std::size_t>& indices, const std::string& what) {
  static_assert(std::is_same_v<typename Net::scalar_type, double>);
  auto net = std::make_unique<Net>(original);
  auto grads = std::make_unique<Gradients<Net>>();
  auto ref_grads = std::make_unique<Gradients<Net>>();
  const double value = net->backward(x, target, loss, *grads);
  const double ref_value = reference::backward(*net, x, target, loss, *ref_grads);
  BOOST_CHECK_MESSAGE(within(value, ref_value, 1e-13, 1e-13),
                      what << ": backward's loss " << value << " vs reference " << ref_value);
  BOOST_CHECK_MESSAGE(within(net->loss(x, target, loss), value, 1e-13, 1e-13),
                      what << ": loss() differs from backward()'s loss");

  const std::vector<double> g = parameters_of(*grads);
  const std::vector<double> rg = parameters_of(*ref_grads);
  std::vector<double> theta = parameters_of(*net);
  std::vector<double> fd, kernel, scalar;
  for (std::size_t k : indices) {
    fd.push_back(central_difference(theta[k], fd_step, [&] {
      net->set_parameters(std::span<const double>(theta));
      return net->loss(x, target, loss);
    }));
    kernel.push_back(g[k]);
    scalar.push_back(rg[k]);
  }
  check_close_all(kernel, fd, fd_rel, fd_abs, what + ": net.backward vs finite differences");
  check_close_all(scalar, fd, fd_rel, fd_abs, what + ": reference::backward vs finite differences");
  // A gradient check of all zeros would prove nothing.
  BOOST_CHECK_MESSAGE(max_abs(fd) > 1e-3, what << ": the finite differences are all (near) zero");
}

template <class Net>
std::vector<std::size_t> all_indices() {
  std::vector<std::size_t> all(Net::parameter_count);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

template <class Net>
std::unique_ptr<Net> make_network(std::uint64_t seed, double weight_scale = 1.0, double bias_stddev = 0.5) {
  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Normal{0.0, bias_stddev}, seed);
  if (weight_scale != 1.0) {
    auto p = parameters_of(*net);
    for (auto& v : p) v *= static_cast<typename Net::scalar_type>(weight_scale);
    net->set_parameters(std::span<const typename Net::scalar_type>(p));
  }
  return net;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(network)

BOOST_AUTO_TEST_CASE(shapes_are_static_constexpr_sizes) {
  static_assert(std::is_same_v<decltype(Blobs::inputs), const std::size_t>);
  static_assert(std::is_same_v<decltype(Blobs::outputs), const std::size_t>);
  static_assert(std::is_same_v<decltype(Blobs::parameter_count), const std::size_t>);
  static_assert(std::is_same_v<decltype(Blobs::layer_count), const std::size_t>);
  static_assert(Blobs::inputs == 2 && Blobs::outputs == 3 && Blobs::layer_count == 2);
  static_assert(Blobs::parameter_count == 2 * 4 + 4 + 4 * 3 + 3);
  static_assert(Mnist::inputs == 784 && Mnist::outputs == 10);
  static_assert(Mnist::parameter_count == 784 * 50 + 50 + 50 * 10 + 10);
  using NoBias = Network<Dense<2, 4, Sigmoid, NoBias>, Dense<4, 1, Sigmoid, NoBias>>;
  static_assert(NoBias::parameter_count == 2 * 4 + 4 * 1);
  using Deep = Network<Dense<3, 6, Tanh>, Dense<6, 5, Relu>, Dense<5, 4, LeakyRelu>, Dense<4, 2, Sigmoid>>;
  static_assert(Deep::layer_count == 4 && Deep::inputs == 3 && Deep::outputs == 2);
  static_assert(std::is_same_v<Deep::layer_type<2>, Dense<5, 4, LeakyRelu>>);
  static_assert(std::is_same_v<Deep::output_activation, Sigmoid>);
  BOOST_TEST(Blobs::parameter_count == 27u);
}

BOOST_AUTO_TEST_CASE(mlp_names_the_same_type_as_the_spelled_out_network) {
  static_assert(std::is_same_v<Mlp<Sigmoid, Softmax, 2, 4, 3>,
                               Network<Dense<2, 4, Sigmoid>, Dense<4, 3, Softmax>>>);
  static_assert(std::is_same_v<Mlp<Relu, Softmax, 784, 128, 64, 10>,
                               Network<Dense<784, 128, Relu>, Dense<128, 64, Relu>, Dense<64, 10, Softmax>>>);
  static_assert(std::is_same_v<Mlp<Tanh, Identity, 3, 1>, Network<Dense<3, 1, Identity>>>);
  static_assert(std::is_same_v<BasicMlp<double, Sigmoid, Softmax, 2, 4, 3>,
                               BasicNetwork<double, Dense<2, 4, Sigmoid>, Dense<4, 3, Softmax>>>);
  static_assert(std::is_same_v<Blobs::scalar_type, float>);
  static_assert(!std::is_same_v<Mlp<Sigmoid, Softmax, 2, 4, 3>, Mlp<Sigmoid, Softmax, 2, 5, 3>>);
}

// No heap, no pointers: the parameters are the object; the 2-4-3 network
// (27 parameters, padded to 64-byte rows) is a few hundred bytes.
BOOST_AUTO_TEST_CASE(a_network_is_a_small_trivially_copyable_value_that_holds_its_parameters) {
  static_assert(std::is_trivially_copyable_v<Blobs>);
  static_assert(std::is_trivially_copyable_v<Mnist>);
  static_assert(std::is_trivially_copyable_v<Gradients<Blobs>>);
  static_assert(sizeof(Blobs) < 1024);
  static_assert(sizeof(Mnist) >= Mnist::parameter_count * sizeof(float));
  static_assert(alignof(Blobs) >= alignment);
  BOOST_TEST_MESSAGE("sizeof 2-4-3: " << sizeof(Blobs) << " B, 784-50-10: " << sizeof(Mnist) << " B");
  BOOST_TEST(sizeof(Blobs) >= Blobs::parameter_count * sizeof(float));
  // Padding costs at most one 64-byte line per row (784 floats are 49 lines).
  BOOST_TEST(sizeof(Mnist) <= (50 + 1 + 10 + 1) * 64 + Mnist::parameter_count * sizeof(float));
  const Blobs net;
  for (float v : parameters_of(net)) BOOST_TEST(v == 0.0f);  // parameters start at zero
}

// Forward in float against the scalar reference run in double on the same
// parameters: rel 1e-5 + abs 1e-6. A float dot product of n terms is off by
// about sqrt(n) ULP of the sum of |terms| (784 inputs: ~2e-6 of the logit's
// scale), which sigmoid and softmax do not amplify.
template <class Net>
void check_forward_against_reference(std::uint64_t seed, const std::string& what) {
  using T = typename Net::scalar_type;
  const auto net = make_network<Net>(seed);
  const auto as_double = std::make_unique<typename AsDouble<Net>::type>(*net);
  TestRng rng(seed);
  for (int trial = 0; trial < 5; ++trial) {
    const auto x = uniform_array<T, Net::inputs>(rng, -1, 1);
    std::array<double, Net::inputs> xd;
    std::copy(x.begin(), x.end(), xd.begin());
    const bool is_float = std::is_same_v<T, float>;
    check_close_all(net->forward(x), reference::forward(*as_double, xd), is_float ? 1e-5 : 1e-13,
                    is_float ? 1e-6 : 1e-14, what);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(forward_matches_the_scalar_reference, T, Scalars) {
  check_forward_against_reference<Blobs_<T>>(1, "2-4-3");
  check_forward_against_reference<BasicMlp<T, Sigmoid, Softmax, 784, 50, 10>>(2, "784-50-10");
  check_forward_against_reference<BasicNetwork<T, Dense<3, 6, Tanh>, Dense<6, 5, Relu>,
                                               Dense<5, 4, LeakyRelu>, Dense<4, 2, Identity, NoBias>>>(
      3, "3-6-5-4-2 mixed");
  check_forward_against_reference<BasicMlp<T, Sigmoid, Sigmoid, 2, 4, 1>>(4, "2-4-1");
}

// The forward pass is a pure function of (parameters, x): the hand-computed
// output of a one-layer identity network.
BOOST_AUTO_TEST_CASE(forward_of_a_known_affine_layer_is_w_x_plus_b) {
  Network<Dense<3, 2, Identity>> net;
  net.set_parameters(std::array<float, 8>{1, 2, 3, -1, 0.5f, 0, /*bias*/ 10, -20});
  const auto y = net.forward(std::array<float, 3>{1, 1, 2});
  BOOST_TEST(y[0] == 1 + 2 + 6 + 10.0f);
  BOOST_TEST(y[1] == -1 + 0.5f - 20.0f);
  // A fixed-extent span is accepted as well as an array.
  const std::array<float, 3> x{1, 1, 2};
  const auto y2 = net.forward(std::span<const float, 3>(x));
  BOOST_TEST(y2 == y);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(batch_forward_equals_one_forward_per_sample, T, Scalars) {
  using Net = Blobs_<T>;
  constexpr std::size_t B = 9;
  const auto net = make_network<Net>(5);
  TestRng rng(5);
  std::array<std::array<T, 2>, B> xs;
  for (auto& x : xs) x = uniform_array<T, 2>(rng, -3, 3);
  std::array<std::array<T, 3>, B> ys;
  auto ws = std::make_unique<Workspace<Net, B>>();
  net->forward(xs, ys, *ws);
  // Rows of samples run the single-sample kernels: bit-identical. With samples
  // in lanes (B = 9 doubles is a line and more) the sums are formed in another
  // order: a few ulp.
  const double rel = Workspace<Net, B>::lanes ? 8 * std::numeric_limits<T>::epsilon() : 0;
  for (std::size_t b = 0; b < B; ++b)
    check_close_all(ys[b], net->forward(xs[b]), rel, 0, "sample " + std::to_string(b));
}

BOOST_AUTO_TEST_CASE(backward_of_2_4_3_sigmoid_softmax_cross_entropy_matches_finite_differences) {
  using Net = BasicMlp<double, Sigmoid, Softmax, 2, 4, 3>;
  // Initialised as the blobs example: weights uniform [0, 1), biases standard normal.
  auto net = std::make_unique<Net>();
  initialize(*net, init::Uniform{}, init::Normal{}, 7);
  for (std::size_t cls = 0; cls < 3; ++cls)
    check_backward_by_finite_differences(*net, std::array<double, 2>{0.5, -1.25}, cls, CrossEntropy{},
                                         all_indices<Net>(), "2-4-3, class " + std::to_string(cls));
}

BOOST_AUTO_TEST_CASE(backward_of_2_4_1_sigmoid_mean_squared_error_matches_finite_differences) {
  using Net = BasicMlp<double, Sigmoid, Sigmoid, 2, 4, 1>;
  const auto net = make_network<Net>(8, 2.0);
  for (double t : {0.0, 1.0})
    check_backward_by_finite_differences(*net, std::array<double, 2>{0.8, -0.3}, std::array<double, 1>{t},
                                         MeanSquaredError{}, all_indices<Net>(), "2-4-1 with bias");
}

// The moons reference network has no bias at all.
BOOST_AUTO_TEST_CASE(backward_of_2_4_1_without_bias_matches_finite_differences) {
  using Net = BasicNetwork<double, Dense<2, 4, Sigmoid, NoBias>, Dense<4, 1, Sigmoid, NoBias>>;
  const auto net = make_network<Net>(9, 2.0);
  for (double t : {0.0, 1.0})
    check_backward_by_finite_differences(*net, std::array<double, 2>{-0.6, 1.1}, std::array<double, 1>{t},
                                         MeanSquaredError{}, all_indices<Net>(), "2-4-1 without bias");
}

// 39 760 parameters: a random sample of 280 of them, from every block
// (first-layer weights and biases, second-layer weights and biases).
BOOST_AUTO_TEST_CASE(backward_of_784_50_10_matches_finite_differences_on_a_sample_of_parameters) {
  using Net = BasicMlp<double, Sigmoid, Softmax, 784, 50, 10>;
  auto net = std::make_unique<Net>();
  initialize(*net, init::ScaledNormal{}, init::Normal{0.0, 0.1}, 10);
  TestRng rng(10);
  const auto x = std::make_unique<std::array<double, 784>>(uniform_array<double, 784>(rng, 0, 1));
  constexpr std::size_t w0 = 784 * 50, b0 = w0 + 50, w1 = b0 + 50 * 10, b1 = w1 + 10;
  static_assert(b1 == Net::parameter_count);
  std::vector<std::size_t> indices;
  const auto add = [&](std::size_t begin, std::size_t end, std::size_t k) {
    for (std::size_t i : sample_indices(rng, end - begin, k)) indices.push_back(begin + i);
  };
  add(0, w0, 150);
  add(w0, b0, 20);
  add(b0, w1, 100);
  add(w1, b1, 10);
  check_backward_by_finite_differences(*net, *x, std::size_t{7}, CrossEntropy{}, indices, "784-50-10");
}

// Four layers, every activation, both fused and unfused output gradients.
BOOST_AUTO_TEST_CASE(backward_of_deep_mixed_networks_matches_finite_differences) {
  const std::array<double, 3> x{0.7, -1.1, 0.4};
  {
    using Net = BasicNetwork<double, Dense<3, 6, Tanh>, Dense<6, 5, Relu>, Dense<5, 4, LeakyRelu>,
                             Dense<4, 2, Sigmoid>>;
    const auto net = make_network<Net>(11, 1.5);
    check_backward_by_finite_differences(*net, x, std::array<double, 2>{1.0, 0.0}, BinaryCrossEntropy{},
                                         all_indices<Net>(), "tanh-relu-leaky-sigmoid, binary cross-entropy");
  }
  {
    using Net = BasicNetwork<double, Dense<3, 6, Tanh>, Dense<6, 5, Relu>,
                             Dense<5, 4, BasicLeakyRelu<std::ratio<1, 5>>>, Dense<4, 2, Identity>>;
    const auto net = make_network<Net>(12, 1.5);
    check_backward_by_finite_differences(*net, x, std::array<double, 2>{0.3, -0.7}, MeanSquaredError{},
                                         all_indices<Net>(), "tanh-relu-leaky(0.2)-identity, MSE");
  }
  {
    // Softmax as a hidden layer (its full Jacobian in backpropagation), no
    // bias in the first layer, softmax output with an unfused loss.
    using Net = BasicNetwork<double, Dense<3, 5, Softmax, NoBias>, Dense<5, 4, Tanh>, Dense<4, 3, Softmax>>;
    const auto net = make_network<Net>(13, 3.0);
    check_backward_by_finite_differences(*net, x, std::array<double, 3>{0.2, 0.5, 0.3}, HalfSumSquaredError{},
                                         all_indices<Net>(), "softmax-tanh-softmax, half sum of squares");
  }
  {
    // Cross-entropy after sigmoid, explicitly allowed: the general formulas.
    using Net = BasicNetwork<double, Dense<3, 4, Sigmoid>, Dense<4, 3, Sigmoid>>;
    const auto net = make_network<Net>(14, 2.0);
    check_backward_by_finite_differences(*net, x, std::array<double, 3>{0.6, 0.1, 0.3},
                                         AllowAnyOutput<CrossEntropy>{}, all_indices<Net>(),
                                         "sigmoid-sigmoid, cross-entropy allowed on any output");
  }
}

// Summing in a different order (two accumulators over samples) changes the
// rounding only: float rel 1e-5 + 1e-6 of the largest gradient, double 1e-13.
BOOST_AUTO_TEST_CASE_TEMPLATE(batch_backward_equals_the_sum_of_single_sample_backwards, T, Scalars) {
  using Net = Blobs_<T>;
  constexpr std::size_t B = 7;  // odd: the kernels' two-sample unrolling has a tail
  const auto net = make_network<Net>(15);
  TestRng rng(15);
  std::array<std::array<T, 2>, B> xs;
  std::array<int, B> classes;
  for (std::size_t b = 0; b < B; ++b) {
    xs[b] = uniform_array<T, 2>(rng, -3, 3);
    classes[b] = static_cast<int>(b % 3);
  }
  auto ws = std::make_unique<Workspace<Net, B>>();
  Gradients<Net> batch, sum;
  const T batch_loss = net->backward(xs, classes, CrossEntropy{}, batch, *ws);
  T sum_loss = 0;
  for (std::size_t b = 0; b < B; ++b) {
    Gradients<Net> one;
    sum_loss += net->backward(xs[b], classes[b], CrossEntropy{}, one);
    sum.add_scaled(T(1), one);
  }
  const bool is_float = std::is_same_v<T, float>;
  BOOST_TEST(batch_loss == sum_loss, boost::test_tools::tolerance(is_float ? T(1e-5) : T(1e-13)));
  const auto expected = parameters_of(sum);
  check_close_all(parameters_of(batch), expected, is_float ? 1e-5 : 1e-13,
                  (is_float ? 1e-6 : 1e-14) * max_abs(expected), "batch vs sum of samples");
  // The batch loss is the sum of the batch's losses, also through loss().
  BOOST_TEST(net->loss(xs, classes, CrossEntropy{}, *ws) == batch_loss,
             boost::test_tools::tolerance(is_float ? T(1e-6) : T(1e-14)));
}

// The same row is written either way, so the results are identical.
BOOST_AUTO_TEST_CASE_TEMPLATE(class_index_target_equals_one_hot_target, T, Scalars) {
  using Net = Blobs_<T>;
  const auto net = make_network<Net>(16);
  const std::array<T, 2> x{T(0.3), T(-2)};
  for (std::size_t cls = 0; cls < 3; ++cls) {
    std::array<T, 3> one_hot{};
    one_hot[cls] = T(1);
    Gradients<Net> by_index, by_row, by_small_index;
    const T l1 = net->backward(x, cls, CrossEntropy{}, by_index);
    const T l2 = net->backward(x, one_hot, CrossEntropy{}, by_row);
    const T l3 = net->backward(x, static_cast<std::uint8_t>(cls), CrossEntropy{}, by_small_index);
    BOOST_TEST(l1 == l2);
    BOOST_TEST(l1 == l3);
    BOOST_TEST((by_index == by_row));
    BOOST_TEST((by_index == by_small_index));
    BOOST_TEST(net->loss(x, static_cast<int>(cls), CrossEntropy{}) == net->loss(x, one_hot, CrossEntropy{}));
  }
  // And in a batch.
  constexpr std::size_t B = 4;
  const std::array<std::array<T, 2>, B> xs{{{T(1), T(2)}, {T(-1), T(0)}, {T(0.5), T(0.5)}, {T(3), T(-3)}}};
  const std::array<long, B> classes{2, 0, 1, 2};
  std::array<std::array<T, 3>, B> rows{};
  for (std::size_t b = 0; b < B; ++b) rows[b][static_cast<std::size_t>(classes[b])] = T(1);
  auto ws = std::make_unique<Workspace<Net, B>>();
  Gradients<Net> by_index, by_row;
  BOOST_TEST(net->backward(xs, classes, CrossEntropy{}, by_index, *ws) ==
             net->backward(xs, rows, CrossEntropy{}, by_row, *ws));
  BOOST_TEST((by_index == by_row));
}

// backward adds to the gradients: two calls give the sum of both samples'
// gradients, and returns each call's own loss; zero() starts over.
BOOST_AUTO_TEST_CASE_TEMPLATE(gradients_accumulate_across_calls_until_zeroed, T, Scalars) {
  using Net = Blobs_<T>;
  const auto net = make_network<Net>(17);
  const std::array<T, 2> x1{T(0.5), T(1)}, x2{T(-2), T(0.25)};
  Gradients<Net> g1, g2, both;
  const T l1 = net->backward(x1, 0, CrossEntropy{}, g1);
  const T l2 = net->backward(x2, 2, CrossEntropy{}, g2);
  BOOST_TEST(net->backward(x1, 0, CrossEntropy{}, both) == l1);
  BOOST_TEST(net->backward(x2, 2, CrossEntropy{}, both) == l2);  // not l1 + l2
  Gradients<Net> sum = g1;
  sum.add_scaled(T(1), g2);
  const auto expected = parameters_of(sum);
  const bool is_float = std::is_same_v<T, float>;
  check_close_all(parameters_of(both), expected, is_float ? 1e-6 : 1e-15, 0, "g(x1) + g(x2)");
  BOOST_TEST(!(both == g1));
  both.zero();
  net->backward(x1, 0, CrossEntropy{}, both);
  BOOST_TEST((both == g1));
}

// A hand-computed pass through a 2-2-1 network: ReLU hidden layer, identity
// output, half sum of squares.
//   x = (3, 1); W1 = [[1, -1], [2, 0.5]], b1 = (0, -1): z1 = (2, 5.5) = a1
//   W2 = [[1, 1]], b2 = 0.5: y = 8; target 6: loss = (8 - 6)^2 / 2 = 2
//   delta2 = 2: dW2 = (4, 11), db2 = 2; dx1 = W2^T delta2 = (2, 2), both
//   ReLUs active: dW1 = [[6, 2], [6, 2]], db1 = (2, 2).
BOOST_AUTO_TEST_CASE_TEMPLATE(backward_of_a_hand_computed_network_gives_the_hand_computed_gradient, T, Scalars) {
  using Net = BasicNetwork<T, Dense<2, 2, Relu>, Dense<2, 1, Identity>>;
  Net net;
  net.set_parameters(std::array<T, 9>{1, -1, 2, T(0.5), 0, -1, 1, 1, T(0.5)});
  BOOST_TEST(net.forward(std::array<T, 2>{3, 1})[0] == T(8));
  Gradients<Net> g;
  BOOST_TEST(net.backward(std::array<T, 2>{3, 1}, std::array<T, 1>{6}, HalfSumSquaredError{}, g) == T(2));
  const std::array<double, 9> expected{6, 2, 6, 2, 2, 2, 4, 11, 2};
  check_close_all(parameters_of(g), expected, 0, 0, "hand-computed gradient");
}

// Logits of +-1000 from the weights of a whole network: the loss is exact
// (2000 with the wrong class) and every output and gradient finite.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_network_producing_logits_of_plus_minus_1000_stays_finite_and_exact, T, Scalars) {
  {
    // x = (1, 0): z = (1000, -1000, 0); softmax is (1, 0, 0).
    using Net = BasicNetwork<T, Dense<2, 3, Softmax>>;
    Net net;
    net.set_parameters(std::array<T, 9>{1000, 5, -1000, 5, 0, 5, 0, 0, 0});
    const std::array<T, 2> x{1, 0};
    const auto y = net.forward(x);
    BOOST_TEST(y[0] == T(1));
    BOOST_TEST(y[1] == T(0));
    BOOST_TEST(y[2] == T(0));
    Gradients<Net> g;
    BOOST_TEST(net.backward(x, 1, CrossEntropy{}, g) == T(2000), boost::test_tools::tolerance(T(1e-6)));
    BOOST_TEST(net.loss(x, 0, CrossEntropy{}) == T(0));
    // delta = a - t = (1, -1, 0): dW = delta x^T, db = delta.
    const std::array<double, 9> expected{1, 0, -1, 0, 0, 0, 1, -1, 0};
    check_close_all(parameters_of(g), expected, 0, 1e-30, "gradient at logits of +-1000");
  }
  {
    // A 2-4-3 network whose output weights are +-1000: logits of up to
    // +-4000 from hidden activations in (0, 1).
    using Net = Blobs_<T>;
    Net net;
    initialize(net, init::Uniform{-1.0, 1.0}, init::Zeros{}, 18);
    for (std::size_t o = 0; o < 3; ++o)
      for (std::size_t i = 0; i < 4; ++i) net.template layer_parameters<1>().weight(o, i) = (o + i) % 2 ? T(1000) : T(-1000);
    const std::array<T, 2> x{T(0.5), T(-0.5)};
    const auto y = net.forward(x);
    T sum = 0;
    for (T v : y) {
      BOOST_TEST(std::isfinite(v));
      sum += v;
    }
    BOOST_TEST(sum == T(1), boost::test_tools::tolerance(T(1e-6)));
    Gradients<Net> g;
    const T loss = net.backward(x, 0, CrossEntropy{}, g);
    const auto as_double = std::make_unique<typename AsDouble<Net>::type>(net);
    const double expected = reference::loss(*as_double, std::array<double, 2>{0.5, -0.5}, 0, CrossEntropy{});
    BOOST_TEST(expected > 100.0);  // the wrong class by far
    // float: logits of ~2000 carry 1e-4 of rounding, the loss ~1e-6 relative.
    BOOST_TEST(static_cast<double>(loss) == expected, boost::test_tools::tolerance(1e-5));
    for (T v : parameters_of(g)) BOOST_TEST(std::isfinite(v));
  }
  {
    // Binary cross-entropy after sigmoid: z = 1000 with target 0 costs 1000.
    using Net = BasicNetwork<T, Dense<2, 1, Sigmoid>>;
    Net net;
    net.set_parameters(std::array<T, 3>{1000, 0, 0});
    Gradients<Net> g;
    BOOST_TEST(net.backward(std::array<T, 2>{1, 0}, std::array<T, 1>{0}, BinaryCrossEntropy{}, g) == T(1000),
               boost::test_tools::tolerance(T(1e-6)));
    // delta = sigmoid(1000) - 0 = 1: dW = (1, 0), db = 1.
    BOOST_TEST(g.template layer_parameters<0>().weight(0, 0) == T(1));
    BOOST_TEST(g.template layer_parameters<0>().weight(0, 1) == T(0));
    BOOST_TEST(g.template layer_parameters<0>().bias(0) == T(1));
  }
}

// A well-fitted batch has per-sample cross-entropies near 1e-5, i.e.
// log(1 + eps) with eps tiny: computed as log of the float sum 1 + eps it
// keeps only a few digits. With samples in lanes (a batch of 16 through a
// 2-3 softmax layer), the loss comes from the small softmax outputs
// themselves and stays within 1e-5 of the double value.
BOOST_AUTO_TEST_CASE(a_tiny_cross_entropy_keeps_its_precision_in_lanes) {
  using Layer = Network<Dense<2, 3, Softmax>>;
  constexpr std::size_t B = 16;
  for (const double gap : {6.0, 9.0, 10.5, 13.0}) {
    BOOST_TEST_CONTEXT("logit gap " << gap) {
      // Logits (gap * x0, 0, x1): class 0 ahead by about `gap`.
      Layer net;
      net.set_parameters(std::array<float, 9>{1, 0, 0, 0, 0, 1, 0, 0, 0});
      std::array<std::array<float, 2>, B> xs;
      std::array<std::uint8_t, B> labels{};
      double expected = 0;
      for (std::size_t b = 0; b < B; ++b) {
        xs[b] = {static_cast<float>(gap + 0.05 * double(b)), static_cast<float>(0.01 * double(b))};
        const double z0 = xs[b][0], z2 = xs[b][1];
        expected += std::log1p(std::exp(-z0) + std::exp(z2 - z0));
      }
      auto ws = std::make_unique<Workspace<Layer, B>>();
      static_assert(Workspace<Layer, B>::lanes);
      const float loss = net.loss(std::span<const std::array<float, 2>, B>(xs),
                                  std::span<const std::uint8_t, B>(labels), CrossEntropy{}, *ws);
      BOOST_TEST(double(loss) == expected, boost::test_tools::tolerance(1e-5));
    }
  }
}

// forward_and_loss gives, from one pass, what forward then loss give from
// two: the same outputs and the same summed loss, for a batch (samples in
// lanes for 2-4-3 with 16, in rows for 784-50-10) and for one sample.
template <class Net, std::size_t B>
void check_forward_and_loss(std::uint64_t seed) {
  using T = typename Net::scalar_type;
  const auto net = make_network<Net>(seed);
  TestRng rng(seed);
  auto xs = std::make_unique<std::array<std::array<T, Net::inputs>, B>>();
  std::array<std::uint8_t, B> labels{};
  for (std::size_t b = 0; b < B; ++b) {
    (*xs)[b] = uniform_array<T, Net::inputs>(rng, -1, 1);
    labels[b] = static_cast<std::uint8_t>(b % Net::outputs);
  }
  auto ws = std::make_unique<Workspace<Net, B>>();
  std::array<std::array<T, Net::outputs>, B> ys{}, expected_ys{};
  net->forward(*xs, expected_ys, *ws);
  const T expected_loss = net->loss(*xs, labels, CrossEntropy{}, *ws);
  const T loss = net->forward_and_loss(*xs, labels, CrossEntropy{}, ys, *ws);
  BOOST_TEST(loss == expected_loss);
  for (std::size_t b = 0; b < B; ++b)
    BOOST_TEST(ys[b] == expected_ys[b], boost::test_tools::per_element());
  std::array<T, Net::outputs> y{};
  const T one = net->forward_and_loss((*xs)[0], labels[0], CrossEntropy{}, y);
  BOOST_TEST(one == net->loss((*xs)[0], labels[0], CrossEntropy{}));
  const auto y_expected = net->forward((*xs)[0]);
  BOOST_TEST(y == y_expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(forward_and_loss_equals_forward_then_loss) {
  check_forward_and_loss<Blobs, 16>(11);
  check_forward_and_loss<Blobs, 5>(12);
  check_forward_and_loss<Mnist, 4>(13);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

// Tests of fixnet/optimizers/gradient_descent.hpp: one step is theta - lr * g for every
// parameter, and full-batch descent learns a small separable problem.
#define BOOST_TEST_MODULE gradient_descent
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <span>
#include <tuple>
#include <type_traits>
#include <vector>

#include <fixnet/fixnet.hpp>

#include "network_support.hpp"
#include "test_support.hpp"

namespace fixnet::tests {
namespace {

using Scalars = std::tuple<float, double>;

}  // namespace

BOOST_AUTO_TEST_SUITE(gradient_descent)

// theta - lr * g for every parameter, within the rounding of a multiply-add
// (see check_axpy in test_support.hpp).
BOOST_AUTO_TEST_CASE_TEMPLATE(
    one_step_moves_each_parameter_by_minus_learning_rate_times_its_gradient, T, Scalars) {
  using Net = BasicNetwork<T, Dense<5, 17, Tanh>, Dense<17, 3, Relu, NoBias>, Dense<3, 2, Sigmoid>>;
  auto net = std::make_unique<Net>();
  initialize(*net, init::Normal{}, init::Normal{}, 1);
  Gradients<Net> g;
  {
    TestRng rng(2);
    std::vector<T> random(Net::parameter_count);
    for (T& v : random) v = uniform<T>(rng, -3, 3);
    g.set_parameters(std::span<const T>(random));
  }
  const auto theta = parameters_of(*net);
  const auto grad = parameters_of(g);
  const T lr = T(0.1);
  GradientDescent<T>{lr}.step(*net, g);
  check_axpy(parameters_of(*net), theta, T(-lr), grad, "theta - lr g");
  BOOST_TEST(parameters_of(g) == grad,
             boost::test_tools::per_element());  // the gradients are left alone
}

// Values whose products and sums are exact in binary: no tolerance at all.
BOOST_AUTO_TEST_CASE(one_step_with_exactly_representable_values_is_exact) {
  using Net = Network<Dense<2, 1, Identity>>;
  Net net;
  net.set_parameters(std::array<float, 3>{1.5f, -2.0f, 0.25f});
  Gradients<Net> g;
  const std::array<float, 3> gradient{0.25f, -1.0f, 4.0f};
  g.set_parameters(std::span<const float, 3>(gradient));
  GradientDescent<float>{0.5f}.step(net, g);
  const std::array<float, 3> expected{1.375f, -1.5f, -1.75f};
  std::array<float, 3> after{};
  net.get_parameters(after);
  BOOST_TEST(after == expected, boost::test_tools::per_element());
}

// GradientDescent models Optimizer (so the Trainer and schedules take it):
// a learning rate that schedules can set, a step on a network or on its
// parameter set alone, nothing to reset.
BOOST_AUTO_TEST_CASE(gradient_descent_is_an_optimizer_whose_rate_schedules_can_set) {
  using Net = Network<Dense<2, 1, Identity>>;
  static_assert(Optimizer<GradientDescent<float>, Net>);
  static_assert(Optimizer<GradientDescent<double>, BasicNetwork<double, Dense<2, 1, Identity>>>);
  GradientDescent<float> descent{0.5f};
  BOOST_TEST(descent.learning_rate() == 0.5f);
  descent.set_learning_rate(0.25f);
  descent.reset();
  BOOST_TEST(descent.learning_rate() == 0.25f);
  Net net;
  net.set_parameters(std::array<float, 3>{1.0f, 2.0f, 3.0f});
  Gradients<Net> g;
  g.set_parameters(std::array<float, 3>{4.0f, -4.0f, 8.0f});
  descent.step(net.parameters(), g);  // on the parameter set: theta - 0.25 g
  std::array<float, 3> after{};
  net.get_parameters(after);
  const std::array<float, 3> expected{0.0f, 3.0f, 1.0f};
  BOOST_TEST(after == expected, boost::test_tools::per_element());
}

// The fused step (GradientDescent::step with data) against the two-stage
// one (gradient into a buffer, then step), from the same start: one sample,
// a batch with samples in rows (widths over 32) and one with samples in lanes
// (the 2-4-3 network, 32 samples). Both round differently (the fused step
// adds -lr * sum to theta, the two-stage one -lr * (0 + sum)), so within a
// few ULP of the step, not exactly.
template <class Net, std::size_t B>
void check_fused_step_matches_gradient_then_step() {
  using T = typename Net::scalar_type;
  TestRng rng(7);
  std::array<std::array<T, Net::inputs>, B> xs;
  std::array<int, B> labels;
  for (std::size_t b = 0; b < B; ++b) {
    for (T& v : xs[b]) v = uniform<T>(rng, -2, 2);
    labels[b] = static_cast<int>(rng() % Net::outputs);
  }
  auto fused = std::make_unique<Net>();
  initialize(*fused, init::XavierUniform{}, init::Normal{0.0, 0.5}, 8);
  auto two_stage = std::make_unique<Net>(*fused);
  auto one_sample = std::make_unique<Net>(*fused);
  auto one_sample_two_stage = std::make_unique<Net>(*fused);
  auto ws = std::make_unique<Workspace<Net, B>>();
  auto g = std::make_unique<Gradients<Net>>();
  const GradientDescent<T> descent{T(0.25)};
  const auto close = [](const Net& a, const Net& b, const char* what) {
    const auto pa = parameters_of(a), pb = parameters_of(b);
    BOOST_TEST_CONTEXT(what) {
      BOOST_TEST(pa == pb, boost::test_tools::tolerance(T(sizeof(T) == 4 ? 1e-5 : 1e-12))
                               << boost::test_tools::per_element());
    }
  };

  const T fused_loss = descent.step(*fused, xs, labels, CrossEntropy{}, *ws);
  g->zero();
  const T loss = two_stage->backward(xs, labels, CrossEntropy{}, *g, *ws);
  descent.step(*two_stage, *g);
  BOOST_TEST(fused_loss == loss);  // the loss is computed before the step
  close(*fused, *two_stage, "batch");
  BOOST_TEST(parameters_of(*fused) != parameters_of(*one_sample));  // it moved

  const T fused_sample_loss = descent.step(*one_sample, xs[0], labels[0], CrossEntropy{});
  g->zero();
  BOOST_TEST(one_sample_two_stage->backward(xs[0], labels[0], CrossEntropy{}, *g) ==
             fused_sample_loss);
  descent.step(*one_sample_two_stage, *g);
  close(*one_sample, *one_sample_two_stage, "one sample");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(fused_step_matches_gradient_then_step, T, Scalars) {
  using Wide =
      BasicNetwork<T, Dense<40, 37, Tanh>, Dense<37, 6, Relu, NoBias>, Dense<6, 5, Softmax>>;
  static_assert(!Workspace<Wide, 9>::lanes);
  check_fused_step_matches_gradient_then_step<Wide, 9>();
  using Narrow = BasicMlp<T, Sigmoid, Softmax, 2, 4, 3>;
  static_assert(Workspace<Narrow, 32>::lanes);
  check_fused_step_matches_gradient_then_step<Narrow, 32>();
}

// Three clusters of ten points, centred at (0, -3), (3, 3), (-3, 3) as in
// the blobs example (spread 0.5, so they are separable), the 2-4-3
// sigmoid/softmax network, full-batch descent on the summed cross-entropy:
// after 300 steps the loss is below a twentieth of its start (observed: 41.3
// -> 0.11) and every point is classified right.
BOOST_AUTO_TEST_CASE_TEMPLATE(full_batch_descent_learns_a_small_separable_problem, T, Scalars) {
  using Net = BasicMlp<T, Sigmoid, Softmax, 2, 4, 3>;
  constexpr std::size_t B = 30;
  const std::array<std::array<T, 2>, 3> centres{{{T(0), T(-3)}, {T(3), T(3)}, {T(-3), T(3)}}};
  std::array<std::array<T, 2>, B> xs;
  std::array<int, B> labels;
  TestRng rng(3);
  for (std::size_t b = 0; b < B; ++b) {
    labels[b] = static_cast<int>(b % 3);
    for (std::size_t i = 0; i < 2; ++i) xs[b][i] = centres[b % 3][i] + uniform<T>(rng, -0.5, 0.5);
  }
  Net net;
  initialize(net, init::XavierUniform{}, init::Zeros{}, 3);
  auto ws = std::make_unique<Workspace<Net, B>>();
  const GradientDescent<T> descent{T(0.05)};
  Gradients<Net> g;
  const T initial = net.loss(xs, labels, CrossEntropy{}, *ws);
  T previous = initial;
  std::size_t increases = 0;
  for (int step = 0; step < 300; ++step) {
    g.zero();
    const T loss = net.backward(xs, labels, CrossEntropy{}, g, *ws);
    increases += loss > previous;
    previous = loss;
    descent.step(net, g);
  }
  const T final_loss = net.loss(xs, labels, CrossEntropy{}, *ws);
  BOOST_TEST_MESSAGE("summed cross-entropy: " << initial << " -> " << final_loss);
  BOOST_TEST(final_loss < initial / 20);
  BOOST_TEST(increases <= 5u);  // a small step size descends (almost) monotonically
  std::array<std::array<T, 3>, B> ys;
  net.forward(xs, ys, *ws);
  std::size_t correct = 0;
  for (std::size_t b = 0; b < B; ++b)
    correct += std::max_element(ys[b].begin(), ys[b].end()) - ys[b].begin() == labels[b];
  BOOST_TEST(correct == B);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

// Full-batch training of small networks through fixnet/train/objective.hpp: with
// the same number of gradient evaluations, nonlinear conjugate gradient and
// L-BFGS reach a lower cost than plain gradient descent at the best of five
// learning rates, on the 2-4-3 blobs network (softmax, cross-entropy) and on
// a galaxy-style 2-4-3 network (sigmoid outputs, binary cross-entropy, L2 on
// the weights); both learn the blobs.
#define BOOST_TEST_MODULE full_batch_training
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include <fixnet/data/blobs.hpp>
#include <fixnet/train/evaluate.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/train/full_batch/conjugate_gradient.hpp>
#include <fixnet/train/full_batch/lbfgs.hpp>
#include <fixnet/train/objective.hpp>

#include "test_support.hpp"

namespace fixnet::tests {
namespace {

constexpr std::size_t budget = 60;  // gradient evaluations, the start's included

data::Dataset<float, 2> blobs(std::uint64_t seed = 42) {
  // Spread 2: overlapping blobs, so that the cost has no trivial floor.
  const data::LabelledPoints points = data::make_blobs({.stddev = 2.0f}, seed);
  data::Dataset<float, 2> d(3);
  for (std::size_t i = 0; i < points.size(); ++i) d.add(points.features[i], points.labels[i]);
  return d;
}

template <class Net>
std::array<float, Net::parameter_count> initial_parameters() {
  Net net;
  initialize(net, init::XavierUniform{}, init::Zeros{}, 7);
  std::array<float, Net::parameter_count> theta;
  net.get_parameters(theta);
  return theta;
}

/// Full-batch gradient descent on f for `budget` gradient evaluations (the
/// last one's cost is the result, as the minimisers count their start).
template <class F, std::size_t N>
double gradient_descent(F& f, std::array<float, N> theta, float rate) {
  std::array<float, N> g;
  double cost = f(theta, g);
  for (std::size_t k = 1; k < budget; ++k) {
    for (std::size_t i = 0; i < N; ++i) theta[i] -= rate * g[i];
    cost = f(theta, g);
  }
  return cost;
}

template <class Net, class L>
void compare(const data::Dataset<float, 2>& d, L loss, float lambda, const char* name) {
  Objective<Net, L> f(d, loss, L2<float>{lambda});
  const auto start = initial_parameters<Net>();

  double best_descent = std::numeric_limits<double>::infinity();
  float best_rate = 0;
  for (const float rate : {0.1f, 0.3f, 1.0f, 3.0f, 10.0f}) {
    const double cost = gradient_descent(f, start, rate);
    if (cost < best_descent) best_descent = cost, best_rate = rate;
  }

  auto theta = start;
  const auto cg =
      full_batch::ConjugateGradient<float, Net::parameter_count>({.max_evaluations = budget})
          .minimize(f, theta);
  Net net;
  net.set_parameters(theta);
  const double cg_accuracy = evaluate<64>(net, d, loss).accuracy();

  theta = start;
  const auto lbfgs = full_batch::Lbfgs<float, Net::parameter_count>({.max_evaluations = budget})
                         .minimize(f, theta);
  net.set_parameters(theta);
  const double lbfgs_accuracy = evaluate<64>(net, d, loss).accuracy();

  BOOST_TEST_MESSAGE(name << ", " << budget << " gradient evaluations: gradient descent "
                          << best_descent << " (best rate " << best_rate << "), CG " << cg.cost
                          << " (" << cg.iterations << " iterations, accuracy " << cg_accuracy
                          << "), L-BFGS " << lbfgs.cost << " (" << lbfgs.iterations
                          << " iterations, accuracy " << lbfgs_accuracy << ")");
  BOOST_TEST(cg.evaluations <= budget);
  BOOST_TEST(lbfgs.evaluations <= budget);
  BOOST_TEST(cg.cost < best_descent);
  BOOST_TEST(lbfgs.cost < best_descent);
  // Overlapping blobs: the Bayes rate is about 87%.
  BOOST_TEST(cg_accuracy > 0.8);
  BOOST_TEST(lbfgs_accuracy > 0.8);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(full_batch_training)

BOOST_AUTO_TEST_CASE(cg_and_lbfgs_beat_gradient_descent_on_blobs_with_softmax) {
  compare<Mlp<Sigmoid, Softmax, 2, 4, 3>>(blobs(), CrossEntropy{}, 0.0f, "blobs 2-4-3 softmax");
}

BOOST_AUTO_TEST_CASE(cg_and_lbfgs_beat_gradient_descent_on_a_galaxy_style_network) {
  compare<Mlp<Sigmoid, Sigmoid, 2, 4, 3>>(blobs(), BinaryCrossEntropy{}, 1.0f,
                                          "blobs 2-4-3 sigmoid + L2");
}

// docs/full_batch.md's code: L-BFGS on a galaxy-style network with L2 on the
// weights, stopped when the held-out cost has not improved for 20
// iterations. It stops that way, before its 600 iterations, and the network
// learns the blobs.
BOOST_AUTO_TEST_CASE(the_documented_lbfgs_run_stops_on_the_held_out_cost) {
  using Net = Mlp<Sigmoid, Sigmoid, 2, 4, 3>;
  const data::Dataset<float, 2> train = blobs(42), test = blobs(43);
  Net net;
  initialize(net, init::XavierUniform{}, init::Zeros{}, 7);

  fixnet::Objective<Net, fixnet::BinaryCrossEntropy> cost(train, {}, fixnet::L2<float>{1.0f});
  fixnet::Objective<Net, fixnet::BinaryCrossEntropy> test_cost(test);  // the cost alone
  std::array<float, Net::parameter_count> theta;
  net.get_parameters(theta);
  double best = std::numeric_limits<double>::infinity();
  std::size_t since_best = 0;
  fixnet::full_batch::Lbfgs<float, Net::parameter_count> lbfgs({.max_iterations = 600});
  auto result = lbfgs.minimize(cost, theta, [&](const auto& it) {
    const double held_out = test_cost.value(it.theta);  // your early stopping
    since_best = held_out < best ? 0 : since_best + 1;
    best = std::min(best, held_out);
    return since_best < 20 ? fixnet::full_batch::Control::proceed
                           : fixnet::full_batch::Control::stop;
  });
  net.set_parameters(theta);

  BOOST_TEST_MESSAGE("L-BFGS: " << result.iterations << " iterations, cost " << result.cost
                                << ", lowest held-out cost " << best);
  BOOST_TEST((result.reason == full_batch::StopReason::callback));
  BOOST_TEST(result.iterations < 600u);
  BOOST_TEST(since_best == 20u);
  BOOST_TEST(evaluate<64>(net, test, BinaryCrossEntropy{}).accuracy() > 0.8);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

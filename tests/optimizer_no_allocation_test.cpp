// The optimisers' hot path allocates nothing: every optimiser's step (with
// every option that adds state or work), L2, clipping, norms, finiteness
// checks and schedules, counted by replacing every form of the global
// operator new in this binary. The same calls are noexcept.
//
// A binary of its own, because the replacement applies to the whole program.
#define BOOST_TEST_MODULE optimizer_no_allocation
#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <fixnet/fixnet.hpp>

#include "test_support.hpp"

#include "counting_new.hpp"
#include "allocation_support.hpp"

namespace fixnet::tests {
namespace {

/// A network, its gradients and every optimiser with the options that use
/// all of its state, allocated by the caller outside the counted region.
template <class Net>
struct HotPath {
  using T = typename Net::scalar_type;
  using P = Gradients<Net>;
  Net net;
  P grads;
  Sgd<Net> sgd{{.lr = T(0.01), .momentum = T(0.9), .weight_decay = T(1e-4), .nesterov = true}};
  Sgd<Net> dampened{{.lr = T(0.01), .momentum = T(0.9), .dampening = T(0.1), .decay_biases = false}};
  RmsProp<Net> rmsprop{{.lr = T(1e-3), .weight_decay = T(1e-4), .momentum = T(0.5), .centered = true}};
  Adam<Net> adam{{.lr = T(1e-3), .weight_decay = T(1e-4), .amsgrad = true}};
  AdamW<Net> adamw{{.lr = T(1e-3), .decay_biases = false}};
  L2<T> l2{T(1e-4)};
  LinearWarmup<CosineAnnealing<T>> schedule{3, {T(1e-3), 10}};
  StepDecay<T> step_decay{T(1e-3), 5};

  explicit HotPath(std::uint64_t seed) {
    initialize(net, init::XavierUniform{}, init::Normal{0.0, 0.1}, seed);
    initialize_gradients(seed);
  }

  void initialize_gradients(std::uint64_t seed) {
    TestRng rng(seed);
    std::vector<T> g(Net::parameter_count);
    for (T& x : g) x = uniform<T>(rng, -1, 1);
    grads.set_parameters(std::span<const T>(g));
  }

  /// One of everything; returns a checksum so that nothing is optimised away.
  T run(std::size_t epoch) noexcept {
    T sum = 0;
    sgd.set_learning_rate(schedule(epoch));
    adam.set_learning_rate(step_decay(epoch));
    l2.add_gradient(net, grads);
    sum += l2.penalty(net);
    sum += clip_gradient_norm(grads, T(1));
    sum += l2_norm(grads);
    sgd.step(net, grads);
    dampened.step(net.parameters(), grads);
    rmsprop.step(net, grads);
    adam.step(net, grads);
    adamw.step(net, grads);
    sum += all_finite(net) ? T(1) : T(0);
    sum += all_finite(grads) ? T(1) : T(0);
    sum += find_non_finite(net).has_value() ? T(1) : T(0);
    return sum;
  }

  // The same calls, as the compiler sees them.
  static_assert(noexcept(std::declval<Sgd<Net>&>().step(std::declval<Net&>(), std::declval<const P&>())));
  static_assert(noexcept(std::declval<Sgd<Net>&>().step(std::declval<P&>(), std::declval<const P&>())));
  static_assert(noexcept(std::declval<RmsProp<Net>&>().step(std::declval<Net&>(), std::declval<const P&>())));
  static_assert(noexcept(std::declval<Adam<Net>&>().step(std::declval<Net&>(), std::declval<const P&>())));
  static_assert(noexcept(std::declval<AdamW<Net>&>().step(std::declval<Net&>(), std::declval<const P&>())));
  static_assert(noexcept(std::declval<Adam<Net>&>().set_learning_rate(T(1))));
  static_assert(noexcept(std::declval<Adam<Net>&>().reset()));
  static_assert(noexcept(std::declval<const L2<T>&>().add_gradient(std::declval<const Net&>(), std::declval<P&>())));
  static_assert(noexcept(std::declval<const L2<T>&>().penalty(std::declval<const Net&>())));
  static_assert(noexcept(clip_gradient_norm(std::declval<P&>(), T(1))));
  static_assert(noexcept(l2_norm(std::declval<const P&>())));
  static_assert(noexcept(all_finite(std::declval<const Net&>())));
  static_assert(noexcept(find_non_finite(std::declval<const Net&>())));
  static_assert(noexcept(std::declval<const LinearWarmup<CosineAnnealing<T>>&>()(std::size_t{1})));
};

/// Warms up with epoch 0, then counts the allocations of epochs 1 and 7.
template <class Path>
void check_allocates_nothing(const char* what) {
  auto path = std::make_unique<Path>(1);
  const std::array<std::size_t, 3> epochs{0, 1, 7};
  std::size_t round = 0;
  check_allocates_nothing_after_warm_up(what, [&] { return path->run(epochs[round++]); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(optimizer_no_allocation)

// Without this, a counter that never counts would pass the test below.
BOOST_AUTO_TEST_CASE(the_counter_counts) {
  const std::size_t start = allocation_count();
  auto p = std::make_unique<Adam<Mlp<Sigmoid, Softmax, 2, 4, 3>>>();
  BOOST_TEST(allocation_count() - start == 1u);
}

BOOST_AUTO_TEST_CASE(optimizer_steps_l2_clipping_and_checks_allocate_nothing) {
  check_allocates_nothing<HotPath<Mlp<Sigmoid, Softmax, 2, 4, 3>>>("2-4-3 float");
  check_allocates_nothing<HotPath<Mlp<Sigmoid, Softmax, 784, 50, 10>>>("784-50-10 float");
  check_allocates_nothing<HotPath<Network<Dense<2, 4, Sigmoid, NoBias>, Dense<4, 1, Sigmoid, NoBias>>>>(
      "2-4-1 without bias");
  check_allocates_nothing<HotPath<BasicNetwork<double, Dense<3, 6, Tanh>, Dense<6, 5, Relu>, Dense<5, 2, Sigmoid>>>>(
      "3-6-5-2 double");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

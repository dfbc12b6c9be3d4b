// The hot path allocates nothing: forward (one sample and a batch), backward
// (one sample and a batch, row and class-index targets), loss, the gradient
// descent step and the gradient operations, counted by replacing every form
// of the global operator new in this binary. The same calls are noexcept.
//
// A binary of its own, because the replacement applies to the whole program.
#define BOOST_TEST_MODULE no_allocation
#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include <fixnet/fixnet.hpp>
#include <fixnet/quantized.hpp>
#include <fixnet/train/data_parallel.hpp>

#include "test_support.hpp"

#include "counting_new.hpp"
#include "allocation_support.hpp"

namespace fixnet::tests {
namespace {

template <class Net>
inline constexpr bool dropout_of = detail::has_stochastic_layer<Net>;

/// Runs every hot-path call of Net once; returns a checksum of the results so
/// that nothing is optimised away. Net, workspace, gradients and data are
/// allocated by the caller, outside the counted region.
template <class Net, class L, std::size_t B, class Tgt>
struct HotPath {
  using T = typename Net::scalar_type;
  static constexpr bool kDropout = dropout_of<Net>;
  Net net;
  Gradients<Net> grads, other;
  Workspace<Net, B> ws;
  std::array<std::array<T, Net::inputs>, B> xs{};
  std::array<std::array<T, Net::outputs>, B> ys{};
  std::array<Tgt, B> targets{};
  std::array<T, Net::outputs> target_row{};

  explicit HotPath(std::uint64_t seed) {
    initialize(net, init::XavierUniform{}, init::Normal{0.0, 0.1}, seed);
    TestRng rng(seed);
    for (auto& x : xs) x = uniform_array<T, Net::inputs>(rng, 0, 1);
    for (std::size_t b = 0; b < B; ++b) {
      if constexpr (std::is_integral_v<Tgt>) {
        targets[b] = static_cast<Tgt>(b % Net::outputs);
      } else {
        targets[b] = uniform_array<T, Net::outputs>(rng, 0, 1);
      }
    }
    target_row[0] = T(1);
  }

  T run() noexcept {
    T sum = 0;
    const auto y = net.forward(xs[0]);
    sum += y[0];
    net.forward(xs, ys, ws);
    sum += ys[B - 1][0];
    if constexpr (!kDropout) {  // training with Dropout needs a workspace
      sum += net.backward(xs[0], targets[0], L{}, grads);
      sum += net.backward(xs[1], target_row, L{}, grads);
    }
    sum += net.backward(xs, targets, L{}, grads, ws);
    sum += net.loss(xs[0], targets[0], L{});
    sum += net.loss(xs, targets, L{}, ws);
    grads.scale(T(1) / T(B));
    other.add_scaled(T(0.5), grads);
    GradientDescent<T>{T(0.01)}.step(net, grads);
    sum += GradientDescent<T>{T(0.01)}.step(net, xs, targets, L{}, ws);
    if constexpr (!kDropout) sum += GradientDescent<T>{T(0.01)}.step(net, xs[0], targets[0], L{});
    grads.zero();
    return sum;
  }

  // The same calls, as the compiler sees them: noexcept, so they may run
  // where exceptions are banned and cannot throw.
  static_assert(noexcept(std::declval<const Net&>().forward(std::declval<const std::array<T, Net::inputs>&>())));
  static_assert(noexcept(std::declval<const Net&>().forward(std::declval<const decltype(xs)&>(),
                                                            std::declval<decltype(ys)&>(),
                                                            std::declval<Workspace<Net, B>&>())));
  static_assert(kDropout ||
                noexcept(std::declval<const Net&>().backward(std::declval<const std::array<T, Net::inputs>&>(),
                                                             std::declval<const Tgt&>(), L{},
                                                             std::declval<Gradients<Net>&>())));
  static_assert(noexcept(std::declval<const Net&>().backward(std::declval<const decltype(xs)&>(),
                                                             std::declval<const decltype(targets)&>(), L{},
                                                             std::declval<Gradients<Net>&>(),
                                                             std::declval<Workspace<Net, B>&>())));
  static_assert(noexcept(std::declval<const Net&>().loss(std::declval<const std::array<T, Net::inputs>&>(),
                                                         std::declval<const Tgt&>(), L{})));
  static_assert(noexcept(std::declval<const Net&>().loss(std::declval<const decltype(xs)&>(),
                                                         std::declval<const decltype(targets)&>(), L{},
                                                         std::declval<Workspace<Net, B>&>())));
  static_assert(noexcept(std::declval<const GradientDescent<T>&>().step(std::declval<Net&>(),
                                                                        std::declval<const Gradients<Net>&>())));
  static_assert(noexcept(std::declval<const GradientDescent<T>&>().step(
      std::declval<Net&>(), std::declval<const decltype(xs)&>(), std::declval<const decltype(targets)&>(), L{},
      std::declval<Workspace<Net, B>&>())));
  static_assert(noexcept(std::declval<Gradients<Net>&>().scale(T(1))));
  static_assert(noexcept(std::declval<Gradients<Net>&>().zero()));
  static_assert(noexcept(std::declval<Gradients<Net>&>().add_scaled(T(1), std::declval<const Gradients<Net>&>())));
};

/// Warms up (first calls may touch lazily initialised state), then counts the
/// allocations of a second and third run.
template <class Path>
void check_allocates_nothing(const char* what) {
  auto path = std::make_unique<Path>(1);
  check_allocates_nothing_after_warm_up(what, [&] { return path->run(); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(no_allocation)

// Without this, a counter that never counts would pass every test below.
// The pointers escape through a volatile so that no new/delete pair can be
// elided by the optimiser.
void* volatile escaped = nullptr;

template <class P>
P* escape(P* p) {
  escaped = p;
  return p;
}

BOOST_AUTO_TEST_CASE(the_counter_sees_every_form_of_operator_new) {
  struct alignas(128) Wide {
    char bytes[128];
  };
  const std::size_t start = allocation_count();
  delete escape(new int(1));
  delete[] escape(new int[3]);
  delete escape(new Wide);
  delete[] escape(new Wide[2]);
  delete escape(new (std::nothrow) int(2));
  delete[] escape(new (std::nothrow) int[2]);
  delete escape(new (std::nothrow) Wide);
  delete[] escape(new (std::nothrow) Wide[2]);
  std::vector<double> v(100);
  escape(v.data());
  BOOST_TEST(allocation_count() - start == 9u);
}

BOOST_AUTO_TEST_CASE(forward_backward_loss_and_updates_allocate_nothing) {
  check_allocates_nothing<HotPath<Mlp<Sigmoid, Softmax, 2, 4, 3>, CrossEntropy, 8, int>>(
      "2-4-3 float, class indices");
  check_allocates_nothing<HotPath<Mlp<Sigmoid, Softmax, 784, 50, 10>, CrossEntropy, 16, unsigned char>>(
      "784-50-10 float, class indices");
  check_allocates_nothing<HotPath<Network<Dense<2, 4, Sigmoid, NoBias>, Dense<4, 1, Sigmoid, NoBias>>,
                                  MeanSquaredError, 5, std::array<float, 1>>>("2-4-1 without bias, MSE");
  check_allocates_nothing<HotPath<BasicNetwork<double, Dense<3, 6, Tanh>, Dense<6, 5, Relu>,
                                               Dense<5, 4, LeakyRelu>, Dense<4, 2, Sigmoid>>,
                                  BinaryCrossEntropy, 3, std::array<double, 2>>>(
      "3-6-5-4-2 double, binary cross-entropy");
  check_allocates_nothing<HotPath<Network<Dense<784, 64, Relu>, Dropout<64, std::ratio<1, 5>>, Dense<64, 10, Softmax>>,
                                  CrossEntropy, 32, unsigned char>>("784-64-10 with dropout, samples in rows");
  check_allocates_nothing<HotPath<Network<Dense<2, 16, Relu>, Dropout<16>, Dense<16, 3, Softmax>>, CrossEntropy,
                                  32, int>>("2-16-3 with dropout, samples in lanes");
}

// A quantized network's forward passes: one sample from floats and from
// codes, and a batch (groups of samples and a rest).
BOOST_AUTO_TEST_CASE(quantized_forward_passes_allocate_nothing) {
  using Net = Network<Dense<784, 50, Sigmoid>, Dropout<50>, Dense<50, 10, Softmax>>;
  using Q = Quantized<Net>;
  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Uniform{-0.1, 0.1}, 3);
  std::vector<std::array<float, 784>> rows(7);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t i = 0; i < 784; ++i)
      rows[r][i] = static_cast<float>((r * 13 + i) % 256) / 255.0f;
  const auto q = std::make_unique<Q>(quantize(*net, rows));
  auto codes = std::make_unique<std::array<std::array<std::uint8_t, 784>, 7>>();
  auto xs = std::make_unique<std::array<std::array<float, 784>, 7>>();
  auto ys = std::make_unique<std::array<std::array<float, 10>, 7>>();
  for (std::size_t r = 0; r < 7; ++r) (*xs)[r] = rows[r];
  static_assert(noexcept(q->forward((*xs)[0])));
  static_assert(noexcept(q->forward((*codes)[0])));
  static_assert(noexcept(q->forward(*xs, *ys)));
  check_allocates_nothing_after_warm_up("quantized 784-50-10 forward", [&] {
    float sum = q->forward((*xs)[0])[0] + q->forward((*codes)[1])[0];
    q->forward(*xs, *ys);
    q->forward(*codes, *ys);
    return sum + (*ys)[6][0];
  });
}

// Data-parallel passes: the team, workspaces and gradient sets are made by
// the constructor; a step, a gradient and a forward pass on two threads
// allocate nothing (on either thread: the counter is global).
BOOST_AUTO_TEST_CASE(data_parallel_passes_allocate_nothing) {
  using Net = Mlp<Sigmoid, Softmax, 784, 50, 10>;
  constexpr std::size_t B = 8;
  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Zeros{}, 1);
  auto xs = std::make_unique<std::array<std::array<float, 784>, B>>();
  for (std::size_t b = 0; b < B; ++b) (*xs)[b].fill(0.01f * float(b));
  std::array<unsigned char, B> labels{};
  std::array<std::array<float, 10>, B> ys{};
  auto grads = std::make_unique<Gradients<Net>>();
  DataParallel<Net, B> team;
  const GradientDescent<float> sgd{0.01f};
  const auto run = [&] {
    float sum = team.step(*net, *xs, labels, CrossEntropy{}, sgd);
    sum += team.backward(*net, *xs, labels, CrossEntropy{}, *grads);
    team.forward(*net, *xs, ys);
    return sum + ys[B - 1][0];
  };
  check_allocates_nothing_after_warm_up("DataParallel step, backward and forward", run);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

// Tests of fixnet/train/data_parallel.hpp: a batch split over threads gives the
// one-thread results (forward exactly, gradients and steps up to the order
// of the sums), for samples in rows and in lanes, 2 and 3 threads, and
// stays so over many steps (no lost or torn update).
#define BOOST_TEST_MODULE data_parallel
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include <fixnet/train/data_parallel.hpp>
#include <fixnet/fixnet.hpp>

#include "test_support.hpp"

namespace fixnet::tests {
namespace {

template <class Net>
std::vector<float> parameters_of(const Net& net) {
  std::vector<float> p(Net::parameter_count);
  net.get_parameters(std::span<float, Net::parameter_count>(p.data(), p.size()));
  return p;
}

template <class Net, std::size_t B>
struct Data {
  std::array<std::array<float, Net::inputs>, B> xs;
  std::array<int, B> labels;
  explicit Data(std::uint64_t seed) {
    TestRng rng(seed);
    for (std::size_t b = 0; b < B; ++b) {
      for (float& v : xs[b]) v = uniform<float>(rng, -2, 2);
      labels[b] = static_cast<int>(rng() % Net::outputs);
    }
  }
};

template <class Net>
std::unique_ptr<Net> make_net(std::uint64_t seed) {
  auto net = std::make_unique<Net>();
  initialize(*net, init::XavierUniform{}, init::Normal{0.0, 0.5}, seed);
  return net;
}

void check_close(const std::vector<float>& a, const std::vector<float>& b, float tolerance,
                 const char* what) {
  BOOST_TEST_CONTEXT(what) {
    BOOST_TEST(a.size() == b.size());
    float worst = 0, largest = 1;
    for (std::size_t i = 0; i < a.size(); ++i) {
      worst = std::max(worst, std::abs(a[i] - b[i]));
      largest = std::max(largest, std::abs(b[i]));
    }
    BOOST_TEST(worst <= tolerance * largest);
  }
}

/// Forward, backward (with a scale, onto non-zero gradients) and a step on
/// Threads threads against the same calls on one.
template <class Net, std::size_t B, std::size_t Threads>
void check_matches_one_thread() {
  const Data<Net, B> d(1);
  const auto net = make_net<Net>(2);
  DataParallel<Net, B, Threads> team;
  auto ws = std::make_unique<Workspace<Net, B>>();

  std::array<std::array<float, Net::outputs>, B> ys, expected_ys;
  team.forward(*net, d.xs, ys);
  net->forward(d.xs, expected_ys, *ws);
  BOOST_TEST(ys == expected_ys);  // each sample is computed alike whatever its thread

  auto grads = std::make_unique<Gradients<Net>>();
  auto expected = std::make_unique<Gradients<Net>>();
  {
    TestRng rng(3);
    std::vector<float> start(Net::parameter_count);
    for (float& v : start) v = uniform<float>(rng, -1, 1);
    grads->set_parameters(std::span<const float>(start));
    expected->set_parameters(std::span<const float>(start));
  }
  const float loss = team.backward(*net, d.xs, d.labels, CrossEntropy{}, *grads, 0.5f);
  const float expected_loss = net->backward(d.xs, d.labels, CrossEntropy{}, *expected, *ws, 0.5f);
  BOOST_TEST(loss == expected_loss, boost::test_tools::tolerance(1e-5f));
  std::vector<float> g(Net::parameter_count), e(Net::parameter_count);
  grads->get_parameters(std::span<float, Net::parameter_count>(g.data(), g.size()));
  expected->get_parameters(std::span<float, Net::parameter_count>(e.data(), e.size()));
  check_close(g, e, 1e-5f, "gradients");

  auto stepped = std::make_unique<Net>(*net);
  auto expected_step = std::make_unique<Net>(*net);
  const GradientDescent<float> sgd{0.05f};
  const float step_loss = team.step(*stepped, d.xs, d.labels, CrossEntropy{}, sgd);
  BOOST_TEST(step_loss == expected_loss, boost::test_tools::tolerance(1e-5f));
  sgd.step(*expected_step, d.xs, d.labels, CrossEntropy{}, *ws);
  check_close(parameters_of(*stepped), parameters_of(*expected_step), 1e-6f,
              "parameters after a step");
  BOOST_TEST(parameters_of(*stepped) != parameters_of(*net));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(data_parallel)

using Wide = Network<Dense<40, 37, Tanh>, Dense<37, 6, Relu, NoBias>, Dense<6, 5, Softmax>>;
using Blobs = Mlp<Sigmoid, Softmax, 2, 4, 3>;

BOOST_AUTO_TEST_CASE(two_threads_match_one_with_samples_in_rows) {
  check_matches_one_thread<Wide, 18, 2>();
}

BOOST_AUTO_TEST_CASE(three_threads_match_one_with_samples_in_rows) {
  check_matches_one_thread<Wide, 18, 3>();
}

BOOST_AUTO_TEST_CASE(two_threads_match_one_with_samples_in_lanes) {
  static_assert(Workspace<Blobs, 32>::lanes);
  check_matches_one_thread<Blobs, 64, 2>();
}

BOOST_AUTO_TEST_CASE(one_thread_is_the_plain_path) { check_matches_one_thread<Wide, 6, 1>(); }

// 2000 steps on the same team: a lost update, a race between one thread's
// update and the other's backward, or a missed barrier would drift the
// trajectory away from the one-thread run far beyond rounding.
BOOST_AUTO_TEST_CASE(many_steps_follow_the_one_thread_trajectory) {
  constexpr std::size_t B = 16;
  const Data<Wide, B> d(4);
  auto parallel = make_net<Wide>(5);
  auto single = std::make_unique<Wide>(*parallel);
  DataParallel<Wide, B> team;
  auto ws = std::make_unique<Workspace<Wide, B>>();
  const GradientDescent<float> sgd{0.01f};
  float first = 0, last = 0;
  for (int step = 0; step < 2000; ++step) {
    last = team.step(*parallel, d.xs, d.labels, CrossEntropy{}, sgd);
    sgd.step(*single, d.xs, d.labels, CrossEntropy{}, *ws);
    if (step == 0) first = last;
  }
  BOOST_TEST_MESSAGE("summed loss " << first << " -> " << last);
  BOOST_TEST(last < first / 4);
  check_close(parameters_of(*parallel), parameters_of(*single), 1e-3f,
              "parameters after 2000 steps");
}

// With dropout, each thread's masks come from its own seed: the two halves
// of a batch of identical samples see different masks.
BOOST_AUTO_TEST_CASE(dropout_masks_differ_between_threads) {
  using Net = Network<Dense<8, 64, Relu>, Dropout<64>, Dense<64, 3, Softmax>>;
  constexpr std::size_t B = 2;
  std::array<std::array<float, 8>, B> xs{};
  xs[0].fill(1.0f);
  xs[1].fill(1.0f);
  const std::array<int, B> labels{0, 0};
  const auto net = make_net<Net>(6);
  DataParallel<Net, B> team(7);
  Gradients<Net> g;
  const float pair = team.backward(*net, xs, labels, CrossEntropy{}, g);
  // Thread 0's share alone: the same seed (7), the same first pass.
  Gradients<Net> g0;
  auto ws = std::make_unique<Workspace<Net, 1>>();
  ws->dropout_seed = 7;
  const float first =
      net->backward(std::span<const std::array<float, 8>, 1>(xs.data(), 1),
                    std::span<const int, 1>(labels.data(), 1), CrossEntropy{}, g0, *ws);
  const float second = pair - first;  // thread 1's share
  BOOST_TEST(std::isfinite(pair));
  BOOST_TEST(std::abs(second - first) > 1e-4f);
}

// docs/speed.md's loop: the gradient of 60000 samples summed in chunks of
// 1000 on two threads is one thread's, up to the order of the sums.
BOOST_AUTO_TEST_CASE(the_documented_chunked_gradient_is_one_threads) {
  using Net = Mlp<Sigmoid, Softmax, 8, 16, 3>;
  constexpr std::size_t n = 60000;
  const auto owned_data = std::make_unique<Data<Net, n>>(11);
  const Data<Net, n>& data = *owned_data;
  const auto owned = make_net<Net>(12);
  const Net& net = *owned;
  const auto xs_chunk = [&](std::size_t first) {
    return std::span<const std::array<float, 8>, 1000>(data.xs.data() + first, 1000);
  };
  const auto labels_chunk = [&](std::size_t first) {
    return std::span<const int, 1000>(data.labels.data() + first, 1000);
  };
  auto owned_grads = std::make_unique<Gradients<Net>>();
  Gradients<Net>& grads = *owned_grads;
  float loss = 0;

  fixnet::DataParallel<Net, 1000> team;  // 2 threads
  grads.zero();
  for (std::size_t first = 0; first < 60000; first += 1000)
    loss += team.backward(net, xs_chunk(first), labels_chunk(first), fixnet::CrossEntropy{}, grads);

  auto single = std::make_unique<Gradients<Net>>();
  auto ws = std::make_unique<Workspace<Net, 1000>>();
  float single_loss = 0;
  for (std::size_t first = 0; first < n; first += 1000)
    single_loss += net.backward(xs_chunk(first), labels_chunk(first), CrossEntropy{}, *single, *ws);
  BOOST_TEST(loss == single_loss, boost::test_tools::tolerance(1e-4f));
  std::vector<float> a(Net::parameter_count), b(Net::parameter_count);
  grads.get_parameters(std::span<float, Net::parameter_count>(a.data(), a.size()));
  single->get_parameters(std::span<float, Net::parameter_count>(b.data(), b.size()));
  check_close(a, b, 1e-4f, "gradient of 60000 samples");
  BOOST_TEST(std::abs(a[0]) > 0.0f);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests

// What the README's real-time section claims, checked: a network held in a
// processor object runs a caller's raw buffers through fixed-extent spans,
// allocates nothing and throws nothing there, and one const network may be
// shared by threads calling `forward` at once (forward reads the parameters
// and writes only its own stack), each getting what a lone caller gets.
#define BOOST_TEST_MODULE realtime
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <thread>
#include <vector>

#include <fixnet/fixnet.hpp>

#include "counting_new.hpp"
#include "test_support.hpp"

namespace fixnet::tests {
namespace {

// A waveshaper: one sample in, one out, as in an audio plug-in.
using Shaper = fixnet::Mlp<fixnet::Tanh, fixnet::Identity, 1, 8, 8, 1>;

// The network lives in the processor, set up (loaded, or baked) before the
// audio thread starts; the callback only reads it.
struct Processor {
  Shaper net;

  void process(const float* in, float* out, std::size_t frames) const noexcept {
    for (std::size_t i = 0; i < frames; ++i)
      out[i] = net.forward(std::span<const float, 1>(in + i, 1))[0];
  }
};
static_assert(noexcept(std::declval<const Processor&>().process(nullptr, nullptr, 0)));

using Controller = fixnet::Mlp<fixnet::Relu, fixnet::Tanh, 16, 32, 32, 4>;

BOOST_AUTO_TEST_SUITE(realtime)

BOOST_AUTO_TEST_CASE(a_callback_over_raw_buffers_allocates_nothing) {
  Processor p;
  initialize(p.net, init::XavierUniform{}, init::Uniform{-0.1, 0.1}, 1);
  std::vector<float> in(256), out(256), expected(256);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i) / 128.0f - 1.0f;
  for (std::size_t i = 0; i < in.size(); ++i) expected[i] = p.net.forward(std::array<float, 1>{in[i]})[0];
  const std::size_t before = allocations.load();
  p.process(in.data(), out.data(), in.size());
  BOOST_TEST(allocations.load() == before);
  BOOST_TEST(out == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(threads_share_one_const_network) {
  // One network, read by four threads at once, each over its own inputs.
  static Controller shared;  // 30 KB: static storage, not a thread's stack
  initialize(shared, init::HeNormal{}, init::Zeros{}, 2);
  const Controller& net = shared;
  constexpr std::size_t threads = 4, rows = 2000;
  std::vector<std::array<float, 16>> inputs(threads * rows);
  TestRng rng(3);
  for (auto& x : inputs) x = uniform_array<float, 16>(rng, -1, 1);
  std::vector<std::array<float, 4>> alone(inputs.size()), together(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) alone[i] = net.forward(inputs[i]);

  std::vector<std::thread> team;
  for (std::size_t t = 0; t < threads; ++t)
    team.emplace_back([&, t] {
      for (int repeat = 0; repeat < 5; ++repeat)
        for (std::size_t i = t * rows; i < (t + 1) * rows; ++i) together[i] = net.forward(inputs[i]);
    });
  for (auto& thread : team) thread.join();
  BOOST_TEST((together == alone));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace fixnet::tests

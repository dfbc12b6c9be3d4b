// fixnet benchmarks — inference scenarios (issue 3, scenarios 1 and 2), as
// templates over the network and batch size; bench/forward_sample.cpp and
// bench/forward_batch.cpp instantiate and register them (two binaries, so
// that each compiles in well under 30 s).
//
// Throughput: each iteration runs one of 64 pre-generated inputs, in turn,
// and nothing depends on the previous output, so the CPU overlaps
// consecutive samples as far as its out-of-order window allows: samples/s of
// a pipeline or a server.
//
// Latency: each iteration's input depends on the previous output. The next
// input is x + zero * y[0], with x the next pre-generated input, y[0] the
// first output of the previous sample (which depends on every parameter and
// every input of that sample, through the softmax), and zero a 0.0f read
// from a volatile, so the compiler cannot fold it away. The values stay those
// of x, but every element of the input, hence every instruction of the next
// forward pass, waits for the previous one to finish: the time per sample of
// a real-time loop whose next input needs the last output. The fold costs one
// add per input element, the same for every implementation.
#ifndef FIXNET_BENCH_FORWARD_HPP
#define FIXNET_BENCH_FORWARD_HPP

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "../tests/reference.hpp"
#include "common.hpp"
#include "eigen_mlp.hpp"

namespace fixnet_bench::forward {

/// Pre-generated inputs cycled through by the one-sample scenarios: 64 x 784
/// floats (196 KiB) plus 784-50-10's weights (156 KiB) stay in L2, as in a
/// network that serves requests; a power of two, so the index wraps cheaply.
constexpr std::size_t kInputs = 64;

/// One network, its Eigen twin with the same parameters, and the inputs
/// (64 for one-sample scenarios, B for batches).
template <class Net, int B = 1>
struct Fixture {
  using Eigen = EigenMlpFor<Net>;
  static constexpr std::size_t samples = B == 1 ? kInputs : std::size_t(B);

  std::unique_ptr<Net> net = make_network<Net>(1);
  std::unique_ptr<Eigen> eigen = std::make_unique<Eigen>();
  std::unique_ptr<EigenBatchFor<Eigen, B>> batch = std::make_unique<EigenBatchFor<Eigen, B>>();
  AlignedVector<std::array<float, Net::inputs>> xs = random_inputs<Net::inputs>(samples, 2);

  Fixture() { eigen->load(*net); }

  using network_type = Net;
  /// One sample through the Eigen twin; returns its first output.
  float eigen_one(const std::array<float, Net::inputs>& x) {
    eigen_forward(*eigen, input_columns<Net::inputs, 1>(&x), *batch);
    escape(batch->y.data);
    return batch->y.data[0];
  }
};

/// x = base + zero * carry: see "Latency" at the top of this file.
template <std::size_t N>
void fold(const std::array<float, N>& base, float zero, float carry, std::array<float, N>& x) {
  const float t = zero * carry;
  for (std::size_t k = 0; k < N; ++k) x[k] = base[k] + t;
}

// --- One sample -------------------------------------------------------------

/// The three contenders of the one-sample scenarios.
enum class Contender { fixnet, eigen, reference };

/// One forward pass of `x` by contender C, kept from being optimised away;
/// returns the first output (for the latency chain). F is a fixture with a
/// network, its scalar reference and an Eigen twin (`eigen_one`).
template <Contender C, class F>
float forward_one(F& f, const std::array<float, F::network_type::inputs>& x) {
  if constexpr (C == Contender::eigen) {
    return f.eigen_one(x);
  } else if constexpr (C == Contender::fixnet) {
    auto y = f.net->forward(x);
    escape(y);
    return y[0];
  } else {
    auto y = fixnet::reference::forward(*f.net, x);
    escape(y);
    return y[0];
  }
}

template <class F, Contender C>
void throughput(benchmark::State& state) {
  using Net = typename F::network_type;
  F f;
  std::size_t i = 0;
  for (auto _ : state) {
    forward_one<C>(f, f.xs[i]);
    i = (i + 1) % kInputs;
  }
  set_sample_counters(state, 1, forward_flops<Net>());
}

template <class F, Contender C>
void latency(benchmark::State& state) {
  using Net = typename F::network_type;
  F f;
  const float zero = runtime_zero();
  std::array<float, Net::inputs> x;
  float carry = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    fold(f.xs[i], zero, carry, x);
    escape(x);
    carry = forward_one<C>(f, x);
    i = (i + 1) % kInputs;
  }
  benchmark::DoNotOptimize(carry);
  set_sample_counters(state, 1, forward_flops<Net>());
}

/// forward/<shape><suffix>/{throughput,latency}/{fixnet,eigen,reference}
/// for fixture F (Fixture<Net> unless another Eigen twin is wanted).
template <class F>
void register_one_sample(const std::string& suffix = "") {
  const std::string scenario = "forward/" + shape_name<typename F::network_type>() + suffix;
  add_contenders(scenario + "/throughput", throughput<F, Contender::fixnet>,
                 throughput<F, Contender::eigen>, throughput<F, Contender::reference>);
  add_contenders(scenario + "/latency", latency<F, Contender::fixnet>,
                 latency<F, Contender::eigen>, latency<F, Contender::reference>);
}

// --- Batches ----------------------------------------------------------------
// The same B inputs every iteration (at B = 128 they are 392 KiB). fixnet's
// API copies them into its workspace and the outputs out of it; Eigen reads
// the inputs in place and leaves its outputs in its batch buffer: each as a
// user of it would.

/// Times `pass()`, a forward pass of B samples that leaves its outputs in
/// memory, once per iteration.
template <class Net, int B, class Pass>
void time_batches(benchmark::State& state, Pass&& pass) {
  for (auto _ : state) {
    pass();
    benchmark::ClobberMemory();
  }
  set_sample_counters(state, B, forward_flops<Net>());
}

template <class Net, int B>
void batch_fixnet(benchmark::State& state) {
  Fixture<Net, B> f;
  auto ws = std::make_unique<fixnet::Workspace<Net, B>>();
  AlignedVector<std::array<float, Net::outputs>> ys(B);
  const std::span<const std::array<float, Net::inputs>, B> xs(f.xs.data(), B);
  time_batches<Net, B>(state, [&] {
    f.net->forward(xs, std::span<std::array<float, Net::outputs>, B>(ys.data(), B), *ws);
    benchmark::DoNotOptimize(ys.data());
  });
}

template <class Net, int B>
void batch_eigen(benchmark::State& state) {
  Fixture<Net, B> f;
  time_batches<Net, B>(state, [&] {
    eigen_forward(*f.eigen, input_columns<Net::inputs, B>(f.xs.data()), *f.batch);
    benchmark::DoNotOptimize(f.batch->y.data);
  });
}

template <class Net, int B>
void batch_reference(benchmark::State& state) {
  Fixture<Net, B> f;
  for (auto _ : state) {
    for (int b = 0; b < B; ++b) {
      auto y = fixnet::reference::forward(*f.net, f.xs[b]);
      benchmark::DoNotOptimize(y);
    }
  }
  set_sample_counters(state, B, forward_flops<Net>());
}

/// Registers the batch scenarios of Net at each batch size, in that order.
template <class Net, int... Bs>
void register_batches() {
  (add_contenders("forward_batch/" + shape_name<Net>() + "/batch_" + std::to_string(Bs),
                  batch_fixnet<Net, Bs>, batch_eigen<Net, Bs>, batch_reference<Net, Bs>),
   ...);
}

// --- Checks -----------------------------------------------------------------

/// Softmax outputs lie in [0, 1]; the implementations differ in their exp
/// and sigmoid approximations (a few ULP) and in summation order.
constexpr float kTolerance = 1e-5f;

template <class Row>
std::vector<float> to_vector(const Row& row) {
  return std::vector<float>(row.begin(), row.end());
}

/// fixnet's one-sample forward and Eigen's (B = 1) agree with the reference
/// on the 64 inputs of the one-sample scenarios.
template <class Net>
void verify_one_sample() {
  Fixture<Net> f;
  const std::string shape = shape_name<Net>();
  for (std::size_t i = 0; i < kInputs; ++i) {
    const auto expected = to_vector(fixnet::reference::forward(*f.net, f.xs[i]));
    check_close(shape + " forward, fixnet vs reference", expected,
                to_vector(f.net->forward(f.xs[i])), kTolerance);
    eigen_forward(*f.eigen, input_columns<Net::inputs, 1>(&f.xs[i]), *f.batch);
    check_close(shape + " forward, Eigen vs reference", expected, to_vector(f.batch->y.data),
                kTolerance);
  }
}

/// fixnet's and Eigen's batch forward agree with the reference.
template <class Net, int B>
void verify_batch() {
  Fixture<Net, B> f;
  const std::string what = shape_name<Net>() + " batch " + std::to_string(B) + " forward";
  eigen_forward(*f.eigen, input_columns<Net::inputs, B>(f.xs.data()), *f.batch);
  auto ws = std::make_unique<fixnet::Workspace<Net, B>>();
  std::vector<std::array<float, Net::outputs>> ys(B);
  f.net->forward(std::span<const std::array<float, Net::inputs>, B>(f.xs.data(), B),
                 std::span<std::array<float, Net::outputs>, B>(ys.data(), B), *ws);
  for (int b = 0; b < B; ++b) {
    const auto expected = to_vector(fixnet::reference::forward(*f.net, f.xs[b]));
    check_close(what + ", fixnet vs reference", expected, to_vector(ys[b]), kTolerance);
    check_close(what + ", Eigen vs reference", expected, to_vector(f.batch->y.m().col(b)),
                kTolerance);
  }
}

/// verify_batch at each batch size.
template <class Net, int... Bs>
void verify_batches() {
  (verify_batch<Net, Bs>(), ...);
}

/// The one-sample scenarios of each of Nets, checked and registered in that
/// order.
template <class... Nets>
struct OneSample {
  static void verify() { (verify_one_sample<Nets>(), ...); }
  static void add() { (register_one_sample<Fixture<Nets>>(), ...); }
};

}  // namespace fixnet_bench::forward

#endif  // FIXNET_BENCH_FORWARD_HPP

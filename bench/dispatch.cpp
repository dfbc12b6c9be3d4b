// fixnet benchmarks — runtime dispatch (issue 3, "Runtime dispatch"): the
// passes of fixnet/dispatch/dynamic_dispatch.hpp on every Highway target compiled into
// this binary and supported by this CPU, in one run, beside the static path
// (`net.forward`, `net.backward`) of the target the compiler flags select:
//
//   dispatch/<target>/2-4-3/forward                one sample, throughput
//   dispatch/<target>/784-50-10/forward            one sample, throughput
//   dispatch/<target>/784-50-10/train_step_batch_32
//       one gradient-descent step on 32 samples (cross-entropy, class
//       indices), fused as in bench/train.hpp: the static path's
//       GradientDescent::step(net, xs, labels, loss, ws), the Dispatcher's
//       backward(net, xs, labels, loss, net.parameters(), ws, -rate)
//
// and the same under dispatch/static_<target>/ for the static path. Compare
// dispatch/X with dispatch/static_X for the cost of dispatching (one
// indirect call per pass), and the targets with one another for what the
// best target of a CPU is worth.
//
// Highway compiles by default only the targets at least as good as the
// static one; meson.build gives this binary -DHWY_COMPILE_ALL_ATTAINABLE so
// that it holds every target the compiler can attain. The whole file is
// compiled once per target (hwy/foreach_target.h), as a user's would be. The
// lower targets are compiled here with this build's -march flags as well, so
// code outside Highway's vector ops may use newer instructions than a binary
// built for the baseline would.
#ifndef FIXNET_BENCH_DISPATCH_PRELUDE
#define FIXNET_BENCH_DISPATCH_PRELUDE

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#endif  // FIXNET_BENCH_DISPATCH_PRELUDE

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dispatch.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <fixnet/dispatch/dynamic_dispatch.hpp>
#include <fixnet/fixnet.hpp>

#include "common.hpp"

namespace fixnet_bench {

// 2-4-3 only infers here: a batch size of 1, no loss.
FIXNET_DYNAMIC_DISPATCH(blobs_dispatcher, Blobs, 1);
FIXNET_DYNAMIC_DISPATCH(mnist_dispatcher, Mnist, 32, fixnet::CrossEntropy);

}  // namespace fixnet_bench

#if HWY_ONCE
namespace fixnet_bench {
namespace {

/// Inputs cycled through by the one-sample scenarios, as in bench/forward.hpp.
constexpr std::size_t kInputs = 64;
/// The training batch, and the pool of samples it alternates over (as in
/// bench/train.hpp).
constexpr std::size_t kBatch = 32;
constexpr std::size_t kPool = 64;
constexpr float kLearningRate = 0.1f;

template <std::size_t N>
using Row = std::array<float, N>;
using BlobsDispatcher = decltype(blobs_dispatcher());
using MnistDispatcher = decltype(mnist_dispatcher());

/// Each compiled target this CPU supports, best first, with the Dispatchers
/// made while it was forced (they keep it).
struct TargetDispatchers {
  std::int64_t target;
  BlobsDispatcher blobs;
  MnistDispatcher mnist;
};

std::vector<TargetDispatchers> dispatchers_per_target() {
  std::vector<TargetDispatchers> all;
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    all.push_back({target, blobs_dispatcher(), mnist_dispatcher()});
  }
  hwy::SetSupportedTargetsForTest(0);  // back to what this CPU supports
  return all;
}

// --- One sample forward -------------------------------------------------------

/// The pass under test: the static path or a Dispatcher.
struct Static {};

template <class Net, class Via>
void forward(benchmark::State& state, Via via) {
  const auto net = make_network<Net>(1);
  const auto xs = random_inputs<Net::inputs>(kInputs, 2);
  std::size_t i = 0;
  for (auto _ : state) {
    if constexpr (std::is_same_v<Via, Static>) {
      auto y = net->forward(xs[i]);
      benchmark::DoNotOptimize(y);
    } else {
      auto y = via.forward(*net, xs[i]);
      benchmark::DoNotOptimize(y);
    }
    i = (i + 1) % kInputs;
  }
  set_sample_counters(state, 1, forward_flops<Net>());
}

// --- Training step, batch of 32 ------------------------------------------------

struct StepData {
  AlignedVector<Row<Mnist::inputs>> xs = random_inputs<Mnist::inputs>(kPool, 2);
  std::vector<std::uint8_t> labels = random_labels<Mnist::outputs>(kPool, 3);

  std::span<const Row<Mnist::inputs>, kBatch> batch_xs(std::size_t first) const {
    return std::span<const Row<Mnist::inputs>, kBatch>(&xs[first], kBatch);
  }
  std::span<const std::uint8_t, kBatch> batch_labels(std::size_t first) const {
    return std::span<const std::uint8_t, kBatch>(&labels[first], kBatch);
  }
};

/// One fused step of plain gradient descent on the batch at `first`, with
/// the mean gradient; returns the loss.
template <class Via>
float step(Via via, Mnist& net, const StepData& data, std::size_t first,
           fixnet::Workspace<Mnist, kBatch>& ws) {
  constexpr float rate = kLearningRate / kBatch;
  if constexpr (std::is_same_v<Via, Static>) {
    return fixnet::GradientDescent<float>{rate}.step(
        net, data.batch_xs(first), data.batch_labels(first), fixnet::CrossEntropy{}, ws);
  } else {
    return via.backward(net, data.batch_xs(first), data.batch_labels(first), fixnet::CrossEntropy{},
                        net.parameters(), ws, -rate);
  }
}

template <class Via>
void train_step(benchmark::State& state, Via via) {
  const auto net = make_network<Mnist>(1);
  const auto ws = std::make_unique<fixnet::Workspace<Mnist, kBatch>>();
  const StepData data;
  std::size_t first = 0;
  for (auto _ : state) {
    const float loss = step(via, *net, data, first, *ws);
    benchmark::DoNotOptimize(loss);
    first = (first + kBatch) % kPool;
  }
  set_sample_counters(state, kBatch, training_flops<Mnist>());
}

// --- Checks and registration ----------------------------------------------------

/// Softmax outputs lie in [0, 1]; targets differ in their exp and sigmoid
/// approximations (a few ULP) and in summation order.
constexpr float kTolerance = 1e-5f;

template <class Row>
std::vector<float> to_vector(const Row& row) {
  return std::vector<float>(row.begin(), row.end());
}

/// Largest |v|, at least 1: the scale of a gradient tolerance.
float scale_of(const std::vector<float>& v) {
  float largest = 1.0f;
  for (float x : v) largest = std::max(largest, std::abs(x));
  return largest;
}

template <class Net, class D>
void verify_forward(const D& d, const std::string& target) {
  const auto net = make_network<Net>(1);
  const auto xs = random_inputs<Net::inputs>(kInputs, 2);
  for (const auto& x : xs)
    check_close(target + " " + shape_name<Net>() + " forward, dispatched vs static",
                to_vector(net->forward(x)), to_vector(d.forward(*net, x)), kTolerance);
}

/// The dispatched pass's loss and gradient, and its fused step, against the
/// static path's, from the same network and batch.
void verify_train_step(const MnistDispatcher& d, const std::string& target) {
  const std::string what = target + " 784-50-10 batch 32 train step, dispatched vs static";
  const StepData data;
  const auto net = make_network<Mnist>(1);
  const auto twin = std::make_unique<Mnist>(*net);
  const auto ws = std::make_unique<fixnet::Workspace<Mnist, kBatch>>();
  const auto grads = std::make_unique<fixnet::Gradients<Mnist>>();
  const auto twin_grads = std::make_unique<fixnet::Gradients<Mnist>>();
  const float loss =
      net->backward(data.batch_xs(0), data.batch_labels(0), fixnet::CrossEntropy{}, *grads, *ws);
  const float twin_loss = d.backward(*twin, data.batch_xs(0), data.batch_labels(0),
                                     fixnet::CrossEntropy{}, *twin_grads, *ws);
  check_close(what + ": loss", {loss}, {twin_loss}, 1e-5f * std::abs(loss));
  std::vector<float> g(Mnist::parameter_count), twin_g(Mnist::parameter_count);
  grads->get_parameters(std::span<float, Mnist::parameter_count>(g.data(), g.size()));
  twin_grads->get_parameters(std::span<float, Mnist::parameter_count>(twin_g.data(), twin_g.size()));
  check_close(what + ": gradient", g, twin_g, 1e-5f * scale_of(g));
  step(Static{}, *net, data, 0, *ws);
  step(d, *twin, data, 0, *ws);
  net->get_parameters(std::span<float, Mnist::parameter_count>(g.data(), g.size()));
  twin->get_parameters(std::span<float, Mnist::parameter_count>(twin_g.data(), twin_g.size()));
  check_close(what + ": parameters after one step", g, twin_g, 1e-5f * scale_of(g));
}

std::string benchmark_name(const std::string& via, const std::string& scenario) {
  return "dispatch/" + via + "/" + scenario;
}

/// Registers `scenario` on the static path (`on_static`), then through the
/// Dispatcher `member` of each target in `all`, in their order
/// (`dispatched`).
template <class Dispatcher>
void register_per_target(const std::vector<TargetDispatchers>& all, const std::string& scenario,
                         void (*on_static)(benchmark::State&, Static),
                         void (*dispatched)(benchmark::State&, Dispatcher),
                         Dispatcher TargetDispatchers::*member) {
  const std::string static_path = std::string("static_") + fixnet::simd_target();
  benchmark::RegisterBenchmark(benchmark_name(static_path, scenario).c_str(), on_static, Static{});
  for (const TargetDispatchers& t : all)
    benchmark::RegisterBenchmark(benchmark_name(hwy::TargetName(t.target), scenario).c_str(),
                                 dispatched, t.*member);
}

}  // namespace

void verify_baselines() {
  for (const TargetDispatchers& t : dispatchers_per_target()) {
    const std::string target = hwy::TargetName(t.target);
    if (t.blobs.target() != t.target || t.mnist.target() != t.target)
      fail((target + ": a Dispatcher made while the target was forced reports another").c_str());
    verify_forward<Blobs>(t.blobs, target);
    verify_forward<Mnist>(t.mnist, target);
    verify_train_step(t.mnist, target);
  }
}

void register_benchmarks() {
  const std::vector<TargetDispatchers> all = dispatchers_per_target();
  std::string targets;
  for (const TargetDispatchers& t : all)
    targets += std::string(targets.empty() ? "" : " ") + hwy::TargetName(t.target);
  benchmark::AddCustomContext("dispatch_targets", targets);

  // Scenario by scenario: the static path, then each target, best first.
  register_per_target(all, shape_name<Blobs>() + "/forward", forward<Blobs, Static>,
                      forward<Blobs, BlobsDispatcher>, &TargetDispatchers::blobs);
  register_per_target(all, shape_name<Mnist>() + "/forward", forward<Mnist, Static>,
                      forward<Mnist, MnistDispatcher>, &TargetDispatchers::mnist);
  register_per_target(all, shape_name<Mnist>() + "/train_step_batch_" + std::to_string(kBatch),
                      train_step<Static>, train_step<MnistDispatcher>, &TargetDispatchers::mnist);
}

}  // namespace fixnet_bench
#endif  // HWY_ONCE

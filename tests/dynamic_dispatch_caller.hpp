// What tests/dynamic_dispatch_caller.cpp offers dynamic_dispatch_test.cpp: a
// pass through the Dispatcher, made in another file.
#ifndef FIXNET_TESTS_DYNAMIC_DISPATCH_CALLER_HPP
#define FIXNET_TESTS_DYNAMIC_DISPATCH_CALLER_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include <fixnet/inference.hpp>

namespace fixnet::tests {

using Blobs = Mlp<Sigmoid, Softmax, 2, 4, 3>;
constexpr std::size_t kBatch = 32;

struct CallerResult {
  std::int64_t target;
  std::array<float, 3> output;
};

/// blobs_dispatcher() called from another translation unit: its target and
/// its forward pass of x.
CallerResult call_from_another_file(const Blobs& net, const std::array<float, 2>& x);

// dynamic_dispatch_test.cpp declares the same alias again, as docs/dispatch.md
// shows it.
using Mnist = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;

struct MnistCallerResult {
  std::array<float, 10> p;
  float loss;
};

/// docs/dispatch.md's calls through mnist_dispatcher(), made from another
/// translation unit: a one-sample and a batch forward pass, a backward pass
/// into `grads`, a gradient-descent step with them and a fused step.
MnistCallerResult mnist_from_another_file(Mnist* net, const std::array<float, 784>& image,
                                          const std::array<std::array<float, 784>, kBatch>* images,
                                          const std::array<int, kBatch>& labels,
                                          std::array<std::array<float, 10>, kBatch>& probabilities,
                                          Workspace<Mnist, kBatch>* ws, Gradients<Mnist>& grads,
                                          float learning_rate);

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_DYNAMIC_DISPATCH_CALLER_HPP

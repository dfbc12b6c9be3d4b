// What tests/dynamic_dispatch_caller.cpp offers dynamic_dispatch_test.cpp: a
// pass through the Dispatcher, made in another file.
#ifndef FIXNET_TESTS_DYNAMIC_DISPATCH_CALLER_HPP
#define FIXNET_TESTS_DYNAMIC_DISPATCH_CALLER_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include <fixnet/network.hpp>

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

}  // namespace fixnet::tests

#endif  // FIXNET_TESTS_DYNAMIC_DISPATCH_CALLER_HPP

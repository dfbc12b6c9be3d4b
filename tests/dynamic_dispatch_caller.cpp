// The other file of tests/dynamic_dispatch_test.cpp's binary: it reaches the
// Dispatcher that dynamic_dispatch_test.cpp defines through
// FIXNET_DECLARE_DYNAMIC_DISPATCH, as the rest of a program would through a
// header, without hwy/foreach_target.h.
#include <array>

#include <fixnet/dynamic_dispatch.hpp>
#include <fixnet/fixnet.hpp>

#include "dynamic_dispatch_caller.hpp"

namespace fixnet::tests {

FIXNET_DECLARE_DYNAMIC_DISPATCH(blobs_dispatcher, Blobs, kBatch, CrossEntropy, MeanSquaredError);

CallerResult call_from_another_file(const Blobs& net, const std::array<float, 2>& x) {
  const auto dispatcher = blobs_dispatcher();
  return {dispatcher.target(), dispatcher.forward(net, x)};
}

}  // namespace fixnet::tests

// expect: fixnet: the target's extent does not match the network's output width
// expect-gcc: ExpectedOutputs = 3
// expect-gcc: FoundTargetExtent = 2
//
// A batch of targets whose rows have 2 values, for a network of 3 outputs.
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

#ifdef FIXNET_COMPILE_FAIL
using Targets = std::array<std::array<float, 2>, 4>;
#else
using Targets = std::array<std::array<float, 3>, 4>;
#endif

float evaluate(const Net& net, fixnet::Workspace<Net, 4>& ws, const std::array<std::array<float, 2>, 4>& xs,
               const Targets& targets) {
  return net.loss(xs, targets, fixnet::CrossEntropy{}, ws);
}

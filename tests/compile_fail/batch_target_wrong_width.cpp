// expect: fixnet: the target's extent does not match the network's output width
// expect-gcc: ExpectedOutputs = 3
// expect-gcc: FoundTargetExtent = 2
//
// A batch of targets whose rows have 2 values, for a network of 3 outputs.
#include "net.hpp"

#ifdef FIXNET_COMPILE_FAIL
using Targets = Batch<2>;
#else
using Targets = Batch<3>;
#endif

float evaluate(const Net& net, BatchWorkspace& ws, const Batch<2>& xs, const Targets& targets) {
  return net.loss(xs, targets, fixnet::CrossEntropy{}, ws);
}

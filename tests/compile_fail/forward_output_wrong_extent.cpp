// expect: fixnet: the output buffer's extent does not match the network's output width
// expect-gcc: ExpectedOutputs = 3
// expect-gcc: FoundOutputs = 2
//
// A batch forward pass of a 2-4-3 network into rows of 2 values.
#include "net.hpp"

#ifdef FIXNET_COMPILE_FAIL
using Outputs = Batch<2>;
#else
using Outputs = Batch<3>;
#endif

void run(const Net& net, BatchWorkspace& ws, const Batch<2>& xs, Outputs& ys) {
  net.forward(xs, ys, ws);
}

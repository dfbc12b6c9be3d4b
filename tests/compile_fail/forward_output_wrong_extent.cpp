// expect: fixnet: the output buffer's extent does not match the network's output width
// expect-gcc: ExpectedOutputs = 3
// expect-gcc: FoundOutputs = 2
//
// A batch forward pass of a 2-4-3 network into rows of 2 values.
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

#ifdef FIXNET_COMPILE_FAIL
using Outputs = std::array<std::array<float, 2>, 4>;
#else
using Outputs = std::array<std::array<float, 3>, 4>;
#endif

void run(const Net& net, fixnet::Workspace<Net, 4>& ws, const std::array<std::array<float, 2>, 4>& xs,
         Outputs& ys) {
  net.forward(xs, ys, ws);
}

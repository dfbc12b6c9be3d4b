// expect: fixnet: the batch's row width does not match the network's input width
// expect-gcc: ExpectedWidth = 2
// expect-gcc: FoundWidth = 3
//
// A batch of 8 samples of 3 values into a network of 2 inputs.
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

void run(const Net& net, fixnet::Workspace<Net, 8>& ws, std::array<std::array<float, 3>, 8>& ys) {
#ifdef FIXNET_COMPILE_FAIL
  const std::array<std::array<float, 3>, 8> xs{};
#else
  const std::array<std::array<float, 2>, 8> xs{};
#endif
  net.forward(xs, ys, ws);
}

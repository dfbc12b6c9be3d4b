// expect: fixnet: the input's extent does not match the network's input width
// expect-gcc: ExpectedInputs = 2
// expect-gcc: FoundInputs = 3
//
// A 2-4-3 network given a sample of 3 values.
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

std::array<float, 3> run(const Net& net) {
#ifdef FIXNET_COMPILE_FAIL
  const std::array<float, 3> x{0.5f, -1.0f, 2.0f};
#else
  const std::array<float, 2> x{0.5f, -1.0f};
#endif
  return net.forward(x);
}

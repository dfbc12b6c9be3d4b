// expect: fixnet: this loss does not fit the network's output activation
// expect-gcc: Loss = fixnet::BinaryCrossEntropy
// expect-gcc: OutputActivation = fixnet::Softmax
//
// Binary cross-entropy needs a sigmoid output.
#include <array>

#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
#else
using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Sigmoid, 2, 4, 3>;
#endif

float evaluate(const Net& net) {
  const std::array<float, 2> x{0.5f, -1.0f};
  const std::array<float, 3> target{0.0f, 1.0f, 1.0f};
  return net.loss(x, target, fixnet::BinaryCrossEntropy{});
}

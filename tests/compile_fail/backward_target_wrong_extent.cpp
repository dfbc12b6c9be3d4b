// expect: fixnet: the target's extent does not match the network's output width
// expect-gcc: ExpectedOutputs = 3
// expect-gcc: FoundTargetExtent = 4
//
// A 2-4-3 classifier trained against a target of 4 values.
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

float train(const Net& net, fixnet::Gradients<Net>& grads) {
  const std::array<float, 2> x{0.5f, -1.0f};
#ifdef FIXNET_COMPILE_FAIL
  const std::array<float, 4> target{0.0f, 1.0f, 0.0f, 0.0f};
#else
  const std::array<float, 3> target{0.0f, 1.0f, 0.0f};
#endif
  return net.backward(x, target, fixnet::CrossEntropy{}, grads);
}

// expect: fixnet: this loss does not fit the network's output activation
// expect-gcc: Loss = fixnet::CrossEntropy
// expect-gcc: OutputActivation = fixnet::Relu
//
// Cross-entropy needs a softmax output. The twin asks for it explicitly
// with AllowAnyOutput.
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Relu, 2, 4, 3>;

float train(const Net& net, fixnet::Gradients<Net>& grads) {
  const std::array<float, 2> x{0.5f, -1.0f};
#ifdef FIXNET_COMPILE_FAIL
  return net.backward(x, 1, fixnet::CrossEntropy{}, grads);
#else
  return net.backward(x, 1, fixnet::AllowAnyOutput<fixnet::CrossEntropy>{}, grads);
#endif
}

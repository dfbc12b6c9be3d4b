// expect: fixnet: training a network with Dropout needs a workspace
//
// The masks advance with the workspace from one training pass to the next;
// the single-sample backward without one would reuse the same mask forever.
#include <array>
#include <cstdint>

#include <fixnet/inference.hpp>

using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Dropout<4>,
                            fixnet::Dense<4, 3, fixnet::Softmax>>;

float train(const Net& net, fixnet::Gradients<Net>& grads) {
  const std::array<float, 2> x{1, 2};
#ifdef FIXNET_COMPILE_FAIL
  return net.backward(x, 1, fixnet::CrossEntropy{}, grads);
#else
  fixnet::Workspace<Net, 1> ws;
  const std::array<std::array<float, 2>, 1> xs{x};
  const std::array<std::uint8_t, 1> labels{1};
  return net.backward(xs, labels, fixnet::CrossEntropy{}, grads, ws);
#endif
}

// expect: fixnet: the input's element type differs from the network's scalar type (float)
// expect: pass std::array<float, N> or std::span<const float, N>
//
// A float network trained on doubles; the twin converts them.
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

float train(const Net& net, fixnet::Gradients<Net>& grads) {
#ifdef FIXNET_COMPILE_FAIL
  const std::array<double, 2> x{0.5, -1.0};
#else
  const std::array<float, 2> x{0.5f, -1.0f};
#endif
  return net.backward(x, 1, fixnet::CrossEntropy{}, grads);
}

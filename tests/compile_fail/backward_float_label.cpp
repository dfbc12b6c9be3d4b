// expect: fixnet: the target must be a class index of an integer type
// expect: static_cast<std::size_t>(label)
//
// A class label stored as a float; the twin converts it to an index.
#include <array>
#include <cstddef>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

float train(const Net& net, float label, fixnet::Gradients<Net>& grads) {
  const std::array<float, 2> x{0.5f, -1.0f};
#ifdef FIXNET_COMPILE_FAIL
  return net.backward(x, label, fixnet::CrossEntropy{}, grads);
#else
  return net.backward(x, static_cast<std::size_t>(label), fixnet::CrossEntropy{}, grads);
#endif
}

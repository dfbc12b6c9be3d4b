// expect: fixnet: the input must be std::array<float, N> or std::span<const float, N>
// expect: std::span<const float, N>(ptr, N)
//
// A pointer as one sample; the twin views it as a span of fixed extent.
#include <cstddef>
#include <span>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

float train(const Net& net, const float* x, fixnet::Gradients<Net>& grads) {
  const std::size_t label = 1;
#ifdef FIXNET_COMPILE_FAIL
  return net.backward(x, label, fixnet::CrossEntropy{}, grads);
#else
  return net.backward(std::span<const float, Net::inputs>(x, Net::inputs), label,
                      fixnet::CrossEntropy{}, grads);
#endif
}

// expect: fixnet: the input must be std::array<float, N> or std::span<const float, N>
// expect: std::span<const float, N>(ptr, N)
//
// A std::span of dynamic extent as one sample; the twin gives it its extent.
#include <span>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

float cost(const Net& net, std::span<float> x) {
#ifdef FIXNET_COMPILE_FAIL
  return net.loss(x, 2, fixnet::CrossEntropy{});
#else
  return net.loss(std::span<const float, Net::inputs>(x.data(), Net::inputs), 2,
                  fixnet::CrossEntropy{});
#endif
}

// expect: fixnet: the input must be std::array<float, N> or std::span<const float, N>
// expect: std::span<const float, N>(ptr, N)
//
// A std::vector as one sample; the twin views it as a span of fixed extent.
#include <array>
#include <span>
#include <vector>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

std::array<float, 3> run(const Net& net, const std::vector<float>& x) {
#ifdef FIXNET_COMPILE_FAIL
  return net.forward(x);
#else
  return net.forward(std::span<const float, Net::inputs>(x.data(), Net::inputs));
#endif
}

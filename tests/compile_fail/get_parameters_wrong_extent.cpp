// expect: fixnet: the parameter span's extent does not match the network's parameter_count
// expect-gcc: ExpectedCount = 27
// expect-gcc: FoundCount = 30
//
// Reading a 2-4-3 network's 27 parameters into a span of 30.
#include <array>
#include <span>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

void save(const Net& net, std::array<float, 30>& buffer) {
#ifdef FIXNET_COMPILE_FAIL
  net.get_parameters(std::span<float, 30>(buffer));
#else
  net.get_parameters(std::span(buffer).first<Net::parameter_count>());
#endif
}

// expect: fixnet: the parameter span's extent does not match the network's parameter_count
// expect-gcc: ExpectedCount = 27
// expect-gcc: FoundCount = 26
//
// A 2-4-3 network has 2*4 + 4 + 4*3 + 3 = 27 parameters.
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

#ifdef FIXNET_COMPILE_FAIL
void load(Net& net, const std::array<float, 26>& values) { net.set_parameters(values); }
#else
void load(Net& net, const std::array<float, 27>& values) { net.set_parameters(values); }
#endif

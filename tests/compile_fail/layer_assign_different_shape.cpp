// expect: fixnet: cannot copy parameters between dense layers of different shapes
// expect-gcc: ExpectedOutputs = 4
// expect-gcc: FoundOutputs = 5
//
// Copying layer 0 of a 2-5-3 network into layer 0 of a 2-4-3 one.
#include "net.hpp"

#ifdef FIXNET_COMPILE_FAIL
using Other = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 5, 3>;
#else
using Other = fixnet::Mlp<fixnet::Relu, fixnet::Softmax, 2, 4, 5>;
#endif

void copy(Net& net, const Other& other) { net.layer_parameters<0>().assign(other.layer_parameters<0>()); }

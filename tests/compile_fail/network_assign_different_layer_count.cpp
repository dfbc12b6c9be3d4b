// expect: fixnet: cannot copy parameters between networks with different numbers of layers
// expect-gcc: ExpectedLayers = 2
// expect-gcc: FoundLayers = 3
//
// Copying a 2-4-4-3 network's parameters into a 2-4-3 one.
#include "net.hpp"

#ifdef FIXNET_COMPILE_FAIL
using Other = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 4, 3>;
#else
using Other = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
#endif

void copy(Net& net, const Other& other) { net.assign(other); }

// expect: fixnet: cannot copy parameters between networks whose layers differ in shape
// expect-gcc: LayerIndex = 1
// expect-gcc: ExpectedOutputs = 3
// expect-gcc: FoundOutputs = 5
//
// Copying a 2-4-5 network's parameters into a 2-4-3 one: layer 1 differs.
// The twin converts a double network of the same shape.
#include "net.hpp"

#ifdef FIXNET_COMPILE_FAIL
using Other = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 5>;
#else
using Other = fixnet::BasicMlp<double, fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;
#endif

void copy(Net& net, const Other& other) { net.assign(other); }

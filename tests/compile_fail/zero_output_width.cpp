// expect: fixnet: a layer has zero width (every layer needs In > 0 and Out > 0)
// expect-gcc: LayerIndex = 1
// expect-gcc: Outputs = 0
//
// A last layer with no outputs.
#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Dense<4, 0, fixnet::Softmax>>;
#else
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Dense<4, 1, fixnet::Sigmoid>>;
#endif

Net net;

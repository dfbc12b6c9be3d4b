// expect: fixnet: a layer has zero width (every layer needs In > 0 and Out > 0)
// expect-gcc: LayerIndex = 0
// expect-gcc: Inputs = 0
//
// A first layer with no inputs.
#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Network<fixnet::Dense<0, 4, fixnet::Sigmoid>, fixnet::Dense<4, 3, fixnet::Softmax>>;
#else
using Net = fixnet::Network<fixnet::Dense<1, 4, fixnet::Sigmoid>, fixnet::Dense<4, 3, fixnet::Softmax>>;
#endif

Net net;

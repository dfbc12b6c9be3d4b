// expect: fixnet: a layer has zero width (every layer needs In > 0 and Out > 0)
// expect-gcc: LayerIndex = 1
// expect-gcc: Outputs = 0
//
// A last layer with no outputs. The twin is Net (net.hpp): the same network
// with 3 outputs.
#include "net.hpp"

#ifdef FIXNET_COMPILE_FAIL
fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Dense<4, 0, fixnet::Softmax>> net;
#else
Net net;
#endif

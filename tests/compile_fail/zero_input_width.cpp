// expect: fixnet: a layer has zero width (every layer needs In > 0 and Out > 0)
// expect-gcc: LayerIndex = 0
// expect-gcc: Inputs = 0
//
// A first layer with no inputs. The twin is Net (net.hpp): the same network
// with 2 inputs.
#include "net.hpp"

#ifdef FIXNET_COMPILE_FAIL
fixnet::Network<fixnet::Dense<0, 4, fixnet::Sigmoid>, fixnet::Dense<4, 3, fixnet::Softmax>> net;
#else
Net net;
#endif

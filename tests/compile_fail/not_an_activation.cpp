// expect: fixnet: the third argument of Dense<In, Out, Act> must be an activation
// expect: fixnet::Dense<2, 4, fixnet::CrossEntropy>
//
// A loss where an activation belongs. The twin is Net (net.hpp): the same
// network with a sigmoid layer.
#include "net.hpp"

#ifdef FIXNET_COMPILE_FAIL
fixnet::Network<fixnet::Dense<2, 4, fixnet::CrossEntropy>, fixnet::Dense<4, 3, fixnet::Softmax>> net;
#else
Net net;
#endif

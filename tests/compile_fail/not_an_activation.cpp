// expect: fixnet: the third argument of Dense<In, Out, Act> must be an activation
// expect: fixnet::Dense<2, 4, fixnet::CrossEntropy>
//
// A loss where an activation belongs.
#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::CrossEntropy>, fixnet::Dense<4, 3, fixnet::Softmax>>;
#else
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::LeakyRelu>, fixnet::Dense<4, 3, fixnet::Softmax>>;
#endif

Net net;

// expect: fixnet: a network needs at least one layer
//
// A network must list its layers.
#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Network<>;
#else
using Net = fixnet::Network<fixnet::Dense<2, 3, fixnet::Softmax>>;
#endif

Net net;

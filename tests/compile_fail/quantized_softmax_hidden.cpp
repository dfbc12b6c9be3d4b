// expect: fixnet: a quantized hidden layer's activation must act on each element alone
//
// Softmax on a hidden layer: its outputs depend on each other, so they
// cannot be coded one at a time; it may end the network only.
#include <fixnet/inference.hpp>
#include <fixnet/quantized.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net =
    fixnet::Network<fixnet::Dense<4, 8, fixnet::Softmax>, fixnet::Dense<8, 3, fixnet::Softmax>>;
#else
using Net =
    fixnet::Network<fixnet::Dense<4, 8, fixnet::Sigmoid>, fixnet::Dense<8, 3, fixnet::Softmax>>;
#endif

fixnet::Quantized<Net> empty() { return {}; }

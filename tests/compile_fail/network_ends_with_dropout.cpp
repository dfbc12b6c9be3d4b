// expect: fixnet: a network cannot end with a Dropout layer
// expect-gcc: LayerIndex = 1
//
// Dropout after the output layer would only add noise to the loss.
#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Dropout<4>>;
#else
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Dropout<4>,
                            fixnet::Dense<4, 3, fixnet::Softmax>>;
#endif

Net net;

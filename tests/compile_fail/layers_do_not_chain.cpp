// expect: fixnet: a layer's input width must equal the previous layer's output width
// expect-gcc: LayerIndex = 1
// expect-gcc: ExpectedInputs = 4
// expect-gcc: FoundInputs = 5
//
// Layer 1 takes 5 inputs, but layer 0 gives 4 outputs.
#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Dense<5, 3, fixnet::Softmax>>;
#else
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Dense<4, 3, fixnet::Softmax>>;
#endif

Net net;

// expect: fixnet: a Softmax output layer of width 1 always outputs 1
// expect: Dense<In, 1, Sigmoid> with BinaryCrossEntropy
//
// One softmax output is always 1, so its loss is always 0; the twin uses a
// sigmoid output for two classes.
#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Mlp<fixnet::Relu, fixnet::Softmax, 2, 4, 1>;
#else
using Net = fixnet::Mlp<fixnet::Relu, fixnet::Sigmoid, 2, 4, 1>;
#endif

Net net;

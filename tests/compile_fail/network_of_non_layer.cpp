// expect: fixnet: a network's list holds layers
// expect-gcc: LayerIndex = 1
//
// An activation where a layer belongs (Dense<4, 3, Softmax> was meant): the
// layer protocol (fixnet::Layer) names the faulty entry by index.
#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Softmax>;
#else
using Net = fixnet::Network<fixnet::Dense<2, 4, fixnet::Sigmoid>, fixnet::Dense<4, 3, fixnet::Softmax>>;
#endif

Net net;

int main() { return static_cast<int>(Net::layer_count); }

// expect: fixnet: Quantized<Net> needs a float fixnet::Network
//
// Quantizing a double network: quantize its float copy
// (fixnet::Mlp<...> net{double_net}).
#include <fixnet/inference.hpp>
#include <fixnet/quantized.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::BasicMlp<double, fixnet::Relu, fixnet::Softmax, 4, 8, 3>;
#else
using Net = fixnet::Mlp<fixnet::Relu, fixnet::Softmax, 4, 8, 3>;
#endif

fixnet::Quantized<Net> empty() { return {}; }

// expect: fixnet: layer index out of range
// expect-gcc: LayerIndex = 5
// expect-gcc: LayerCount = 2
//
// A 2-layer network has layers 0 and 1.
#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

float first_weight(Net& net) {
#ifdef FIXNET_COMPILE_FAIL
  return net.layer_parameters<5>().weight(0, 0);
#else
  return net.layer_parameters<1>().weight(0, 0);
#endif
}

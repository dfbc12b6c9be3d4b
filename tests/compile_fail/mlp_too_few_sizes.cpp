// expect: fixnet: Mlp<Hidden, Output, Sizes...> needs at least two sizes (inputs, outputs)
// expect-gcc: Sizes = {784}
//
// An Mlp needs its input width and its output width at least.
#include <fixnet/inference.hpp>

#ifdef FIXNET_COMPILE_FAIL
using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784>;
#else
using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 10>;
#endif

static_assert(Net::inputs > 0);

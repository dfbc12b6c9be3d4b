// expect: fixnet: a batch needs at least one sample
// expect-gcc: BatchSize = 0
//
// A workspace for batches of no samples.
#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

#ifdef FIXNET_COMPILE_FAIL
fixnet::Workspace<Net, 0> ws;
#else
fixnet::Workspace<Net, 1> ws;
#endif

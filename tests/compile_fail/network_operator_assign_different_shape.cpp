// expect: fixnet: cannot copy parameters between networks whose layers differ in shape
// expect-gcc: LayerIndex = 0
// expect-gcc: ExpectedInputs = 2
// expect-gcc: FoundInputs = 3
//
// net = other, where other is 3-4-3 and net 2-4-3. The twin copies from a
// network of the same shape but other activations (only parameters are
// copied).
#include "net.hpp"

#ifdef FIXNET_COMPILE_FAIL
using Other = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 3, 4, 3>;
#else
using Other = fixnet::Mlp<fixnet::Tanh, fixnet::Softmax, 2, 4, 3>;
#endif

void copy(Net& net, const Other& other) { net = other; }

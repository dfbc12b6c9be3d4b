// expect: fixnet: assigning a network of another scalar type; use assign() to convert
//
// net = other between a float and a double network of the same shape: the
// conversion must be asked for with assign().
#include "net.hpp"

using Other = fixnet::BasicMlp<double, fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

#ifdef FIXNET_COMPILE_FAIL
void copy(Net& net, const Other& other) { net = other; }
#else
void copy(Net& net, const Other& other) { net.assign(other); }
#endif

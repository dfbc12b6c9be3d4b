// expect: fixnet: the input's element type differs from the network's scalar type
// expect-gcc: ExpectedScalar = float
// expect-gcc: FoundScalar = double
//
// A float network given doubles; convert them, or use a double network
// (fixnet::BasicMlp<double, ...>).
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

std::array<float, 3> run(const Net& net) {
#ifdef FIXNET_COMPILE_FAIL
  const std::array<double, 2> x{0.5, -1.0};
#else
  const std::array<float, 2> x{0.5f, -1.0f};
#endif
  return net.forward(x);
}

// expect: fixnet: the input's extent does not match the network's input width
// expect-gcc: ExpectedInputs = 784
// expect-gcc: FoundInputs = 783
//
// A quantized 784-50-10 network given a row of 783 pixels: the same check
// as a float network's.
#include <array>
#include <cstdint>

#include <fixnet/inference.hpp>
#include <fixnet/quantized.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;

std::array<float, 10> run(const fixnet::Quantized<Net>& q) {
#ifdef FIXNET_COMPILE_FAIL
  const std::array<std::uint8_t, 783> pixels{};
#else
  const std::array<std::uint8_t, 784> pixels{};
#endif
  return q.forward(pixels);
}

// expect: fixnet: a quantized network takes a row of float, or of std::uint8_t input codes
//
// A quantized network given a row of doubles: it takes floats (quantized
// on the way in) or uint8 codes (raw pixels).
#include <array>

#include <fixnet/inference.hpp>
#include <fixnet/quantized.hpp>

using Net = fixnet::Mlp<fixnet::Relu, fixnet::Softmax, 4, 8, 3>;

std::array<float, 3> run(const fixnet::Quantized<Net>& q) {
#ifdef FIXNET_COMPILE_FAIL
  const std::array<double, 4> x{0.5, -1.0, 2.0, 0.0};
#else
  const std::array<float, 4> x{0.5f, -1.0f, 2.0f, 0.0f};
#endif
  return q.forward(x);
}

// expect: fixnet: a batch's size must be part of its type
//
// A fused step given its labels in a std::vector; the twin views them as a
// fixed-size span.
#include <array>
#include <cstdint>
#include <vector>

#include <fixnet/fixnet.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

float train(Net& net, const std::array<std::array<float, 2>, 4>& xs,
            const std::vector<std::uint8_t>& labels, fixnet::Workspace<Net, 4>& ws) {
  const fixnet::GradientDescent<float> sgd{0.1f};
#ifdef FIXNET_COMPILE_FAIL
  return sgd.step(net, xs, labels, fixnet::CrossEntropy{}, ws);
#else
  return sgd.step(net, xs, std::span<const std::uint8_t, 4>(labels.data(), 4),
                  fixnet::CrossEntropy{}, ws);
#endif
}

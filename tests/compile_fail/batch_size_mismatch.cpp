// expect: fixnet: the batch sizes of inputs, outputs, targets and workspace differ
// expect-gcc: ExpectedBatch = 8
// expect-gcc: FoundBatch = 4
//
// 8 inputs, 8 samples of workspace, but only 4 targets.
#include <array>
#include <cstdint>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

float train(const Net& net, fixnet::Gradients<Net>& grads, fixnet::Workspace<Net, 8>& ws,
            const std::array<std::array<float, 2>, 8>& xs) {
#ifdef FIXNET_COMPILE_FAIL
  const std::array<std::uint8_t, 4> labels{0, 1, 2, 0};
#else
  const std::array<std::uint8_t, 8> labels{0, 1, 2, 0, 1, 2, 0, 1};
#endif
  return net.backward(xs, labels, fixnet::CrossEntropy{}, grads, ws);
}

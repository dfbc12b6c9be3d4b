// expect: fixnet: the batch sizes of inputs, outputs, targets and workspace differ
// expect-gcc: ExpectedBatch = 16
// expect-gcc: FoundBatch = 8
//
// 8 inputs run through a workspace made for batches of 16.
#include <array>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

#ifdef FIXNET_COMPILE_FAIL
constexpr std::size_t kWorkspaceBatch = 16;
#else
constexpr std::size_t kWorkspaceBatch = 8;
#endif

void run(const Net& net, fixnet::Workspace<Net, kWorkspaceBatch>& ws,
         const std::array<std::array<float, 2>, 8>& xs, std::array<std::array<float, 3>, 8>& ys) {
  net.forward(xs, ys, ws);
}

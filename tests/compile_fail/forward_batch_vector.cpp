// expect: fixnet: a batch's size must be part of its type
// expect: std::span<const Row, B>(rows.data(), B)
//
// A batch of rows in a std::vector; the twin views it as a fixed-size span.
#include <array>
#include <vector>

#include <fixnet/inference.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 2, 4, 3>;

void run(const Net& net, const std::vector<std::array<float, 2>>& rows,
         std::array<std::array<float, 3>, 8>& ys, fixnet::Workspace<Net, 8>& ws) {
#ifdef FIXNET_COMPILE_FAIL
  net.forward(rows, ys, ws);
#else
  net.forward(std::span<const std::array<float, 2>, 8>(rows.data(), 8), ys, ws);
#endif
}

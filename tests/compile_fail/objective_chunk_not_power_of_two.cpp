// expect: fixnet: Objective<Net, Loss, Chunk>: the chunk size must be a power of two
// expect-gcc: Chunk = 100
//
// The samples after the last whole chunk go through chunks of the smaller
// powers of two, so the chunk size must be one.
#include <fixnet/inference.hpp>
#include <fixnet/train/objective.hpp>

using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Sigmoid, 2, 4, 3>;

int main() {
  const fixnet::data::Dataset<float, 2> data(3);
#ifdef FIXNET_COMPILE_FAIL
  const auto make = [&] { return fixnet::Objective<Net, fixnet::BinaryCrossEntropy, 100>(data); };
#else
  const auto make = [&] { return fixnet::Objective<Net, fixnet::BinaryCrossEntropy, 128>(data); };
#endif
  (void)make;
}
